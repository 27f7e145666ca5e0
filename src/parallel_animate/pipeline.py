"""One run, end to end: params -> segments -> backend -> reorder -> muxer -> file.

The writer of the output format writes to temporary files beside the target and puts
them in place only when the whole run succeeded; whatever fails, the target path is left
as it was.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import logging
import math
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

from parallel_animate import worker
from parallel_animate.backends import (
    Backend,
    ProcessBackend,
    SerialBackend,
    TaskNotPicklableError,
    WorkerLostError,
)
from parallel_animate.encode import EncodedSegment, SegmentWriter, VideoSettings, open_writer
from parallel_animate.errors import RenderError
from parallel_animate.frames import Segment, iter_segments, known_length
from parallel_animate.render import (
    FrameStyle,
    NotAFigureError,
    build_figure,
    close_figure,
    draw_to_array,
    tight_crop_box,
)

if TYPE_CHECKING:
    from parallel_animate.animator import Animator

_logger = logging.getLogger("parallel_animate")

# A one-stream x264/x265 encode has a keyframe every 250 frames anyway (their default
# keyint); segments that long cost nothing extra.
KEYFRAME_INTERVAL = 250
# Each extra keyframe costs about as much as 5 to 12 ordinary frames of a plot; segments
# this long keep that under ~5 % of the file.
MIN_SEGMENT = 120

#: ``callback(i, n)`` once per frame rendered (``i`` from 0; ``n`` the frame count, None
#: when unknown), in the calling process: ``parallel_animate.save``'s progress_callback.
#: A context variable, so that make_video keeps the seed's signature.
frame_callback: contextvars.ContextVar[Callable[[int, int | None], None] | None] = (
    contextvars.ContextVar("parallel_animate_frame_callback", default=None)
)


@dataclass(frozen=True)
class RunPlan:
    """A validated run: everything decided before the first frame is rendered."""

    animator: Animator
    output: Path
    param_by_frame: Iterable[Any]
    n_frames: int | None
    workers: int
    video: VideoSettings
    style: FrameStyle
    reuse_figure: bool
    blit: bool
    preload_factor: int
    disable_progress_bar: bool | None
    plotting_log_interval: int | None
    saving_log_interval: int | None
    backend: Any = None  # None: local processes; a dask Client or scheduler address


def cpu_count() -> int:
    """CPUs this process may run on (respects affinity masks and cgroup pinning)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def resolve_workers(num_workers: int) -> int:
    """1 = this process, -1 = all cores, -k = all but k - 1; 0 is an error."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int):
        raise TypeError(f"num_workers must be an int, got {type(num_workers).__name__}")
    if num_workers == 0:
        raise ValueError("num_workers must not be 0: use 1 for this process, -1 for all cores")
    if num_workers > 0:
        return num_workers
    return max(1, cpu_count() + num_workers + 1)


def plan_segment_length(total: int | None, fps: float, workers: int) -> int:
    """Frames per segment, from the frame count, the workers and (unknown count) fps.

    Every segment starts with a keyframe, which costs file size; every worker wants
    work. Short videos get one equal segment per worker (both finish together when
    frames cost the same); longer ones several per worker (pull-based dispatch evens
    out frames of different cost), never shorter than MIN_SEGMENT nor longer than
    KEYFRAME_INTERVAL. With an unknown count: about 4 s of video.
    """
    if total is None:
        return max(MIN_SEGMENT, min(KEYFRAME_INTERVAL, round(fps * 4)))
    if workers == 1:
        return max(1, min(total, KEYFRAME_INTERVAL))
    per_worker = math.ceil(total / workers)
    rounds = math.ceil(per_worker / KEYFRAME_INTERVAL)
    if rounds == 1 and per_worker >= 2 * MIN_SEGMENT:
        rounds = 2
    return max(1, math.ceil(total / (workers * rounds)))


def _crop_from_first_frame(plan: RunPlan, first: Segment) -> tuple[int, int, int, int]:
    """The tight bbox, from ``setup()`` and frame 0, drawn on a copy of the animator."""
    animator = copy.deepcopy(plan.animator)
    name = type(animator).__name__
    try:
        fig = build_figure(animator, plan.style)
    except NotAFigureError:
        raise
    except Exception as exc:
        raise RenderError.from_exception(exc, 0, f"{name}.setup()") from exc
    try:
        animator.update(first.start, first.params[0])
        draw_to_array(fig)
        return tight_crop_box(fig, plan.style.pad_inches)
    except Exception as exc:
        raise RenderError.from_exception(exc, 0, f"{name}.update()") from exc
    finally:
        close_figure(fig)


class _Bar(tqdm):
    """tqdm without its monitor thread. A disabled tqdm (the default off a terminal)
    starts that thread and never stops it, and the next run would fork a process with a
    thread running: unsafe, and a DeprecationWarning from Python 3.12 on."""

    monitor_interval = 0


class _Progress:
    """The bar (frames encoded) and the interval logs of one run."""

    def __init__(self, plan: RunPlan, total: int | None) -> None:
        self.total = total
        self.bar: _Bar | None = None
        self._bar_args = {
            "total": total,
            "disable": plan.disable_progress_bar,
            "unit": "frame",
            "desc": f"Rendering {plan.output.name}",
            "dynamic_ncols": True,
        }
        self.plot_every = plan.plotting_log_interval
        self.save_every = plan.saving_log_interval
        self.rendered = 0
        self.saved = 0
        self.rendered_by_key: dict[int, int] = {}
        self.callback = frame_callback.get()

    def show(self) -> None:
        """Open the bar: after the workers are started, since tqdm may start a thread
        and forking a process with threads is unsafe."""
        self.bar = _Bar(**self._bar_args)

    def on_rendered(self, key: int, n: int) -> None:
        before = self.rendered
        self.rendered += n
        self.rendered_by_key[key] = self.rendered_by_key.get(key, 0) + n
        if self.bar is not None:
            self.bar.update(n)
        if self.callback is not None:
            for i in range(before, self.rendered):
                self.callback(i, self.total)
        if self.plot_every and self.rendered // self.plot_every > before // self.plot_every:
            _logger.info("Rendered %d/%s frames", self.rendered, self.total or "?")

    def on_saved(self, n: int) -> None:
        before = self.saved
        self.saved += n
        if self.save_every and self.saved // self.save_every > before // self.save_every:
            _logger.info("Saved %d/%s frames", self.saved, self.total or "?")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _make_backend(plan: RunPlan, total: int | None) -> tuple[Backend, int]:
    """The run's backend (no worker started yet) and the segment length planned for it."""
    fps = float(plan.video.fps)
    if plan.backend is not None:  # a Dask cluster: it decides how many workers there are
        from parallel_animate.backends.dask import DaskBackend

        backend = DaskBackend(plan.backend)
        return backend, plan_segment_length(total, fps, backend.slots)
    seg_len = plan_segment_length(total, fps, plan.workers)
    if plan.workers == 1:
        return SerialBackend(), seg_len
    n_segments = None if total is None else math.ceil(total / seg_len)
    workers = plan.workers if n_segments is None else min(plan.workers, n_segments)
    return ProcessBackend(workers), seg_len


def _in_flight_bounds(slots: int, preload_factor: int, seg_len: int) -> tuple[int, int]:
    """Segments submitted and not yet back, and how far past the next one to mux."""
    extra = max(1, math.ceil(slots * preload_factor / seg_len))
    max_in_flight = slots + extra
    return max_in_flight, 2 * max_in_flight  # the latter bounds finished, waiting segments


def run(plan: RunPlan) -> Path:
    """Render, encode and write the video described by ``plan``; return its path."""
    total = known_length(plan.param_by_frame, plan.n_frames)
    if total == 0:
        raise ValueError("param_by_frame is empty: there are no frames to render")
    backend, seg_len = _make_backend(plan, total)
    with backend:  # closed whatever happens; at once on failure
        return _run_on(plan, backend, total, seg_len)


def _run_on(plan: RunPlan, backend: Backend, total: int | None, seg_len: int) -> Path:
    source: Iterator[Segment] = iter_segments(plan.param_by_frame, plan.n_frames, seg_len)

    held: Segment | None = None  # read from the source, not yet submitted
    crop = None
    if plan.style.tight:
        held = next(source)
        crop = _crop_from_first_frame(plan, held)

    context = worker.RenderContext(
        token=uuid.uuid4().hex,
        animator=plan.animator,
        style=plan.style,
        crop=crop,
        reuse_figure=plan.reuse_figure,
        video=plan.video,
        blit=plan.blit,
    )
    _logger.info(
        "Rendering %s frames to %s: %d worker(s), %d frames per segment, %s",
        total if total is not None else "an unknown number of",
        plan.output,
        backend.slots,
        seg_len,
        plan.video.codec,
    )

    progress = _Progress(plan, total)
    writer: SegmentWriter | None = None
    in_flight: dict[int, Segment] = {}
    finished: dict[int, EncodedSegment] = {}
    next_to_mux = 0
    exhausted = False
    ok = False
    try:
        writer = open_writer(plan.video, plan.output)
        backend.start(
            worker.render_segment,
            context,
            progress.on_rendered,
            teardown=functools.partial(worker.release, context.token),
        )
        progress.show()
        try:
            while True:
                # Re-read each round: a Dask cluster may grow or shrink during the run.
                max_in_flight, max_ahead = _in_flight_bounds(
                    backend.slots, plan.preload_factor, seg_len
                )
                while not exhausted and len(in_flight) < max_in_flight:
                    if held is None:
                        try:
                            held = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                    if held.index >= next_to_mux + max_ahead:
                        break
                    in_flight[held.index] = held
                    try:
                        backend.submit(held.index, held)
                    except TaskNotPicklableError as exc:
                        raise TypeError(
                            f"the params of frames {held.start}-{held.stop - 1} cannot be "
                            f"sent to worker processes ({exc}): use picklable params "
                            "(numbers, strings, arrays, dicts, dataclasses...), or "
                            "num_workers=1"
                        ) from exc
                    held = None
                if not in_flight:
                    break
                results = backend.wait()
                for key, encoded in results:
                    del in_flight[key]
                    progress.rendered_by_key.pop(key, None)
                    finished[key] = encoded
                while next_to_mux in finished:
                    encoded = finished.pop(next_to_mux)
                    writer.add(encoded)
                    progress.on_saved(encoded.n_frames)
                    next_to_mux += 1
        except WorkerLostError as exc:
            segment = in_flight.get(exc.key) if exc.key is not None else None
            frame = None
            if segment is not None:
                frame = segment.start + progress.rendered_by_key.get(segment.index, 0)
            where = f"; it was rendering frame {frame}" if frame is not None else ""
            raise RenderError(f"{exc}{where}", frame, exc) from exc
        backend.close()
        writer.commit()
        ok = True
    finally:
        progress.close()
        if not ok:
            backend.close(abort=True)
            if writer is not None:
                writer.abort()
    _logger.info("Wrote %d frames to %s", progress.saved, plan.output)
    return plan.output
