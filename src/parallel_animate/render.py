"""Draw frames of a user's figure and hand out its pixels.

One :class:`FrameRenderer` lives per worker process and animator: ``setup()`` runs once,
then each frame is ``update()`` + one ``canvas.draw()`` (or a blit) + a view of the Agg
buffer. With ``bbox_inches="tight"`` the renderer first measures the tight box of
frame 0 on a figure of its own; every frame is cut to it, in every worker alike.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from parallel_animate.autoblit import AutoBlitter
from parallel_animate.blit import Blitter, agg_canvas
from parallel_animate.errors import RenderError
from parallel_animate.style import FrameSizeError, FrameStyle

#: ``False``: every frame drawn in full; ``True``: the artists ``update()`` returns, over a
#: cached background (matplotlib's rule); ``"auto"``: what changed, byte for byte a full draw
BlitMode = bool | Literal["auto"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.patches import Patch

    from parallel_animate.animator import Animator


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
    # before any draw: a frame too large for the encoder or for memory (FrameSizeError)
    style.check_frame_size(*fig.bbox.size, fig.dpi)
    if style.transparent:  # a facecolor or edgecolor given as well still applies
        _make_transparent(fig)
    if style.facecolor not in (None, "auto"):
        fig.patch.set_facecolor(style.facecolor)
    if style.edgecolor not in (None, "auto"):
        fig.patch.set_edgecolor(style.edgecolor)
    return fig


def background_patches(fig: Figure | SubFigure) -> list[Patch]:
    """The background patches of the figure, its subfigures and all their Axes (inset
    Axes too): what savefig's ``facecolor``, ``edgecolor`` and ``transparent`` change."""
    patches: list[Patch] = [fig.patch]
    for subfig in fig.subfigs:
        patches += background_patches(subfig)
    stack: list[Any] = list(fig.axes)  # Axes and their inset Axes
    while stack:
        ax = stack.pop()
        patches.append(ax.patch)
        stack.extend(ax.child_axes)
    return patches


def _make_transparent(fig: Figure) -> None:
    """What ``savefig(transparent=True)`` does: no background behind the figure, its
    subfigures and all their Axes."""
    for patch in background_patches(fig):
        patch.set_facecolor("none")
        patch.set_edgecolor("none")


@dataclass(frozen=True)
class LentFigure:
    """A figure that belongs to the caller, never closed by a run: ``save()`` draws on
    the FuncAnimation's own figure when it renders in this process.

    Known by process and object id, so it travels to workers as two numbers. A forked
    worker's copy sits at the same address and is left open too: closing it would
    destroy the copy of the user's GUI window manager, whose toolkit the fork shares.
    A copy unpickled in another process is that process's own to close.
    """

    pid: int
    figure_id: int

    @classmethod
    def of(cls, fig: Figure) -> LentFigure:
        return cls(os.getpid(), id(fig))

    def holds(self, fig: Figure) -> bool:
        """Whether ``fig`` is the lent figure, or a forked worker's copy of it."""
        return id(fig) == self.figure_id and self.pid in (os.getpid(), os.getppid())


def close_figure(fig: Figure, lent: LentFigure | None = None) -> None:
    """Close a figure made by ``setup()``; a lent figure is left open."""
    import matplotlib.pyplot as plt

    if lent is not None and lent.holds(fig):
        return
    plt.close(fig)


def draw_to_array(fig: Figure) -> np.ndarray:
    """Draw the figure and return its RGBA pixels as an (H, W, 4) view, no copy."""
    canvas = agg_canvas(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def tight_crop_box(fig: Figure, pad_inches: float | None) -> tuple[int, int, int, int]:
    """Pixel box (left, top, right, bottom) of the figure's tight bbox, padded.

    Computed once on a drawn figure; every frame is cropped to it so all frames share
    one size. Content outside the canvas cannot be reached by cropping and is left out.
    """
    import matplotlib

    if pad_inches is None:
        pad_inches = matplotlib.rcParams["savefig.pad_inches"]
    renderer = agg_canvas(fig).get_renderer()
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


class FrameRenderer:
    """Renders frames of one animator in this process, keeping its figure between frames."""

    def __init__(
        self,
        animator: Animator,
        style: FrameStyle,
        reuse_figure: bool = True,
        blit: BlitMode = False,
        *,
        tight_from: tuple[int, Any] | None = None,
        lent: LentFigure | None = None,
    ) -> None:
        self.animator = animator
        self.style = style
        self.reuse_figure = reuse_figure
        self.blit = blit
        #: ``(frame index, params)`` of the frame whose tight box crops every frame
        #: (``bbox_inches="tight"``): frame 0, so that every worker finds the same box
        self.tight_from = tight_from
        self.lent = lent
        #: (left, top, right, bottom) every frame is cut to; None: the whole canvas
        self.crop: tuple[int, int, int, int] | None = None
        self._fig: Figure | None = None
        self._used = False
        self._blitter: Blitter | None = None
        self._auto: AutoBlitter | None = None
        #: frames drawn in full (every frame without blit; with blit, the first frame
        #: and every frame where something besides the returned artists changed)
        self.full_draws = 0
        #: with blit="auto": frames drawn in part, and frames where nothing changed
        self.partial_draws = 0
        self.unchanged = 0
        #: with blit="auto": seconds spent deciding what to redraw (see AutoBlitter)
        self.bookkeeping_s = 0.0

    def draw_counts(self) -> tuple[int, int, int]:
        """Frames drawn so far: (in full, in part, unchanged)."""
        return (self.full_draws, self.partial_draws, self.unchanged)

    def prepare(self) -> None:
        """Make the figure ready for the next frame: ``setup()`` runs here, and only here.

        Called before :meth:`render` so a failure in ``setup()`` is told apart from one
        in ``update()``. Without figure reuse, every frame gets a fresh figure.
        """
        if self._fig is not None and not self.reuse_figure and self._used:
            if self._auto is not None:
                self._auto.close()
            close_figure(self._fig, self.lent)
            self._fig = None
        if self.style.tight and self.crop is None:
            self.crop = self._measure_tight_box()
        if self._fig is None:
            self._fig = build_figure(self.animator, self.style)
            self._used = False
            self._blitter = Blitter(self._fig) if self.blit is True else None
            self._auto = AutoBlitter(self._fig) if self.blit == "auto" else None

    def _measure_tight_box(self) -> tuple[int, int, int, int]:
        """The tight box of ``tight_from``'s frame, drawn on a figure of its own (closed
        after), so that the frames rendered next start from ``setup()`` as usual."""
        if self.tight_from is None:
            raise ValueError("a tight bbox needs the frame to measure it on (tight_from)")
        frame_index, params = self.tight_from
        name = type(self.animator).__name__
        try:
            fig = build_figure(self.animator, self.style)
        except (NotAFigureError, FrameSizeError):
            raise
        except Exception as exc:
            raise RenderError.from_exception(exc, frame_index, f"{name}.setup()") from exc
        try:
            self.animator.update(frame_index, params)
            draw_to_array(fig)
            return tight_crop_box(fig, self.style.pad_inches)
        except Exception as exc:
            raise RenderError.from_exception(exc, frame_index, f"{name}.update()") from exc
        finally:
            close_figure(fig, self.lent)

    def render(self, frame_index: int, params: Any) -> np.ndarray:
        """Update and draw one frame; the returned view is valid until the next call."""
        self.prepare()
        fig = self._fig
        assert fig is not None  # prepare() made it
        self._used = True
        changed = self.animator.update(frame_index, params)
        # Counts add up over the figures of this renderer (a fresh figure, and blitter,
        # per frame without figure reuse).
        if self._blitter is not None:
            before = self._blitter.full_draws
            pixels = self._blitter.draw(changed)
            self.full_draws += self._blitter.full_draws - before
        elif self._auto is not None:
            auto = self._auto
            full, part, same = auto.full_draws, auto.partial_draws, auto.unchanged
            deciding = auto.bookkeeping_s
            pixels = auto.draw()
            self.bookkeeping_s += auto.bookkeeping_s - deciding
            self.full_draws += auto.full_draws - full
            self.partial_draws += auto.partial_draws - part
            self.unchanged += auto.unchanged - same
        else:
            pixels = draw_to_array(fig)
            self.full_draws += 1
        if self.crop is not None:
            left, top, right, bottom = self.crop
            pixels = pixels[top:bottom, left:right]
        return pixels

    def close(self) -> None:
        if self._auto is not None:
            self._auto.close()  # the figure may be the caller's: its callbacks back
        if self._fig is not None:
            close_figure(self._fig, self.lent)
            self._fig = None
            self._blitter = None
            self._auto = None
