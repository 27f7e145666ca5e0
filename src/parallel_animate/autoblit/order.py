"""The draw order of a full draw, flattened, and the sets of drawables built on it.

A full draw paints the figure patch, then the figure's children in zorder; an Axes
paints its patch, then its children in zorder (matplotlib's Figure.draw and Axes.draw);
an Axis paints each tick's parts, then its label and offset text. :func:`draw_order`
lists those *drawables* in that order, so that any of them can be drawn again alone.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from parallel_animate.autoblit.boxes import Box, Unsupported, meets, private
from parallel_animate.blit import agg_canvas

#: data arrays of colour-mapped artists up to this size are compared by checksum
CHECKSUM_BYTES = 8 << 20

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure


@dataclass
class Drawable:
    """One entry of the draw order: an artist drawn on its own, and the Axes it is in."""

    artist: Artist
    axes: Axes | None  # None: a figure-level artist
    index: int = 0
    tick: bool = False  # a part of a tick (its line or label): many, and set by the draw


def draw_order(fig: Figure) -> list[Drawable]:
    """The drawables of a full draw, in the order Figure.draw and Axes.draw paint them."""
    if not fig.get_visible():
        raise Unsupported("the figure is hidden")
    if fig.subfigs:
        raise Unsupported("the figure has subfigures")
    if fig.suppressComposite is False:
        raise Unsupported("images are composited")
    order = [Drawable(fig.patch, None)]
    children = [a for a in fig.get_children() if a is not fig.patch and not a.get_animated()]
    for artist in sorted(children, key=lambda a: a.get_zorder()):
        order.extend(expand(artist, None))
    for i, d in enumerate(order):
        d.index = i
        if d.artist.get_agg_filter() is not None:
            raise Unsupported("an artist has an agg filter")
    return order


def expand(artist: Artist, parent: Axes | None) -> Iterator[Drawable]:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

    if isinstance(artist, Axis) and parent is not None:
        yield from expand_axis(artist, parent)
        return
    if not isinstance(artist, Axes) or artist.name == "3d":
        yield Drawable(artist, parent)  # a 3D Axes orders its children itself: one unit
        return
    ax = artist
    if not ax.get_visible():
        return
    if private(ax)._rasterization_zorder is not None:
        raise Unsupported("an Axes has a rasterization zorder")
    children = ax.get_children()
    children.remove(ax.patch)
    framed = ax.axison and private(ax)._frameon
    if not framed:
        spines = {id(s) for s in ax.spines.values()}
        children = [a for a in children if id(a) not in spines]
    if not ax.axison:
        axis_ids = {id(a) for a in private(ax)._axis_map.values()}
        children = [a for a in children if id(a) not in axis_ids]
    children = sorted((a for a in children if not a.get_animated()), key=attrgetter("zorder"))
    if framed:
        yield Drawable(ax.patch, ax)
    for child in children:
        yield from expand(child, ax)


def expand_axis(axis: Axis, parent: Axes) -> Iterator[Drawable]:
    """An Axis as Axis.draw paints it: each tick's gridline, tick lines and labels, then
    the axis label and the offset text. Apart, most tick labels stay in the background."""
    if not axis.get_visible():
        return
    for tick in private(axis)._update_ticks():  # the ticks its last draw drew
        if tick.get_visible():
            for part in (tick.gridline, tick.tick1line, tick.tick2line, tick.label1, tick.label2):
                yield Drawable(part, parent, tick=True)
    yield Drawable(axis.label, parent)
    yield Drawable(axis.offsetText, parent)


def close(
    order: list[Drawable],
    seeds: set[int],
    regions: dict[int, Box],
    footprints: dict[int, Box | None],
    measured: Callable[[Drawable], Box | None] | None = None,
) -> set[int]:
    """Grow ``seeds`` into H: in every region, every drawable after H's first member
    there that paints there too. A drawable whose footprint meets a region is
    ``measured`` before it joins (its footprint is padded; the measure is not)."""
    hidden = set(seeds)
    grew = True
    while grew:
        grew = False
        for box in regions.values():
            first = next(
                (
                    i
                    for i, d in enumerate(order)
                    if id(d.artist) in hidden and meets(footprints.get(id(d.artist)), box)
                ),
                None,
            )
            if first is None:
                continue
            for d in order[first:]:
                key = id(d.artist)
                if key in hidden or not meets(footprints.get(key), box):
                    continue
                if measured is not None:
                    footprints[key] = measured(d)
                    if not meets(footprints[key], box):
                        continue
                hidden.add(key)
                grew = True
    return hidden


def stales_of(fig: Figure, order: list[Drawable]) -> list[tuple[int, ...]]:
    """For each drawable, the id()s of the Axes that matplotlib marks changed when it
    changes: its Axes and the Axes holding that one (an inset's parent), or itself for
    an Axes drawn as one unit (3D)."""
    from matplotlib.axes import Axes

    parents: dict[int, Any] = {}
    for ax in fig.axes:
        for child in getattr(ax, "child_axes", ()):
            parents[id(child)] = ax
    found = []
    for d in order:
        keys: list[int] = []
        node: Any = d.artist if isinstance(d.artist, Axes) else d.axes
        while node is not None and id(node) not in keys:
            keys.append(id(node))
            node = parents.get(id(node))
        found.append(tuple(keys))
    return found


def best_legends(order: list[Drawable]) -> list[tuple[int, int]]:
    """(position, id(Axes)) of the legends placed where the data leaves room
    (``loc="best"``): each draw places them anew, so a change in their Axes moves them."""
    from matplotlib.legend import Legend

    return [
        (d.index, id(d.axes))
        for d in order
        if isinstance(d.artist, Legend)
        and d.axes is not None
        and private(d.artist)._loc in (0, "best")
    ]


def containers(fig: Figure) -> list[Artist]:
    """The 2D Axes' axes and ticks: drawn in parts here, so their own changes (new tick
    locations, say) are not seen through their parts."""
    found: list[Artist] = []
    for ax in fig.axes:
        if ax.name == "3d":
            continue
        for axis in private(ax)._axis_map.values():
            found.append(axis)
            found.extend(axis.get_major_ticks(len(axis.majorTicks)))
            found.extend(axis.get_minor_ticks(len(axis.minorTicks)))
    return found


def watched(artist: Artist) -> bool:
    from matplotlib.cm import ScalarMappable
    from matplotlib.text import Annotation

    return isinstance(artist, (Annotation, ScalarMappable))


def signature(artist: Artist) -> Any:
    """What changes without matplotlib marking the artist stale: the data array of a
    colour-mapped artist (``set_array``), an annotation's points."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.text import Annotation

    if isinstance(artist, Annotation):
        return (tuple(np.ravel(artist.xy)), tuple(np.ravel(artist.xyann)))
    if isinstance(artist, ScalarMappable):
        array = artist.get_array()
        if array is None:
            return None
        data = np.ma.getdata(array)
        mask = np.ma.getmaskarray(array) if np.ma.isMaskedArray(array) else None
        if data.nbytes > CHECKSUM_BYTES or data.dtype.hasobject:
            return (id(array), data.shape)
        crc = zlib.crc32(_raw(data))
        if mask is not None:
            crc = zlib.crc32(_raw(mask), crc)
        return (id(array), data.shape, data.dtype.str, crc)
    return None


def _raw(array: np.ndarray) -> Any:
    """The array's bytes, without a copy where it is contiguous."""
    contiguous = np.ascontiguousarray(array)
    try:
        return memoryview(contiguous).cast("B")  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a dtype the buffer protocol does not take
        return contiguous.tobytes()


def structure(fig: Figure) -> Any:
    """What a plan stands on: canvas size, dpi, and each Axes' position, limits, scales,
    view and children (with their zorders). Any change to it means a full draw."""
    canvas = agg_canvas(fig)
    axes_state = []
    for ax in fig.axes:  # the limits are as autoscaling left them (draw() asked first)
        state: tuple[Any, ...] = (
            id(ax),
            private(ax)._visible,
            ax.bbox.get_points().tobytes(),
            private(ax)._viewLim.get_points().tobytes(),
            ax.get_xscale(),
            ax.get_yscale(),
            ax.axison,
            private(ax)._frameon,
            [(id(a), a.zorder, private(a)._animated) for a in ax.get_children()],
        )
        if ax.name == "3d":
            view = (private(ax).elev, private(ax).azim, getattr(ax, "roll", None))
            state += (view,)
        axes_state.append(state)
    return (
        canvas.get_width_height(physical=True),
        fig.dpi,
        fig.get_visible(),
        tuple((id(a), a.zorder, private(a)._animated) for a in fig.get_children()),
        tuple(axes_state),
    )


#: the newest matplotlib whose Figure.draw/Axes.draw/Axis.draw order this module follows
#: and the test corpus checks
CHECKED_UP_TO = (3, 11)


def needs_check(fig: Figure, order: list[Drawable]) -> bool:
    """Whether this figure's plans must be checked once against a full draw: it holds
    classes that are not matplotlib's own (they may draw in their own order), or the
    matplotlib at hand is newer than the one this module was checked with."""
    import matplotlib

    version = tuple(int(p) for p in matplotlib.__version__.split(".")[:2] if p.isdigit())
    if version > CHECKED_UP_TO:
        return True
    objects = [fig, *fig.axes, *(d.artist for d in order)]
    return any(not type(o).__module__.startswith("matplotlib.") for o in objects)
