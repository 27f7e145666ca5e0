"""Changes matplotlib makes no note of, found by looking: the draw decides them.

A full draw formats tick labels anew and reads every transform as it is; a partial draw
keeps the tick labels and the cached pixels of the last one. Two watches tell when that
would differ: :class:`TickWatch` formats again the ticks of Axes whose formatter or
locator is the user's own (it may read state that ``update()`` changed), and
:class:`TransformWatch` compares the mutable leaves (``Affine2D``, ``Bbox``) of every
drawable's transform with what they were at the last draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from parallel_animate.autoblit.boxes import private

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure


def _users_own(obj: Any) -> bool:
    """A formatter or locator that is not one of matplotlib's pure ones."""
    from matplotlib.ticker import FuncFormatter

    return isinstance(obj, FuncFormatter) or not type(obj).__module__.startswith("matplotlib.")


def _labels(axis: Axis) -> tuple[Any, ...]:
    """The axis' ticks as the next draw would make them. Making them marks their parts
    changed even when nothing changed: their change flags are put back as they were."""
    parts = [p for t in axis.majorTicks + axis.minorTicks for p in _tick_parts(t)]
    flags = [p.stale for p in parts]
    ticks = private(axis)._update_ticks()
    for part, flag in zip(parts, flags, strict=True):
        private(part)._stale = flag
    return tuple((t.get_loc(), t.label1.get_text(), t.label2.get_text()) for t in ticks)


def _tick_parts(tick: Any) -> tuple[Any, ...]:
    return (tick, tick.gridline, tick.tick1line, tick.tick2line, tick.label1, tick.label2)


class TickWatch:
    """The tick labels of the Axes whose tick formatting is the user's own code."""

    def __init__(self, fig: Figure | None) -> None:
        self._axes: list[tuple[Axis, tuple[Any, ...]]] = []
        if fig is None:
            return
        for ax in fig.axes:
            if ax.name == "3d":
                continue
            for axis in private(ax)._axis_map.values():
                parts = (
                    axis.get_major_formatter(),
                    axis.get_minor_formatter(),
                    axis.get_major_locator(),
                    axis.get_minor_locator(),
                )
                if any(_users_own(p) for p in parts):
                    self._axes.append((axis, _labels(axis)))

    def changed(self) -> bool:
        return any(_labels(axis) != before for axis, before in self._axes)


class TransformWatch:
    """The mutable leaves of the drawables' transforms, as they were at the last draw."""

    def __init__(self, artists: Iterable[Artist]) -> None:
        from matplotlib.transforms import Affine2D, Bbox

        seen: set[int] = set()
        self._leaves: list[tuple[Any, np.ndarray]] = []
        stack: list[Any] = []
        for artist in artists:
            try:
                stack.append(artist.get_transform())
            except Exception:  # an artist without a transform of its own
                continue
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, Affine2D):
                self._leaves.append((node, node.get_matrix().copy()))
            elif isinstance(node, Bbox):
                self._leaves.append((node, node.get_points().copy()))
            for name, value in vars(node).items():
                if name != "_parents" and _is_node(value):
                    stack.append(value)

    def changed(self) -> bool:
        from matplotlib.transforms import Affine2D

        for node, before in self._leaves:
            now = node.get_matrix() if isinstance(node, Affine2D) else node.get_points()
            if not np.array_equal(now, before):
                return True
        return False


def _is_node(value: Any) -> bool:
    from matplotlib.transforms import TransformNode

    return isinstance(value, TransformNode)
