"""parallel-matplotlib-animation 0.1.3+'s keywords (video_mode, video_quality,
video_preset, video_extra_ffmpeg_params): each one's effect, read back from the file
(x264 writes its settings into the stream; keyframes and pixel formats are demuxed),
the NVENC probe and its fallback, and the errors.

This machine has no NVIDIA GPU: the GPU side is tested through the probe (replaced
where a test needs NVENC to "open"); docs/formats.md says how to check it on a GPU.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import av
import pytest

import parallel_animate
import parallel_animate.upstream as upstream
from anims import BlockAnimator, SetupFailingAnimator, block_params
from funcanims import block_animation
from parallel_animate.encode.nvenc import SESSIONS_VARIABLE, nvenc_error
from parallel_animate.plan import RunOptions, build_plan
from parallel_animate.upstream import resolve_upstream

NO_NVENC = nvenc_error() is not None


def _video(tmp_path: Path, name: str = "v.mp4", n: int = 30, **options) -> Path:
    """A 160x120 video of ``n`` frames at 10 fps, rendered in this process."""
    animator = BlockAnimator()
    return animator.make_video(
        tmp_path / name, block_params(n), 10, num_workers=1, disable_progress_bar=True, **options
    )


def _x264_options(path: Path) -> str:
    """The settings x264 wrote into the stream (its SEI message)."""
    found = re.search(rb"options: ([^\x00]*)", path.read_bytes())
    assert found is not None, "no x264 settings in the file"
    return found.group(1).decode()


def _keyframes(path: Path) -> list[int]:
    """The frame numbers of the keyframes."""
    with av.open(str(path)) as container:
        packets = sorted((p for p in container.demux(video=0) if p.size), key=lambda p: p.pts)
    return [i for i, p in enumerate(packets) if p.is_keyframe]


def _plan(tmp_path: Path, name: str = "v.mp4", **options):
    return build_plan(BlockAnimator(), tmp_path / name, [0], 10, RunOptions(**options))


# --- each keyword's effect, read back ---------------------------------------------


def test_extra_g_gives_a_keyframe_every_10_frames(tmp_path):
    path = _video(tmp_path, video_extra_ffmpeg_params=["-g", "10"])
    assert _keyframes(path) == [0, 10, 20]
    assert "keyint=10 " in _x264_options(path)


def test_video_quality_is_the_crf_and_size_falls_with_it(tmp_path):
    sizes = {}
    for q in (10, 25, 40):
        path = _video(tmp_path, f"q{q}.mp4", video_quality=q)
        assert f"crf={q}.0" in _x264_options(path)
        sizes[q] = path.stat().st_size
    assert sizes[10] > sizes[25] > sizes[40]


def test_video_mode_cpu_is_upstreams_libx264_settings(tmp_path):
    path = _video(tmp_path, video_mode="cpu")
    x264 = _x264_options(path)
    assert "crf=20.0" in x264  # 0.1.3+'s default video_quality
    assert "subme=8" in x264  # preset slow
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.profile == "High"


def test_video_preset_is_x264s_own_preset(tmp_path):
    assert "subme=2" in _x264_options(_video(tmp_path, "fast.mp4", video_preset="veryfast"))
    assert "subme=10" in _x264_options(_video(tmp_path, "slow.mp4", video_preset="veryslow"))


def test_extra_tune_bf_and_pix_fmt(tmp_path):
    path = _video(
        tmp_path,
        video_extra_ffmpeg_params=["-tune", "animation", "-bf", "0", "-pix_fmt:v", "yuv444p"],
    )
    x264 = _x264_options(path)
    assert "deblock=1:1:1" in x264 and "psy_rd=0.40" in x264  # tune animation
    assert "bframes=0" in x264
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv444p"
        pts = [f.pts for f in container.decode(video=0)]
    assert len(pts) == 30 and pts == sorted(pts)  # no B-frames: decoded in order


def test_extra_x264_params_profile_and_faststart(tmp_path):
    path = _video(
        tmp_path,
        video_extra_ffmpeg_params=[
            *("-x264-params", "ref=2:bframes=1"),
            *("-profile:v", "main", "-movflags", "+faststart"),
        ],
    )
    assert " ref=2 " in _x264_options(path) and " bframes=1 " in _x264_options(path)
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.profile == "Main"


def test_video_quality_on_other_codecs_uses_their_own_scale(tmp_path):
    plan = _plan(tmp_path, "v.webm", video_quality=51)
    assert plan.video.codec == "libvpx-vp9" and plan.video.options["crf"] == "63"
    plan = _plan(tmp_path, "v.mkv", video_codec="libx265", video_quality=18)
    assert plan.video.options["crf"] == "18"
    assert _plan(tmp_path, "v.gif", video_quality=0).video.options["colors"] == "256"


def test_video_mode_with_our_own_quality_and_preset(tmp_path):
    options = _plan(tmp_path, video_mode="cpu", quality=100, preset="fast").video.options
    assert options["crf"] == "0" and options["preset"] == "veryfast"


def test_save_takes_the_keywords(tmp_path):
    out = parallel_animate.save(
        block_animation(n=12)[1], tmp_path / "s.mp4", fps=10, num_workers=1,
        video_extra_ffmpeg_params=["-g", "2"],
    )  # fmt: skip
    assert _keyframes(out)[:3] == [0, 2, 4]


@pytest.mark.slow
def test_keywords_reach_every_worker_and_segment(tmp_path):
    """Two worker processes, several segments: each starts with a keyframe, then one
    every 10 frames at most (segment starts need not be multiples of 10)."""
    animator = BlockAnimator()
    path = animator.make_video(
        tmp_path / "v.mp4", block_params(60), 10, num_workers=2, disable_progress_bar=True,
        video_mode="auto", video_quality=35, video_extra_ffmpeg_params=["-g", "10"],
    )  # fmt: skip
    keys = _keyframes(path)
    gaps = [b - a for a, b in itertools.pairwise([*keys, 60])]
    assert keys[0] == 0 and max(gaps) <= 10 and gaps.count(10) >= 3, keys
    assert "crf=35.0" in _x264_options(path)
    with av.open(str(path)) as container:
        assert len([f for f in container.decode(video=0)]) == 60


# --- video_mode: the probe, gpu's error, auto's fallback -----------------------------


@pytest.mark.skipif(not NO_NVENC, reason="NVENC opens here")
def test_gpu_mode_fails_before_any_frame_when_nvenc_does_not_open(tmp_path):
    with pytest.raises(ValueError, match=r"video_mode='gpu'.*h264_nvenc does not open"):
        SetupFailingAnimator().make_video(
            tmp_path / "v.mp4", block_params(3), 10, num_workers=1, video_mode="gpu"
        )  # setup() raises OSError: never called
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not NO_NVENC, reason="NVENC opens here")
def test_auto_mode_falls_back_to_libx264(tmp_path, caplog):
    caplog.set_level("INFO", logger="parallel_animate")
    path = _video(tmp_path, video_mode="auto", video_preset="p5")
    assert "crf=20.0" in _x264_options(path)
    assert "subme=8" in _x264_options(path)  # x264's default slow, not NVENC's p5
    assert "NVENC does not open here" in caplog.text


def test_the_probe_is_a_reason_or_none():
    reason = nvenc_error()
    assert reason is None or "h264_nvenc" in reason or reason


@pytest.fixture
def nvenc_opens(monkeypatch):
    """NVENC 'opens' (the probe says so); nothing is encoded with it in these tests."""
    monkeypatch.setattr(upstream, "nvenc_error", lambda: None)
    monkeypatch.delenv(SESSIONS_VARIABLE, raising=False)


def test_auto_and_gpu_choose_nvenc_when_it_opens(tmp_path, nvenc_opens):
    for mode in ("auto", "gpu"):
        choice = resolve_upstream(tmp_path / "v.mp4", {"video_mode": mode}, 2, None)
        assert choice is not None
        assert choice.video_codec == "h264_nvenc"
        assert choice.max_workers == 3
    choice = resolve_upstream(tmp_path / "v.mp4", {"video_quality": 30}, 1, None)
    assert choice is not None and choice.video_params == {"rc": "constqp", "qp": "30"}


def test_auto_keeps_libx264_when_workers_exceed_the_sessions(tmp_path, nvenc_opens, monkeypatch):
    choice = resolve_upstream(tmp_path / "v.mp4", {"video_mode": "auto"}, 8, None)
    assert choice is not None and choice.video_codec == "libx264"
    monkeypatch.setenv(SESSIONS_VARIABLE, "8")
    choice = resolve_upstream(tmp_path / "v.mp4", {"video_mode": "auto"}, 8, None)
    assert choice is not None and choice.video_codec == "h264_nvenc"
    assert choice.max_workers == 8
    choice = resolve_upstream(tmp_path / "v.mp4", {"video_mode": "auto"}, 2, "tcp://x:8786")
    assert choice is not None and choice.video_codec == "libx264"  # Dask: GPUs unknown
    choice = resolve_upstream(
        tmp_path / "v.mp4", {"video_mode": "auto", "video_preset": "veryslow"}, 2, None
    )
    assert choice is not None and choice.video_codec == "libx264"  # an x264 preset


def test_gpu_mode_caps_the_workers_at_the_sessions(tmp_path, nvenc_opens, monkeypatch, caplog):
    video = _plan(tmp_path).video  # h264_nvenc cannot open here: settings of libx264
    monkeypatch.setattr("parallel_animate.plan.resolve_video_settings", lambda *a, **k: video)
    plan = _plan(tmp_path, video_mode="gpu", num_workers=16)
    assert plan.workers == 3
    assert "NVENC: 3 workers, not 16" in caplog.text


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"video_codec": "libx264"}, {"video_mode": "cpu"}),
        ({"video_params": {"crf": "20"}}, {"video_quality": 20}),
        ({"video_params": {"crf": "20"}}, {"video_preset": "slow"}),
        ({"video_params": {"crf": "20"}}, {"video_extra_ffmpeg_params": ["-g", "5"]}),
        ({"quality": 50}, {"video_quality": 20}),
        ({"preset": "fast"}, {"video_preset": "slow"}),
    ],
)
def test_mixing_the_spellings_is_a_value_error(tmp_path, old, new):
    (old_name,), (new_name,) = old, new
    with pytest.raises(ValueError, match=f"{old_name} and {new_name} both set"):
        _plan(tmp_path, **old, **new)


def test_pix_fmt_in_both_spellings_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="-pix_fmt"):
        _plan(tmp_path, video_pixfmt="yuv420p", video_extra_ffmpeg_params=["-pix_fmt", "yuv444p"])


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["-foo", "1"], "'-foo'"),
        (["-r", "30"], "'-r'"),
        (["-vf", "scale=100:100"], "'-vf'"),
        (["-c:v", "libx265"], "'-c:v'"),
        (["-threads", "8"], "'-threads'"),
        (["-movflags", "+frag_keyframe"], "-movflags"),
        (["-g"], "'-g' needs a value"),
        (["g", "10"], "'g'"),
        (["-crf", "20", "-b:a", "1M"], "'-b:a'"),
    ],
)
def test_an_argument_we_cannot_map_is_a_value_error_naming_it(tmp_path, extra, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        _plan(tmp_path, video_mode="cpu", video_extra_ffmpeg_params=extra)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"video_mode": "cuda"}, ValueError),
        ({"video_quality": 52}, ValueError),
        ({"video_quality": 20.5}, TypeError),
        ({"video_quality": True}, TypeError),
        ({"video_preset": 3}, TypeError),
        ({"video_extra_ffmpeg_params": "-g 10"}, TypeError),
        ({"video_codec": "gpu"}, ValueError),  # 0.1.3's 10th positional argument
        ({"video_mode": "cpu", "video_preset": "p9"}, ValueError),  # x264 rejects it
    ],
)
def test_bad_values(tmp_path, options, error):
    with pytest.raises(error):
        _plan(tmp_path, **options)


def test_video_mode_needs_an_h264_format(tmp_path):
    with pytest.raises(ValueError, match=r"H\.264"):
        _plan(tmp_path, "v.webm", video_mode="cpu")
    with pytest.raises(ValueError, match="video_preset: gif"):
        _plan(tmp_path, "v.gif", video_preset="slow")
    with pytest.raises(ValueError, match="without FFmpeg"):
        _plan(tmp_path, "v.gif", video_extra_ffmpeg_params=["-g", "1"])


def test_cli_video_mode(tmp_path, monkeypatch, capsys):
    from parallel_animate import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(block_params(4)))
    args = ["render", "anims:BlockAnimator", "o.mp4", "--params", "p.json", "--workers", "1"]
    assert cli.main([*args, "--video-mode", "cpu", "--no-progress"]) == 0
    assert "crf=20.0" in _x264_options(tmp_path / "o.mp4")
    if NO_NVENC:
        assert cli.main([*args, "--video-mode", "gpu", "--no-progress"]) == 2
        assert "h264_nvenc does not open" in capsys.readouterr().err
