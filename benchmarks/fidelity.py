"""Do blitted frames look like fully redrawn ones? Checked per scene, in this process.

The same frames are rendered twice with the library's own renderer (the one every
worker runs), once with a full redraw and once with ``blit=True``, and compared pixel
by pixel. Frames are spread over the whole video and rendered in order, as a worker
renders a segment. Also counted: how often the blit renderer had to draw in full; more
than once means ``update()`` missed an artist that changes (or the layout moves) and
the blit rows of the table then measure full redraws.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.scenes import Scene
from parallel_animate.render import FrameRenderer, FrameStyle

#: The issue's bound for "frames match": mean |difference| <= 1 level, <= 0.5 % pixels.
MAX_MEAN_ABS_DIFF = 1.0
MAX_PCT_PIXELS_DIFFERING = 0.5


def frame_ids(n_frames: int, samples: int) -> list[int]:
    """Up to ``samples`` frame indices spread evenly from the first to the last frame."""
    return sorted({round(float(i)) for i in np.linspace(0, n_frames - 1, min(samples, n_frames))})


def compare_frames(blit: np.ndarray, full: np.ndarray) -> dict[str, float]:
    """Difference of two RGB(A) frames in 8-bit levels, over the RGB channels."""
    diff = np.abs(blit[..., :3].astype(np.int16) - full[..., :3].astype(np.int16))
    return {
        "mean_abs_diff": float(diff.mean()),
        "max_abs_diff": int(diff.max()),
        "pct_pixels_differing": float(100.0 * (diff.max(axis=-1) > 0).mean()),
    }


def check_scene(scene: Scene, n_frames: int, samples: int = 8) -> dict[str, Any]:
    """Blit vs full redraw of ``scene`` at ``samples`` frames of an ``n_frames`` video."""
    ids = frame_ids(n_frames, samples)
    params = scene.params(n_frames)
    full = FrameRenderer(scene.animator(), FrameStyle())
    blit = FrameRenderer(scene.animator(), FrameStyle(), blit=True)
    per_frame = []
    try:
        for i in ids:
            want = full.render(i, params[i]).copy()
            per_frame.append({"frame": i, **compare_frames(blit.render(i, params[i]), want)})
    finally:
        full.close()
        blit.close()
    worst_mean = max(f["mean_abs_diff"] for f in per_frame)
    worst_pct = max(f["pct_pixels_differing"] for f in per_frame)
    return {
        "scene": scene.name,
        "frames_compared": len(ids),
        "worst_mean_abs_diff": worst_mean,
        "worst_pct_pixels_differing": worst_pct,
        "max_abs_diff": max(f["max_abs_diff"] for f in per_frame),
        "blit_full_draws": blit.full_draws,
        "within_limits": worst_mean <= MAX_MEAN_ABS_DIFF and worst_pct <= MAX_PCT_PIXELS_DIFFERING,
        "per_frame": per_frame,
    }
