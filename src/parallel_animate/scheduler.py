"""The run loop: segments in, through a started backend, committed in order.

One round of :meth:`Scheduler.run` is four named steps, as a process pool's manager
names its own:

1. :meth:`~Scheduler.fill_window`: submit segments while the window has room
   (:meth:`~Scheduler.submit` is the one place a segment goes to the backend);
2. :meth:`~Scheduler.take_results`: block until the backend hands results back (or a
   frame outlasts ``frame_timeout``); meanwhile :meth:`~Scheduler.feed` sends each
   running segment its next params as its progress reports come in;
3. :meth:`~Scheduler.reorder`: keep each finished segment until those before it are in;
4. :meth:`~Scheduler.commit_ready`: hand every segment that is next in line to the
   writer.

With a :class:`~parallel_animate.resume.Resumer`, :meth:`~Scheduler.submit` first asks
it whether the segment is done already (then it goes straight to step 3, and no worker
sees it), and :meth:`~Scheduler.take_results` has it keep each segment as it comes back. The
backend is started when the first segment must be rendered: a run whose segments are
all done starts no worker and runs no ``setup()``.

A worker that dies is turned into one :class:`RenderError` naming the frame it was
rendering (:meth:`~Scheduler.translate_failure`). The window bounds memory: at most
``max_in_flight`` segments submitted and not back, and none submitted more than
``max_ahead`` segments past the next one to commit. With a backend that ``feeds``
(local processes), a segment is submitted as a header when a worker is free and its
params follow, at most ``preload_factor`` frames ahead of what it has rendered; with an
``in_process`` one (serial), one segment at a time, its params read as it renders.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

from parallel_animate.backends import (
    Backend,
    TaskNotPicklableError,
    TaskTimeoutError,
    WorkerLostError,
)
from parallel_animate.errors import RenderError
from parallel_animate.frames import Segment
from parallel_animate.resume import Resumer

#: Seconds a submitted segment may wait for its worker to start it (process start-up,
#: imports) before its first frame's ``frame_timeout`` counts.
START_GRACE_S = 30.0


def window_bounds(slots: int, preload_factor: int, segment_length: int) -> tuple[int, int]:
    """``(max_in_flight, max_ahead)``: segments submitted and not yet back, and how far
    past the next one to commit a segment may be submitted (bounds finished, waiting
    segments too)."""
    extra = max(1, math.ceil(slots * preload_factor / segment_length))
    max_in_flight = slots + extra
    return max_in_flight, 2 * max_in_flight


class Scheduler:
    """Moves one run's segments through ``backend`` into ``commit``.

    ``commit(result)`` is called once per segment, strictly in segment order.
    :meth:`on_progress` must be the backend's progress callback: it counts the frames
    of each running segment (to name the frame a lost worker was on) and passes them
    on to ``on_rendered(n)`` (which also counts the frames of parts found done).
    ``start_backend()`` is called before the first segment is submitted (None: the
    backend is started already).
    """

    def __init__(
        self,
        segments: Iterator[Segment],
        backend: Backend,
        commit: Callable[[Any], None],
        *,
        segment_length: int,
        preload_factor: int,
        on_rendered: Callable[[int], None] | None = None,
        frame_timeout: float | None = None,
        parts: Resumer | None = None,
        start_backend: Callable[[], None] | None = None,
    ) -> None:
        self._segments = segments
        self._backend = backend
        self._commit = commit
        self._segment_length = segment_length
        self._preload_factor = preload_factor
        self._on_rendered = on_rendered
        self._frame_timeout = frame_timeout
        self._parts = parts
        self._start_backend = start_backend
        self._feeds = bool(getattr(backend, "feeds", False))
        self._in_process = bool(getattr(backend, "in_process", False))
        #: params not yet sent, and frames sent, per fed segment in flight
        self._to_feed: dict[int, Iterator[Any]] = {}
        self.sent: dict[int, int] = {}
        #: when each segment in flight last reported progress (or was submitted)
        self._last_report: dict[int, float] = {}
        self._next: Segment | None = None  # read from the source, not yet submitted
        self._exhausted = False
        #: submitted, not back yet, by segment index
        self.in_flight: dict[int, Segment] = {}
        #: frames reported rendered so far, per segment in flight
        self.rendered: dict[int, int] = {}
        #: back from the backend, waiting for the segments before them
        self.finished: dict[int, Any] = {}
        #: index of the next segment to commit
        self.next_to_commit = 0

    # -- the loop ------------------------------------------------------------------
    def run(self) -> None:
        """Run every segment of the source and commit them all, in order."""
        try:
            while True:
                self.fill_window()
                self.commit_ready()  # segments found done may be next in line
                if not self.in_flight:
                    if self._peek() is None:
                        break
                    continue  # the window was full of segments found done
                for key, result in self.take_results():
                    self.reorder(key, result)
                self.commit_ready()
        except WorkerLostError as exc:
            raise self.translate_failure(exc) from exc
        except TaskTimeoutError as exc:
            raise self.timed_out(exc.key) from exc
        if self.finished:  # a backend that returned a segment twice, or one never asked
            raise RuntimeError(f"segments {sorted(self.finished)} were never committed")

    # -- the steps -----------------------------------------------------------------
    def fill_window(self) -> None:
        """Submit segments while fewer than ``max_in_flight`` are out and the next is
        within ``max_ahead`` of the next to commit. Bounds are read each round: a Dask
        cluster may grow or shrink during the run."""
        max_in_flight, max_ahead = window_bounds(
            self._backend.slots, self._preload_factor, self._segment_length
        )
        if self._in_process:
            max_in_flight = max_ahead = 1
        elif self._feeds:  # params follow a segment: no need to queue whole segments
            max_in_flight = self._backend.slots
        while len(self.in_flight) < max_in_flight:
            segment = self._peek()
            if segment is None or segment.index >= self.next_to_commit + max_ahead:
                return
            self._next = None
            self.submit(segment)

    def submit(self, segment: Segment) -> None:
        """Hand one segment to the backend (every segment of the run goes through here),
        unless it was found done: then it waits for its turn to be committed."""
        if self._parts is not None:
            found = self._parts.find(segment)
            if found is not None:
                self.finished[segment.index] = found
                if self._on_rendered is not None:
                    self._on_rendered(found.n_frames)
                return
        if self._start_backend is not None:
            start, self._start_backend = self._start_backend, None
            start()
        self.in_flight[segment.index] = segment
        if self._frame_timeout is not None and (self._feeds or self._in_process):
            # until the worker reports it started (progress 0), a grace for start-up
            self._last_report[segment.index] = time.monotonic() + START_GRACE_S
        if not self._feeds:
            try:
                self._backend.submit(segment.index, segment)
            except TaskNotPicklableError as exc:
                raise self._not_picklable(exc, segment.start, segment.stop - 1) from exc
            return
        self._backend.submit(segment.index, segment.with_params(()), fed=True)
        self._to_feed[segment.index] = iter(segment.params)
        self.sent[segment.index] = 0
        self.feed(segment.index)

    def feed(self, key: int) -> None:
        """Send segment ``key`` its next params, up to ``preload_factor`` frames ahead of
        those it reported rendered (in chunks of about half that)."""
        source = self._to_feed.get(key)
        if source is None:
            return
        ahead = self.sent[key] - self.rendered.get(key, 0)
        if ahead > self._preload_factor // 2:
            return
        wanted = self._preload_factor - ahead
        chunk = list(itertools.islice(source, wanted))
        last = len(chunk) < wanted
        if last:
            del self._to_feed[key]
        first = self.in_flight[key].start + self.sent[key]
        self.sent[key] += len(chunk)
        try:
            self._backend.feed(key, chunk, last)
        except TaskNotPicklableError as exc:  # one of the frames of this chunk
            raise self._not_picklable(exc, first, first + len(chunk) - 1) from exc

    @staticmethod
    def _not_picklable(exc: Exception, first: int, last: int) -> TypeError:
        return TypeError(
            f"the params of frames {first}-{last} cannot be "
            f"sent to worker processes ({exc}): use picklable params (numbers, "
            "strings, arrays, dicts, dataclasses...), or num_workers=1"
        )

    def take_results(self) -> list[tuple[int, Any]]:
        """Block until the backend returns at least one finished segment; a
        :class:`RenderError` when a frame takes longer than ``frame_timeout``."""
        if self._frame_timeout is None:
            results = self._backend.wait()
        else:
            results = []
            while not results:
                started = [(t, k) for k, t in self._last_report.items() if k in self.in_flight]
                if not started:
                    results = self._backend.wait(timeout=self._frame_timeout)
                    continue
                oldest, key = min(started)
                left = oldest + self._frame_timeout - time.monotonic()
                if left <= 0:
                    raise self.timed_out(key)
                # Progress that arrives during the wait moves the deadlines: look again
                # at least every frame_timeout (a start-up grace may be far off).
                results = self._backend.wait(timeout=min(left, self._frame_timeout))
        for key, result in results:
            segment = self.in_flight.pop(key, None)
            if segment is None:
                raise RuntimeError(f"segment {key} came back twice, or was never submitted")
            if self._parts is not None:
                self._parts.keep(segment, result)  # kept as it arrives, before its turn
            self.rendered.pop(key, None)
            self.sent.pop(key, None)
            self._to_feed.pop(key, None)
            self._last_report.pop(key, None)
        return results

    def reorder(self, key: int, result: Any) -> None:
        """Keep a finished segment until every segment before it is committed."""
        if key < self.next_to_commit or key in self.finished:
            raise RuntimeError(f"segment {key} came back twice")
        self.finished[key] = result

    def commit_ready(self) -> None:
        """Commit every finished segment that is next in line."""
        while self.next_to_commit in self.finished:
            self._commit(self.finished.pop(self.next_to_commit))
            self.next_to_commit += 1

    def translate_failure(self, exc: WorkerLostError) -> RenderError:
        """A lost worker as a RenderError naming the frame it was rendering, if known."""
        segment = self.in_flight.get(exc.key) if exc.key is not None else None
        frame = None
        if segment is not None:
            frame = segment.start + self.rendered.get(segment.index, 0)
        where = f"; it was rendering frame {frame}" if frame is not None else ""
        return RenderError(f"{exc}{where}", frame, exc)

    def timed_out(self, key: int) -> RenderError:
        """Segment ``key``'s current frame outlasted ``frame_timeout``, as a RenderError."""
        segment = self.in_flight.get(key)
        frame = None if segment is None else segment.start + self.rendered.get(key, 0)
        return RenderError(
            f"frame {frame} took longer than frame_timeout={self._frame_timeout:g} s "
            "to render; the workers were stopped",
            frame,
        )

    # -- callbacks and helpers -----------------------------------------------------
    def on_progress(self, key: int, n: int) -> None:
        """The backend's progress callback: segment ``key`` rendered ``n`` more frames."""
        self.rendered[key] = self.rendered.get(key, 0) + n
        if self._frame_timeout is not None:
            self._last_report[key] = time.monotonic()
        if self._on_rendered is not None and n:
            self._on_rendered(n)
        if key in self._to_feed:
            self.feed(key)

    def _peek(self) -> Segment | None:
        """The next segment of the source without taking it; None at the end."""
        if self._next is None and not self._exhausted:
            try:
                self._next = next(self._segments)
            except StopIteration:
                self._exhausted = True
        return self._next
