"""One run, end to end: params -> segments -> backend -> scheduler -> writer -> file.

The pipeline only wires the rooms together: it picks the backend and the segment
length, opens the writer, starts the workers with the render context and lets the
:class:`~parallel_animate.scheduler.Scheduler` move the segments. The writer writes to
temporary files beside the target and puts them in place only when the whole run
succeeded; whatever fails, the target path is left as it was.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import uuid
from collections.abc import Iterator
from pathlib import Path

from parallel_animate import worker
from parallel_animate.backends import Backend, ProcessBackend, SerialBackend
from parallel_animate.encode import EncodedSegment, SegmentWriter, VideoSettings, open_writer
from parallel_animate.encode.formats import ImageFormat
from parallel_animate.fingerprint import fingerprint, run_key
from parallel_animate.frames import Segment, iter_segments, known_length
from parallel_animate.parts import PartStore
from parallel_animate.plan import RunPlan
from parallel_animate.progress import Progress
from parallel_animate.readahead import FrameStore, lazy_segments
from parallel_animate.render import LentFigure
from parallel_animate.resume import Resumer, open_parts
from parallel_animate.scheduler import Scheduler
from parallel_animate.termination import signals_as_exceptions

_logger = logging.getLogger("parallel_animate")


def _wants_lead(video: VideoSettings) -> bool:
    """Whether segments carry their lead (the frame before them): only where the
    encoder uses it (GIF without alpha), so no other format ships or draws it."""
    return isinstance(video.format, ImageFormat) and video.format.records(video).uses_previous


# A one-stream x264/x265 encode has a keyframe every 250 frames anyway (their default
# keyint); segments that long cost nothing extra.
KEYFRAME_INTERVAL = 250
# With an unknown frame count: segments of about 4 s of video, at least this many frames.
MIN_SEGMENT = 120
# A clip long enough is cut into about this many segments: pull-based dispatch keeps a
# dozen workers busy and evens out frames of different cost.
PARALLEL_SEGMENTS = 12


def plan_segment_length(total: int | None, fps: float) -> int:
    """Frames per segment, from the frame count and fps alone.

    Never from the number of workers: a run resumed on a machine with another core
    count cuts the video at the same frames and reuses its parts. Every segment starts
    with a keyframe, which costs file size, so a segment is at least one second of
    video (unless the clip is shorter) and at most KEYFRAME_INTERVAL frames; within
    that, about PARALLEL_SEGMENTS of them, of equal length. With an unknown count:
    about 4 s of video.
    """
    if total is None:
        return max(MIN_SEGMENT, min(KEYFRAME_INTERVAL, round(fps * 4)))
    second = max(1, math.ceil(fps))
    length = min(KEYFRAME_INTERVAL, max(second, math.ceil(total / PARALLEL_SEGMENTS)))
    n_segments = max(1, total // length)  # of equal length, none shorter than planned
    if math.ceil(total / n_segments) > KEYFRAME_INTERVAL:
        n_segments = math.ceil(total / KEYFRAME_INTERVAL)
    return math.ceil(total / n_segments)


def _make_backend(plan: RunPlan, total: int | None) -> tuple[Backend, int]:
    """The run's backend (no worker started yet) and the segment length planned for it."""
    fps = float(plan.video.fps)
    if plan.backend is not None:  # a Dask cluster: it decides how many workers there are
        from parallel_animate.backends.dask import DaskBackend  # optional: the dask extra

        return DaskBackend(plan.backend), plan_segment_length(total, fps)
    seg_len = plan_segment_length(total, fps)
    if plan.workers == 1:
        return SerialBackend(plan.frame_timeout), seg_len
    n_segments = None if total is None else math.ceil(total / seg_len)
    workers = plan.workers if n_segments is None else min(plan.workers, n_segments)
    return ProcessBackend(workers), seg_len


def _render_context(plan: RunPlan, first: tuple[int, object] | None) -> worker.RenderContext:
    return worker.RenderContext(
        token=uuid.uuid4().hex,
        animator=plan.animator,
        style=plan.style,
        reuse_figure=plan.reuse_figure,
        video=plan.video,
        blit=plan.blit,
        tight_from=first,
        lent=None if plan.lent_figure is None else LentFigure.of(plan.lent_figure),
    )


def run(plan: RunPlan) -> Path:
    """Render, encode and write the video described by ``plan``; return its path.

    SIGTERM and SIGHUP during the run end it as Ctrl-C does (see ``termination``).
    """
    with signals_as_exceptions():
        return _run(plan)


def _run(plan: RunPlan) -> Path:
    total = known_length(plan.param_by_frame, plan.n_frames)
    if total == 0:
        raise ValueError("param_by_frame is empty: there are no frames to render")
    backend, seg_len = _make_backend(plan, total)
    parts, remove_parts = open_parts(plan.output, plan.resume, plan.cache_dir)
    store: FrameStore | None = None
    with backend:  # closed whatever happens; at once on failure
        first = None
        segments: Iterator[Segment]
        if backend.feeds or backend.in_process:  # params read as the workers need them
            # A list's items are in memory already: holding them costs nothing.
            held = (
                len(plan.param_by_frame) if isinstance(plan.param_by_frame, (list, tuple)) else 0
            )
            store = FrameStore(
                plan.param_by_frame,
                plan.n_frames,
                seg_len,
                memory_frames=max(held, plan.preload_factor),
                fingerprint=fingerprint,
                leads=_wants_lead(plan.video),
            )
            segments = lazy_segments(store, seg_len)
            if plan.style.tight:  # every worker crops to the tight box of frame 0
                first = (0, store.peek(0))
        else:
            segments = iter_segments(
                plan.param_by_frame, plan.n_frames, seg_len, leads=_wants_lead(plan.video)
            )
            if plan.style.tight:
                head = next(segments)
                segments = itertools.chain([head], segments)
                first = (head.start, next(iter(head.params)))
        resumer = _resumer(plan, parts, store, seg_len, first)
        context = _render_context(plan, first)
        _logger.info(
            "Rendering %s frames to %s: %d worker(s), %d frames per segment, %s",
            total if total is not None else "an unknown number of",
            plan.output,
            backend.slots,
            seg_len,
            plan.video.codec,
        )
        progress = Progress(
            f"Rendering {plan.output.name}",
            total,
            disable=plan.disable_progress_bar,
            plot_every=plan.plotting_log_interval,
            save_every=plan.saving_log_interval,
            callback=plan.progress_callback,
        )
        writer: SegmentWriter | None = None
        ok = False
        try:
            writer = open_writer(plan.video, plan.output)

            draws = [0, 0, 0]
            deciding = [0.0]

            def commit(encoded: EncodedSegment, writer: SegmentWriter = writer) -> None:
                writer.add(encoded)
                progress.on_saved(encoded.n_frames)
                for i, n in enumerate(encoded.draws):
                    draws[i] += n
                deciding[0] += encoded.bookkeeping_s

            def start_backend() -> None:  # when the first segment must be rendered
                backend.start(
                    worker.render_segment,
                    context,
                    scheduler.on_progress,
                    teardown=functools.partial(worker.release, context.token),
                )
                progress.show()  # after the workers start (see Progress.show)

            scheduler = Scheduler(
                segments,
                backend,
                commit,
                segment_length=seg_len,
                preload_factor=plan.preload_factor,
                on_rendered=progress.on_rendered,
                frame_timeout=plan.frame_timeout,
                parts=resumer,
                start_backend=start_backend,
            )
            scheduler.run()
            progress.show()  # all kept: no worker started, the bar shows them
            backend.close()
            writer.commit()
            ok = True
            _logger.debug(
                "Frames drawn: %d in full, %d in part, %d unchanged (blit=%r)", *draws, plan.blit
            )
            if draws[1] + draws[2]:
                _logger.debug(
                    "Auto blit bookkeeping: %.3f ms per frame drawn in part or unchanged",
                    1000.0 * deciding[0] / (draws[1] + draws[2]),
                )
            if resumer is not None:
                _log_resume(resumer, store)
        except BaseException as exc:
            if resumer is not None:
                _add_note(exc, resumer.failure_note(total, remove_parts))
            raise
        finally:
            progress.close()
            if store is not None:
                store.close()
            if not ok:
                backend.close(abort=True)
                if writer is not None:
                    writer.abort()
    if parts is not None and remove_parts:
        parts.remove()
    _logger.info("Wrote %d frames to %s", progress.saved, plan.output)
    return plan.output


def _resumer(
    plan: RunPlan,
    parts: PartStore | None,
    store: FrameStore | None,
    seg_len: int,
    first: tuple[int, object] | None,
) -> Resumer | None:
    """The run's Resumer; None (no frame fingerprinted) when nothing is kept: resume
    off, or a run key that cannot be made."""
    key = None if parts is None else run_key(plan, None if first is None else first[1])
    if parts is None or key is None:
        if store is not None:
            store.fingerprint = None
        return None
    prints = store.fingerprints if store is not None else _no_prints
    return Resumer(parts, key, seg_len, prints)


def _log_resume(resumer: Resumer, store: FrameStore | None) -> None:
    if resumer.found_frames:
        _logger.info(
            "%d frames were done already (kept in %s): not rendered again",
            resumer.found_frames,
            resumer.store.folder,
        )
    prints = 0.0 if store is None else store.fingerprint_seconds
    _logger.debug(
        "Resume bookkeeping: %.3f s in this process (fingerprints %.3f s, parts %.3f s); "
        "%d frames kept, %d found",
        prints + resumer.seconds,
        prints,
        resumer.seconds,
        resumer.kept_frames,
        resumer.found_frames,
    )


def _no_prints(start: int, stop: int, done: bool) -> list[bytes | None]:
    return []  # segments that hold their params are fingerprinted by the Resumer


def _add_note(exc: BaseException, note: str | None) -> None:
    """Tell the user, in the error itself where Python can (3.11+), what was kept."""
    if note is None:
        return
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        _logger.error("%s", note)
