"""Adversarial cases the corpus of blit_corpus.py does not hold: figures the blitter of
``blit="auto"`` has not seen, each aimed at one way a partial redraw could go wrong.

The same rules as blit_corpus.py: ``update(k, params)`` depends on the frame index only
(``params`` is ``k``), draws frame ``k`` the same whatever was drawn before (every piece
of state an update touches is set from ``k``, toggles included), uses no randomness
other than generators seeded by the frame, and returns nothing. Figures are ~3x2 in at
70 dpi (a few at odd sizes and dpis on purpose), 6-12 frames.

The cases register into blit_corpus's ``CASES``/``GROUPS``, under groups named
``"unseen-..."``; ``UNSEEN`` lists their names. Groups:

- ``unseen-nested``: a change to a child that is not a drawable of its own (a legend's
  text or handle, an AnchoredText's text, an OffsetImage's data, a table cell);
- ``unseen-ticks``: ticks of every direction, long and thick, on every side, and a long
  tick whose reach is larger than a marker's extent says;
- ``unseen-edges``: Axes at fractional pixel positions, odd dpis, thick and moved spines,
  data hugging the edges;
- ``unseen-clip``: clipped and rotated texts crossing the Axes' edges, custom clip boxes
  and clip paths, a clip path that moves on its own;
- ``unseen-reach``: artists that paint beyond their reported extent (path effects, a
  legend shadow) next to changing ones;
- ``unseen-containers``: errorbar, stem, quiver, contourf, fill_betweenx, hatched bars,
  axhspan;
- ``unseen-figure``: figure-level artists under the Axes (texts, patches, figimage);
- ``unseen-flags``: ``animated`` toggled, ``stale`` forced, transforms replaced, zorders
  swapped;
- ``unseen-axes``: a title's fontsize, colorbar ticks, shared y with a twin;
- ``unseen-back-in``: a text, and a line, drawn outside their Axes and then back in;
- ``unseen-review``: an annotation's arrow and a quiver key's label (parts that are not
  children), a ``loc="best"`` legend under a changing line, an italic tail at an edge.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as path_effects
import numpy as np
from matplotlib.offsetbox import AnchoredText, AnnotationBbox, OffsetImage
from matplotlib.patches import Circle, Rectangle
from matplotlib.transforms import Affine2D, Bbox, TransformedBbox

from blit_corpus import CASES, CorpusAnimator, X, case, wave

_BEFORE = set(CASES)


def colours(k: int) -> str:
    return ["tab:blue", "tab:red", "tab:green", "tab:purple", "k", "tab:orange"][k % 6]


# --- nested children: not drawables of their own ----------------------------------------


@case("unseen-nested")
class LegendTextOnly(CorpusAnimator):
    """A legend's first label changes; nothing else in the figure changes."""

    name = "legend_text_only"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), label="a")
        ax.plot(X, wave(2), label="b")
        self.leg = ax.legend(loc="lower left")
        return fig

    def update(self, k, params):
        self.leg.get_texts()[0].set_text("label " + "#" * (k % 5))


@case("unseen-nested")
class LegendTextAndLine(CorpusAnimator):
    """A legend's label changes and a data line of the same Axes changes."""

    name = "legend_text_and_line"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=3, label="a")
        ax.plot(X, 0.5 * X, label="b")
        self.leg = ax.legend(loc="upper right", framealpha=0.8)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.leg.get_texts()[1].set_text(f"frame {k}" + "." * k)


@case("unseen-nested")
class LegendHandleColor(CorpusAnimator):
    """A legend handle's colour changes; the plotted line does not."""

    name = "legend_handle_color"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=3, label="a")
        ax.plot(X, wave(3), lw=3, label="b")
        self.leg = ax.legend(loc="lower right")
        return fig

    def update(self, k, params):
        self.leg.legend_handles[0].set_color(colours(k))
        self.leg.legend_handles[1].set_linewidth(1 + k)


@case("unseen-nested")
class AnchoredTextChild(CorpusAnimator):
    """An AnchoredText whose text (a TextArea inside it) changes; nothing else does."""

    name = "anchored_text_child"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=3)
        self.at = AnchoredText("start", loc="upper left", prop={"size": 9})
        ax.add_artist(self.at)
        return fig

    def update(self, k, params):
        self.at.txt.set_text("t=" + "%" * (k % 6))


@case("unseen-nested")
class OffsetImageData(CorpusAnimator):
    """An AnnotationBbox holding an OffsetImage whose data changes."""

    name = "offset_image_data"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=3)
        self.image = OffsetImage(np.zeros((8, 8)), zoom=3, cmap="viridis", norm=None)
        self.image.get_children()[0].set_clim(0, 1)
        self.box = AnnotationBbox(self.image, (0.5, 0.0), frameon=True)
        ax.add_artist(self.box)
        return fig

    def update(self, k, params):
        rng = np.random.default_rng(k)
        self.image.set_data(rng.random((8, 8)))


@case("unseen-nested")
class OffsetImageDataInPlace(CorpusAnimator):
    """The array of the AxesImage inside an OffsetImage written in place (the nested
    image holds a copy of the data it was given, so this is its own array)."""

    name = "offset_image_inplace"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=3)
        self.image = OffsetImage(np.zeros((8, 8)), zoom=3, cmap="magma")
        self.image.get_children()[0].set_clim(0, 1)
        ax.add_artist(AnnotationBbox(self.image, (0.3, 0.3), frameon=False))
        return fig

    def update(self, k, params):
        array = self.image.get_children()[0].get_array()
        array[...] = np.random.default_rng(k).random((8, 8))


@case("unseen-nested")
class TableCellText(CorpusAnimator):
    """A table cell's text and another cell's facecolour change."""

    name = "table_cell_text"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0), lw=3)
        self.table = ax.table(
            cellText=[["a", "b"], ["c", "d"]], loc="center", colWidths=[0.3, 0.25]
        )
        self.table.auto_set_font_size(False)  # auto sizing shrinks for good: history
        self.table.set_fontsize(8)
        return fig

    def update(self, k, params):
        self.table[0, 0].get_text().set_text(str(10**k))
        self.table[1, 1].set_facecolor(colours(k))


# --- ticks -----------------------------------------------------------------------------


@case("unseen-ticks")
class TicksAllDirections(CorpusAnimator):
    """Ticks in, out and inout, long and thick, on all four sides, minor ticks, labels on
    top and right; a thick line touching every edge changes every frame."""

    name = "ticks_all_directions"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.15, 0.18, 0.7, 0.64))
        ax.set_xlim(0, 1)
        ax.set_ylim(-1, 1)
        ax.minorticks_on()
        ax.tick_params(top=True, right=True, labeltop=True, labelright=True, labelsize=6)
        ax.tick_params(axis="x", which="major", direction="inout", length=12, width=3)
        ax.tick_params(axis="y", which="major", direction="in", length=14, width=2.5)
        ax.tick_params(axis="both", which="minor", direction="out", length=6, width=1.5)
        ax.tick_params(axis="both", colors="tab:red", which="minor")
        (self.line,) = ax.plot(X, wave(0), lw=5)
        (self.edges,) = ax.plot([0, 1, 1, 0, 0], [-1, -1, 1, 1, -1], lw=4, color="tab:green")
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.05))
        self.edges.set_color(colours(k))


@case("unseen-ticks")
class LongTickOverText(CorpusAnimator):
    """A very long outward y tick (drawn after a low-zorder text) crosses that changing
    text left of the Axes: the tick paints farther than its marker extent reports."""

    name = "long_tick_over_text"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.55, 0.15, 0.4, 0.7))
        ax.set_xlim(0, 1)
        ax.set_ylim(-1, 1)
        ax.set_yticks([0.0])
        ax.set_yticklabels([])
        ax.tick_params(axis="y", direction="out", length=80, width=4, color="tab:red")
        self.text = ax.text(
            -0.22,
            0.5,
            "text",
            transform=ax.transAxes,
            ha="right",
            va="center",
            zorder=1,
            fontsize=12,
            bbox={"facecolor": "tab:cyan", "edgecolor": "none"},
        )
        ax.plot(X, wave(0))
        return fig

    def update(self, k, params):
        self.text.set_text("ab" if k % 2 else "xy")
        self.text.get_bbox_patch().set_facecolor(colours(k))


@case("unseen-ticks")
class MinorTicksHuggingData(CorpusAnimator):
    """Minor grid and ticks over thick data that hugs the bottom and left edges."""

    name = "minor_ticks_hugging"

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_ylim(0, 1)
        ax.minorticks_on()
        ax.grid(True, which="both", lw=1.5, alpha=0.6)
        ax.set_axisbelow(False)
        (self.line,) = ax.plot(X, np.zeros_like(X), lw=7, color="tab:orange")
        (self.side,) = ax.plot(np.zeros_like(X), X, lw=7, color="tab:purple")
        return fig

    def update(self, k, params):
        self.line.set_ydata(0.03 * k * X**2)
        self.side.set_xdata(0.02 * k * X)


# --- edges: fractional positions, odd dpis, spines ---------------------------------------


@case("unseen-edges")
class FractionalAxes(CorpusAnimator):
    """dpi 73, an odd figure size, an Axes at fractional pixels with thick spines; data on
    the edges."""

    name = "fractional_axes"
    size = (3.13, 2.07)
    dpi = 73

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.1234, 0.1577, 0.6789, 0.7011))
        ax.set_xlim(0, 1)
        ax.set_ylim(-1, 1)
        for spine in ax.spines.values():
            spine.set_linewidth(3.3)
        (self.line,) = ax.plot(X, wave(0), lw=4.5, color="tab:red")
        (self.edge,) = ax.plot([0, 1], [1, 1], lw=5, color="tab:blue")
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        y = [1.0, -1.0][k % 2]
        self.edge.set_ydata([y, y])


@case("unseen-edges")
class FractionalDpi97(CorpusAnimator):
    """dpi 97, two Axes at fractional positions almost touching; lines along the gap."""

    name = "fractional_dpi97"
    size = (2.71, 1.93)
    dpi = 97

    def setup(self):
        fig = self.new_figure()
        self.axes = [
            fig.add_axes((0.0731, 0.1111, 0.4213, 0.7777)),
            fig.add_axes((0.5017, 0.1111, 0.4213, 0.7777)),
        ]
        self.lines = []
        for ax in self.axes:
            ax.set_xlim(0, 1)
            ax.set_ylim(-1, 1)
            ax.set_yticks([])
            (line,) = ax.plot([1, 1], [-1, 1], lw=6)
            self.lines.append(line)
        return fig

    def update(self, k, params):
        self.lines[0].set_xdata([1.0, 1.0] if k % 2 == 0 else [0.99, 0.99])
        self.lines[1].set_xdata([0.0, 0.0] if k % 3 == 0 else [0.01, 0.01])
        self.lines[0].set_color(colours(k))


@case("unseen-edges")
class SpinesMoved(CorpusAnimator):
    """Spines moved outward and to the data centre, thick; data crosses the moved spine."""

    name = "spines_moved"

    def setup(self):
        fig, ax = self.new_axes()
        ax.spines.left.set_position(("outward", 5))
        ax.spines.bottom.set_position(("data", 0.0))
        ax.spines.right.set_position(("axes", 0.6))
        for spine in ax.spines.values():
            spine.set_linewidth(3)
        (self.line,) = ax.plot(X, wave(0), lw=4, color="tab:green")
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.2))


# --- clipping --------------------------------------------------------------------------


@case("unseen-clip")
class ClippedTextCrossing(CorpusAnimator):
    """Clipped texts (one rotated, one with a bbox) moving across the Axes' edges."""

    name = "clipped_text_crossing"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0))
        self.a = ax.text(0, 0, "CLIPPED", fontsize=14, clip_on=True, rotation=30)
        self.b = ax.text(0, 0, "boxed", fontsize=12, clip_on=True, bbox={"facecolor": "tab:olive"})
        return fig

    def update(self, k, params):
        self.a.set_position((-0.2 + 0.18 * k, 0.9))
        self.b.set_position((0.85, -1.5 + 0.3 * k))


@case("unseen-clip")
class TextBboxPartlyOutside(CorpusAnimator):
    """An unclipped text whose bbox hangs out of the Axes, its string changing; its
    place inside the Axes stays."""

    name = "text_bbox_partly_outside"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=3)
        self.text = ax.text(
            0.98,
            1.1,
            "x",
            ha="left",
            va="center",
            bbox={"facecolor": "tab:pink", "pad": 6, "alpha": 0.8},
        )
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.text.set_text("w" * (1 + k % 3))


@case("unseen-clip")
class CustomClipBox(CorpusAnimator):
    """A line clipped to a TransformedBbox (part of the Axes) and a patch clipped to a
    Bbox in display pixels."""

    name = "custom_clip_box"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=5)
        self.line.set_clip_box(TransformedBbox(Bbox([[0.2, -0.5], [0.7, 0.9]]), ax.transData))
        self.patch = ax.add_patch(Rectangle((0.1, -1), 0.3, 2, color="tab:orange", alpha=0.6))
        self.patch.set_clip_box(Bbox([[60, 40], [120, 110]]))
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.2))
        self.patch.set_x(0.05 * k)


@case("unseen-clip")
class ClipPathMoves(CorpusAnimator):
    """A static line clipped to a Circle that moves through an Affine2D of its transform
    mutated in place: only the clip path changes, no artist is told."""

    name = "clip_path_moves"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=8)
        self.shift = Affine2D()
        circle = Circle((0.3, 0.0), 0.5, transform=ax.transData + self.shift)
        self.line.set_clip_path(circle)
        return fig

    def update(self, k, params):
        self.shift.clear().translate(12 * k - 30, 0)


@case("unseen-clip")
class ClipPathReplaced(CorpusAnimator):
    """A static line given a new clip path (a Circle at a new place) every frame."""

    name = "clip_path_replaced"

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        (self.line,) = ax.plot(X, wave(0), lw=8)
        return fig

    def update(self, k, params):
        self.line.set_clip_path(Circle((0.1 + 0.1 * k, 0.0), 0.5, transform=self.ax.transData))


@case("unseen-clip")
class ClipPathAndData(CorpusAnimator):
    """A changing line clipped to a static Circle patch that is drawn too, partly outside
    the Axes; an image clipped to the same circle."""

    name = "clip_path_and_data"

    def setup(self):
        fig, ax = self.new_axes()
        circle = Circle((0.9, 0.8), 0.5, facecolor="none", edgecolor="k", lw=2, clip_on=False)
        ax.add_patch(circle)
        (self.line,) = ax.plot(X, wave(0), lw=4)
        self.line.set_clip_path(circle)
        self.image = ax.imshow(np.zeros((6, 6)), extent=(0.5, 1, 0, 1.2), vmin=0, vmax=1)
        self.image.set_clip_path(circle)
        ax.set_aspect("auto")
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.2))
        self.image.set_data(np.random.default_rng(k).random((6, 6)))


# --- artists that paint beyond their extent ------------------------------------------------


@case("unseen-reach")
class PathEffectNearEdge(CorpusAnimator):
    """An unclipped thin line just inside the top edge with a wide stroke path effect:
    the stroke reaches out of the Axes, past the line's own extent."""

    name = "path_effect_near_edge"

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_ylim(-1.2, 1.2)
        xs = 0.1 + 0.8 * X
        (self.line,) = ax.plot(xs, wave(0), lw=1, clip_on=False, color="w")
        self.line.set_path_effects(
            [path_effects.Stroke(linewidth=24, foreground="tab:red"), path_effects.Normal()]
        )
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.05))


@case("unseen-reach")
class TextStrokeNearEdge(CorpusAnimator):
    """A changing text just inside the Axes with a wide stroke reaching out of it."""

    name = "text_stroke_near_edge"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0))
        self.text = ax.text(0.02, 1.05, "edge", fontsize=9, va="center", color="w")
        self.text.set_path_effects([path_effects.withStroke(linewidth=14, foreground="navy")])
        return fig

    def update(self, k, params):
        self.text.set_text(["edge", "EDGE", "ed", "e"][k % 4])


@case("unseen-reach")
class StaticTextStrokeIntoAxes(CorpusAnimator):
    """A static figure text right of the Axes whose wide stroke reaches into it, over a
    line that changes there."""

    name = "static_text_stroke_into_axes"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.1, 0.15, 0.6, 0.7))
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        (self.line,) = ax.plot(X, wave(0), lw=6, color="tab:blue")
        text = fig.text(0.74, 0.5, "note", fontsize=10, va="center", color="w", zorder=5)
        text.set_path_effects([path_effects.withStroke(linewidth=30, foreground="tab:orange")])
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.2))


@case("unseen-reach")
class LegendShadowIntoAxes(CorpusAnimator):
    """A legend right of the Axes whose shadow is thrown far left, into the Axes, over
    a changing line."""

    name = "legend_shadow_into_axes"

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.1, 0.15, 0.55, 0.7))
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        (self.line,) = ax.plot(X, wave(0), lw=6, label="line")
        ax.legend(
            loc="center left",
            bbox_to_anchor=(1.06, 0.5),
            shadow={"ox": -25, "oy": -4, "color": "k", "alpha": 0.9},
            framealpha=1,
        )
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params, amp=1.2))


@case("unseen-reach")
class ScatterUnclippedEdges(CorpusAnimator):
    """An unclipped scatter with big, thick-edged markers on the Axes' edges."""

    name = "scatter_unclipped_edges"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_ylim(-1, 1)
        self.scatter = ax.scatter(
            [0, 1, 0.5, 0.5], [0, 0, 1, -1], s=300, lw=4, edgecolor="k", clip_on=False
        )
        return fig

    def update(self, k, params):
        d = 0.02 * k
        self.scatter.set_offsets([[0 + d, 0], [1 - d, 0.1], [0.5, 1 - d], [0.4 + d, -1]])
        self.scatter.set_sizes([300 - 20 * k] * 4)


# --- containers and plot kinds ---------------------------------------------------------


@case("unseen-containers")
class ErrorbarUpdate(CorpusAnimator):
    """An errorbar container: data line, caps and bar segments moved every frame."""

    name = "errorbar_update"

    def setup(self):
        fig, ax = self.new_axes()
        xs = np.linspace(0.05, 0.95, 8)
        self.xs = xs
        container = ax.errorbar(xs, np.sin(xs), yerr=0.2, capsize=4, lw=2, capthick=2)
        self.data_line, self.caps, self.bars = container.lines
        return fig

    def update(self, k, params):
        ys = np.sin(2 * np.pi * self.xs + 0.8 * k)
        err = 0.1 + 0.05 * k
        self.data_line.set_ydata(ys)
        self.caps[0].set_ydata(ys - err)
        self.caps[1].set_ydata(ys + err)
        segments = [[[x, y - err], [x, y + err]] for x, y in zip(self.xs, ys, strict=True)]
        self.bars[0].set_segments(segments)


@case("unseen-containers")
class StemUpdate(CorpusAnimator):
    """A stem plot: markers, stems and baseline updated."""

    name = "stem_update"

    def setup(self):
        fig, ax = self.new_axes()
        self.xs = np.linspace(0.05, 0.95, 10)
        self.stem = ax.stem(self.xs, np.sin(self.xs))
        return fig

    def update(self, k, params):
        ys = np.sin(2 * np.pi * self.xs + 0.8 * k)
        self.stem.markerline.set_ydata(ys)
        segments = [[[x, 0], [x, y]] for x, y in zip(self.xs, ys, strict=True)]
        self.stem.stemlines.set_segments(segments)
        self.stem.baseline.set_ydata([0.1 * (k % 3), 0.1 * (k % 3)])


@case("unseen-containers")
class QuiverUVC(CorpusAnimator):
    """A quiver whose vectors (and colours) change through ``set_UVC``; arrows reach the
    edges."""

    name = "quiver_uvc"

    def setup(self):
        fig, ax = self.new_axes()
        gx, gy = np.meshgrid(np.linspace(0, 1, 6), np.linspace(-1.2, 1.2, 5))
        self.gx, self.gy = gx, gy
        self.quiver = ax.quiver(gx, gy, gx, gy, gx, scale=4, width=0.02)
        return fig

    def update(self, k, params):
        angle = 0.6 * k + self.gx * 3
        self.quiver.set_UVC(np.cos(angle), np.sin(angle), np.sin(angle + self.gy))


@case("unseen-containers")
class ContourfRecreated(CorpusAnimator):
    """A contourf removed and drawn anew every frame, under a static line."""

    name = "contourf_recreated"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        gx, gy = np.meshgrid(np.linspace(0, 1, 30), np.linspace(-1.2, 1.2, 20))
        self.gx, self.gy = gx, gy
        self.contour = ax.contourf(gx, gy, gx * 0, levels=[-1, 0, 1])
        ax.plot(X, wave(0), color="w", lw=3, zorder=3)
        return fig

    def update(self, k, params):
        self.contour.remove()
        z = np.sin(4 * self.gx + 0.7 * k) * np.cos(2 * self.gy)
        self.contour = self.ax.contourf(self.gx, self.gy, z, levels=np.linspace(-1, 1, 7))
        self.ax.set_xlim(0, 1)
        self.ax.set_ylim(-1.2, 1.2)


@case("unseen-containers")
class HatchedSpans(CorpusAnimator):
    """Hatched bars changing height, an axhspan moving, a fill_betweenx recreated."""

    name = "hatched_spans"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        self.bars = ax.bar([0.2, 0.5, 0.8], [0.5, 0.5, 0.5], width=0.2, hatch="//", ec="k")
        self.span = ax.axhspan(-0.2, 0.1, color="tab:green", alpha=0.4)
        self.fill = ax.fill_betweenx(X * 2.4 - 1.2, 0, 0.1, color="tab:red", alpha=0.5)
        return fig

    def update(self, k, params):
        for i, bar in enumerate(self.bars):
            bar.set_height(np.sin(0.8 * k + i) * 1.3)
        self.span.set_y(-1.2 + 0.3 * k)
        self.fill.remove()
        y = X * 2.4 - 1.2
        self.fill = self.ax.fill_betweenx(
            y, 0, 0.1 + 0.1 * np.abs(np.sin(3 * y + k)), color="tab:red", alpha=0.5
        )


# --- figure-level artists --------------------------------------------------------------


@case("unseen-figure")
class FigureArtistsUnderAxes(CorpusAnimator):
    """A figure text and a figure rectangle under a translucent Axes (zorder below it);
    the Axes' data change over them."""

    name = "figure_artists_under_axes"

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_facecolor((1, 1, 1, 0.4))
        fig.add_artist(
            Rectangle(
                (0.3, 0.3), 0.4, 0.5, transform=fig.transFigure, color="tab:orange", zorder=-1
            )
        )
        fig.text(0.5, 0.5, "UNDER", fontsize=22, ha="center", va="center", zorder=-2)
        (self.line,) = ax.plot(X, wave(0), lw=4)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))


@case("unseen-figure")
class FigurePatchAppended(CorpusAnimator):
    """A Rectangle appended to ``fig.patches`` by hand (no figure set on it, as old
    gallery code does), under a translucent Axes whose data change."""

    name = "figure_patch_appended"

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_facecolor((1, 1, 1, 0.4))
        fig.patches.append(
            Rectangle((0.3, 0.3), 0.4, 0.5, transform=fig.transFigure, color="tab:orange")
        )
        (self.line,) = ax.plot(X, wave(0), lw=4)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))


@case("unseen-figure")
class FigimageUnderAxes(CorpusAnimator):
    """A figimage under a semi-transparent Axes facecolour; data change over it."""

    name = "figimage_under_axes"

    def setup(self):
        fig, ax = self.new_axes()
        ax.set_facecolor((0.9, 0.9, 1.0, 0.5))
        fig.figimage(np.add.outer(np.arange(80), np.arange(120)) % 17, xo=50, yo=30)
        (self.line,) = ax.plot(X, wave(0), lw=4, color="k")
        self.scatter = ax.scatter(X[::6], wave(0)[::6], s=40, alpha=0.6)
        return fig

    def update(self, k, params):
        self.line.set_ydata(wave(params))
        self.scatter.set_offsets(np.column_stack([X[::6], wave(params, step=-0.6)[::6]]))


# --- flags and transforms --------------------------------------------------------------


@case("unseen-flags")
class AnimatedToggled(CorpusAnimator):
    """``set_animated`` toggled on a line (a full draw leaves it out on odd frames); the
    line does not change otherwise."""

    name = "animated_toggled"

    def setup(self):
        fig, ax = self.new_axes()
        (self.line,) = ax.plot(X, wave(0), lw=4)
        ax.plot(X, wave(2), lw=2)
        return fig

    def update(self, k, params):
        self.line.set_animated(k % 2 == 1)


@case("unseen-flags")
class AnimatedToggledMoving(CorpusAnimator):
    """``set_animated`` toggled on a line while another line of the Axes moves."""

    name = "animated_toggled_moving"

    def setup(self):
        fig, ax = self.new_axes()
        (self.flag,) = ax.plot(X, wave(1), lw=4, color="tab:red")
        (self.line,) = ax.plot(X, wave(0), lw=2)
        return fig

    def update(self, k, params):
        self.flag.set_animated(k in (2, 3, 6))
        self.line.set_ydata(wave(params))


@case("unseen-flags")
class StaleForced(CorpusAnimator):
    """``stale = True`` forced on static artists (a line, a text, the Axes) with no
    visible change; another line moves on even frames only."""

    name = "stale_forced"

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        (self.static,) = ax.plot(X, wave(3), lw=3)
        self.text = ax.text(0.5, 0.5, "same", fontsize=12)
        (self.line,) = ax.plot(X, wave(0), lw=2)
        return fig

    def update(self, k, params):
        self.static.stale = True
        self.text.stale = True
        self.ax.stale = True
        self.line.set_ydata(wave(params - params % 2))


@case("unseen-flags")
class TransformReplaced(CorpusAnimator):
    """A patch's transform replaced by a new Affine2D (+ transData) every frame."""

    name = "transform_replaced"

    def setup(self):
        fig, ax = self.new_axes()
        self.ax = ax
        self.patch = ax.add_patch(Rectangle((-0.15, -0.3), 0.3, 0.6, color="tab:purple"))
        ax.plot(X, wave(0), lw=2, zorder=3)
        return fig

    def update(self, k, params):
        self.patch.set_transform(
            Affine2D().rotate_deg(25 * k).translate(0.5, 0.0) + self.ax.transData
        )


@case("unseen-flags")
class ZorderSwap(CorpusAnimator):
    """Two overlapping opaque patches swap zorders every frame (also set equal)."""

    name = "zorder_swap"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        self.a = ax.add_patch(Rectangle((0.2, -0.8), 0.4, 1.2, color="tab:blue"))
        self.b = ax.add_patch(Rectangle((0.4, -0.4), 0.4, 1.2, color="tab:orange"))
        return fig

    def update(self, k, params):
        za, zb = [(1, 2), (2, 1), (1.5, 1.5)][k % 3]
        self.a.set_zorder(za)
        self.b.set_zorder(zb)


# --- Axes-level pieces -----------------------------------------------------------------


@case("unseen-axes")
class TitleFontsize(CorpusAnimator):
    """A title whose string stays while its fontsize changes; an xlabel's weight too."""

    name = "title_fontsize"

    def setup(self):
        fig, ax = self.new_axes()
        ax.plot(X, wave(0))
        self.title = ax.set_title("Same title")
        self.label = ax.set_xlabel("same label")
        return fig

    def update(self, k, params):
        self.title.set_fontsize([8, 12, 10, 14, 9, 11][k % 6])
        self.label.set_fontweight("bold" if k % 2 else "normal")


@case("unseen-axes")
class ColorbarTicks(CorpusAnimator):
    """A colorbar whose ticks and tick labels change; the image does not."""

    name = "colorbar_ticks"
    n_frames = 6  # drawn in full every frame today: fewer keep the file fast

    def setup(self):
        fig, ax = self.new_axes()
        image = ax.imshow(np.add.outer(np.arange(6), np.arange(8)), aspect="auto")
        self.colorbar = fig.colorbar(image, ax=ax)
        return fig

    def update(self, k, params):
        ticks = np.arange(0, 13, 1 + k % 4)
        self.colorbar.set_ticks(ticks, labels=[f"{t}{'!' * (k % 3)}" for t in ticks])


@case("unseen-axes")
class ShareyTwin(CorpusAnimator):
    """Two panels sharing y, the second with a twinx; lines change in all three Axes."""

    name = "sharey_twin"

    def setup(self):
        fig = self.new_figure()
        a, b = fig.subplots(1, 2, sharey=True)
        a.set_ylim(-1.2, 1.2)
        twin = b.twinx()
        twin.set_ylim(-3, 3)
        (self.la,) = a.plot(X, wave(0), lw=3)
        (self.lb,) = b.plot(X, wave(0), lw=3, color="tab:red")
        (self.lt,) = twin.plot(X, 2 * wave(0), lw=5, color="tab:green", alpha=0.6)
        return fig

    def update(self, k, params):
        self.la.set_ydata(wave(params))
        self.lb.set_ydata(wave(params, step=-0.5))
        self.lt.set_ydata(2.8 * wave(params, step=0.3))


# --- back inside: old pixels drawn outside the Axes ------------------------------------


@case("unseen-back-in")
class TextOutAndBackIn(CorpusAnimator):
    """An unclipped text steps out of its Axes and back in while a line changes: its
    pixels drawn outside must go when it is back inside."""

    name = "text_out_and_back_in"
    n_frames = 12

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
        ax.set_xlim(0, 1)
        ax.set_ylim(-1.2, 1.2)
        (self.line,) = ax.plot(X / X[-1], wave(0))
        self.text = ax.text(0.5, 0.5, "hello", transform=ax.transAxes)
        return fig

    def update(self, k, params):
        xs = [0.5, 0.55, 0.6, 0.9, 0.95, 0.6, 0.5, 0.95, 0.5, 0.55, 0.95, 0.6]
        self.text.set_x(xs[k])
        self.text.set_text("hello" + "!" * (k % 3))
        self.line.set_ydata(wave(params))


@case("unseen-back-in")
class LineClippedAfterReachingOut(CorpusAnimator):
    """An unclipped line reaches out of its Axes (a full draw), then is clipped again
    and changes: its pixels outside must go."""

    name = "line_clipped_after_reaching_out"
    n_frames = 8

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.2, 0.2, 0.6, 0.6))
        ax.set_xlim(0, X[-1])
        ax.set_ylim(-1, 1)
        (self.line,) = ax.plot(X, wave(0), lw=3)
        (self.other,) = ax.plot(X, 0.5 * wave(0))
        return fig

    def update(self, k, params):
        self.line.set_clip_on(k % 4 == 1)
        self.line.set_ydata(1.6 * wave(params))
        self.other.set_ydata(0.5 * wave(params, step=-0.4))


@case("unseen-edges")
class ScattersOnTheEdges(CorpusAnimator):
    """Scatters whose markers sit on the bottom and right edges of their Axes, next to
    tick marks: colour-mapped ones (drawn as paths, clipped short of the edge), one with
    an image on the edge and one alone in its Axes, and, alone in its Axes, one of a
    single colour (drawn as markers, whose clip reaches a pixel further, where the tick
    marks start)."""

    name = "scatters_on_the_edges"
    size = (4.1, 2.3)
    dpi = 73

    def setup(self):
        fig = self.new_figure()
        left, middle, right = fig.subplots(1, 3)
        for ax, direction in ((left, "inout"), (middle, "out"), (right, "out")):
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            ax.minorticks_on()
            ax.tick_params(which="both", direction=direction, length=6, width=1.5)
        edge = np.linspace(0, 1, 40)
        self.points = np.concatenate(
            [np.column_stack([edge, 0 * edge]), np.column_stack([0 * edge + 1, edge])]
        )
        self.mapped = left.scatter(*self.points.T, c=np.arange(80), s=30, cmap="viridis")
        self.alone = middle.scatter(*self.points.T, c=np.arange(80), s=30, cmap="magma")
        self.single = right.scatter(*self.points.T, s=30, color="tab:red", alpha=0.7)
        self.image = left.imshow(np.zeros((4, 4)), extent=(0.7, 1, 0, 0.3), vmin=0, vmax=1)
        left.set_xlim(0, 1)
        left.set_ylim(0, 1)
        return fig

    def update(self, k, params):
        shift = 0.004 * k
        self.mapped.set_offsets(self.points + np.array([shift, -shift]))
        self.mapped.set_array(np.roll(np.arange(80), k))
        self.alone.set_offsets(self.points + np.array([-shift, shift]))
        self.alone.set_array(np.roll(np.arange(80), -k))
        self.single.set_offsets(self.points + np.array([-shift, shift]))
        self.image.set_data(np.random.default_rng(k).random((4, 4)))


# --- found by review: parts not listed as children, data-placed legends, glyph tails ---


@case("unseen-review")
class AnnotationArrowOnly(CorpusAnimator):
    """An annotation's arrow (not among its children) changes colour, pointing down and
    right, while a line changes in another Axes."""

    name = "annotation_arrow_only"
    n_frames = 6

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.1, 0.2, 0.35, 0.6))
        other = fig.add_axes((0.6, 0.2, 0.35, 0.6))
        (self.line,) = ax.plot([0, 1], [0, 1])
        self.ann = other.annotate(
            "hi", (0.5, 0.5), xytext=(0.1, 0.8), arrowprops={"arrowstyle": "->"}
        )
        return fig

    def update(self, k, params):
        self.line.set_ydata([0, (k % 3) / 2])
        self.ann.arrow_patch.set_color(colours(k))


@case("unseen-review")
class QuiverKeyLabel(CorpusAnimator):
    """A quiver key's label (not among its children) changes colour."""

    name = "quiver_key_label"
    n_frames = 6

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        grid = np.linspace(0, 1, 4)
        q = ax.quiver(grid, grid, np.ones(4), np.ones(4))
        self.key = ax.quiverkey(q, 0.7, 0.9, 1, "one", labelpos="E")
        (self.line,) = ax.plot([0, 1], [1, 0])
        return fig

    def update(self, k, params):
        self.key.text.set_color(colours(k))
        self.line.set_ydata([1 - 0.1 * k, 0])


@case("unseen-review")
class BestLegendUnderLine(CorpusAnimator):
    """A legend at loc="best" moves as a line drawn above it (zorder 10) changes: the
    legend itself is never marked changed."""

    name = "best_legend_under_line"
    n_frames = 6

    def setup(self):
        fig = self.new_figure()
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        self.x = np.linspace(0, 1, 50)
        (self.line,) = ax.plot(self.x, self.x, zorder=10, label="data", lw=8)
        ax.legend(loc="best")
        return fig

    def update(self, k, params):
        self.line.set_ydata(self.x if k % 2 == 0 else 1 - self.x)


@case("unseen-review")
class ItalicTailAtTheEdge(CorpusAnimator):
    """An italic "ff" 2 px inside its Axes: its tail inks past its laid-out box, out of
    the Axes."""

    name = "italic_tail_at_the_edge"
    n_frames = 6
    size = (6.0, 3.0)
    dpi = 72

    def setup(self):
        from matplotlib.transforms import IdentityTransform

        fig = self.new_figure()
        ax = fig.add_axes((0.25, 0.25, 0.5, 0.5))  # left edge at x = 108 px
        ax.set_axis_off()
        self.text = ax.text(
            110,
            100,
            "ff",
            family="STIXGeneral",
            style="italic",
            size=17,
            transform=IdentityTransform(),
        )
        return fig

    def update(self, k, params):
        self.text.set_color(colours(k))


#: the names of this module's cases, in the order they are registered
UNSEEN = [name for name in CASES if name not in _BEFORE]
