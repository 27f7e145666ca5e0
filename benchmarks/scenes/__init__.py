"""The benchmark scenes, each drawable every way from one drawing definition.

Every scene is a pair of plain functions, ``build() -> (fig, state)`` and
``draw(state, frame_idx, params) -> artists``; ``draw`` returns every artist it changed,
as FuncAnimation's func does, so the same pair serves blitting. All measured paths use
that pair, so they render identical frames:

- the ``Animator`` subclasses in :mod:`benchmarks.animators`: ``setup``
  calls ``build``, ``update`` returns what ``draw`` returns. This is what ``make_video``
  runs (``scene.animator``).
- :func:`make_funcanimation`: a ``FuncAnimation`` whose ``func`` calls ``draw``.
- the floor loops in :mod:`benchmarks._case` call ``draw`` directly.
- the peer case (``_peer_case.py``) runs in another virtualenv, where the import name
  ``parallel_animate`` belongs to the peer package: it loads this package by path, under
  another name. So the package imports numpy and matplotlib only, never
  ``parallel_animate`` nor the rest of ``benchmarks``, and its modules import each
  other relatively.

One module per scene (``simple``, ``panels16``, ``imshow1080``: its ``params``,
``build`` and ``draw``), what they share in ``_common``, the registry here.

Frames are deterministic and independent of which process renders them: per-frame
randomness comes from an RNG seeded with ``(SEED, frame_idx)``, never from state carried
over from the previous frame, because workers render frames out of order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from . import imshow1080, panels16, simple
from ._common import FPS, Params, State


@dataclass(frozen=True)
class Scene:
    """What a benchmark case needs to know about one scene."""

    name: str
    default_frames: int
    size_px: tuple[int, int]
    build: Callable[[], tuple[Figure, State]]
    draw: Callable[[State, int, Params], list[Artist]]
    params: Callable[[int], list[Params]]
    fps: int = FPS
    dpi: int = 100

    @property
    def animator(self) -> type:
        """The scene's ``parallel_animate.Animator`` subclass (imported only when asked)."""
        from benchmarks.animators import ANIMATORS

        return ANIMATORS[self.name]


SCENES: dict[str, Scene] = {
    s.name: s
    for s in (
        Scene(
            "simple",
            300,
            (640, 480),
            simple.build,
            simple.draw,
            simple.params,
        ),
        Scene(
            "panels16",
            120,
            (1600, 900),
            panels16.build,
            panels16.draw,
            panels16.params,
        ),
        Scene(
            "imshow1080",
            120,
            (1920, 1080),
            imshow1080.build,
            imshow1080.draw,
            imshow1080.params,
        ),
    )
}


def make_funcanimation(scene: Scene, n_frames: int) -> FuncAnimation:
    """The same drawing as a plain FuncAnimation, as a user without us would write it."""
    fig, state = scene.build()
    params = scene.params(n_frames)

    def func(i: int) -> list[Artist]:
        return scene.draw(state, i, params[i])

    return FuncAnimation(
        fig, func, frames=n_frames, repeat=False, blit=False, cache_frame_data=False
    )
