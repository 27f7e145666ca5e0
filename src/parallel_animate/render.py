"""Draw frames of a user's figure and hand out its pixels.

One :class:`FrameRenderer` lives per worker process and animator: ``setup()`` runs once,
then each frame is ``update()`` + one ``canvas.draw()`` + a view of the Agg buffer.
"""

from __future__ import annotations

import contextlib
import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    from parallel_animate.animator import Animator

#: savefig_params keys that apply to frames of a video.
SUPPORTED_SAVEFIG_KEYS = (
    "dpi",
    "facecolor",
    "edgecolor",
    "bbox_inches",
    "pad_inches",
    "transparent",
)


@dataclass(frozen=True)
class FrameStyle:
    """The savefig_params that change how a frame is drawn, validated."""

    dpi: float | None = None
    facecolor: Any = None
    edgecolor: Any = None
    tight: bool = False
    pad_inches: float | None = None
    transparent: bool = False

    @property
    def wants_alpha(self) -> bool:
        """The frames are meant to be see-through: ``transparent`` or a facecolor with
        alpha below 1 (``"none"``). The output format must then keep the alpha."""
        if self.transparent:
            return True
        if self.facecolor in (None, "auto"):
            return False
        from matplotlib.colors import to_rgba

        return to_rgba(self.facecolor)[3] < 1

    @classmethod
    def from_savefig_params(cls, params: dict[str, Any] | None) -> FrameStyle:
        if params is None:
            return cls()
        if not isinstance(params, dict):
            raise TypeError(f"savefig_params must be a dict or None, got {type(params).__name__}")
        unknown = sorted(set(params) - set(SUPPORTED_SAVEFIG_KEYS))
        if unknown:
            raise ValueError(
                f"unsupported savefig_params key(s): {', '.join(unknown)}; "
                f"supported: {', '.join(SUPPORTED_SAVEFIG_KEYS)}"
            )
        dpi = params.get("dpi")
        if dpi == "figure":
            dpi = None
        if dpi is not None:
            if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
                raise ValueError(f"savefig_params['dpi'] must be a number > 0, got {dpi!r}")
            dpi = float(dpi)
        bbox = params.get("bbox_inches")
        if bbox not in (None, "tight"):
            raise ValueError(
                f"savefig_params['bbox_inches'] must be None or 'tight', got {bbox!r}"
            )
        pad = params.get("pad_inches")
        if pad is not None:
            if isinstance(pad, bool) or not isinstance(pad, (int, float)) or pad < 0:
                raise ValueError(
                    f"savefig_params['pad_inches'] must be a number >= 0, got {pad!r}"
                )
            pad = float(pad)
        transparent = params.get("transparent", False)
        if not isinstance(transparent, bool):
            raise ValueError(
                f"savefig_params['transparent'] must be True or False, got {transparent!r}"
            )
        from matplotlib.colors import to_rgba

        for key in ("facecolor", "edgecolor"):
            value = params.get(key)
            if value is not None and value != "auto":
                try:
                    to_rgba(value)
                except ValueError:
                    raise ValueError(
                        f"savefig_params[{key!r}] is not a matplotlib color: {value!r}"
                    ) from None
        return cls(
            dpi=dpi,
            facecolor=params.get("facecolor"),
            edgecolor=params.get("edgecolor"),
            tight=bbox == "tight",
            pad_inches=pad,
            transparent=transparent,
        )


class NotAFigureError(TypeError):
    """``setup()`` returned something that is not a matplotlib Figure."""


def build_figure(animator: Animator, style: FrameStyle) -> Figure:
    """Call ``setup()``, check that it returned a Figure and apply the frame style."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = animator.setup()
    if not isinstance(fig, Figure):
        raise NotAFigureError(
            f"{type(animator).__name__}.setup() must return a matplotlib Figure, "
            f"got {type(fig).__name__}"
        )
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # frames come from the Agg buffer, whatever the GUI backend
    if style.dpi is not None:
        fig.set_dpi(style.dpi)
    if style.transparent:  # a facecolor or edgecolor given as well still applies
        _make_transparent(fig)
    if style.facecolor not in (None, "auto"):
        fig.patch.set_facecolor(style.facecolor)
    if style.edgecolor not in (None, "auto"):
        fig.patch.set_edgecolor(style.edgecolor)
    return fig


def _make_transparent(fig: Figure) -> None:
    """What ``savefig(transparent=True)`` does: no background behind the figure, its
    subfigures and all their Axes."""
    fig.patch.set_facecolor("none")
    fig.patch.set_edgecolor("none")
    for subfig in fig.subfigs:
        _make_transparent(subfig)
    stack = list(fig.axes)
    while stack:
        ax = stack.pop()
        ax.patch.set_facecolor("none")
        ax.patch.set_edgecolor("none")
        stack.extend(ax.child_axes)


#: Figures lent to a run instead of made by ``setup()``: ``parallel_animate.save`` draws
#: on the FuncAnimation's own figure in this process; it is never ours to close.
_lent_figures: weakref.WeakSet[Figure] = weakref.WeakSet()


@contextlib.contextmanager
def lent_figure(fig: Figure) -> Iterator[None]:
    """While inside, :func:`close_figure` leaves ``fig`` open."""
    _lent_figures.add(fig)
    try:
        yield
    finally:
        _lent_figures.discard(fig)


def close_figure(fig: Figure) -> None:
    import matplotlib.pyplot as plt

    if fig in _lent_figures:
        return
    plt.close(fig)


def draw_to_array(fig: Figure) -> np.ndarray:
    """Draw the figure and return its RGBA pixels as an (H, W, 4) view, no copy."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())


def tight_crop_box(fig: Figure, pad_inches: float | None) -> tuple[int, int, int, int]:
    """Pixel box (left, top, right, bottom) of the figure's tight bbox, padded.

    Computed once on a drawn figure; every frame is cropped to it so all frames share
    one size. Content outside the canvas cannot be reached by cropping and is left out.
    """
    import matplotlib

    if pad_inches is None:
        pad_inches = matplotlib.rcParams["savefig.pad_inches"]
    renderer = fig.canvas.get_renderer()
    bbox = fig.get_tightbbox(renderer).padded(pad_inches)
    dpi = fig.dpi
    width, height = fig.canvas.get_width_height(physical=True)
    left = max(0, math.floor(bbox.x0 * dpi))
    right = min(width, math.ceil(bbox.x1 * dpi))
    top = max(0, math.floor(height - bbox.y1 * dpi))
    bottom = min(height, math.ceil(height - bbox.y0 * dpi))
    if right <= left or bottom <= top:
        return (0, 0, width, height)
    return (left, top, right, bottom)


def _root_figure(artist: Artist) -> Any:
    try:
        return artist.get_figure(root=True)  # matplotlib >= 3.10
    except TypeError:
        return artist.figure


def _same_layout(a: list[tuple[float, ...]], b: list[tuple[float, ...]]) -> bool:
    """Whether two sets of axes positions agree to a hundredth of a pixel."""
    return len(a) == len(b) and all(
        abs(x - y) < 0.01
        for box_a, box_b in zip(a, b, strict=True)
        for x, y in zip(box_a, box_b, strict=True)
    )


class Blitter:
    """Draw only the artists ``update()`` returned, over a cached background.

    The returned artists are marked animated, so the full draw that makes the
    background leaves them out and their changes no longer mark the figure stale. A
    figure that is stale after ``update()`` therefore means that something else changed
    (axes limits, a title, a static artist, the figure size): that frame is drawn in
    full and the background refreshed. A layout engine (constrained or tight layout)
    moves axes a little on each of the first draws until it settles; frames are drawn in
    full until the axes stop moving, as they would be without blitting. As with
    matplotlib's own blitting, animated artists are drawn on top of the static ones
    (sorted by zorder).
    """

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.artists: list[Artist] = []  # every artist ever returned, drawn each frame
        self._background: Any = None
        self._size: tuple[int, int] | None = None
        self._settling = False
        self.full_draws = 0

    def _layout(self) -> list[tuple[float, ...]]:
        """Axes positions in pixels (without the side effects of apply_aspect)."""
        width, height = self.fig.bbox.size
        boxes = (ax.get_position(original=True) for ax in self.fig.axes)
        return [(b.x0 * width, b.y0 * height, b.x1 * width, b.y1 * height) for b in boxes]

    def _accept(self, changed: Any) -> list[Artist]:
        from matplotlib.artist import Artist
        from matplotlib.axes import Axes
        from matplotlib.figure import FigureBase

        if isinstance(changed, Artist):
            changed = [changed]
        try:
            items = list(changed)
        except TypeError:
            items = None
        if not items:
            raise ValueError(
                "with blit=True, update() must return the artists it changed (an "
                f"iterable of matplotlib Artists, like FuncAnimation's func), got {changed!r}"
            )
        for item in items:
            if not isinstance(item, Artist) or isinstance(item, (Axes, FigureBase)):
                raise ValueError(
                    "with blit=True, update() must return the artists it changed "
                    f"(lines, images, texts, collections...), got {type(item).__name__}"
                )
            if _root_figure(item) is not self.fig:
                raise ValueError(
                    f"update() returned {type(item).__name__} {item!r}, which is not in "
                    "the figure returned by setup()"
                )
        return items

    def draw(self, changed: Any) -> np.ndarray:
        """Draw a frame after ``update()`` returned ``changed``; return its pixels."""
        canvas = self.fig.canvas
        # An artist removed from the figure since (a contour set remade, say) is
        # forgotten; its removal marked the axes stale, so this frame is drawn in full.
        self.artists = [a for a in self.artists if _root_figure(a) is self.fig]
        known = {id(a) for a in self.artists}
        new = [a for a in self._accept(changed) if id(a) not in known]
        for artist in new:
            artist.set_animated(True)
            self.artists.append(artist)
            known.add(id(artist))
        size = canvas.get_width_height(physical=True)
        if (
            new
            or self._background is None
            or self._settling
            or self.fig.stale
            or size != self._size
        ):
            before = self._layout()
            canvas.draw()  # everything but the animated artists
            self._settling = not _same_layout(before, self._layout())
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._size = size
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        for artist in sorted(self.artists, key=lambda a: a.get_zorder()):
            if artist.get_visible():
                self.fig.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())


class FrameRenderer:
    """Renders frames of one animator in this process, keeping its figure between frames."""

    def __init__(
        self,
        animator: Animator,
        style: FrameStyle,
        crop: tuple[int, int, int, int] | None = None,
        reuse_figure: bool = True,
        blit: bool = False,
    ) -> None:
        self.animator = animator
        self.style = style
        self.crop = crop
        self.reuse_figure = reuse_figure
        self.blit = blit
        self._fig: Figure | None = None
        self._used = False
        self._blitter: Blitter | None = None
        #: frames drawn in full (every frame without blit; with blit, the first frame
        #: and every frame where something besides the returned artists changed)
        self.full_draws = 0

    def prepare(self) -> None:
        """Make the figure ready for the next frame: ``setup()`` runs here, and only here.

        Called before :meth:`render` so a failure in ``setup()`` is told apart from one
        in ``update()``. Without figure reuse, every frame gets a fresh figure.
        """
        if self._fig is not None and not self.reuse_figure and self._used:
            close_figure(self._fig)
            self._fig = None
        if self._fig is None:
            self._fig = build_figure(self.animator, self.style)
            self._used = False
            self._blitter = Blitter(self._fig) if self.blit else None

    def render(self, frame_index: int, params: Any) -> np.ndarray:
        """Update and draw one frame; the returned view is valid until the next call."""
        self.prepare()
        self._used = True
        changed = self.animator.update(frame_index, params)
        if self._blitter is not None:
            pixels = self._blitter.draw(changed)
            self.full_draws = self._blitter.full_draws
        else:
            pixels = draw_to_array(self._fig)
            self.full_draws += 1
        if self.crop is not None:
            left, top, right, bottom = self.crop
            pixels = pixels[top:bottom, left:right]
        return pixels

    def close(self) -> None:
        if self._fig is not None:
            close_figure(self._fig)
            self._fig = None
            self._blitter = None
