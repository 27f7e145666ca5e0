"""Blitting: redraw only the artists ``update()`` returned, over a cached background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure


def agg_canvas(fig: Figure) -> FigureCanvasAgg:
    """The figure's canvas, which is Agg: ``build_figure`` gives every figure one, since
    frames come from the Agg buffer whatever the GUI backend."""
    return cast("FigureCanvasAgg", fig.canvas)


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
        canvas = agg_canvas(self.fig)
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
