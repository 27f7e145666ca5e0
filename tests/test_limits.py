"""Values that cannot work are ValueErrors before any frame is rendered (issue 14, item 6):
frame rates beyond a format's limits, a dpi that is not finite, a frame the encoder cannot
take or a worker cannot hold."""

from __future__ import annotations

from fractions import Fraction

import pytest

from anims import MarkingAnimator, block_params
from conftest import assert_untouched
from parallel_animate.encode import resolve_video_settings
from parallel_animate.plan import RunOptions, build_plan
from parallel_animate.render import build_figure
from parallel_animate.style import MAX_FRAME_BYTES, FrameSizeError, FrameStyle


@pytest.mark.parametrize(
    ("name", "codec", "fps", "message"),
    [
        ("o.mp4", None, 10000, "from 1/10000 to 9999"),
        ("o.mp4", None, 1e4, "from 1/10000 to 9999"),
        ("o.mov", "prores_ks", 100000, "two ticks"),
        ("o.mp4", None, Fraction(1, 20000), "from 1/10000"),
        ("o.mkv", None, 1001, "to 1000 (Matroska and WebM count milliseconds"),
        ("o.webm", None, 5000, "milliseconds"),
        ("o.mp4", "libvpx-vp9", 2000, "milliseconds"),  # vp9's segments are WebM
        ("o.gif", None, 0.001, "GIF delays count 1/100 s in a 16-bit field"),
        ("o.gif", None, 101, "to 100"),
        ("o.webp", None, 1001, "WebP durations count milliseconds in 24 bits"),
        ("o.webp", None, Fraction(1, 100000), "24 bits"),
        ("o.apng", None, 70000, "16-bit"),
        ("o.apng", None, Fraction(1, 70000), "from 1/65535 to 65535"),
    ],
)
def test_fps_out_of_range_is_refused_naming_the_limit(tmp_path, name, codec, fps, message):
    with pytest.raises(ValueError, match="out of range") as info:
        resolve_video_settings(tmp_path / name, fps, codec)
    assert message in str(info.value)
    assert str(fps) in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "codec", "fps"),
    [
        ("o.mp4", None, 9999),
        ("o.mp4", None, Fraction(1, 10000)),
        ("o.mov", "prores_ks", 9999),
        ("o.mkv", None, 1000),
        ("o.webm", None, Fraction(1, 10000)),
        ("o.gif", None, Fraction(100, 65535)),
        ("o.gif", None, 100),
        ("o.webp", None, 1000),
        ("o.webp", None, Fraction(1000, 2**24 - 1)),
        ("o.apng", None, 65535),
        ("o.apng", None, Fraction(1, 65535)),
        ("f_%03d.png", None, 10**6),  # no timing at all
    ],
)
def test_fps_at_the_limits_is_accepted(tmp_path, name, codec, fps):
    assert resolve_video_settings(tmp_path / name, fps, codec).fps == fps


def test_gif_delay_of_the_lowest_rate_fits_its_field():
    from parallel_animate.encode.records import frame_delay

    fps = Fraction(100, 65535)
    assert {frame_delay(i, fps, 100) for i in range(5)} == {65535}


@pytest.mark.parametrize("dpi", [float("inf"), float("-inf"), float("nan"), 0, -3])
def test_dpi_must_be_finite_and_positive(dpi):
    with pytest.raises(ValueError, match="must be a finite number > 0"):
        FrameStyle.from_savefig_params({"dpi": dpi})


def test_plan_carries_the_codecs_frame_limit(tmp_path):
    cases = {
        ("o.mp4", None): (16384, 16384),
        ("o.mkv", "libsvtav1"): (16384, 8704),
        ("o.mkv", "libvpx-vp9"): (65536, 65536),
        ("o.mp4", "libvpx-vp9"): (65535, 65535),  # MP4's 16-bit width and height
        ("o.webp", None): (16383, 16383),
        ("o.gif", None): (65535, 65535),
    }
    for (name, codec), size in cases.items():
        options = RunOptions(video_codec=codec)
        plan = build_plan(MarkingAnimator(), tmp_path / name, [1], 30, options)
        assert plan.style.max_size == size, name


@pytest.mark.parametrize(
    ("size", "dpi", "max_size", "message"),
    [
        ((1.6, 1.2), 20000, (16384, 16384), "32000x24000 pixels (the figure at dpi 20000)"),
        ((1.6, 1.2), 20000, (16384, 16384), "at most 16384x16384"),
        ((6.4, 4.8), 10000, None, "64000x48000 pixels"),
        ((6.4, 4.8), 10000, None, "limit of 1 GiB"),
        ((6.4, 4.8), 1e-3, None, "less than one pixel"),
    ],
)
def test_frame_size_checked_before_any_draw(tmp_path, size, dpi, max_size, message):
    animator = MarkingAnimator(size=size, log_dir=str(tmp_path))
    style = FrameStyle(dpi=dpi, max_size=max_size, encoder="libx264 in .mp4")
    with pytest.raises(FrameSizeError, match=r"(lower|raise) the dpi") as info:
        build_figure(animator, style)
    assert isinstance(info.value, ValueError)
    assert message in str(info.value)
    assert not (tmp_path / "updated.txt").exists()


def test_memory_bound_is_width_times_height_times_4():
    side = int((MAX_FRAME_BYTES // 4) ** 0.5)  # 16384
    FrameStyle().check_frame_size(side, side, 100)
    with pytest.raises(FrameSizeError, match="GiB"):
        FrameStyle().check_frame_size(side + 1, side, 100)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fps": 20000}, "9999"),
        ({"fps": 0.001, "name": "video.gif"}, "16-bit"),
        ({"savefig_params": {"dpi": float("inf")}}, "finite"),
        ({"savefig_params": {"dpi": 1e-3}}, "less than one pixel"),
        ({"savefig_params": {"dpi": 20000}}, "at most 16384x16384"),
    ],
)
def test_in_process_run_renders_nothing(tmp_path, kwargs, message):
    """num_workers=1: no process starts; nothing is updated, nothing written."""
    logs = tmp_path / "logs"
    logs.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / kwargs.pop("name", "video.mp4")
    target.write_bytes(b"precious")
    fps = kwargs.pop("fps", 30)
    with pytest.raises(ValueError, match=message):
        MarkingAnimator(log_dir=str(logs)).make_video(
            target, block_params(4), fps=fps, num_workers=1, disable_progress_bar=True, **kwargs
        )
    assert not (logs / "updated.txt").exists()
    assert_untouched(target)


@pytest.mark.slow
def test_frame_too_large_in_a_worker_is_a_value_error(tmp_path, start_method):
    """The size is known only after setup() in a worker: the ValueError comes back as
    such (not a RenderError), before any frame is drawn, and nothing is left behind."""
    logs = tmp_path / "logs"
    logs.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "video.mp4"
    target.write_bytes(b"precious")
    with pytest.raises(ValueError, match="64000x48000 pixels") as info:
        MarkingAnimator(size=(6.4, 4.8), log_dir=str(logs)).make_video(
            target,
            block_params(8),
            fps=30,
            num_workers=2,
            disable_progress_bar=True,
            savefig_params={"dpi": 10000},
        )
    assert type(info.value).__name__ == "FrameSizeError"
    assert "dpi 10000" in str(info.value) and "at most 16384x16384" in str(info.value)
    assert (logs / "setups.txt").exists()  # setup() ran in the workers
    assert not (logs / "updated.txt").exists()
    assert_untouched(target)
