"""A corpus of small animated figures that a naive blit draws wrong (issue 11).

Each case is an :class:`Animator` whose every frame must come out of ``blit="auto"``
byte for byte as out of a full ``canvas.draw()`` (``blit=False``). A module of its own
so that "spawn" workers can import the animators.

Rules every case keeps, so that frames can be compared across renderers, frame orders
and worker counts: ``update(k, params)`` depends on the frame index only (``params`` is
``k`` as well), draws frame ``k`` the same whatever was drawn before, and uses no
randomness other than generators seeded by the frame. ``update()`` returns nothing, as
most user code does. Figures are ~3x2 in at 70 dpi to keep the tests fast.

``CASES`` maps each case's name to its class; ``GROUPS`` names why a case is there
(``"unsignalled"``: the change sets no ``stale`` flag on the artist that looks
different, so a blit that trusts ``stale`` alone misses it). The cases in
``HISTORY_DEPENDENT`` break the second of those rules, through matplotlib itself.
``FUNC_ANIMATIONS`` holds FuncAnimation factories for the ``parallel_animate.save`` route.
"""

from __future__ import annotations

from typing import Any, ClassVar

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Affine2D

from parallel_animate import Animator

CASES: dict[str, type[CorpusAnimator]] = {}
GROUPS: dict[str, str] = {}
#: cases whose full draw of frame k depends, by subpixel amounts, on the frames drawn
#: before it: matplotlib's constrained layout starts from the Axes' current positions.
#: Comparable only with frames drawn in the same order (in process), not across workers.
HISTORY_DEPENDENT = {"constrained_ticks"}


def case(group: str):
    """Register an animator class under its ``name``, in ``group``."""

    def register(cls):
        assert cls.name not in CASES, cls.name
        CASES[cls.name] = cls
        GROUPS[cls.name] = group
        return cls

    return register


class CorpusAnimator(Animator):
    """A case of the corpus: ``n_frames`` frames, ``params()`` gives their params."""

    name: ClassVar[str] = ""
    n_frames: ClassVar[int] = 8
    size: ClassVar[tuple[float, float]] = (3.0, 2.0)
    dpi: ClassVar[int] = 70
    layout: ClassVar[str | None] = None

    def params(self) -> list[int]:
        return list(range(self.n_frames))

    def new_figure(self, **kw: Any) -> Figure:
        kw.setdefault("figsize", self.size)
        kw.setdefault("dpi", self.dpi)
        if self.layout is not None:
            kw.setdefault("layout", self.layout)
        self.fig = Figure(**kw)
        return self.fig

    def new_axes(self, **kw: Any):
        """One Axes on a new figure, limits fixed (no autoscaling between frames)."""
        fig = self.new_figure()
        ax = fig.add_subplot(**kw)
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        return fig, ax


X = np.linspace(0, 1, 60)


def wave(k: int, amp: float = 1.0, step: float = 0.8) -> np.ndarray:
    return amp * np.sin(2 * np.pi * X + step * k)


# --- static artists drawn above moving ones --------------------------------------------


@case("above")
class ZorderRectOverLine(CorpusAnimator):
    """A moving line under an opaque high-zorder rectangle and a translucent one."""

    name = "zorder_rect_over_line"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=3)
        ax.add_patch(Rectangle((0.3, -0.5), 0.25, 1.0, color="tab:orange", zorder=5))
        ax.add_patch(Rectangle((0.6, -0.8), 0.25, 1.2, color="tab:green", alpha=0.5, zorder=6))
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))


@case("above")
class SpinesOverLine(CorpusAnimator):
    """A thick line running along the axes' edges: the spines are drawn over it."""

    name = "spines_over_line"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(-1, 1)  # the wave touches the top and bottom spines
        for spine in ax.spines.values():
            spine.set_linewidth(2)
        (self.line,) = ax.plot(X, wave(0), lw=5, color="tab:red")
        (self.edge,) = ax.plot([0, 0], [-1, 1], lw=6, color="tab:blue")
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        x = 0.0 if k % 2 == 0 else 1.0  # along the left spine, then the right one
        self.edge.set_xdata([x, x])


@case("above")
class LegendOverLine(CorpusAnimator):
    """A fixed, translucent legend over a line that passes under it."""

    name = "legend_over_line"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=3, label="moving")
        ax.plot(X, 0.5 * X, label="static")
        ax.legend(loc="upper right", framealpha=0.7)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.15))


@case("above")
class TextBboxOverData(CorpusAnimator):
    """A text with a translucent bbox over moving data; a moving text over a static one."""

    name = "text_bbox_over_data"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=3)
        ax.text(
            0.5,
            0.0,
            "static label",
            ha="center",
            va="center",
            zorder=4,
            bbox={"facecolor": "w", "alpha": 0.7, "boxstyle": "round"},
        )
        ax.plot([0, 1], [0.8, 0.8], lw=6, color="0.6", zorder=1)
        self.text = ax.text(
            0.1,
            0.8,
            "moving",
            va="center",
            zorder=0.5,
            bbox={"facecolor": "tab:pink", "alpha": 0.6},
        )
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.text.set_x(0.05 + 0.08 * k)


@case("above")
class GridAboveData(CorpusAnimator):
    """Grid lines drawn above the data (``axisbelow=False``) over a moving line."""

    name = "grid_above_data"

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_axisbelow(False)
        ax.grid(True, lw=2, color="k", alpha=0.5)
        (self.line,) = ax.plot(X, wave(0), lw=6)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))


@case("above")
class OverlappingAxes(CorpusAnimator):
    """Two overlapping Axes: the lower one's line moves under the upper one's patch."""

    name = "overlapping_axes"

    def setup(self):
        fig = self.new_figure()
        low = fig.add_axes((0.1, 0.1, 0.6, 0.8))
        low.set_xlim(0, 1)
        low.set_ylim(-1.2, 1.2)
        (self.line,) = low.plot(X, wave(0), lw=4, clip_on=False)
        high = fig.add_axes((0.45, 0.3, 0.5, 0.5))
        high.patch.set_alpha(0.8)
        high.plot([0, 1], [0, 1])
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.4))


# --- blending, clipping, re-created artists --------------------------------------------


@case("blend")
class AlphaOverlap(CorpusAnimator):
    """Translucent moving and static artists overlapping, below and above each other."""

    name = "alpha_overlap"

    def setup(self):
        fig, ax = self.new_axes()
        ax.add_patch(Rectangle((0.2, -1), 0.6, 2, color="tab:blue", alpha=0.4, zorder=1))
        self.circle = Circle((0.2, 0), 0.25, color="tab:red", alpha=0.5, zorder=2)
        ax.add_patch(self.circle)
        ax.add_patch(Rectangle((0.4, -0.5), 0.2, 1, color="tab:green", alpha=0.5, zorder=3))
        (self.line,) = ax.plot(X, wave(0), lw=8, alpha=0.4, zorder=2.5)
        return fig

    def update(self, k, params):
        self.circle.set_center((0.1 + 0.11 * k, 0.3 * np.sin(k)))
        self.line.set_ydata(wave(params))


@case("clip")
class ClipOffOutside(CorpusAnimator):
    """Unclipped artists that move out of the axes, over tick labels and the margin."""

    name = "clip_off_outside"

    def setup(self):
        fig, ax = self.new_axes()
        fig.subplots_adjust(left=0.2, bottom=0.2)
        (self.dot,) = ax.plot([0.5], [0], "o", ms=12, clip_on=False)
        (self.line,) = ax.plot(X, wave(0), lw=3, clip_on=False)
        self.text = ax.text(0.5, -1.1, "outside", clip_on=False)
        return fig

    def update(self, k, params):
        self.dot.set_data([0.5 + 0.12 * k], [-1.0 - 0.05 * k])
        self.line.set_ydata(wave(params, amp=1.0 + 0.1 * k))
        self.text.set_position((-0.3 + 0.1 * k, -1.5 + 0.05 * k))


@case("recreate")
class FillBetweenRecreated(CorpusAnimator):
    """A new fill_between every frame, the old one removed."""

    name = "fill_between_recreated"

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        (self.line,) = ax.plot(X, wave(0), lw=2, color="k")
        self.poly = ax.fill_between(X, wave(0) - 0.3, wave(0) + 0.3, alpha=0.4)
        return fig

    def update(self, k, params):
        y = wave(params)
        self.line.set_ydata(y)
        self.poly.remove()
        self.poly = self.ax.fill_between(X, y - 0.3, y + 0.3, alpha=0.4, color="tab:orange")


@case("recreate")
class AxesCleared(CorpusAnimator):
    """``ax.clear()`` and everything plotted again every frame (common user code)."""

    name = "axes_cleared"

    def setup(self):
        fig = self.new_figure()
        self.ax = fig.add_subplot()
        self.update(0, 0)
        return fig

    def update(self, k, params):
        ax = self.ax
        ax.clear()
        ax.plot(X, wave(params), label="wave")
        ax.scatter([0.2, 0.5], [0.1 * k, -0.1 * k], color="tab:red")
        ax.set_title(f"frame {k}")
        ax.legend(loc="lower left")


@case("recreate")
class LegendRecreated(CorpusAnimator):
    """A legend built again every frame, its labels changing."""

    name = "legend_recreated"

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        (self.line,) = ax.plot(X, wave(0), label="a")
        ax.plot(X, -wave(0), label="b")
        ax.legend(loc="upper left")
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.line.set_label("a" * (1 + k % 4) + f" = {k}")
        self.ax.legend(loc="upper left")


# --- limits, scales, colours -----------------------------------------------------------


@case("axes")
class LimitsChange(CorpusAnimator):
    """Axis limits that change on some frames only (3 and 7)."""

    name = "limits_change"
    n_frames = 10

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        (self.line,) = ax.plot(X, wave(0))
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        step = (k >= 3) + (k >= 7)
        self.ax.set_ylim(-1.2 - 0.5 * step, 1.2 + 2 * step)
        self.ax.set_xlim(0, 1 - 0.2 * (step == 1))


@case("axes")
class AutoscaleRelim(CorpusAnimator):
    """Growing data with ``relim()`` + ``autoscale_view()`` every frame."""

    name = "autoscale_relim"

    def setup(self):
        fig = self.new_figure()
        self.ax = fig.add_subplot()
        (self.line,) = self.ax.plot(X, wave(0))
        return fig

    def update(self, k, params):
        self.line.set_data(X * (1 + k), wave(params, amp=1 + 0.5 * (k // 2)))
        self.ax.relim()
        self.ax.autoscale_view()


@case("axes")
class ScaleSwitch(CorpusAnimator):
    """The y scale switches between log and linear (frames 4-7 linear)."""

    name = "scale_switch"
    n_frames = 10

    def setup(self):
        fig = self.new_figure()
        self.ax = fig.add_subplot()
        self.ax.set_xlim(0, 1)
        (self.line,) = self.ax.plot(X, np.exp(5 * X))
        self.ax.set_yscale("log")
        self.ax.set_ylim(0.5, 200)
        return fig

    def update(self, k, params):
        self.line.set_ydata(np.exp(5 * X) * (1 + 0.1 * k))
        self.ax.set_yscale("linear" if 4 <= k < 8 else "log")
        self.ax.set_ylim(0.5, 200)


@case("axes")
class SharexLimits(CorpusAnimator):
    """Two rows sharing x: limits set on one change the other's ticks too."""

    name = "sharex_limits"
    n_frames = 10

    def setup(self):
        fig = self.new_figure()
        self.top, bottom = fig.subplots(2, 1, sharex=True)
        self.top.plot(X, wave(0))
        (self.line,) = bottom.plot(X, wave(0))
        self.top.set_xlim(0, 1)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.top.set_xlim(0, 1 - 0.3 * (k % 3 == 2))


@case("color")
class FaceColors(CorpusAnimator):
    """The axes facecolor changes every frame, the figure's on frames 5-9."""

    name = "facecolors"
    n_frames = 10

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        ax.plot(X, wave(0), lw=3)
        return fig

    def update(self, k, params):
        self.ax.set_facecolor((1.0, 1.0 - 0.08 * k, 0.9))
        self.fig.patch.set_facecolor("0.85" if k >= 5 else "white")


@case("color")
class PatchColor(CorpusAnimator):
    """A static rectangle changes colour under a static line and over another patch."""

    name = "patch_color"

    def setup(self):
        fig, ax = self.new_axes()
        ax.add_patch(Rectangle((0.0, -0.4), 1, 0.8, color="0.7", zorder=0.5))
        self.rect = Rectangle((0.2, -0.8), 0.6, 1.6, zorder=1)
        ax.add_patch(self.rect)
        ax.plot(X, wave(0), lw=3, zorder=2)
        return fig

    def update(self, k, params):
        self.rect.set_facecolor(plt.get_cmap("viridis")(k / 8))
        self.rect.set_alpha(0.5 + 0.05 * k)


@case("color")
class ColorbarNorm(CorpusAnimator):
    """An image with a colorbar whose norm changes (limits every frame, log from 5)."""

    name = "colorbar_norm"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot()
        data = np.outer(np.linspace(1, 10, 12), np.linspace(1, 10, 16))
        self.im = ax.imshow(data, cmap="magma", norm=Normalize(1, 100))
        fig.colorbar(self.im, ax=ax)
        return fig

    def update(self, k, params):
        if k >= 5:
            self.im.set_norm(LogNorm(1, 10 + 20 * k))
        else:
            self.im.set_norm(Normalize(1, 100 - 15 * k))


# --- text, titles, layout --------------------------------------------------------------


@case("text")
class TitlesGrowing(CorpusAnimator):
    """Title, suptitle and label change every frame, growing and shrinking."""

    name = "titles_growing"

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        ax.plot(X, wave(0))
        return fig

    def update(self, k, params):
        n = [1, 6, 14, 3, 20, 2, 9, 0][k % 8]
        self.ax.set_title("T" * n + f" {k}")
        self.fig.suptitle("suptitle " + "w" * (20 - n), fontsize=8 + k)
        self.ax.set_xlabel("x" * n)


@case("text")
class AxisOffTexts(CorpusAnimator):
    """Texts changing (string, place, size) inside an Axes with its axis off."""

    name = "axis_off_texts"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        self.big = ax.text(0.5, 0.5, "", ha="center", va="center", fontsize=20)
        self.small = ax.text(0.05, 0.1, "", fontsize=9, rotation=0)
        ax.text(0.5, 0.5, "static over", ha="center", alpha=0.6, zorder=5, fontsize=14)
        return fig

    def update(self, k, params):
        self.big.set_text(str(10 ** (k % 5)))
        self.small.set_text("step " * (1 + k % 3))
        self.small.set_rotation(10 * k)
        self.small.set_fontsize(8 + k)


@case("text")
class FigText(CorpusAnimator):
    """A figure-level text changing, over an Axes and the margin."""

    name = "fig_text"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0))
        self.text = fig.text(0.02, 0.02, "", fontsize=12)
        return fig

    def update(self, k, params):
        self.text.set_text(f"t = {k}" + "!" * (7 - k))
        self.text.set_y(0.02 + 0.1 * k)


@case("text")
class PathEffectsText(CorpusAnimator):
    """A text and a line with stroke path effects (wider than their own extent)."""

    name = "path_effects"

    def setup(self):
        fig, ax = self.new_axes()
        stroke = [path_effects.withStroke(linewidth=6, foreground="tab:orange")]
        self.text = ax.text(0.1, 0, "glow", fontsize=16, path_effects=stroke)
        (self.line,) = ax.plot(X, wave(0), path_effects=stroke)
        ax.plot(X, 0.3 * wave(2), lw=2, color="k", zorder=3)
        return fig

    def update(self, k, params):
        self.text.set_position((0.05 + 0.1 * k, 0.5 * np.cos(k)))
        self.line.set_ydata(wave(params))


@case("text")
class AnnotationArrow(CorpusAnimator):
    """An annotation whose arrow follows a moving point (and whose text moves)."""

    name = "annotation_arrow"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0))
        self.ann = ax.annotate(
            "peak", xy=(0.25, 1), xytext=(0.5, 0.5), arrowprops={"arrowstyle": "->", "lw": 2}
        )
        return fig

    def update(self, k, params):
        y = wave(params)
        i = int(np.argmax(y))
        self.line.set_ydata(y)
        self.ann.xy = (X[i], y[i])
        self.ann.set_position((0.3 + 0.05 * k, -0.8 + 0.1 * k))


@case("layout")
class ConstrainedTicks(CorpusAnimator):
    """Constrained layout; tick labels widen and narrow, so the Axes move."""

    name = "constrained_ticks"
    layout = "constrained"

    def setup(self):
        fig = self.new_figure()
        self.ax = fig.add_subplot()
        (self.line,) = self.ax.plot(X, wave(0))
        return fig

    def update(self, k, params):
        scale = 10.0 ** [0, 3, 6, 1, 4, 0, 2, 5][k % 8]
        self.line.set_ydata(scale * wave(params))
        self.ax.set_ylim(-1.2 * scale, 1.2 * scale)


@case("layout")
class ConstrainedData(CorpusAnimator):
    """Constrained layout, two panels; only line data changes."""

    name = "constrained_data"
    layout = "constrained"

    def setup(self):
        fig = self.new_figure()
        a, b = fig.subplots(1, 2)
        for ax in (a, b):
            ax.set_xlim(0, 1)
            ax.set_ylim(-1.2, 1.2)
        a.set_title("left")
        (self.line,) = a.plot(X, wave(0))
        (self.other,) = b.plot(X, wave(0), lw=4)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.other.set_ydata(wave(params, step=-0.5))


@case("layout")
class Subfigures(CorpusAnimator):
    """Two subfigures with their own facecolors; a moving line in one."""

    name = "subfigures"

    def setup(self):
        fig = self.new_figure()
        left, right = fig.subfigures(1, 2)
        left.set_facecolor("0.9")
        right.set_facecolor("#eef")
        ax = left.subplots()
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        (self.line,) = ax.plot(X, wave(0))
        right.subplots().plot(X, wave(3))
        self.title = right.suptitle("")
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.title.set_text("r" * (k % 4))


# --- Axes kinds ------------------------------------------------------------------------


@case("axes")
class TwinAxes(CorpusAnimator):
    """twinx: a line on each, the twin's static line drawn over the host's moving one."""

    name = "twin_axes"

    def setup(self):
        fig, ax = self.new_axes()
        twin = ax.twinx()
        twin.set_ylim(-12, 12)
        (self.host,) = ax.plot(X, wave(0), lw=4, color="tab:blue")
        twin.plot(X, 10 * X - 5, lw=6, color="tab:orange")
        (self.moving,) = twin.plot(X, wave(0), color="tab:green")
        return fig

    def update(self, k, params):
        self.host.set_ydata(wave(params))
        self.moving.set_ydata(10 * wave(params, step=-0.4))


@case("axes")
class InsetAxes(CorpusAnimator):
    """An inset Axes with a moving line, over a main line that moves too."""

    name = "inset_axes"

    def setup(self):
        fig, ax = self.new_axes()
        (self.main,) = ax.plot(X, wave(0), lw=4)
        inset = ax.inset_axes((0.55, 0.55, 0.4, 0.4))
        inset.set_xlim(0, 1)
        inset.set_ylim(-1.2, 1.2)
        (self.inner,) = inset.plot(X, wave(0), color="tab:red")
        return fig

    def update(self, k, params):
        self.main.set_ydata(wave(params, amp=1.1))
        self.inner.set_ydata(wave(params, step=0.3))


@case("axes")
class LegendBest(CorpusAnimator):
    """A ``loc="best"`` legend whose place follows the data."""

    name = "legend_best"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, np.zeros_like(X), lw=3, label="data")
        ax.legend(loc="best")
        return fig

    def update(self, k, params):
        level = [1.0, -1.0, 0.0, 0.9, -0.9, 0.5, -0.5, 1.0][k % 8]
        self.line.set_ydata(level + 0.1 * np.sin(8 * X))


@case("axes")
class View3D(CorpusAnimator):
    """A 3D Axes whose view turns."""

    name = "view_3d"
    n_frames = 6

    def setup(self):
        fig = self.new_figure()
        self.ax = fig.add_subplot(projection="3d")
        t = np.linspace(0, 4 * np.pi, 80)
        self.ax.plot(np.cos(t), np.sin(t), t / 10)
        self.ax.scatter([0], [0], [0.5], s=40, color="tab:red")
        return fig

    def update(self, k, params):
        self.ax.view_init(elev=20 + 5 * k, azim=30 + 15 * k)


@case("axes")
class Data3D(CorpusAnimator):
    """A 3D line whose data changes; the view stays."""

    name = "data_3d"
    n_frames = 6

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot(projection="3d")
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        ax.set_zlim(0, 1.5)
        self.t = np.linspace(0, 4 * np.pi, 80)
        (self.line,) = ax.plot(np.cos(self.t), np.sin(self.t), self.t / 10)
        return fig

    def update(self, k, params):
        t = self.t
        self.line.set_data_3d(np.cos(t + k), np.sin(t + k), (t / 10) * (1 + 0.1 * k))


@case("axes")
class PolarLine(CorpusAnimator):
    """A polar Axes with a rotating line."""

    name = "polar_line"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot(projection="polar")
        ax.set_ylim(0, 1.2)
        self.theta = np.linspace(0, 2 * np.pi, 100)
        (self.line,) = ax.plot(self.theta, 0.6 + 0.4 * np.sin(3 * self.theta), lw=3)
        return fig

    def update(self, k, params):
        self.line.set_xdata(self.theta + 0.3 * k)


@case("axes")
class Dashboard(CorpusAnimator):
    """A 3x3 dashboard: panels 0 and 4 move, panel 8's title changes on odd frames."""

    name = "dashboard_3x3"
    size = (4.5, 3.5)
    dpi = 60

    def setup(self):
        fig = self.new_figure()
        self.axes = fig.subplots(3, 3).ravel()
        self.lines = []
        for i, ax in enumerate(self.axes):
            ax.set_xlim(0, 1)
            ax.set_ylim(-1.2, 1.2)
            (line,) = ax.plot(X, wave(i))
            self.lines.append(line)
            ax.set_title(f"panel {i}", fontsize=7)
        fig.subplots_adjust(hspace=0.6, wspace=0.4)
        return fig

    def update(self, k, params):
        self.lines[0].set_ydata(wave(params))
        self.lines[4].set_ydata(wave(params, amp=1.3))  # beyond the limits: clipped
        # set every frame (frame k must not depend on the frames before it), the same
        # text on even frames as on the odd frame before
        self.axes[8].set_title("panel 8 " + "*" * (k - (k % 2 == 0) if k else 0), fontsize=7)


@case("axes")
class AxesVisibleToggle(CorpusAnimator):
    """``ax.set_visible`` toggled every other frame, a line moving in the other Axes."""

    name = "axes_visible_toggle"

    def setup(self):
        fig = self.new_figure()
        a, self.b = fig.subplots(1, 2)
        (self.line,) = a.plot(X, wave(0))
        a.set_ylim(-1.2, 1.2)
        self.b.plot(X, wave(2), lw=3)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.b.set_visible(k % 2 == 0)


# --- artists ---------------------------------------------------------------------------


@case("artist")
class ImshowData(CorpusAnimator):
    """An image whose data changes every frame."""

    name = "imshow_data"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot()
        self.yy, self.xx = np.mgrid[0:1:24j, 0:1:32j]
        self.im = ax.imshow(self.data(0), vmin=-1, vmax=1)
        return fig

    def data(self, k):
        return np.sin(6 * self.xx + k) * np.cos(4 * self.yy - 0.5 * k)

    def update(self, k, params):
        self.im.set_data(self.data(k))


@case("artist")
class ImshowExtent(CorpusAnimator):
    """An image whose extent changes within fixed limits, over and under lines."""

    name = "imshow_extent"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(1), lw=3, zorder=0.2)  # under the image
        self.im = ax.imshow(
            np.arange(12).reshape(3, 4), extent=(0.1, 0.4, -0.5, 0.5), zorder=0.5, alpha=0.8
        )
        ax.plot(X, wave(0), lw=2, color="k", zorder=2)
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        ax.set_aspect("auto")
        return fig

    def update(self, k, params):
        self.im.set_extent((0.05 + 0.07 * k, 0.4 + 0.05 * k, -0.5 - 0.05 * k, 0.5))


@case("artist")
class ScatterChanges(CorpusAnimator):
    """A scatter whose offsets, sizes and colours change."""

    name = "scatter_changes"

    def setup(self):
        fig, ax = self.new_axes()
        self.sc = ax.scatter(
            *self.points(0),
            s=self.sizes(0),
            c=np.zeros(12),
            cmap="viridis",
            vmin=0,
            vmax=1,
            alpha=0.7,
        )
        return fig

    def points(self, k):
        rng = np.random.default_rng(k)
        return rng.uniform(0, 1, 12), rng.uniform(-1.1, 1.1, 12)

    def sizes(self, k):
        return 20 + 30 * ((np.arange(12) + k) % 5)

    def update(self, k, params):
        self.sc.set_offsets(np.column_stack(self.points(k)))
        self.sc.set_sizes(self.sizes(k))
        self.sc.set_array(np.random.default_rng(100 + k).uniform(0, 1, 12))


@case("artist")
class BarHeights(CorpusAnimator):
    """Bar heights changing, some above the limits, with bar labels drawn once."""

    name = "bar_heights"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot()
        self.bars = ax.bar(np.arange(6), np.ones(6), color="tab:cyan", edgecolor="k")
        ax.set_ylim(0, 5)
        ax.axhline(2.5, color="tab:red", lw=2, zorder=3)
        return fig

    def update(self, k, params):
        for i, bar in enumerate(self.bars):
            bar.set_height(1 + ((i * 3 + k) % 6))


@case("artist")
class HatchPatterns(CorpusAnimator):
    """A hatched patch over a moving line, and a hatched patch that moves."""

    name = "hatch_patterns"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=3)
        ax.add_patch(
            Rectangle((0.3, -0.6), 0.3, 1.2, facecolor="none", hatch="//", edgecolor="k", zorder=3)
        )
        self.moving = Rectangle(
            (0, -1), 0.2, 0.5, facecolor="w", hatch="x.", edgecolor="tab:purple", zorder=1
        )
        ax.add_patch(self.moving)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.moving.set_x(0.1 * k)


@case("clip")
class MarkersNearEdge(CorpusAnimator):
    """Big markers near the axes' edges (clipped and unclipped): a marker reaches past
    the extent of the line's data."""

    name = "markers_near_edge"

    def setup(self):
        fig, ax = self.new_axes()
        (self.clipped,) = ax.plot([0.0, 1.0], [1.2, -1.2], "s", ms=16)
        (self.free,) = ax.plot([0.5], [1.2], "D", ms=14, clip_on=False, color="tab:red")
        (self.inside,) = ax.plot([0.5], [0.0], "o-", ms=20, color="tab:green")
        return fig

    def update(self, k, params):
        self.clipped.set_ydata([1.2 - 0.02 * k, -1.2 + 0.02 * k])
        self.free.set_xdata([0.05 + 0.12 * k])
        self.inside.set_data([0.2 + 0.08 * k, 0.25 + 0.08 * k], [1.05, 1.05])


@case("clip")
class ThickLines(CorpusAnimator):
    """lw=8 lines at the edge of a panel, one spilling into its neighbour (clip_on=False)."""

    name = "thick_lines"

    def setup(self):
        fig = self.new_figure()
        a, b = fig.subplots(1, 2)
        fig.subplots_adjust(wspace=0.05)
        for ax in (a, b):
            ax.set_xlim(0, 1)
            ax.set_ylim(-1.2, 1.2)
        (self.edge,) = a.plot([1, 1], [-1, 1], lw=8)
        (self.spill,) = a.plot([0.8, 1.1], [0, 0], lw=8, clip_on=False, color="tab:red")
        b.plot([0, 0.3], [0.5, 0.5], lw=8, color="tab:green")
        return fig

    def update(self, k, params):
        self.edge.set_ydata([-1 + 0.1 * k, 1 - 0.1 * k])
        self.spill.set_ydata([0.5 - 0.15 * k, 0.5 - 0.15 * k])


@case("clip")
class ClipPathCircle(CorpusAnimator):
    """A line clipped to a circle instead of the axes box."""

    name = "clip_path_circle"

    def setup(self):
        fig, ax = self.new_axes()
        circle = Circle((0.5, 0), 0.4, transform=ax.transData, facecolor="none", edgecolor="k")
        ax.add_patch(circle)
        (self.line,) = ax.plot(X, wave(0), lw=6)
        self.line.set_clip_path(circle)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))


@case("artist")
class ArtistVisibleToggle(CorpusAnimator):
    """An artist invisible on odd frames; nothing else changes."""

    name = "artist_visible_toggle"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=2, zorder=3)
        self.rect = Rectangle((0.2, -0.5), 0.5, 1, color="tab:orange", alpha=0.7)
        ax.add_patch(self.rect)
        return fig

    def update(self, k, params):
        self.rect.set_visible(k % 2 == 0)


@case("artist")
class ZorderChange(CorpusAnimator):
    """A patch whose zorder moves it above and below a static line."""

    name = "zorder_change"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=5, zorder=2)
        self.rect = Rectangle((0.2, -0.5), 0.5, 1, color="tab:orange")
        ax.add_patch(self.rect)
        return fig

    def update(self, k, params):
        self.rect.set_zorder(3 if k % 3 == 1 else 1)


@case("artist")
class AnimatedFlag(CorpusAnimator):
    """An artist marked ``animated``: a full draw leaves it out, so must the frames."""

    name = "animated_flag"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0))
        (self.hidden,) = ax.plot(X, wave(2), lw=5, animated=True)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.hidden.set_ydata(wave(params + 3))


@case("static")
class NothingChanges(CorpusAnimator):
    """Nothing changes at all."""

    name = "nothing_changes"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0))
        ax.set_title("static")
        ax.legend(["wave"], loc="best")
        return fig

    def update(self, k, params):
        pass


# --- changes that set no stale flag on what looks different ----------------------------


@case("unsignalled")
class TransformMutated(CorpusAnimator):
    """A patch rotated by mutating its Affine2D in place (no setter called)."""

    name = "transform_mutated"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=3, zorder=3)
        self.rotation = Affine2D()
        rect = Rectangle(
            (-0.2, -0.4),
            0.4,
            0.8,
            color="tab:orange",
            transform=self.rotation + Affine2D().translate(0.5, 0) + ax.transData,
        )
        ax.add_patch(rect)
        return fig

    def update(self, k, params):
        self.rotation.clear().rotate_deg(20 * k)


@case("unsignalled")
class ImageArrayInPlace(CorpusAnimator):
    """An image's array written in place (``im.get_array()[...] = ...``)."""

    name = "image_array_inplace"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_subplot()
        self.im = ax.imshow(np.zeros((12, 16)), vmin=0, vmax=8)
        return fig

    def update(self, k, params):
        a = self.im.get_array()
        a[...] = 0
        a[:, k % 16] = 8
        a[k % 12, :] = 4


@case("unsignalled")
class FormatterState(CorpusAnimator):
    """Tick labels from a FuncFormatter that reads the frame from the animator."""

    name = "formatter_state"

    def setup(self):
        fig, ax = self.new_axes()
        self.k = 0
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, pos: f"{v + self.k:g}"))
        (self.line,) = ax.plot(X, wave(0))
        return fig

    def update(self, k, params):
        self.k = 10 ** (k % 4)


@case("unsignalled")
class AnnotationXYOnly(CorpusAnimator):
    """An annotation whose arrow target is moved by assigning ``ann.xy`` only."""

    name = "annotation_xy_only"

    def setup(self):
        fig, ax = self.new_axes()
        self.ann = ax.annotate(
            "here", xy=(0.1, 0.5), xytext=(0.5, -0.8), arrowprops={"arrowstyle": "-|>", "lw": 2}
        )
        return fig

    def update(self, k, params):
        self.ann.xy = (0.1 + 0.1 * k, 1.0 - 0.2 * k)


# --- FuncAnimations (parallel_animate.save) --------------------------------------------


def func_lines(n=8):
    """Two panels, a moving line under a legend; func returns nothing."""
    from matplotlib.animation import FuncAnimation

    fig = plt.figure(figsize=(3, 2), dpi=70)
    a, b = fig.subplots(1, 2)
    for ax in (a, b):
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
    (line,) = a.plot(X, wave(0), lw=3, label="moving")
    a.legend(loc="upper right")
    b.plot(X, wave(1))
    title = fig.suptitle("")

    def func(k):
        line.set_ydata(wave(k))
        title.set_text("frame " + "#" * k)

    return fig, FuncAnimation(fig, func, frames=n, blit=False)


def func_cleared(n=8):
    """``ax.clear()`` and replot every frame, with an init_func; func returns nothing."""
    from matplotlib.animation import FuncAnimation

    fig = plt.figure(figsize=(3, 2), dpi=70)
    ax = fig.add_subplot()

    def init():
        ax.clear()
        ax.set_title("init")

    def func(k):
        ax.clear()
        ax.fill_between(X, wave(k) - 0.2, wave(k) + 0.2, alpha=0.5)
        ax.plot(X, wave(k), color="k")
        ax.set_ylim(-1.5 - 0.1 * k, 1.5)

    return fig, FuncAnimation(fig, func, frames=n, init_func=init, blit=False)


def func_image_colorbar(n=8):
    """An image with a colorbar whose limits follow the data; frames are arrays."""
    from matplotlib.animation import FuncAnimation

    fig = plt.figure(figsize=(3, 2), dpi=70)
    ax = fig.add_subplot()
    _, xx = np.mgrid[0:1:16j, 0:1:20j]
    im = ax.imshow(np.zeros_like(xx), cmap="plasma")
    fig.colorbar(im, ax=ax)
    frames = [np.sin(5 * xx + k) * (1 + k) for k in range(n)]

    def func(data):
        im.set_data(data)
        im.set_clim(data.min(), data.max())

    return fig, FuncAnimation(fig, func, frames=frames, blit=False)


FUNC_ANIMATIONS = {
    "func_lines": func_lines,
    "func_cleared": func_cleared,
    "func_image_colorbar": func_image_colorbar,
}
