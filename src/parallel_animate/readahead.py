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
        offset, size = self.where.pop(frame)
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
    ) -> None:
        self._frames = (next(iter(s.params)) for s in iter_segments(param_by_frame, n_frames, 1))
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


def _segment_params(store: FrameStore, start: int, stop: int) -> Iterator[Any]:
    for frame in range(start, stop):
        try:
            params = store.take(frame)
        except _End:
            return
        yield params


def lazy_segments(store: FrameStore, segment_length: int) -> Iterator[Segment]:
    """The segments of the video in order, each with an iterator of its params that
    reads the store as the segment is rendered (or fed)."""
    index = 0
    while store.exists(index * segment_length):
        start = index * segment_length
        yield Segment(index, start, _segment_params(store, start, start + segment_length))
        index += 1
