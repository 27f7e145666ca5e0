"""Blitting: frames equal to a full redraw (under matplotlib's blit rule), fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from anims import BlockAnimator, PanelsAnimator, block_params, phase_params
from conftest import decode
from parallel_animate import RenderError
from parallel_animate.render import FrameRenderer
from parallel_animate.style import FrameStyle


def _render(animator, params, blit):
    renderer = FrameRenderer(animator, FrameStyle(), blit=blit)
    frames = [renderer.render(i, p)[..., :3].copy() for i, p in enumerate(params)]
    full_draws = renderer.full_draws
    renderer.close()
    return np.stack(frames), full_draws


def _assert_close(got: np.ndarray, want: np.ndarray):
    diff = np.abs(got.astype(int) - want.astype(int))
    assert diff.mean() <= 1.0, diff.mean()
    changed = (diff.max(axis=-1) > 0).mean()
    assert changed <= 0.005, f"{changed:.2%} of pixels differ"


@pytest.mark.parametrize("layout", ["constrained", "tight"])
def test_blit_matches_full_redraw(layout):
    params = phase_params(12)
    full, full_count = _render(PanelsAnimator(layout), params, blit=False)
    blit, blit_count = _render(PanelsAnimator(layout), params, blit=True)
    assert full_count == 12
    # the first frame in full, and with constrained layout the next few, until the
    # layout engine stops moving the axes; then only the animated artists
    assert blit_count == (1 if layout == "tight" else 4)
    for got, want in zip(blit, full, strict=True):
        _assert_close(got, want)


def test_changed_axis_limit_falls_back_to_full_draw():
    params = phase_params(10)
    full, _ = _render(PanelsAnimator("tight", relimit_at=6), params, blit=False)
    blit, blit_count = _render(PanelsAnimator("tight", relimit_at=6), params, blit=True)
    # frame 0 in full, frames 1-5 blitted, frames 6-9 in full: set_xlim() marks the
    # axes stale (even with unchanged limits), which update() alone must not do
    assert blit_count == 5
    for got, want in zip(blit, full, strict=True):
        _assert_close(got, want)
    assert not np.array_equal(full[5], full[6])


@pytest.mark.slow
def test_blit_video_with_workers_matches_full_redraw(tmp_path):
    params = phase_params(12)
    lossless = {"video_pixfmt": "yuv444p", "video_params": {"crf": "0", "preset": "fast"}}
    full = PanelsAnimator().make_video(
        tmp_path / "full.mp4", params, fps=12, num_workers=2, **lossless
    )
    blit = PanelsAnimator().make_video(
        tmp_path / "blit.mp4", params, fps=12, num_workers=2, blit=True, **lossless
    )
    full_frames, _, _ = decode(full)
    blit_frames, pts, _ = decode(blit)
    assert len(blit_frames) == 12 and pts == sorted(pts)
    for got, want in zip(blit_frames, full_frames, strict=True):
        _assert_close(got, want)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_update_returning_nothing_with_blit_is_a_clear_error(tmp_path, workers):
    with pytest.raises(RenderError, match="must return the artists it changed") as info:
        BlockAnimator().make_video(
            tmp_path / "x.mp4", block_params(6), fps=6, num_workers=workers, blit=True
        )
    assert info.value.frame_index in (0, 3)  # the first frame of either segment
    assert list(tmp_path.iterdir()) == []


def test_update_returning_an_axes_is_rejected():
    class ReturnsAxes(BlockAnimator):
        def update(self, frame_idx, params):
            super().update(frame_idx, params)
            return [self.ax]

    with pytest.raises(ValueError, match="got Axes"):
        _render(ReturnsAxes(), block_params(2), blit=True)


class RemakesArtist(BlockAnimator):
    """Removes its text artist and makes a new one each frame (like a remade contour)."""

    def update(self, frame_idx, params):
        super().update(frame_idx, params)
        self.text.remove()
        self.text = self.ax.text(5 + frame_idx, 0.5, str(frame_idx), fontsize=12)
        return [self.block, self.text]


def test_removed_artists_are_not_drawn_again():
    params = block_params(5)
    full, _ = _render(RemakesArtist(), params, blit=False)
    blit, _ = _render(RemakesArtist(), params, blit=True)
    for got, want in zip(blit, full, strict=True):
        _assert_close(got, want)
