"""Every output format from the same animation with 2 workers: decoded and compared with
the serial reference (order, pixels, timing), plus alpha, quality/preset and the errors."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image, ImageSequence

from anims import BlockAnimator, FailingAnimator, block_params, reference_frames
from conftest import assert_matches_reference, decode, to_rgb, worker_children
from parallel_animate import RenderError
from parallel_animate.encode import resolve_video_settings
from parallel_animate.pipeline import plan_segment_length
from parallel_animate.render import FrameStyle, build_figure

FPS = 10
N = 30  # three segments of 10 frames (a second each)

# (file name, video_codec, decoder name, mean-abs tolerance vs the reference)
VIDEO_CASES = [
    ("v.mp4", None, "h264", 4.0),
    ("v.mp4", "libx265", "hevc", 4.0),
    ("v.mp4", "libsvtav1", "libdav1d", 5.0),
    ("v.mp4", "libvpx-vp9", "vp9", 4.0),
    ("v.mkv", None, "h264", 4.0),
    ("v.mkv", "libx265", "hevc", 4.0),
    ("v.mkv", "libvpx-vp9", "vp9", 4.0),
    ("v.mkv", "libsvtav1", "libdav1d", 5.0),
    ("v.mkv", "prores_ks", "prores", 3.0),
    ("v.mov", None, "h264", 4.0),
    ("v.mov", "prores_ks", "prores", 3.0),
    ("v.webm", None, "vp9", 4.0),
    ("v.webm", "libsvtav1", "libdav1d", 5.0),
]
VIDEO_IDS = [f"{name}-{codec or 'default'}" for name, codec, _, _ in VIDEO_CASES]
# Fast settings where the point is not the file size.
FAST = {"libx265": "fast", "libsvtav1": "fast", "libvpx-vp9": "fast"}


def _pts_steps_are_one_frame(pts, stream, fps):
    steps = set(np.diff(pts).tolist())
    assert len(steps) == 1, f"uneven pts steps {steps}"
    assert Fraction(steps.pop()) * stream.time_base == 1 / Fraction(fps)


def _keyframes(path) -> list[int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.size]
        rate = stream.time_base * FPS
        return sorted(round(p.pts * rate) for p in packets if p.is_keyframe)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "codec", "decoder", "tol"), VIDEO_CASES, ids=VIDEO_IDS)
def test_video_formats_match_serial_reference(tmp_path, name, codec, decoder, tol):
    params = block_params(N)
    out = BlockAnimator().make_video(
        tmp_path / name, params, fps=FPS, num_workers=2, video_codec=codec,
        preset=FAST.get(codec),
    )  # fmt: skip
    frames, pts, stream = decode(out)
    assert stream.codec_name == decoder
    assert len(pts) == N
    _pts_steps_are_one_frame(pts, stream, FPS)
    assert stream.average_rate == FPS
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params), tol)
    # Each segment starts with a keyframe.
    starts = set(range(0, N, plan_segment_length(N, FPS)))
    assert len(starts) == 3 and starts <= set(_keyframes(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert worker_children() == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["m.mkv", "m.webm"])
def test_matroska_times_are_the_rounded_exact_times(tmp_path, name):
    """Matroska counts milliseconds: at 30 fps the steps are 33/34 ms, never drifting."""
    out = BlockAnimator().make_video(tmp_path / name, block_params(20), fps=30, num_workers=2)
    _, pts, stream = decode(out)
    assert stream.time_base == Fraction(1, 1000)
    assert pts == [round(Fraction(1000 * i, 30)) for i in range(20)]


@pytest.mark.slow
@pytest.mark.parametrize("codec", ["libx264", "libx265"])
def test_one_frame_last_segment_keeps_dts_increasing(tmp_path, codec):
    """A generator of unknown length: segments of 120 frames and a last one of 1, which
    x264/x265 encode without B-frames (another decoding delay)."""
    n = 121
    params = block_params(n)
    out = BlockAnimator(size=(0.8, 0.6)).make_video(
        tmp_path / "g.mp4", iter(params), fps=FPS, num_workers=2, video_codec=codec,
        preset="fast",
    )  # fmt: skip
    frames, pts, stream = decode(out)
    assert len(pts) == n
    _pts_steps_are_one_frame(pts, stream, FPS)
    ref = reference_frames(BlockAnimator(size=(0.8, 0.6)), params)
    assert_matches_reference(frames, ref, 6.0)  # 80x60 pixels of text at crf 23-28


def _one_stream_size(path: Path, container_format: str, settings, frames: np.ndarray) -> int:
    """The same frames and options, encoded as one stream by one encoder."""
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(settings.codec, rate=settings.fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = settings.pixfmt
        stream.codec_context.thread_count = 1
        stream.options = dict(settings.options)
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path.stat().st_size


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("s.mp4", "libx265"),
        ("s.mp4", "libsvtav1"),
        ("s.webm", "libvpx-vp9"),
        ("s.mov", "prores_ks"),
    ],
)
def test_size_close_to_one_stream_encode(tmp_path, name, codec):
    """Two segments of 60 frames: the extra keyframe costs less than 10 % of the file."""
    n, fps = 120, 60
    assert plan_segment_length(n, fps) == 60
    params = block_params(n)
    out = BlockAnimator().make_video(
        tmp_path / name, params, fps=fps, num_workers=2, video_codec=codec
    )
    settings = resolve_video_settings(out, fps, codec)
    ref = reference_frames(BlockAnimator(), params)
    one = _one_stream_size(tmp_path / f"one{out.suffix}", settings.container, settings, ref)
    ratio = out.stat().st_size / one
    assert ratio < 1.10, ratio


ODD_CASES = [
    ("o.mp4", "libx265"),
    ("o.webm", "libvpx-vp9"),
    ("o.mp4", "libsvtav1"),
    ("o.mov", "prores_ks"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "codec"), ODD_CASES)
def test_odd_sizes_are_padded_not_resized(tmp_path, name, codec):
    params = block_params(6)
    anim = BlockAnimator(size=(1.61, 1.21))  # 161 x 121 pixels
    out = anim.make_video(
        tmp_path / name, params, fps=FPS, num_workers=2, video_codec=codec, preset="fast"
    )
    frames, _, _ = decode(out)
    padded_width = 162
    padded_height = 121 if codec == "prores_ks" else 122  # 4:2:2 halves only the width
    assert frames.shape[1:3] == (padded_height, padded_width)
    ref = reference_frames(BlockAnimator(size=(1.61, 1.21)), params)
    assert_matches_reference(frames, ref, 5.0)


# ---------------------------------------------------------------- animated images


def _animation(path) -> tuple[np.ndarray, list[float], dict]:
    """Frames (RGBA), their durations in ms and the first frame's info, as Pillow sees them."""
    with Image.open(path) as image:
        frames, durations = [], []
        for frame in ImageSequence.Iterator(image):
            frames.append(np.asarray(frame.convert("RGBA")))
            durations.append(frame.info["duration"])  # WebP: known once loaded
        image.seek(0)
        return np.stack(frames), durations, dict(image.info)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a.gif", "a.webp", "a.apng"])
def test_animated_images(tmp_path, name):
    params = block_params(N)
    out = BlockAnimator().make_video(tmp_path / name, params, fps=FPS, num_workers=2)
    frames, durations, info = _animation(out)
    ref = reference_frames(BlockAnimator(), params)
    assert len(frames) == N
    assert durations == [1000 / FPS] * N
    assert info["loop"] == 0  # forever
    assert_matches_reference(frames[..., :3], ref, 1.0)
    assert min(_psnr(f[..., :3], r) for f, r in zip(frames, ref, strict=True)) >= 30
    if name != "a.gif":  # lossless by default
        assert np.array_equal(frames[..., :3], ref)
    assert np.all(frames[..., 3] == 255)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    if name != "a.webp":  # FFmpeg decodes them too (not animated WebP, in PyAV's build)
        with av.open(str(out)) as container:
            assert sum(1 for _ in container.decode(video=0)) == N


@pytest.mark.slow
def test_gif_delays_add_up_at_30_fps(tmp_path):
    """GIF delays are centiseconds: 30 fps is 3, 3, 4, ... cs, 100 cs per second."""
    out = BlockAnimator().make_video(tmp_path / "t.gif", block_params(30), fps=30, num_workers=2)
    _, durations, _ = _animation(out)
    assert set(durations) == {30, 40}
    assert sum(durations) == 1000
    assert all(sum(durations[: k + 1]) == round(1000 * (k + 1) / 30, -1) for k in range(30))


@pytest.mark.slow
def test_lossy_webp_with_quality(tmp_path):
    params = block_params(10)
    out = BlockAnimator().make_video(tmp_path / "q.webp", params, fps=FPS, quality=70)
    frames, _, _ = _animation(out)
    assert_matches_reference(frames[..., :3], reference_frames(BlockAnimator(), params), 6.0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["o.gif", "o.webp", "o.apng", "o/f_%02d.png"])
def test_image_formats_keep_odd_sizes(tmp_path, name):
    params = block_params(4)
    out = BlockAnimator(size=(1.61, 1.21)).make_video(
        tmp_path / name, params, fps=FPS, num_workers=2
    )
    if "%" in name:
        first = np.asarray(Image.open(tmp_path / "o" / "f_00.png"))
    else:
        first = _animation(out)[0][0]
    assert first.shape[:2] == (121, 161)


# ---------------------------------------------------------------- PNG sequences


@pytest.mark.slow
def test_png_sequence(tmp_path):
    params = block_params(12)
    pattern = tmp_path / "frames" / "f_%04d.png"
    out = BlockAnimator().make_video(str(pattern), params, fps=FPS, num_workers=2)
    assert out == pattern
    files = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert files == [f"f_{i:04d}.png" for i in range(12)]
    ref = reference_frames(BlockAnimator(), params)
    for i, name in enumerate(files):
        with Image.open(tmp_path / "frames" / name) as image:
            assert image.mode == "RGB"
            assert np.array_equal(np.asarray(image), ref[i])  # identical to the buffer
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]


@pytest.mark.slow
def test_png_sequence_failure_leaves_no_frame_file(tmp_path):
    with pytest.raises(RenderError):
        FailingAnimator(fail_at=9).make_video(
            tmp_path / "new" / "f_%03d.png", block_params(12), fps=FPS, num_workers=2
        )
    assert list(tmp_path.iterdir()) == []  # not even the folder
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    with pytest.raises(RenderError):
        FailingAnimator(fail_at=9).make_video(
            folder / "f_%03d.png", block_params(12), fps=FPS, num_workers=1
        )
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert worker_children() == []


def test_png_sequence_commit_is_all_or_nothing(tmp_path, monkeypatch):
    # An older, longer sequence is in place; the move of new frame 3 fails: the folder
    # must hold exactly the old files, with their old bytes.
    import parallel_animate.encode.images as images

    folder = tmp_path / "seq"
    folder.mkdir()
    old = {f"f_{i:02d}.png": f"old {i}".encode() for i in range(8)}
    for name, data in old.items():
        (folder / name).write_bytes(data)
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(src).name == "3" and Path(src).parent.name.startswith(".seq.partial-"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(images.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        BlockAnimator().make_video(folder / "f_%02d.png", block_params(6), fps=FPS, num_workers=1)
    # the frames are as they were; beside them only the finished segments, to resume
    kept = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert kept == old
    assert [p.name for p in folder.iterdir() if p.is_dir()] == [".f_%02d.png.parts"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seq"]  # no temporary folder


# ---------------------------------------------------------------- transparency


def _transparent_reference(params, n) -> np.ndarray:
    anim = BlockAnimator()
    fig = build_figure(anim, FrameStyle(transparent=True))
    frames = []
    for i in range(n):
        anim.update(i, params[i])
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    plt.close(fig)
    return np.stack(frames)


def _decode_rgba(path, decoder: str | None = None) -> np.ndarray:
    """RGBA frames; ``decoder`` names one that reads alpha (libvpx-vp9 for vp9)."""
    frames = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if decoder is None:
            frames = [to_rgb(f, "rgba") for f in container.decode(stream)]
        else:
            context = av.CodecContext.create(decoder, "r")
            for packet in container.demux(stream):
                if packet.size:
                    frames += [to_rgb(f, "rgba") for f in context.decode(packet)]
            frames += [to_rgb(f, "rgba") for f in context.decode(None)]
    return np.stack(frames)


ALPHA_CASES = [
    ("t.webm", "libvpx-vp9", {}),
    ("t.mkv", "libvpx-vp9", {}),  # the alpha codec of .mkv is picked by itself
    ("t.mov", None, {}),  # prores_ks 4444, picked by itself
    ("t.gif", None, {}),
    ("t.webp", None, {}),
    ("t.webp", None, {"quality": 70}),  # lossy: an ALPH chunk beside VP8
    ("t.apng", None, {}),
    ("t/f_%02d.png", None, {}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "decoder", "kwargs"), ALPHA_CASES)
def test_transparency_is_kept(tmp_path, name, decoder, kwargs):
    n = 6
    params = block_params(n)
    out = BlockAnimator().make_video(
        tmp_path / name, params, fps=FPS, num_workers=2, savefig_params={"transparent": True},
        **kwargs,
    )  # fmt: skip
    ref = _transparent_reference(params, n)
    if "%" in name:
        files = [out.parent / f"f_{i:02d}.png" for i in range(n)]
        frames = np.stack([np.asarray(Image.open(f)) for f in files])
    elif out.suffix in (".gif", ".webp", ".apng"):
        frames = _animation(out)[0]
    else:
        frames = _decode_rgba(out, decoder)
    assert len(frames) == n
    alpha, ref_alpha = frames[..., 3].astype(int), ref[..., 3].astype(int)
    h, w = ref.shape[1:3]
    alpha = alpha[:, :h, :w]
    assert (ref_alpha == 0).mean() > 0.3 and (ref_alpha == 255).mean() > 0.05
    if out.suffix == ".gif":  # one bit of alpha
        assert np.array_equal(alpha > 127, ref_alpha > 127)
    else:
        assert np.abs(alpha - ref_alpha).mean() < 2.0
    opaque = ref_alpha == 255
    rgb = frames[:, :h, :w, :3].astype(int)
    assert np.abs(rgb - ref[..., :3])[opaque].mean() < 4.0


@pytest.mark.slow
def test_facecolor_none_counts_as_transparency(tmp_path):
    out = BlockAnimator().make_video(
        tmp_path / "f.apng", block_params(3), fps=FPS, savefig_params={"facecolor": "none"}
    )
    assert (_animation(out)[0][..., 3] == 0).any()


# ---------------------------------------------------------------- quality and preset


def test_quality_and_preset_map_to_each_codec():
    out = Path("x.mp4")
    assert resolve_video_settings(out, FPS).options == {"crf": "23", "preset": "slow"}
    opts = resolve_video_settings(out, FPS, quality=100, preset="fast").options
    assert opts == {"crf": "0", "preset": "veryfast"}
    # video_params win over quality and preset
    opts = resolve_video_settings(
        out, FPS, video_params={"crf": 30}, quality=90, preset="small"
    ).options
    assert opts == {"crf": "30", "preset": "slower"}
    vp9 = resolve_video_settings(Path("x.webm"), FPS, quality=0, preset="fast").options
    assert vp9["crf"] == "63" and vp9["b"] == "0" and vp9["cpu-used"] == "5"
    av1 = resolve_video_settings(Path("x.webm"), FPS, "libsvtav1", quality=100).options
    assert av1["crf"] == "1"
    assert resolve_video_settings(Path("x.gif"), FPS, quality=0).options["colors"] == "2"
    webp = resolve_video_settings(Path("x.webp"), FPS, quality=50, preset="small").options
    assert webp == {"lossless": "0", "quality": "50", "method": "6"}
    png = resolve_video_settings(Path("f_%d.png"), FPS, quality=10, preset="fast").options
    assert png == {"compress_level": "1"}  # lossless: quality has no effect


@pytest.mark.parametrize(
    ("name", "codec", "params"),
    [
        ("v.mp4", "libx264", {"crf": 20, "preset": "fast", "tune": "film",
                              "x264-params": "keyint=30", "g": 30, "bf": 2}),
        ("v.mkv", "libx265", {"x265-params": "bframes=2", "crf": 30}),
        ("v.mkv", "libsvtav1", {"svtav1-params": "tune=0", "preset": 10}),
        ("v.webm", "libvpx-vp9", {"deadline": "realtime", "cpu-used": 5, "row-mt": 1}),
        ("v.webm", "libvpx-vp9", {"speed": 4}),  # an alias of cpu-used
        ("v.mov", "prores_ks", {"profile": "hq", "vendor": "apl0"}),
        ("v.gif", "gif", {"colors": 16, "quantizer": "mediancut", "dither": "floyd-steinberg"}),
        ("v.webp", "libwebp", {"lossless": 0, "quality": 70, "method": 2}),
        ("v.apng", "apng", {"compress_level": 3}),
        ("f_%04d.png", "png", {"compress_level": 3}),
    ],
)  # fmt: skip
def test_each_codec_takes_its_own_options(name, codec, params):
    settings = resolve_video_settings(Path(name), FPS, codec, video_params=params)
    for key, value in params.items():
        assert str(value) in settings.options[key]


def test_x265_and_svtav1_stay_on_one_thread():
    x265 = resolve_video_settings(
        Path("x.mkv"), FPS, "libx265", video_params={"x265-params": "bframes=2:pools=8"}
    ).options["x265-params"]
    assert x265 == "log-level=error:bframes=2:pools=none:frame-threads=1"
    av1 = resolve_video_settings(Path("x.mp4"), FPS, "libsvtav1").options
    assert av1["svtav1-params"] == "lp=1"


@pytest.mark.slow
def test_quality_changes_the_file_size(tmp_path):
    params = block_params(10)
    sizes = [
        BlockAnimator()
        .make_video(tmp_path / f"q{q}.webm", params, fps=FPS, quality=q, preset="fast")
        .stat()
        .st_size
        for q in (10, 90)
    ]
    assert sizes[0] < sizes[1]


# ---------------------------------------------------------------- errors, before any work


class _Marker(BlockAnimator):
    """Leaves a file when setup() runs: proof that work started."""

    def setup(self):
        Path(self.log_dir, "setup-ran").touch()
        return super().setup()


@pytest.mark.parametrize(
    ("name", "kwargs", "exc", "pattern"),
    [
        ("v.avi", {}, ValueError, r"unsupported output extension '\.avi'.*\.mkv.*\.webp"),
        ("v.webm", {"video_codec": "libx264"}, ValueError, "choose one of: libvpx-vp9, libsvtav1"),
        ("v.mp4", {"video_codec": "prores_ks"}, ValueError, "not supported for .mp4"),
        ("v.mov", {"video_codec": "prores_ks", "video_pixfmt": "yuv420p"}, ValueError,
         "it takes: yuv422p10le, yuv444p10le, yuva444p10le"),
        ("v.gif", {"video_pixfmt": "rgb24"}, ValueError, "gif; it takes: pal8"),
        ("v.webp", {"video_params": {"speed": 3}}, ValueError, "it takes: lossless, quality"),
        ("v.webp", {"video_params": {"quality": 101}}, ValueError, "quality must be .* 0 to 100"),
        ("v.apng", {"video_params": {"compress_level": "x"}}, ValueError, "compress_level"),
        ("v.mp4", {"video_params": {"crff": "40"}}, ValueError,
         r"video_params 'crff' is not an option of the libx264 encoder \('crff': did you "
         r"mean 'crf'\?\)"),
        ("v.mp4", {"video_params": {"movflags": "+faststart"}}, ValueError,
         r"'movflags' is not an option of the libx264 .* container \(muxer\) options such "
         r"as movflags are not taken"),
        ("v.webm", {"video_params": {"b:v": "0"}}, ValueError, "'b:v': write 'b'"),
        ("v.mkv", {"video_codec": "libx265", "video_params": {"x265_params": "bframes=2"}},
         ValueError, "'x265_params': did you mean 'x265-params'"),
        ("v.mov", {"video_codec": "prores_ks", "video_params": {"vendr": "apl0", "zz": 1}},
         ValueError, r"'vendr', 'zz' are not options of the prores_ks encoder \('vendr'"),
        ("v.mp4", {"quality": 101}, ValueError, "quality must be from 0 to 100"),
        ("v.mp4", {"quality": "high"}, TypeError, "quality must be an int"),
        ("v.mp4", {"preset": "ultra"}, ValueError, "preset must be one of fast, balanced, small"),
        ("v.mp4", {"savefig_params": {"transparent": True}}, ValueError,
         r"but \.mp4 has no alpha.*formats with alpha: \.mkv .*\.webm \(libvpx-vp9\)"),
        ("v.mp4", {"savefig_params": {"facecolor": "none"}}, ValueError, "transparency"),
        ("v.mov", {"savefig_params": {"transparent": True}, "video_codec": "libx264"},
         ValueError, "libx264 in .mov has no alpha channel; use video_codec='prores_ks'"),
        ("v.webp", {"savefig_params": {"transparent": True}, "video_pixfmt": "rgb24"},
         ValueError, "'rgb24' has no alpha channel; use 'rgba'"),
        ("v.webm", {"savefig_params": {"transparent": True}, "video_pixfmt": "yuv420p"},
         ValueError, "'yuv420p' has no alpha channel; use 'yuva420p'"),
        ("v.mp4", {"savefig_params": {"transparent": "yes"}}, ValueError, "True or False"),
        ("f.png", {}, ValueError, "needs one frame-number pattern"),
        ("f_%d_%d.png", {}, ValueError, "needs one frame-number pattern"),
        ("f_%04d.mp4", {}, ValueError, "for PNG sequences"),
        ("a/b/f_%04d.png", {}, ValueError, "folder of output_file does not exist"),
    ],
)  # fmt: skip
def test_bad_combinations_fail_before_any_work(tmp_path, name, kwargs, exc, pattern):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(exc, match=pattern):
        _Marker(log_dir=str(tmp_path)).make_video(
            work / name, block_params(3), fps=FPS, num_workers=2, **kwargs
        )
    assert list(tmp_path.iterdir()) == [work]
    assert list(work.iterdir()) == []
    assert worker_children() == []


def test_encoded_segment_bytes_are_small_and_picklable():
    """Image-format segments travel between processes as tuples of bytes."""
    import pickle

    from parallel_animate.encode import make_segment_encoder

    settings = resolve_video_settings(Path("x.gif"), FPS)
    encoder = make_segment_encoder(settings, 0)
    frame = np.zeros((20, 30, 4), np.uint8)
    frame[..., 3] = 255
    encoder.add(frame)
    data = encoder.finish()
    assert isinstance(data, tuple) and isinstance(data[0], bytes)
    assert pickle.loads(pickle.dumps(data)) == data
    assert data[0][:2] == b"\x21\xf9"  # a GIF frame record starts with its delay block


def test_gif_above_50_fps_warns(caplog):
    caplog.set_level("WARNING", logger="parallel_animate")
    resolve_video_settings(Path("x.gif"), 60)
    assert "1/100 s" in caplog.text
