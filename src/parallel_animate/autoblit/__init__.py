"""``blit="auto"``: redraw only what changed, and give the very bytes of a full draw.

A full ``canvas.draw()`` paints the figure patch, then the figure's artists in zorder,
each Axes painting its patch and then its children in zorder. Flattened, that is one
list of *drawables* (inset Axes expanded in place); every pixel of a frame is the
drawables that paint it, composited in that order. If ``H`` is a set of drawables such
that, inside a region ``R``, every drawable painting there after the first member of
``H`` painting there is in ``H`` too, then the frame inside ``R`` equals a *background*
(everything but ``H``, drawn once) with the members of ``H`` that reach ``R`` drawn over
it in order. Outside ``R`` nothing changed, so the previous frame stays.

Per frame (:meth:`AutoBlitter.draw`, after ``update()``): find what changed (stale
artists and what ``watch.py`` sees); a change of structure or one this module cannot
bound is a full draw; a change outside the learned plan (:class:`Plan`) learns a new
one (H closed over the changes' regions, the background drawn without it); otherwise
the regions are restored from the background and H's members there drawn again.
Figures with classes of their own have their first plan checked against a full draw.
docs/internals.md says more.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from parallel_animate.autoblit.boxes import (
    Box,
    Unsupported,
    clamp,
    envelope,
    extent,
    footprint,
    inside,
    meets,
    private,
    union,
)
from parallel_animate.autoblit.hooks import CONTAINER, StaleHooks
from parallel_animate.autoblit.locate import Locator
from parallel_animate.autoblit.order import (
    Drawable,
    best_legends,
    close,
    containers,
    draw_order,
    needs_check,
    signature,
    stales_of,
    structure,
    watched,
)
from parallel_animate.autoblit.pixels import Spill, keep_inside, measure
from parallel_animate.autoblit.regions import Plan, Region
from parallel_animate.autoblit.watch import TickWatch, TransformWatch
from parallel_animate.blit import agg_canvas

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

__all__ = ["AutoBlitter"]

_logger = logging.getLogger("parallel_animate")

#: plans that die before this many frames drawn in part count as a strike ...
SHORT_PLAN = 3
#: ... and this many strikes end the learning: full draws from then on
MAX_STRIKES = 3


class AutoBlitter:
    """Draws the frames of one figure, each one byte-identical to a full draw."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.full_draws = 0
        self.partial_draws = 0
        self.unchanged = 0
        #: seconds spent deciding what to redraw, over the frames drawn in part or
        #: unchanged (finding the changes, checking the structure, their regions)
        self.bookkeeping_s = 0.0
        self._started = 0.0
        self._plan: Plan | None = None
        self._order: list[Drawable] = []
        self._structure: Any = None
        self._signatures: dict[int, Any] = {}
        #: drawables (position, artist) whose changes matplotlib does not flag
        self._watched: list[tuple[int, Artist]] = []
        self._hooks = StaleHooks()  # the drawables flagged as changed
        #: position in the draw order -> id() of the Axes a change there makes stale
        self._stales: list[tuple[int, ...]] = []
        #: (position, id(Axes)) of legends placed at draw time by the data (loc="best")
        self._best_legends: list[tuple[int, int]] = []
        #: id(artist) -> where it paints, measured (static drawables, as last drawn)
        self._measured: dict[int, Box | None] = {}
        self._ticks = TickWatch(None)
        self._transforms = TransformWatch(())
        self._disabled = False
        self._strikes = 0
        self._verified = False  # a plan of this figure matched a full draw
        self._locate = Locator(fig)  # where changes paint, where things were drawn
        self._footprints: dict[int, Box | None] = {}  # of the drawables as last drawn

    # -- the frame ---------------------------------------------------------------
    def draw(self) -> np.ndarray:
        """Draw the figure as it is now (after ``update()``); return its RGBA pixels."""
        self._started = time.perf_counter()
        canvas = agg_canvas(self.fig)
        self._locate.now = {}
        # What update() changed, before anything here marks more (autoscaling, ticks).
        dirty = self._hooks.take()
        stale = [id(ax) for ax in self.fig.axes if private(ax)._stale]
        if private(self.fig)._stale:
            stale.append(id(self.fig))
        if self._disabled or self._structure is None:
            return self._full()
        try:
            for ax in self.fig.axes:
                private(ax)._unstale_viewLim()  # what a draw does first: autoscaling
            if structure(self.fig) != self._structure:
                raise Unsupported("the layout, limits or children changed")
            changed = self._changed(dirty, stale)
            if not changed:
                self.unchanged += 1
                self.bookkeeping_s += time.perf_counter() - self._started
                self._settle()
                return np.asarray(canvas.buffer_rgba())
            groups = self._locate.groups_of(changed)
            plan = self._plan
            if plan is None or not self._covered(plan, changed, groups):
                return self._learn(changed, groups)
            return self._partial(plan, groups)
        except Unsupported as why:
            _logger.debug("auto blit: full draw (%s)", why)
            return self._full()

    def _full(self) -> np.ndarray:
        """A plain full draw; what was learned is dropped."""
        canvas = agg_canvas(self.fig)
        canvas.draw()
        self.full_draws += 1
        self._forget_plan()
        if not self._disabled:
            self._record()
        self._locate.now = {}
        return np.asarray(canvas.buffer_rgba())

    def _forget_plan(self) -> None:
        if self._plan is not None and self._plan.frames < SHORT_PLAN:
            self._strikes += 1
            if self._strikes >= MAX_STRIKES and not self._disabled:
                self._disabled = True
                _logger.debug("auto blit: plans keep breaking; full draws from now on")
        self._plan = None

    def _record(self) -> None:
        """After a full draw: the draw order, the structure and the signatures as drawn."""
        self._footprints = {}
        self._measured = {}
        try:
            self._order = draw_order(self.fig)
            self._structure = structure(self.fig)
            parts = self._hooks.attach((d.artist for d in self._order), containers(self.fig))
            self._watched = [(index, a) for index, a in parts if watched(a)]
            self._ticks = TickWatch(self.fig)
            self._transforms = TransformWatch(d.artist for d in self._order)
            self._signatures = {id(a): signature(a) for _, a in self._watched}
            self._stales = stales_of(self.fig, self._order)
            self._best_legends = best_legends(self._order)
            self._locate.record(self._order)
        except Unsupported as why:
            _logger.debug("auto blit: off for this figure (%s)", why)
            self._disabled = True
            self._hooks.detach()
        self._settle()

    def close(self) -> None:
        """Give the figure's artists their own stale callbacks back."""
        self._hooks.detach()
        self._disabled = True

    def _settle(self) -> None:
        """The frame is drawn: what this module marked while drawing it is forgotten, so
        that the next ``update()``'s changes stand out."""
        for ax in self.fig.axes:
            private(ax)._stale = False
        private(self.fig)._stale = False
        self._hooks.dirty.clear()

    # -- what changed --------------------------------------------------------------
    def _changed(self, dirty: set[int], stale: list[int]) -> list[Drawable]:
        """The drawables that changed: flagged (``dirty``) or seen to change; ``stale``
        holds the Axes (and figure) matplotlib marked changed, each of which a changed
        drawable must explain."""
        from matplotlib.text import Text

        if CONTAINER in dirty:
            raise Unsupported("an axis or tick changed")
        if self._ticks.changed():
            raise Unsupported("tick labels of a custom formatter or locator changed")
        if self._transforms.changed():
            raise Unsupported("a transform or box changed in place")
        for index, artist in self._watched:
            if index in dirty:  # drawn again anyway: its data is taken when it rests
                self._signatures[id(artist)] = None
                continue
            now = signature(artist)
            if now != self._signatures.get(id(artist)):  # None: not taken, so drawn
                self._signatures[id(artist)] = now
                dirty.add(index)
        touched = {id(self._order[i].axes) for i in dirty}
        for index, axes_key in self._best_legends:  # placed by the data around them
            if axes_key in touched:
                dirty.add(index)
        changed = [self._order[i] for i in sorted(dirty)]
        explained = {id(self.fig)} if changed else set()
        for d in changed:
            explained.update(self._stales[d.index])
            if isinstance(d.artist, Text) or private(d.artist).get_children():
                self._hooks.hook_tree(d.artist, d.index)  # new parts: a box, a child
        if any(key not in explained for key in stale):
            raise Unsupported("something changed that the draw order does not hold")
        return changed

    def _covered(self, plan: Plan, changed: list[Drawable], groups: dict[int, Region]) -> bool:
        """Whether the plan covers this frame: every changed drawable in H, every region
        inside one H was closed over (an Axes' box; a text's envelope)."""
        if any(id(d.artist) not in plan.hidden for d in changed):
            return False
        for key, region in groups.items():
            known = plan.regions.get(key)
            if known is None:
                return False
            if region.box is not None and not inside(region.box, known):
                return False
        return True

    # -- learning ------------------------------------------------------------------
    def _learn(self, changed: list[Drawable], groups: dict[int, Region]) -> np.ndarray:
        """Full draw (the truth), then a plan whose background + H must give the truth."""
        canvas = agg_canvas(self.fig)
        previous = self._plan
        self._forget_plan()
        if self._disabled:
            return self._full()
        # Every artist that changed, in this plan or an earlier one, and its region.
        keys = {} if previous is None else dict(previous.keys)
        for key, region in groups.items():
            for member in region.members:
                keys[member] = key
        axes_by_id = {id(ax): ax for ax in self.fig.axes}
        texts = {key: region.box for key, region in groups.items() if region.text}
        if previous is not None:  # an envelope that grows keeps what it held
            for key, box in previous.regions.items():
                if key in texts and key not in axes_by_id:
                    texts[key] = union([b for b in (texts[key], box) if b is not None])
        # The last frame: outside the regions of this frame's changes nothing changed.
        last = np.asarray(canvas.buffer_rgba()).copy()
        # The first plan is checked against a full draw, the truth: that this module
        # orders the drawables as matplotlib does for this figure. Later plans of the
        # same figure stand on the same order, so background + H is the frame. Figures
        # made only of matplotlib's own classes, in a version whose draw order the test
        # corpus covers, need no check.
        truth = None
        if not self._verified and needs_check(self.fig, self._order):
            canvas.draw()
            self._record()
            if self._disabled:
                self.full_draws += 1
                return np.asarray(canvas.buffer_rgba())
            truth = np.asarray(canvas.buffer_rgba()).copy()
        buffer = np.asarray(canvas.buffer_rgba())
        renderer = canvas.get_renderer()
        height = canvas.get_width_height(physical=True)[1]
        by_id = {id(d.artist): d for d in self._order}
        regions: dict[int, Box] = {}
        for key in set(keys.values()):
            if key in axes_by_id:  # as this frame's changes need it, or an earlier plan's
                known = [groups[key].box] if key in groups else []
                if previous is not None and key in previous.regions:
                    known.append(previous.regions[key])
                regions[key] = union([b for b in known if b is not None]) or self._locate.axes_box(
                    axes_by_id[key], height, True
                )
            elif key in by_id:
                now = extent(by_id[key].artist, renderer, height)
                boxes = [b for b in (now, texts.get(key)) if b is not None]
                if boxes:
                    regions[key] = envelope(union(boxes) or boxes[0])
        if any(key not in regions for key in groups):
            return self._full()  # a change whose region could not be bounded
        self.full_draws += 1
        cached = self._footprints
        for d in self._order:
            if id(d.artist) not in cached:
                cached[id(d.artist)] = footprint(d.artist, d.axes, renderer, height)
        footprints = dict(cached)
        for member, key in keys.items():
            if member in by_id and key in regions:
                footprints[member] = regions[key]

        def measured(d: Drawable) -> Box | None:
            """Where a drawable that may join H really paints (its footprint is padded)."""
            key = id(d.artist)
            if key not in self._measured:
                box = footprints.get(key)
                self._measured[key] = (
                    None if box is None else measure(d.artist, box, buffer, renderer)
                )
            cached[key] = self._measured[key]
            return self._measured[key]

        seeds = {k for k in keys if k in by_id}
        hidden = close(self._order, seeds, regions, footprints, measured)
        renderer.clear()
        for d in self._order:
            if id(d.artist) not in hidden:
                d.artist.draw(renderer)
        background = buffer.copy()
        for d in self._order:
            if id(d.artist) in hidden:
                d.artist.draw(renderer)
        # H is closed over the regions only: background + H is the frame inside them;
        # outside them the frame is the last one.
        keep_inside(buffer, last, [regions[key] for key in groups])
        if truth is not None and not np.array_equal(buffer, truth):
            differ = int(np.any(buffer != truth, axis=-1).sum())
            _logger.debug(
                "auto blit: off for this figure (a partial draw differed in %d px)", differ
            )
            buffer[...] = truth
            self._disabled = True
            self._settle()
            return buffer
        redraw = {
            key: [
                i
                for i, d in enumerate(self._order)
                if id(d.artist) in hidden and meets(footprints.get(id(d.artist)), box)
            ]
            for key, box in regions.items()
        }
        reach = {
            key: union(
                [box, *(b for i in positions if (b := footprints.get(id(self._order[i].artist))))]
            )
            for key, (box, positions) in ((k, (regions[k], redraw[k])) for k in regions)
        }
        spill = Spill(regions, reach, buffer.shape[1], buffer.shape[0])
        self._plan = Plan(hidden, background, regions, footprints, redraw, keys, spill)
        self._verified = True
        self._locate.keep()
        self._settle()
        return buffer

    # -- drawing in part -------------------------------------------------------------
    def _partial(self, plan: Plan, groups: dict[int, Region]) -> np.ndarray:
        self.bookkeeping_s += time.perf_counter() - self._started
        canvas = agg_canvas(self.fig)
        renderer = canvas.get_renderer()
        buffer = np.asarray(canvas.buffer_rgba())
        height, width = buffer.shape[:2]
        keys = list(groups)
        boxes = [plan.regions[key] for key in keys]
        kept = plan.spill.keep(buffer, keys)
        for x0, y0, x1, y1 in (clamp(box, width, height) for box in boxes):
            buffer[y0:y1, x0:x1] = plan.background[y0:y1, x0:x1]
        positions: set[int] = set()
        for key in keys:
            positions.update(plan.redraw[key])
        for i in sorted(positions):
            self._order[i].artist.draw(renderer)
        plan.spill.put_back(buffer, kept, boxes)
        plan.frames += 1
        self.partial_draws += 1
        self._locate.keep()
        self._settle()
        return buffer
