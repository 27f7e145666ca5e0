"""params -> segments: order, laziness, and id errors."""

from __future__ import annotations

import itertools
import time
import tracemalloc

import pytest

from parallel_animate import IndexedFrameParams
from parallel_animate.frames import iter_segments
from parallel_animate.pipeline import plan_segment_length
from parallel_animate.plan import resolve_workers


def _flatten(segments):
    out = []
    for seg in segments:
        assert seg.start == len(out)
        out.extend(seg.params)
    return out


def test_plain_list_cut_into_contiguous_segments():
    segments = list(iter_segments(list(range(23)), None, 10))
    assert [(s.index, s.start, s.stop) for s in segments] == [(0, 0, 10), (1, 10, 20), (2, 20, 23)]
    assert _flatten(segments) == list(range(23))


def test_out_of_order_frames_are_held_only_until_their_segment_is_complete():
    order = [3, 1, 0, 2, 7, 5, 4, 6, 8]
    items = (IndexedFrameParams(i, f"p{i}") for i in order)
    segments = iter_segments(items, None, 4)
    first = next(segments)
    assert first.params == ("p0", "p1", "p2", "p3")
    assert _flatten([first, *segments]) == [f"p{i}" for i in range(9)]


def test_generator_is_consumed_lazily():
    read = []

    def gen():
        for i in itertools.count():
            read.append(i)
            yield i

    segments = iter_segments(gen(), 1000, 10)
    next(segments)
    assert len(read) == 10  # one segment's worth, not the whole video
    next(segments)
    assert len(read) == 20


def test_n_frames_cuts_infinite_iterator():
    segments = list(iter_segments(itertools.count(), 25, 10))
    assert _flatten(segments) == list(range(25))


@pytest.mark.parametrize(
    ("items", "n_frames", "pattern"),
    [
        ([IndexedFrameParams(0, 0), IndexedFrameParams(0, 1)], None, "duplicate frame id 0"),
        ([0, IndexedFrameParams(0, 1)], None, "duplicate frame id 0"),
        ([IndexedFrameParams(4, 0)], 2, "frame id 4 is out of range"),
        (iter([IndexedFrameParams(i, 0) for i in (0, 2, 5)]), None, "without frame ids 1, 3, 4"),
        (iter([]), None, "empty"),
        # Positional and indexed frames that leave a hole (the seed rendered 0, 2, 3):
        ([0, IndexedFrameParams(3, 1), 2], None, "frame id 3 is out of range"),
        (iter([0, IndexedFrameParams(3, 1), 2]), None, "without frame ids 1"),
        (iter([IndexedFrameParams(i, 0) for i in range(30) if i % 2]), None, r"\(5 more\)"),
    ],
)
def test_id_errors_name_the_ids(items, n_frames, pattern):
    with pytest.raises(ValueError, match=pattern):
        list(iter_segments(items, n_frames, 10))


def test_n_frames_longer_than_iterable_names_missing_ids():
    with pytest.raises(ValueError, match="without frame ids 3, 4"):
        list(iter_segments(iter(range(3)), 5, 10))


def _peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_id_far_ahead_without_known_length_fails_at_once_in_small_memory():
    def frames():
        yield IndexedFrameParams(0, "a")
        yield IndexedFrameParams(10**9, "a timestamp, not a frame number")
        raise AssertionError("read past the wrong id")

    def consume():
        with pytest.raises(ValueError) as info:
            list(iter_segments(frames(), None, 10))
        msg = str(info.value)
        assert "frame id 1000000000" in msg and "next frame needed (1)" in msg
        assert "n_frames" in msg

    t0 = time.perf_counter()
    peak = _peak_bytes(consume)
    assert time.perf_counter() - t0 < 1.0
    assert peak < 2_000_000


def test_missing_ids_cost_memory_of_the_frames_held_not_of_the_ids():
    # A known length of 10**9 with two frames given: the error names the first missing
    # ids without building a set of a billion ids.
    items = iter([IndexedFrameParams(0, 0), IndexedFrameParams(2, 0)])

    def consume():
        with pytest.raises(ValueError, match=r"without frame ids 1, 3, 4, .*\(999999988 more\)"):
            list(iter_segments(items, 10**9, 10))

    t0 = time.perf_counter()
    peak = _peak_bytes(consume)
    assert time.perf_counter() - t0 < 1.0
    assert peak < 2_000_000


def test_ids_within_the_read_ahead_bound_are_held_until_needed():
    # Reversed order within max_ahead works; one past it is an error naming both ids.
    items = [IndexedFrameParams(i, i) for i in reversed(range(50))]
    assert _flatten(iter_segments(iter(items), None, 7, max_ahead=50)) == list(range(50))
    with pytest.raises(ValueError, match=r"frame id 50 is 50 frames ahead .* at most 50"):
        list(iter_segments(iter([IndexedFrameParams(50, 0)]), None, 7, max_ahead=50))


@pytest.mark.parametrize("bad", [True, False, 1.0, "1"])
def test_frame_id_must_be_a_real_int(bad):
    with pytest.raises(TypeError, match="frame_id must be an int"):
        IndexedFrameParams(bad, None)


def test_segment_length_balances_and_bounds():
    # At least one second of video per segment (a keyframe each), unless the clip is
    # shorter: then one segment.
    assert plan_segment_length(120, 30.0) == 30
    assert plan_segment_length(5, 30.0) == 5
    assert plan_segment_length(45, 30.0) == 45  # two would be shorter than a second
    assert plan_segment_length(61, 30.0) == 31  # equal halves, never a stub
    # Longer: about PARALLEL_SEGMENTS equal segments, at most KEYFRAME_INTERVAL frames.
    assert plan_segment_length(600, 30.0) == 50
    assert plan_segment_length(1000, 24.0) == 91  # 11 segments of 91 (84 planned)
    assert 240 <= plan_segment_length(100_000, 30.0) <= 250
    # Unknown count: about 4 s of video, at least MIN_SEGMENT frames.
    assert plan_segment_length(None, 60.0) == 240
    assert plan_segment_length(None, 10.0) == 120


@pytest.mark.parametrize("total", [1, 29, 30, 31, 120, 361, 3000, 12_345])
def test_segments_are_equal_and_fit(total):
    length = plan_segment_length(total, 30.0)
    n = -(-total // length)
    assert length * (n - 1) < total <= length * n  # no empty segment
    assert total - length * (n - 1) >= length - n  # the last is not a stub
    assert min(total, 30) <= length <= 250
    assert total < 60 or n >= 2  # two seconds or more: several segments


def test_resolve_workers(monkeypatch):
    monkeypatch.setattr("parallel_animate.plan.cpu_count", lambda: 8)
    assert resolve_workers(-1) == 8
    assert resolve_workers(-2) == 7
    assert resolve_workers(-20) == 1
    assert resolve_workers(3) == 3
    with pytest.raises(ValueError):
        resolve_workers(0)
    with pytest.raises(TypeError):
        resolve_workers(2.0)
