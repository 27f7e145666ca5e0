"""Where a frame's changes paint, and where the changed drawables were drawn last.

A changed drawable inside its Axes (clipped to it, or a text whose bound or extent is
inside it) changes pixels inside the Axes' box only; the box is the clip rectangle as
Agg rounds it (:func:`boxes.clip_reach`), one pixel wider where a marker or an image
changed. A text that reaches out of its Axes (a title, a label, a figure text) has a
region of its own: where it was drawn last and where it is now. Where each drawable not
clipped inside its Axes was drawn is recorded at every full draw and kept as it changes,
so a text back inside its Axes still takes its old pixels outside with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from parallel_animate.autoblit.boxes import (
    EVERYWHERE,
    Box,
    Unsupported,
    axes_box,
    clip_bounds,
    extent,
    inside,
    private,
    union,
)
from parallel_animate.autoblit.order import Drawable
from parallel_animate.autoblit.regions import Region
from parallel_animate.autoblit.textbound import text_bound
from parallel_animate.blit import agg_canvas

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


class Locator:
    """The regions of a frame's changes, with what it needs to remember between frames."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        #: (id(Axes), past_edge) -> axes_box, as recorded
        self._boxes: dict[tuple[int, bool], Box] = {}
        #: id(artist) -> (its clip box, clip path, clip on, how it fits its Axes' box)
        self._clips: dict[int, tuple[Any, Any, bool, int]] = {}
        #: where drawables not clipped inside their Axes (texts, legends) were last
        #: drawn, and where the frame being drawn puts those that changed
        self.drawn: dict[int, Box | None] = {}
        self.now: dict[int, tuple[Artist, Box | None]] = {}

    def record(self, order: list[Drawable]) -> None:
        """After a full draw: forget what was known, note where things were drawn."""
        self._boxes = {}
        self._clips = {}
        self.now = {}
        self.drawn = self._extents_as_drawn(order)

    def _extents_as_drawn(self, order: list[Drawable]) -> dict[int, Box | None]:
        """Where the full draw just made drew each drawable that is not clipped inside
        its Axes (texts, legends; not tick parts): where its old pixels are when it
        changes, which may be outside its Axes."""
        from matplotlib.text import Text

        canvas = agg_canvas(self.fig)
        renderer = canvas.get_renderer()
        height = canvas.get_width_height(physical=True)[1]
        found: dict[int, Box | None] = {}
        for d in order:
            if d.tick or (d.axes is None and not isinstance(d.artist, Text)):
                continue  # a tick's change is a full draw; so is a figure-level artist's
            if d.axes is not None and self.clip_fit(d.artist, d.axes, height):
                continue
            try:
                found[id(d.artist)] = extent(d.artist, renderer, height)
            except Unsupported:
                found[id(d.artist)] = EVERYWHERE
        return found

    def last_extent(self, d: Drawable, height: int) -> Box | None:
        """Where a drawable was drawn last: as noted, or (not noted: it was clipped
        inside its Axes) its Axes' box."""
        key = id(d.artist)
        if key in self.drawn:
            return self.drawn[key]
        if d.axes is not None:
            return self.axes_box(d.axes, height, True)
        raise Unsupported("a figure-level artist changed that was never drawn")

    def keep(self) -> None:
        """The frame is drawn: where it put the changed drawables is where they were
        drawn last."""
        for key, (_, box) in self.now.items():
            self.drawn[key] = box
        self.now = {}

    def groups_of(self, changed: list[Drawable]) -> dict[int, Region]:
        """Where each changed drawable paints: its Axes' box when it stays inside it, or,
        for a text outside (a title, a label, a figure text), its own extent."""
        from matplotlib.text import Text

        canvas = agg_canvas(self.fig)
        renderer = canvas.get_renderer()
        height = canvas.get_width_height(physical=True)[1]
        members: dict[int, list[int]] = {}  # region key -> the changed drawables in it
        boxes: dict[int, Box | None] = {}  # a text's old and new extents
        #: id(Axes) -> (the Axes, whether a change in it reaches past its clip's edge)
        past: dict[int, tuple[Axes, bool]] = {}
        for d in changed:
            ax = d.axes
            if ax is not None and ax.name == "3d":
                raise Unsupported("a 3D Axes changed")
            reach: Box | None = None
            bound: Box | None = None
            if ax is not None:
                fit = self.clip_fit(d.artist, ax, height)
                narrow = self.axes_box(ax, height, False)
                old = self.drawn.get(id(d.artist))  # None: inside its Axes, or nothing
                was_out = old is not None and not inside(old, narrow)
                if not fit and not was_out and isinstance(d.artist, Text):
                    bound = text_bound(d.artist, height)  # inside: no layout needed
                    if bound is not None and inside(bound, narrow):
                        fit = 1
                if not fit:
                    reach = extent(d.artist, renderer, height)
                    if reach is None or inside(reach, narrow):
                        fit = 1
                    elif inside(reach, self.axes_box(ax, height, True)):
                        fit = 2
                if fit and was_out:
                    if old is not None and inside(old, self.axes_box(ax, height, True)):
                        fit = 2
                    elif isinstance(d.artist, Text):  # back in its Axes: its old pixels go
                        fit = 0
                        reach = reach or extent(d.artist, renderer, height)
                    else:
                        what = type(d.artist).__name__
                        raise Unsupported(f"a {what} drawn out of its Axes changed")
                if fit:  # where it is now: its extent, else the box it fits in
                    here = reach or bound or self.axes_box(ax, height, fit == 2)
                    self.now[id(d.artist)] = (d.artist, here)
                    members.setdefault(id(ax), []).append(id(d.artist))
                    past[id(ax)] = (ax, fit == 2 or (id(ax) in past and past[id(ax)][1]))
                    continue
            if not isinstance(d.artist, Text):
                raise Unsupported(f"a {type(d.artist).__name__} reaches out of its Axes")
            if self.fig.get_layout_engine() is not None:
                raise Unsupported("a text changed that the layout engine places axes around")
            if ax is None:
                reach = extent(d.artist, renderer, height)
            # Its old pixels must go too: the region holds its extent as last drawn.
            self.now[id(d.artist)] = (d.artist, reach)
            old = self.last_extent(d, height)
            members[id(d.artist)] = [id(d.artist)]
            boxes[id(d.artist)] = union([b for b in (old, reach) if b is not None])
        for key, (ax, wide) in past.items():
            boxes[key] = self.axes_box(ax, height, wide)
        return {
            key: Region(boxes[key], key, tuple(ids), text=key not in past)
            for key, ids in members.items()
        }

    def axes_box(self, ax: Axes, height: int, past_edge: bool) -> Box:
        """The Axes' box, as recorded (a change of it is a change of the structure)."""
        box = self._boxes.get((id(ax), past_edge))
        if box is None:
            box = self._boxes[(id(ax), past_edge)] = axes_box(ax, height, past_edge)
        return box

    def clip_fit(self, artist: Artist, ax: Axes, height: int) -> int:
        """Whether the artist is clipped inside its Axes' box: 1 inside the box of what
        stops at the clip's edge, 2 only inside the box one pixel wider, 0 neither.
        Known while its clip box, clip path and clip flag stay the objects they were
        (their values are watched)."""
        clip = (artist.clipbox, private(artist)._clippath, private(artist)._clipon)
        known = self._clips.get(id(artist))
        if (
            known is not None
            and known[0] is clip[0]
            and clip[1] is None
            and known[1] is None
            and known[2] == clip[2]
        ):
            return known[3]
        reach = clip_bounds(artist, height)
        fit = 0
        if reach is not None:
            if inside(reach, self.axes_box(ax, height, False)):
                fit = 1
            elif inside(reach, self.axes_box(ax, height, True)):
                fit = 2
        self._clips[id(artist)] = (*clip, fit)
        return fit
