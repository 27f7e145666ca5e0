"""The scenes as ``parallel_animate.Animator`` subclasses, for ``make_video``.

Kept apart from :mod:`benchmarks.scenes` so that the drawing code stays
free of this package (the peer case loads it in a virtualenv where ``parallel_animate``
is the peer's package). ``update()`` returns the artists the scene changed, so the same
classes serve ``blit=True``.
"""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.figure import Figure

from benchmarks.scenes import SCENES, Params
from parallel_animate import Animator


class SceneAnimator(Animator):
    """Draws the scene named by ``scene_name``; only the name is pickled to workers."""

    scene_name = ""

    def setup(self) -> Figure:
        fig, self.state = SCENES[self.scene_name].build()
        return fig

    def update(self, frame_idx: int, params: Params) -> list[Artist]:
        return SCENES[self.scene_name].draw(self.state, frame_idx, params)


class SimpleAnimator(SceneAnimator):
    """The "simple" scene."""

    scene_name = "simple"


class Panels16Animator(SceneAnimator):
    """The "panels16" scene."""

    scene_name = "panels16"


class Imshow1080Animator(SceneAnimator):
    """The "imshow1080" scene."""

    scene_name = "imshow1080"


ANIMATORS: dict[str, type[SceneAnimator]] = {
    cls.scene_name: cls for cls in (SimpleAnimator, Panels16Animator, Imshow1080Animator)
}
