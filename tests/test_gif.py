"""GIF quality, checked by decoding: exact when a frame's colours fit in the palette,
no flicker of unchanged pixels, and the wave demo against matplotlib's PillowWriter."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.animation import PillowWriter
from PIL import Image, ImageSequence

from anims import reference_frames
from parallel_animate import Animator
from parallel_animate.encode import resolve_video_settings
from parallel_animate.encode.images import ImageSegmentEncoder
from parallel_animate.encode.palette import Quantizer
from parallel_animate.encode.records import GifRecords
from parallel_animate.examples._common import phase_params
from parallel_animate.examples.simple_wave_animation import WaveAnimation
from parallel_animate.pipeline import plan_segment_length


def _encode(frames: np.ndarray, segment: int, **settings: object) -> bytes:
    """A GIF of ``frames`` (N, H, W, 3), encoded segment by segment as workers do."""
    config = resolve_video_settings(Path("x.gif"), 30, **settings)  # type: ignore[arg-type]
    height, width = frames.shape[1:3]
    records = GifRecords(config)
    out = io.BytesIO()
    out.write(records.header(width, height))
    for start in range(0, len(frames), segment):
        encoder = ImageSegmentEncoder(config, start, GifRecords(config))
        for frame in frames[start : start + segment]:
            encoder.add(np.dstack([frame, np.full((height, width), 255, np.uint8)]))
        out.write(b"".join(encoder.finish()))
    records.finish(out, len(frames))
    return out.getvalue()


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.stack([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)])


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255**2 / mse))


def _flicker(source: np.ndarray, decoded: np.ndarray) -> list[int]:
    """Per frame: pixels equal to the previous frame's in ``source`` but not in
    ``decoded``."""
    same = np.all(source[1:] == source[:-1], axis=3)
    moved = np.any(decoded[1:] != decoded[:-1], axis=3)
    return [0, *(same & moved).sum(axis=(1, 2)).tolist()]


def _palette_frames(n_colors: int, n_frames: int = 8) -> np.ndarray:
    """Frames of exactly ``n_colors`` colours (random, close together, so that a
    quantizer would merge them), a block of them moving."""
    rng = np.random.default_rng(3)
    colors = rng.integers(100, 140, size=(n_colors, 3), dtype=np.uint8)
    while len(np.unique(colors, axis=0)) < n_colors:
        colors = rng.integers(100, 140, size=(n_colors, 3), dtype=np.uint8)
    base = rng.integers(0, n_colors, size=(48, 64))
    base.flat[:n_colors] = np.arange(n_colors)  # every colour appears
    frames = []
    for i in range(n_frames):
        index = base.copy()
        index[20:36, 2 * i : 2 * i + 16] = np.roll(base[:16, :16], i, axis=1)
        frames.append(colors[index])
    return np.stack(frames)


@pytest.mark.parametrize("n_colors", [2, 200, 256])
@pytest.mark.parametrize("quantizer", ["mediancut", "fastoctree"])
def test_a_frame_with_few_colours_is_exact(n_colors, quantizer):
    frames = _palette_frames(n_colors)
    decoded = _decode(_encode(frames, 5, video_params={"quantizer": quantizer}))
    assert np.array_equal(decoded, frames)


def test_changed_pixels_with_every_colour_are_still_exact():
    # The changed pixels hold all 256 colours: no room for the transparent entry, so
    # the whole rectangle is written with its exact palette.
    frames = _palette_frames(256, 2)
    frames[1] = frames[0]
    frames[1].reshape(-1, 3)[:256] = frames[0].reshape(-1, 3)[255::-1]  # all 256 move
    changed = np.any(frames[1] != frames[0], axis=2)
    assert len(np.unique(frames[1][changed], axis=0)) == 256 and not changed.all()
    assert np.array_equal(_decode(_encode(frames, 2)), frames)


def _rich_frames(n_frames: int = 10) -> np.ndarray:
    """Over 256 colours everywhere: a static noisy background and a moving noisy block."""
    rng = np.random.default_rng(5)
    background = rng.integers(0, 256, size=(40, 60, 3), dtype=np.uint8)
    block = rng.integers(0, 256, size=(12, 12, 3), dtype=np.uint8)
    frames = []
    for i in range(n_frames):
        frame = background.copy()
        frame[10:22, 3 * i : 3 * i + 12] = block
        frames.append(frame)
    return np.stack(frames)


@pytest.mark.parametrize(
    "params",
    [{}, {"quantizer": "fastoctree"}, {"dither": "floyd-steinberg"}, {"colors": 16}],
)
def test_unchanged_pixels_never_flicker_within_a_segment(params):
    frames = _rich_frames()
    decoded = _decode(_encode(frames, len(frames), video_params=params))
    assert _flicker(frames, decoded) == [0] * len(frames)
    assert not np.array_equal(decoded, frames)  # lossy, yet steady


def test_the_palette_depends_only_on_the_pixels():
    frames = _rich_frames(3)
    assert _encode(frames, 3) == _encode(frames, 3)
    quantizer = Quantizer(256, "mediancut", dither=False)
    first = quantizer.quantize(frames[0])
    quantizer.quantize(frames[1])  # a table shared between frames changes nothing
    again = quantizer.quantize(frames[0])
    assert all(np.array_equal(a, b) for a, b in zip(first[:2], again[:2], strict=True))


def test_quality_sets_the_palette_size():
    frames = _rich_frames(3)
    for quality, most in [(0, 2), (50, 129)]:
        decoded = _decode(_encode(frames, 3, quality=quality))
        assert len(np.unique(decoded[0].reshape(-1, 3), axis=0)) <= most
    low, high = (_psnr(_decode(_encode(frames, 3, quality=q)), frames) for q in (20, 100))
    assert low < high


class NoisyAnimation(Animator):
    """A small figure over 256 colours: a static noisy image, a moving square."""

    def setup(self):
        import matplotlib.pyplot as plt

        self.fig = plt.figure(figsize=(1.6, 1.2), dpi=50)
        ax = self.fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        noise = np.random.default_rng(7).integers(0, 256, size=(60, 80, 3), dtype=np.uint8)
        ax.imshow(noise, interpolation="nearest", extent=(0, 80, 60, 0))
        (self.square,) = ax.plot([0], [30], "s", color="white", markersize=8)
        ax.set_xlim(0, 80)
        ax.set_ylim(60, 0)
        return self.fig

    def update(self, frame_idx, params):
        self.square.set_xdata([params])
        return [self.square]


def test_no_flicker_where_a_segment_starts(tmp_path):
    """Each segment draws the frame before it first (its lead): its first frame, too,
    writes only the pixels that changed, so unchanged pixels never move."""
    params = [2.0 + 2.5 * i for i in range(30)]
    assert plan_segment_length(30, 5) < 10  # several segments
    out = NoisyAnimation().make_video(tmp_path / "n.gif", params, fps=5, num_workers=1)
    reference = reference_frames(NoisyAnimation(), params)
    assert len(np.unique(reference[0].reshape(-1, 3), axis=0)) > 256
    decoded = _decode(out.read_bytes())
    assert decoded.shape == reference.shape
    assert _flicker(reference, decoded) == [0] * len(params)


@pytest.mark.slow
def test_the_wave_demo_beats_pillow_writer(tmp_path):
    """The demo (150 frames, 2 workers): mean PSNR >= 55 dB, no larger than matplotlib's
    PillowWriter on the same frames, and no flicker at all: unchanged pixels keep what
    they showed, where a segment starts too (it draws the frame before it first)."""
    params = phase_params(150, period=60)
    out = WaveAnimation().make_video(tmp_path / "wave.gif", params, fps=30, num_workers=2)
    reference = reference_frames(WaveAnimation(), params)
    decoded = _decode(out.read_bytes())
    assert decoded.shape == reference.shape
    psnr = [_psnr(d, r) for d, r in zip(decoded, reference, strict=True)]
    assert np.mean(psnr) >= 55 and min(psnr) >= 50, psnr
    writer = PillowWriter(fps=30)
    writer.outfile = tmp_path / "pillow.gif"
    writer._frames = [Image.fromarray(frame) for frame in reference]  # as grab_frame has
    writer.finish()
    assert out.stat().st_size <= writer.outfile.stat().st_size
    assert plan_segment_length(150, 30) < 150  # several segments
    assert _flicker(reference, decoded) == [0] * 150
