"""The renderer in this process: the tight box of frame 0, lent figures, failures."""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np
import pytest

from anims import BlockAnimator, FailingAnimator, block_params
from parallel_animate import Animator, RenderError
from parallel_animate.render import (
    FrameRenderer,
    LentFigure,
    build_figure,
    close_figure,
    draw_to_array,
    tight_crop_box,
)
from parallel_animate.style import FrameStyle

TIGHT = FrameStyle.from_savefig_params({"bbox_inches": "tight", "pad_inches": 0.0})


class Wandering(Animator):
    """A small Axes in a big figure and a label whose place is the frame's params:
    the tight box of each frame is another."""

    def setup(self):
        self.fig = plt.figure(figsize=(2, 1.5), dpi=100)
        ax = self.fig.add_axes((0.4, 0.4, 0.2, 0.2))
        (self.line,) = ax.plot([0, 1], [0, 1])
        self.label = self.fig.text(0, 0.5, "label")
        return self.fig

    def update(self, frame_idx, params):
        self.label.set_x(params)
        self.line.set_ydata([0, frame_idx])


def test_tight_box_is_frame_0s_whatever_frame_comes_first():
    params = [0.05, 0.1, 0.2, 0.3, 0.4, 0.45]
    renderer = FrameRenderer(Wandering(), TIGHT, tight_from=(0, params[0]))
    pixels = renderer.render(5, params[5]).copy()

    by_hand = Wandering()
    fig = build_figure(by_hand, TIGHT)
    by_hand.update(0, params[0])
    full = draw_to_array(fig)
    box = tight_crop_box(fig, 0.0)
    assert renderer.crop == box
    left, top, right, bottom = box
    assert (right - left, bottom - top) != (full.shape[1], full.shape[0])  # it does crop
    by_hand.update(5, params[5])
    expected = draw_to_array(fig)[top:bottom, left:right]
    assert tight_crop_box(fig, 0.0) != box  # frame 5's own box is another
    np.testing.assert_array_equal(pixels, expected)  # frame 5, cut to frame 0's box
    renderer.close()
    plt.close(fig)


def test_tight_box_measured_on_a_figure_of_its_own(tmp_path):
    params = block_params(3)
    renderer = FrameRenderer(
        BlockAnimator(log_dir=str(tmp_path)), TIGHT, tight_from=(0, params[0])
    )
    for i, p in enumerate(params):
        renderer.render(i, p)
    # one setup() to measure (its figure closed), one for the frames
    assert (tmp_path / "setups.txt").read_text().split() == [str(os.getpid())] * 2
    open_figures = plt.get_fignums()
    renderer.close()
    assert len(plt.get_fignums()) == len(open_figures) - 1


def test_an_update_failing_while_measuring_names_frame_0():
    renderer = FrameRenderer(FailingAnimator(fail_at=0), TIGHT, tight_from=(0, {"x": 0}))
    with pytest.raises(RenderError, match=r"FailingAnimator\.update\(\) raised") as info:
        renderer.render(4, {"x": 12})
    assert info.value.frame_index == 0


def test_a_lent_figure_is_never_closed():
    fig, other = plt.figure(), plt.figure()
    lent = LentFigure.of(fig)
    close_figure(other, lent)
    close_figure(fig, lent)
    assert plt.fignum_exists(fig.number) and not plt.fignum_exists(other.number)
    # the same id in an unrelated process's figure is not the lent one
    assert not LentFigure(pid=-1, figure_id=id(fig)).holds(fig)
    close_figure(fig)
    assert not plt.fignum_exists(fig.number)


def test_a_lent_figure_survives_the_renderer():
    animator = BlockAnimator()
    fig = build_figure(animator, FrameStyle())
    animator.setup = lambda: fig  # setup() hands out the caller's own figure
    renderer = FrameRenderer(animator, FrameStyle(), reuse_figure=False, lent=LentFigure.of(fig))
    for i, p in enumerate(block_params(3)):
        renderer.render(i, p)
    renderer.close()
    assert plt.fignum_exists(fig.number)
    plt.close(fig)
