"""Read-ahead within bounds: segments whose params are read from the source as needed.

Segments run side by side, but ``param_by_frame`` is read in order: to start segment
``k + 1`` while segment ``k`` is still rendering, the frames of ``k`` not yet sent
must be held somewhere. :class:`FrameStore` holds at most ``memory_frames`` of them in
memory and writes the rest to an anonymous temporary file (one per segment, freed as
soon as that segment has taken its frames back; the system deletes it even if this
process is killed). Nothing is spilled when segments run one after another, nor for
a list or tuple of params (the pipeline lets the store hold all of them: they are in
memory already).
"""

from __future__ import annotations

import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from parallel_animate.frames import Segment, iter_segments
from parallel_animate.shipping import dumps


class _End(Exception):
    """The source has no frame of this index: the video is shorter."""


class _Spill:
    """Frames of one segment, pickled into an anonymous temporary file."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="parallel-animate-")
        self.where: dict[int, tuple[int, int]] = {}  # frame -> (offset, size)
        self.end = 0

    def put(self, frame: int, params: Any) -> None:
        data = dumps(params, fresh_interpreter=False)  # lambdas too: cloudpickle
        self.file.seek(self.end)
        self.file.write(data)
        self.where[frame] = (self.end, len(data))
        self.end += len(data)

    def pop(self, frame: int) -> Any:
        params = self.get(frame)
        del self.where[frame]
        return params

    def get(self, frame: int) -> Any:
        """A copy of the frame's params, still kept."""
        offset, size = self.where[frame]
        self.file.seek(offset)
        return pickle.loads(self.file.read(size))


class FrameStore:
    """The frames of ``param_by_frame`` in order (ids checked by
    :func:`~parallel_animate.frames.iter_segments`), each taken once.

    Frames read before they are taken are held: up to ``memory_frames`` in memory, the
    others spilled to disk, by segment of ``segment_length`` frames. With a
    ``fingerprint`` function, each frame's fingerprint is taken as it is read (for
    resuming, see :meth:`fingerprints`).
    """

    def __init__(
        self,
        param_by_frame: Iterable[Any],
        n_frames: int | None,
        segment_length: int,
        memory_frames: int,
        fingerprint: Callable[[Any], bytes | None] | None = None,
        *,
        leads: bool = True,
    ) -> None:
        frames = iter_segments(param_by_frame, n_frames, 1, leads=False)
        self._frames = (next(iter(s.params)) for s in frames)
        self._segment_length = segment_length
        self._memory_frames = memory_frames
        self._read = 0  # frames read from the source so far
        self._exhausted = False
        self._held: dict[int, Any] = {}
        self._spills: dict[int, _Spill] = {}  # by segment index
        #: None: frames are no longer fingerprinted
        self.fingerprint = fingerprint
        self._prints: dict[int, bytes | None] = {}  # by frame, until no longer needed
        self.fingerprint_seconds = 0.0  # spent fingerprinting, for the logs
        #: the last frame of each segment, taken before the next segment asked for it
        #: as its lead (at most one per segment)
        self._leads: dict[int, Any] = {}
        self._leads_given = -1  # the last frame handed out as a lead
        #: whether :func:`lazy_segments` gives each segment its lead (else none is kept)
        self.leads = leads

    def _next(self) -> Any:
        try:
            params = next(self._frames)
        except StopIteration:
            self._exhausted = True
            raise _End from None
        if self.fingerprint is not None:
            started = time.perf_counter()
            self._prints[self._read] = self.fingerprint(params)
            self.fingerprint_seconds += time.perf_counter() - started
        self._read += 1
        return params

    def fingerprints(self, start: int, stop: int, done: bool) -> list[bytes | None]:
        """The fingerprints of frames ``start .. stop - 1`` (fewer past the end), the
        source read (and held) up to them; ``done``: forget them afterwards."""
        if stop - 1 >= self._read and not self._exhausted:
            try:
                self.peek(stop - 1)
            except IndexError:
                pass
        frames = range(start, min(stop, self._read))
        if done:
            return [self._prints.pop(i, None) for i in frames]
        return [self._prints.get(i) for i in frames]

    def _hold(self, frame: int, params: Any) -> None:
        if len(self._held) < self._memory_frames:
            self._held[frame] = params
            return
        segment = frame // self._segment_length
        spill = self._spills.get(segment)
        if spill is None:
            spill = self._spills[segment] = _Spill()
        spill.put(frame, params)

    def _read_through(self, frame: int) -> Any:
        """Read the source up to ``frame``, holding the frames before it; return it."""
        while self._read < frame:
            self._hold(self._read, self._next())
        return self._next()

    def peek(self, frame: int) -> Any:
        """Frame ``frame``'s params, kept for :meth:`take`; :class:`IndexError` if none."""
        if frame >= self._read:
            try:
                self._held[frame] = self._read_through(frame)
            except _End:
                raise IndexError(frame) from None
        if frame in self._held:
            return self._held[frame]
        params = self.take(frame)
        self._held[frame] = params
        return params

    def take(self, frame: int) -> Any:
        """Frame ``frame``'s params, no longer held; :class:`_End` past the last."""
        params = self._take(frame)
        if self.leads and frame % self._segment_length == self._segment_length - 1:
            if frame > self._leads_given:  # the next segment has not asked for it yet
                self._leads[frame] = params
        return params

    def _take(self, frame: int) -> Any:
        if frame >= self._read:
            if self._exhausted:
                raise _End
            return self._read_through(frame)
        if frame in self._held:
            return self._held.pop(frame)
        segment = frame // self._segment_length
        spill = self._spills[segment]
        params = spill.pop(frame)
        if not spill.where:
            spill.file.close()
            del self._spills[segment]
        return params

    def lead(self, frame: int) -> tuple[Any]:
        """Frame ``frame``'s params in a 1-tuple, the lead of the segment after it:
        remembered if taken already, else peeked (and still there for :meth:`take`; a
        spilled frame is read back as a copy and stays spilled)."""
        self._leads_given = max(self._leads_given, frame)
        if frame in self._leads:
            return (self._leads.pop(frame),)
        spill = self._spills.get(frame // self._segment_length)
        if frame < self._read and frame not in self._held and spill is not None:
            return (spill.get(frame),)  # a copy: the spilled frame stays on disk
        return (self.peek(frame),)

    def exists(self, frame: int) -> bool:
        """Whether the source has frame ``frame`` (reading up to it if needed)."""
        try:
            self.peek(frame)
        except IndexError:
            return False
        return True

    def close(self) -> None:
        for spill in self._spills.values():
            spill.file.close()
        self._spills.clear()
        self._held.clear()
        self._prints.clear()
        self._leads.clear()


def _segment_params(store: FrameStore, start: int, stop: int) -> Iterator[Any]:
    for frame in range(start, stop):
        try:
            params = store.take(frame)
        except _End:
            return
        yield params


def lazy_segments(store: FrameStore, segment_length: int) -> Iterator[Segment]:
    """The segments of the video in order, each with an iterator of its params that
    reads the store as the segment is rendered (or fed), and its lead (the params of
    the frame before it; none if the store was made with ``leads=False``)."""
    index = 0
    while store.exists(index * segment_length):
        start = index * segment_length
        lead = store.lead(start - 1) if start and store.leads else None
        yield Segment(index, start, _segment_params(store, start, start + segment_length), lead)
        index += 1
