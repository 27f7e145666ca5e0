"""blit="auto" beyond the corpus: when a plan is checked, and that a failed check falls
back to full draws without a wrong pixel."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from parallel_animate import Animator
from parallel_animate.autoblit.boxes import extent, inside
from parallel_animate.autoblit.order import draw_order, needs_check
from parallel_animate.autoblit.textbound import ASCII, text_bound
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


def _ink_box(fig, text):
    """Where ``text`` paints, drawn alone on a cleared canvas (x0, y0, x1, y1; rows down)."""
    renderer = fig.canvas.get_renderer()
    renderer.clear()
    text.draw(renderer)
    alpha = np.asarray(fig.canvas.buffer_rgba())[..., 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    return (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)


@pytest.mark.parametrize(
    "family",
    [
        "DejaVu Sans",
        pytest.param("DejaVu Serif", marks=pytest.mark.slow),
        pytest.param("DejaVu Sans Mono", marks=pytest.mark.slow),
    ],
)
def test_the_text_bound_holds_every_pixel_a_text_paints(family):
    """text_bound (no layout) and extent (the layout) both hold the ink of plain texts
    of any alignment, size, ASCII content and number of lines; text_bound declines what
    it cannot bound."""
    fig = plt.figure(figsize=(6, 4), dpi=87)
    fig.canvas.draw()
    height = fig.canvas.get_width_height(physical=True)[1]
    renderer = fig.canvas.get_renderer()
    rng = np.random.default_rng(7)
    samples = ["W" * 9, "@m%W|_jgy", "Ij1!,.", "value +0.1234  frame 17", " lead", "trail "]
    samples += ["frame 10\nphase 0.52 rad", "a\nWWWW\n\ngj|", "\nlead line"]
    plain = [c for c in ASCII if c != "$"]  # "$" starts mathtext: laid out instead
    samples += ["".join(rng.choice(plain, size=12)) for _ in range(6)]
    checked = 0
    for size in (6, 19):
        for ha in ("left", "center", "right"):
            for va in ("baseline", "top", "bottom", "center", "center_baseline"):
                for chars in samples:
                    spacing = 0.8 if "\n\n" in chars else 1.2  # lines may overlap
                    text = fig.text(0.5, 0.5, chars, family=family, size=size, ha=ha, va=va)
                    text.set_linespacing(spacing)
                    bound = text_bound(text, height)
                    assert bound is not None, (chars, size, ha, va)
                    if chars.strip():  # the bound and the extent both hold the ink
                        ink = _ink_box(fig, text)
                        assert inside(ink, bound), (chars, size, ha, va)
                        assert inside(ink, extent(text, renderer, height)), (chars, size, ha, va)
                    text.remove()
                    checked += 1
    assert checked == 2 * 3 * 5 * len(samples)
    for declined in (
        fig.text(0.5, 0.5, "tab\tstop"),
        fig.text(0.5, 0.5, "$x^2$"),
        fig.text(0.5, 0.5, "rotated", rotation=30),
        fig.text(0.5, 0.5, "boxed", bbox={"facecolor": "w"}),
        fig.text(0.5, 0.5, "naïve"),
        fig.text(0.5, 0.5, ""),
    ):
        assert text_bound(declined, height) is None, declined.get_text()
    plt.close(fig)


@pytest.mark.parametrize("spacing", [None, 0.5, 0.8, 1.2])
def test_a_text_extent_holds_its_ink_whatever_its_line_spacing(spacing):
    """A line spacing given as a number sets each line's box, and tall glyphs spill out
    of a tight one: the extent the blitter uses is padded for it."""
    fig = plt.figure(figsize=(6, 4), dpi=87)
    fig.canvas.draw()
    height = fig.canvas.get_width_height(physical=True)[1]
    renderer = fig.canvas.get_renderer()
    for chars in ("Hg", "gjpq\nÅÉ|", "a\nWWWW\n\ngj|", "xy\n__"):
        for va in ("baseline", "top", "bottom", "center"):
            for size in (8, 40):
                text = fig.text(0.5, 0.5, chars, size=size, va=va)
                if spacing is not None:
                    text.set_linespacing(spacing)
                assert inside(_ink_box(fig, text), extent(text, renderer, height)), (chars, va)
                text.remove()
    plt.close(fig)
