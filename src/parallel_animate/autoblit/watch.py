"""Changes matplotlib makes no note of, found by looking: the draw decides them.

A full draw formats tick labels anew and reads every transform as it is; a partial draw
keeps the tick labels and the cached pixels of the last one. Two watches tell when that
would differ: :class:`TickWatch` formats again the ticks of Axes whose formatter or
locator is the user's own (it may read state that ``update()`` changed), and
:class:`TransformWatch` compares the mutable leaves (``Affine2D``, ``Bbox``) of every
drawable's transform with what they were at the last draw.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from parallel_animate.autoblit.boxes import private

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure


def _users_own(obj: Any) -> bool:
    """A formatter or locator that is not one of matplotlib's pure ones (the formatter
    ``set_ticklabels`` makes is a FuncFormatter of matplotlib's own function)."""
    from matplotlib.ticker import FuncFormatter

    if isinstance(obj, FuncFormatter):
        func = obj.func
        inner = func.func if isinstance(func, functools.partial) else None
        return not getattr(inner, "__module__", "").startswith("matplotlib.")
    return not type(obj).__module__.startswith("matplotlib.")


def _labels(axis: Axis) -> tuple[Any, ...]:
    """The axis' ticks as the next draw would make them. Making them marks their parts
    changed: those marks come after the frame's changes were taken, and are dropped
    when the frame is drawn (hooks.StaleHooks)."""
    ticks = private(axis)._update_ticks()
    return tuple((t.get_loc(), t.label1.get_text(), t.label2.get_text()) for t in ticks)


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


UNIT = (0.0, 0.0, 1.0, 1.0)


class TransformWatch:
    """The mutable leaves (``Affine2D``, ``Bbox``) of the drawables' transforms and clip
    boxes, as they were at the last draw: one array of their values, compared at once."""

    def __init__(self, artists: Iterable[Artist]) -> None:
        from matplotlib.transforms import Affine2D, Bbox, TransformedBbox

        seen: set[int] = set()
        self._getters: list[Any] = []  # each leaf's get_matrix or get_points
        stack: list[Any] = []
        for artist in artists:
            try:
                stack.append(artist.get_transform())
            except Exception:  # an artist without a transform of its own
                pass
            clip_box = artist.get_clip_box()
            # A clip to a patch (the Axes' patch, as a rule) is a unit box through a copy
            # of the patch's transform made then: nothing the user holds to change.
            clipped_to_patch = (
                isinstance(clip_box, TransformedBbox) and private(clip_box)._bbox.bounds == UNIT
            )
            if clip_box is not None and not clipped_to_patch:
                stack.append(clip_box)
            clip_path = artist.get_clip_path()
            if clip_path is not None:
                stack.append(clip_path)
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, Affine2D):
                self._getters.append(node.get_matrix)
            elif isinstance(node, Bbox):
                self._getters.append(node.get_points)
            for name, value in vars(node).items():
                if name != "_parents" and _is_node(value):
                    stack.append(value)
        self._before = self._values()

    def _values(self) -> np.ndarray:
        if not self._getters:
            return np.zeros(0)
        return np.concatenate([get().ravel() for get in self._getters])

    def changed(self) -> bool:
        return not np.array_equal(self._values(), self._before, equal_nan=True)


def _is_node(value: Any) -> bool:
    from matplotlib.transforms import TransformNode

    return isinstance(value, TransformNode)
