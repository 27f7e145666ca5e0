"""The one job every backend runs: render a segment's frames and encode them.

Backends call :func:`render_segment` with a :class:`RenderContext` they received once
per worker. The figure is cached per process and per run (keyed by the context's token),
so ``setup()`` runs once per worker, not once per segment. Threads of one process (a
Dask worker with several threads) share that figure and the animator holding its
artists, so they take turns: one frame is updated, drawn and encoded at a time.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from parallel_animate.encode import EncodedSegment, VideoSettings, make_segment_encoder
from parallel_animate.errors import RenderError
from parallel_animate.frames import Segment
from parallel_animate.render import BlitMode, FrameRenderer, LentFigure, NotAFigureError
from parallel_animate.style import FrameSizeError, FrameStyle

if TYPE_CHECKING:
    from parallel_animate.animator import Animator

_logger = logging.getLogger("parallel_animate")


@dataclass(frozen=True)
class RenderContext:
    """What every worker needs for a run; shipped once per worker."""

    token: str
    animator: Animator
    style: FrameStyle
    reuse_figure: bool
    video: VideoSettings
    blit: BlitMode = False
    #: ``(frame index, params)`` of the frame whose tight box crops every frame
    tight_from: tuple[int, Any] | None = None
    #: the caller's own figure, never closed (``save()`` in this process)
    lent: LentFigure | None = None


# token -> (renderer, its lock): one figure per worker process and run.
_renderers: dict[str, tuple[FrameRenderer, threading.Lock]] = {}
_renderers_lock = threading.Lock()


def _renderer_for(context: RenderContext) -> tuple[FrameRenderer, threading.Lock]:
    with _renderers_lock:
        cached = _renderers.get(context.token)
        if cached is None:
            renderer = FrameRenderer(
                context.animator,
                context.style,
                context.reuse_figure,
                context.blit,
                tight_from=context.tight_from,
                lent=context.lent,
            )
            cached = _renderers[context.token] = (renderer, threading.Lock())
        return cached


def release(token: str) -> None:
    """Close the figure cached for a run in this process (when the run ends)."""
    with _renderers_lock:
        cached = _renderers.pop(token, None)
    if cached is not None:
        cached[0].close()


def _is_main_thread_of_main() -> bool:
    """True in the main thread of the user's process, where Ctrl-C lands (a worker
    ignores SIGINT, so a KeyboardInterrupt there was raised by user code)."""
    return (
        multiprocessing.parent_process() is None
        and threading.current_thread() is threading.main_thread()
    )


def render_segment(
    context: RenderContext, segment: Segment, report_progress: Callable[[int], None]
) -> EncodedSegment:
    """Render and encode ``segment``; failures in user code become :class:`RenderError`.

    ``report_progress(n)`` is called after each frame is handed to the encoder.
    ``segment.params`` may be an iterator that yields each frame's params as they
    arrive (a fed task).
    """
    renderer, lock = _renderer_for(context)
    before = renderer.draw_counts()
    deciding = renderer.bookkeeping_s
    encoder = make_segment_encoder(context.video, segment.start)
    name = type(context.animator).__name__
    n_frames = 0
    try:
        if segment.lead is not None and getattr(encoder, "wants_previous", False):
            # The frame before the segment (not counted in progress): a GIF's first
            # frame then writes only the pixels that changed since it.
            with lock:
                pixels = _draw(renderer, segment.start - 1, segment.lead[0], name)
                encoder.set_previous(pixels)  # type: ignore[attr-defined]
        for offset, params in enumerate(segment.params):
            frame_index = segment.start + offset
            with lock:  # the pixels are the figure's until the next frame is drawn
                pixels = _draw(renderer, frame_index, params, name)
                try:
                    encoder.add(pixels)
                except Exception as exc:
                    raise RenderError.from_exception(exc, frame_index, "encoding") from exc
            n_frames += 1
            report_progress(1)
        try:
            data = encoder.finish()
        except Exception as exc:
            last = segment.start + n_frames - 1
            raise RenderError.from_exception(exc, last, "encoding") from exc
    except BaseException:
        encoder.close()
        raise
    if encoder.frame_size is None:  # cannot be: finish() raises for an empty segment
        raise RuntimeError(f"segment {segment.index} encoded no frame")
    width, height = encoder.frame_size
    return EncodedSegment(
        index=segment.index,
        start=segment.start,
        n_frames=n_frames,
        width=width,
        height=height,
        data=data,
        draws=_since(before, renderer.draw_counts()),
        bookkeeping_s=renderer.bookkeeping_s - deciding,
    )


def _draw(renderer: FrameRenderer, frame_index: int, params: Any, name: str) -> Any:
    """Frame ``frame_index``'s pixels; failures in user code become :class:`RenderError`."""
    try:
        renderer.prepare()
    except (NotAFigureError, FrameSizeError, RenderError):
        raise  # a misuse (TypeError, ValueError), or already told apart
    except Exception as exc:
        raise RenderError.from_exception(exc, frame_index, f"{name}.setup()") from exc
    try:
        return renderer.render(frame_index, params)
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # sys.exit() too
        if isinstance(exc, KeyboardInterrupt) and _is_main_thread_of_main():
            raise  # Ctrl-C in this process (num_workers=1): the user's stop
        raise RenderError.from_exception(exc, frame_index, f"{name}.update()") from exc


def _since(before: tuple[int, int, int], now: tuple[int, int, int]) -> tuple[int, int, int]:
    """The draws of one segment: the renderer's counts now, less those before it."""
    return (now[0] - before[0], now[1] - before[1], now[2] - before[2])
