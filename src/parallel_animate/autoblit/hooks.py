"""Which drawables changed since the last frame, told by matplotlib as they change.

A setter that changes an artist sets ``artist.stale = True``, which calls the artist's
``stale_callback`` (matplotlib's hook for telling its Axes and Figure). :class:`StaleHooks`
wraps that callback on every drawable and on every artist nested in one (a legend's
texts, an offset box's children, a 3D Axes' artists), so that a change notes the index of
the drawable it shows in and then goes on as before. Finding a frame's changes then costs
as much as the changes, not as the figure.

matplotlib sets ``stale_callback`` only when an artist is added (to an Axes, a figure or
an offset box); an added artist changes the structure, and the full draw that follows
hooks everything again. A drawable that changed gets its nested artists hooked again
(an offset box given a new child, say).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from parallel_animate.autoblit.boxes import private

if TYPE_CHECKING:
    from matplotlib.artist import Artist

#: the owner index noted for a container (an Axis, a Tick): drawn in parts, so a change
#: to it cannot be bounded
CONTAINER = -1


class _Hook:
    """An artist's stale callback: notes the owners as changed, then calls the original."""

    __slots__ = ("dirty", "original", "owners")

    def __init__(self, original: Callable[[Any, bool], None] | None, dirty: set[int]) -> None:
        self.original = original
        self.owners: tuple[int, ...] = ()
        self.dirty = dirty

    def __call__(self, artist: Any, value: bool) -> None:
        self.dirty.update(self.owners)
        if self.original is not None:
            self.original(artist, value)


def nested(artist: Artist) -> list[Artist]:
    """The artists drawn as parts of ``artist``: its children, and the artists it holds
    as attributes, which some draw without listing them as children (a text's box, an
    annotation's arrow, a table cell's text, a quiver key's arrow and label). Axes,
    axes' axes and figures are not parts."""
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import FigureBase

    children = [child for child in artist.get_children() if child is not None]
    for value in vars(artist).values():
        if isinstance(value, Artist) and not isinstance(value, (Axes, Axis, FigureBase)):
            children.append(value)
    return children


def tree(artist: Artist) -> Iterator[Artist]:
    """``artist`` and every artist nested in it, each once."""
    stack = [artist]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(nested(node))


class StaleHooks:
    """The drawables (by index in the draw order) that changed since :meth:`take`."""

    def __init__(self) -> None:
        self.dirty: set[int] = set()
        self._hooks: dict[int, tuple[Artist, _Hook]] = {}

    def attach(
        self, drawables: Iterable[Artist], containers: Iterable[Artist]
    ) -> list[tuple[int, Artist]]:
        """Hook the drawables (owner: their position) and everything nested in them, and
        the containers; hooks of an earlier :meth:`attach` are taken off first. Returns
        (owner, artist) for each drawable and each artist nested in it."""
        self.detach()
        parts = [
            (index, node)
            for index, artist in enumerate(drawables)
            for node in self.hook_tree(artist, index)
        ]
        for artist in containers:
            self._hook(artist, CONTAINER)
        self.dirty.clear()
        return parts

    def hook_tree(self, artist: Artist, owner: int) -> list[Artist]:
        """Hook ``artist`` and every artist nested in it (returned) as parts of drawable
        ``owner``, and the patch it is clipped to (a change of that patch changes it)."""
        nodes = list(tree(artist))
        for node in nodes:
            self._hook(node, owner)
        clip_patch = getattr(artist.get_clip_path(), "_patch", None)
        if clip_patch is not None:
            self._hook(clip_patch, owner)
        return nodes

    def _hook(self, artist: Artist, owner: int) -> None:
        known = self._hooks.get(id(artist))
        hook = known[1] if known is not None else None
        if hook is None or private(artist).stale_callback is not hook:
            hook = _Hook(artist.stale_callback, self.dirty)
            private(artist).stale_callback = hook
            self._hooks[id(artist)] = (artist, hook)
        if owner not in hook.owners:
            hook.owners += (owner,)

    def take(self) -> set[int]:
        """The owners noted since the last call; noting starts afresh."""
        dirty = set(self.dirty)
        self.dirty.clear()
        return dirty

    def detach(self) -> None:
        """Give every hooked artist its own callback back (where it still has ours)."""
        for artist, hook in self._hooks.values():
            if private(artist).stale_callback is hook:
                private(artist).stale_callback = hook.original
        self._hooks.clear()
        self.dirty.clear()
