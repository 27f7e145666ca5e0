"""Resuming, piece by piece and in process: fingerprints, keys, part files, the scheduler
finding parts, the options. End-to-end runs are in test_resume.py."""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import sys
import textwrap
import threading
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from anims import BlockAnimator, block_params
from parallel_animate.encode import EncodedSegment
from parallel_animate.encode.writer import try_lock
from parallel_animate.fingerprint import fingerprint, run_key, segment_key
from parallel_animate.frames import iter_segments
from parallel_animate.parts import PartStore, beside
from parallel_animate.plan import RunOptions, build_plan
from parallel_animate.readahead import FrameStore
from parallel_animate.resume import Resumer, open_parts
from parallel_animate.scheduler import Scheduler
from test_scheduler import ScriptedBackend

# ------------------------------------------------------------------ fingerprints


def test_fingerprint_follows_content_not_identity():
    a = {"x": np.arange(1000.0), "label": "t"}
    b = {"x": np.arange(1000.0), "label": "t"}
    assert fingerprint(a) == fingerprint(b)
    b["x"][500] += 1e-9
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(np.zeros((4, 4))) != fingerprint(np.zeros((4, 4)).T.copy().reshape(2, 8))
    assert fingerprint([1, 2]) != fingerprint([2, 1])
    assert fingerprint(lambda v: v) is not None  # by value, through cloudpickle
    assert fingerprint(threading.Lock()) is None


def _figure(title: str):
    fig, axes = plt.subplots(2, 2, sharex=True)
    axes[0, 0].plot([0, 1], [1, 0])
    axes[0, 0].twinx()
    fig.suptitle(title)
    return fig


def test_a_figure_built_twice_has_one_fingerprint():
    # A figure's pickle holds id()s (transforms keep their parents by id): left out.
    first, second, other = _figure("a"), _figure("a"), _figure("b")
    try:
        assert fingerprint(first, by_value=True) == fingerprint(second, by_value=True)
        assert fingerprint(first, by_value=True) != fingerprint(other, by_value=True)
    finally:
        plt.close("all")


# ------------------------------------------------------------------ run keys


def _plan(tmp_path, animator=None, **options):
    return build_plan(
        animator or BlockAnimator(),
        tmp_path / "v.mp4",
        block_params(4),
        10,
        RunOptions(**options),
    )


def test_run_key_covers_settings_style_blit_and_state(tmp_path):
    base = run_key(_plan(tmp_path))
    assert base == run_key(_plan(tmp_path))
    changed = [
        run_key(_plan(tmp_path, quality=90)),
        run_key(_plan(tmp_path, video_params={"crf": "30"})),
        run_key(_plan(tmp_path, savefig_params={"dpi": 50})),
        run_key(_plan(tmp_path, blit=False)),
        run_key(_plan(tmp_path, reuse_figure_object=False)),
        run_key(_plan(tmp_path, BlockAnimator(dpi=80))),
        run_key(build_plan(BlockAnimator(), tmp_path / "v.mp4", block_params(4), 12)),  # fps
    ]
    assert base not in changed and len(set(changed)) == len(changed)
    with matplotlib.rc_context({"lines.linewidth": 7}):
        assert run_key(_plan(tmp_path)) != base
    # Options that decide nothing in the frames' bytes leave it alone.
    assert run_key(_plan(tmp_path, num_workers=1, preload_factor=3)) == base


def test_run_key_covers_the_tight_crop_of_frame_zero(tmp_path):
    plan = _plan(tmp_path, savefig_params={"bbox_inches": "tight"})
    assert run_key(plan, {"x": 0.0}) != run_key(plan, {"x": 3.0})


def test_editing_the_animators_module_changes_the_key(tmp_path, monkeypatch):
    source = textwrap.dedent(
        """
        from anims import BlockAnimator

        class Edited(BlockAnimator):
            def update(self, frame_idx, params):
                super().update(frame_idx, params)  # v1
        """
    )
    (tmp_path / "edited_anim.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_anim")
    try:
        before = run_key(_plan(tmp_path, module.Edited()))
        assert run_key(_plan(tmp_path, module.Edited())) == before
        (tmp_path / "edited_anim.py").write_text(source.replace("v1", "v2, a new comment"))
        module = importlib.reload(module)
        assert run_key(_plan(tmp_path, module.Edited())) != before
    finally:
        sys.modules.pop("edited_anim", None)


def test_an_animator_that_cannot_be_pickled_keeps_nothing(tmp_path, caplog):
    animator = BlockAnimator()
    animator.lock = threading.Lock()
    with caplog.at_level(logging.WARNING, "parallel_animate"):
        assert run_key(_plan(tmp_path, animator, num_workers=1)) is None
    assert "resume is off" in caplog.text


# ------------------------------------------------------------------ part files


def _segment(start=10, n=3, data=b"\x00video bytes\xff" * 50) -> EncodedSegment:
    return EncodedSegment(index=1, start=start, n_frames=n, width=64, height=48, data=data)


@pytest.mark.parametrize(
    "data", [b"\x00container\xff" * 99, (b"a", b"", b"ccc" * 1000)], ids=["file", "records"]
)
def test_a_part_reads_back_as_written(tmp_path, data):
    store = PartStore(tmp_path / "parts", reuse=True)
    run = "ab" * 32
    key = segment_key(run, 10, [b"1", b"2", b"3"])
    assert store.save(run, key, _segment(data=data))
    again = PartStore(tmp_path / "parts", reuse=True)
    assert again.may_have(run, 10) and not again.may_have(run, 20)
    part = again.load(run, key, 7, 10, 3)
    assert part == dataclasses.replace(_segment(data=data), index=7)
    assert [p.name for p in (tmp_path / "parts").iterdir()] == [f"{run[:16]}-10-{key}.part"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:],  # one bit flipped
        lambda b: b"",  # empty (a crash before the data reached the disk)
    ],
    ids=["truncated", "bit-flip", "empty"],
)
def test_a_damaged_part_is_warned_about_and_removed(tmp_path, caplog, damage):
    store = PartStore(tmp_path, reuse=True)
    run, key = "cd" * 32, "ef" * 32
    store.save(run, key, _segment())
    (path,) = tmp_path.iterdir()
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING, "parallel_animate"):
        assert store.load(run, key, 1, 10, 3) is None
    assert "is damaged" in caplog.text and "frames 10-12" in caplog.text
    assert not path.exists()


def test_temporaries_of_a_killed_writer_are_removed_a_live_ones_kept(tmp_path):
    dead = tmp_path / ".tmp-0123.part"
    dead.write_bytes(b"half a part")
    live = tmp_path / ".tmp-4567.part"
    live.write_bytes(b"being written")
    fd = os.open(live, os.O_RDONLY)
    try:
        assert try_lock(fd)
        PartStore(tmp_path, reuse=True)
        assert not dead.exists() and live.exists()
    finally:
        os.close(fd)


def test_parts_folder_is_hidden_beside_the_output_and_fits_the_name_limit(tmp_path):
    assert beside(tmp_path / "wave.mp4") == tmp_path / ".wave.mp4.parts"
    assert beside(tmp_path / "f_%04d.png") == tmp_path / ".f_%04d.png.parts"
    long = beside(tmp_path / ("v" * 250 + ".mp4"))
    assert len(long.name) <= 255 and long.name.endswith(".mp4.parts")


def test_resume_false_removes_what_a_run_left_a_cache_is_only_ignored(tmp_path):
    output = tmp_path / "v.mp4"
    PartStore(beside(output), reuse=True).save("ab" * 32, "cd" * 32, _segment())
    store, removed_after = open_parts(output, resume=False, cache_dir=None)
    assert store is None and not beside(output).exists()  # nothing kept either
    cache = tmp_path / "cache"
    PartStore(cache, reuse=True).save("ab" * 32, "cd" * 32, _segment())
    store, removed_after = open_parts(output, resume=False, cache_dir=cache)
    assert store is not None and not store.reuse  # written to, not read from
    assert not removed_after and len(list(cache.iterdir())) == 1


# ------------------------------------------------------------------ options


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"resume": "yes"}, TypeError, "resume must be True or False"),
        ({"resume": None}, TypeError, "resume must be True or False"),
        ({"cache_dir": 3}, TypeError, "cache_dir must be a str, a Path or None"),
    ],
)
def test_bad_resume_options_fail_before_any_work(tmp_path, options, error, match):
    with pytest.raises(error, match=match):
        _plan(tmp_path, **options)


def test_a_cache_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        _plan(tmp_path, cache_dir=tmp_path / "file")


# ------------------------------------------------------------------ the scheduler


def _store_parts(folder: Path, run: str, params: list, length: int, which: set[int]) -> None:
    store = PartStore(folder, reuse=True)
    for segment in iter_segments(params, None, length):
        if segment.index in which:
            prints = [fingerprint(p) for p in segment.params]
            lead = fingerprint(segment.lead[0]) if segment.lead else None
            key = segment_key(run, segment.start, prints, lead)
            store.save(run, key, _segment(segment.start, len(prints), b"kept %d" % segment.index))


class EncodingBackend(ScriptedBackend):
    """Returns each segment it is given as an EncodedSegment, in submission order."""

    def wait(self):
        key = min(self.pending)
        task = self.pending.pop(key)
        params = list(task.params)
        self.on_progress(key, len(params))
        return [(key, _segment(task.start, len(params), b"rendered"))]


@pytest.mark.parametrize("found", [set(), {0, 2, 3}, {0, 1, 2, 3, 4}])
@pytest.mark.parametrize("lazy", [False, True], ids=["held", "lazy"])
def test_segments_found_done_are_never_submitted(tmp_path, found, lazy):
    params, length, run = list(range(50)), 10, "12" * 32
    _store_parts(tmp_path, run, params, length, found)
    frames = FrameStore(params, None, length, memory_frames=4, fingerprint=fingerprint)
    if lazy:
        from parallel_animate.readahead import lazy_segments

        source, prints = lazy_segments(frames, length), frames.fingerprints
    else:
        source, prints = iter_segments(params, None, length), lambda *a: []
    resumer = Resumer(PartStore(tmp_path, reuse=True), run, length, prints)
    backend = EncodingBackend(slots=2)
    started = []
    committed = []
    scheduler = Scheduler(
        source,
        backend,
        committed.append,
        segment_length=length,
        preload_factor=1,
        parts=resumer,
        start_backend=lambda: started.append(backend.start(None, None, scheduler.on_progress)),
    )
    scheduler.run()
    assert sorted(backend.submitted) == sorted(set(range(5)) - found)
    assert len(started) == (1 if len(found) < 5 else 0)  # no worker when all are done
    assert [c.start for c in committed] == [0, 10, 20, 30, 40]  # in order
    for c in committed:
        kept = c.start // 10 in found
        assert c.data == (b"kept %d" % (c.start // 10) if kept else b"rendered")
    assert resumer.found_frames == 10 * len(found)
    assert resumer.kept_frames == 50 - 10 * len(found)  # the rendered ones, kept now
    assert len(list(tmp_path.glob("*.part"))) == 5


# ------------------------------------------------------------------ runs in this process


def test_a_part_that_cannot_be_written_is_a_warning_not_a_failure(tmp_path, monkeypatch, caplog):
    import parallel_animate.parts as parts

    def disk_full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parts, "_write_atomically", disk_full)
    with caplog.at_level(logging.WARNING, "parallel_animate"):
        out = BlockAnimator().make_video(tmp_path / "v.gif", block_params(30), 10, num_workers=1)
    assert out.exists()
    assert caplog.text.count("cannot keep finished segments") == 1  # once, not per part
    assert "No space left" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.gif"]


def test_an_animator_that_cannot_be_pickled_still_renders_in_process(tmp_path, caplog):
    animator = BlockAnimator()
    animator.lock = threading.Lock()
    with caplog.at_level(logging.WARNING, "parallel_animate"):
        out = animator.make_video(tmp_path / "v.gif", block_params(20), 10, num_workers=1)
    assert out.exists() and "resume is off" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.gif"]
