"""blit="auto" beyond the corpus: when a plan is checked, and that a failed check falls
back to full draws without a wrong pixel."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from parallel_animate import Animator
from parallel_animate.autoblit.order import draw_order, needs_check
from parallel_animate.render import FrameRenderer
from parallel_animate.style import FrameStyle


class FramedAxes(Axes):
    """An Axes of the user's own class that draws a frame of its own after its
    children, in its draw(): an order this module cannot know."""

    def draw(self, renderer):
        super().draw(renderer)
        frame = Rectangle(
            (0, 0), 1, 1, transform=self.transAxes, fill=False, lw=6, ec="tab:red", alpha=0.5
        )
        frame.set_figure(self.get_figure(root=True))
        frame.draw(renderer)


class WithOwnArtist(Animator):
    def setup(self):
        self.fig = plt.figure(figsize=(3, 2), dpi=60)
        ax = self.fig.add_subplot(axes_class=FramedAxes)
        x = np.linspace(0, 6, 50)
        (self.line,) = ax.plot(x, np.sin(x), lw=3)
        ax.set_ylim(-1.2, 1.2)
        return self.fig

    def update(self, frame_idx, params):
        x = self.line.get_xdata()
        self.line.set_ydata(np.sin(x + params))


class Plain(WithOwnArtist):
    def setup(self):
        self.fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
        x = np.linspace(0, 6, 50)
        (self.line,) = ax.plot(x, np.sin(x))
        return self.fig


def frames(animator, blit, n=6):
    renderer = FrameRenderer(animator, FrameStyle(), blit=blit)
    out = [renderer.render(i, 0.3 * i).copy() for i in range(n)]
    counts = renderer.draw_counts()
    renderer.close()
    return out, counts


def test_only_figures_with_foreign_classes_are_checked_against_a_full_draw():
    plain = Plain().setup()
    plain.canvas.draw()
    assert not needs_check(plain, draw_order(plain))
    own = WithOwnArtist().setup()
    own.canvas.draw()
    assert needs_check(own, draw_order(own))
    plt.close("all")


def test_a_plan_that_fails_its_check_falls_back_to_full_draws_with_no_wrong_pixel():
    auto, (full, part, _same) = frames(WithOwnArtist(), "auto")
    reference, _ = frames(WithOwnArtist(), False)
    assert part == 0 and full == 6  # the check found background + changes != full draw
    for i, (a, b) in enumerate(zip(auto, reference, strict=True)):
        assert np.array_equal(a, b), f"frame {i}"


def test_a_plain_figure_is_drawn_in_part():
    auto, (full, part, _same) = frames(Plain(), "auto")
    reference, _ = frames(Plain(), False)
    assert part == 4 and full == 2
    assert all(np.array_equal(a, b) for a, b in zip(auto, reference, strict=True))


def test_draw_counts_add_up_over_fresh_figures():
    """Without figure reuse every frame has a figure (and an auto blitter) of its own:
    the renderer's counts still cover every frame."""
    renderer = FrameRenderer(Plain(), FrameStyle(), reuse_figure=False, blit="auto")
    for i in range(4):
        renderer.render(i, 0.3 * i)
    assert renderer.draw_counts() == (4, 0, 0)
    renderer.close()
