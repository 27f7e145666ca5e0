"""Resuming: the scheduler's two questions, "is this segment done already?" and "keep
this part", answered from a :class:`~parallel_animate.parts.PartStore`.

Which folder, and whether old parts count, follows from ``resume`` and ``cache_dir``
(:func:`open_parts`). A segment's key needs each of its frames' fingerprints: those of a
segment read lazily come from the :class:`~parallel_animate.readahead.FrameStore`
(computed once, as each frame is read from the source); those of a segment that holds
its params (the Dask path) from the params themselves. The key covers the segment's
lead too (the frame before it: a GIF segment's first record depends on it). A segment
is read ahead to its end, to compute its key, only where a part of this run starts at
its first frame: otherwise it goes to a worker at once and its key is computed when it
comes back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parallel_animate.encode import EncodedSegment
from parallel_animate.fingerprint import fingerprint, segment_key
from parallel_animate.frames import Segment
from parallel_animate.parts import PartStore, beside

#: ``prints(start, stop, done)``: the fingerprints of frames ``start .. stop - 1``
#: (fewer at the end of the video), read ahead from the source as needed; ``done``: no
#: longer needed after this
FramePrints = Callable[[int, int, bool], list[bytes | None]]


def open_parts(
    output: Path, resume: bool, cache_dir: Path | None
) -> tuple[PartStore | None, bool]:
    """The run's part store (None: nothing is kept) and whether it is removed after
    success.

    Without ``cache_dir``: ``.<output>.parts/`` beside the output, removed after
    success; ``resume=False`` removes what an earlier run left there and keeps nothing
    (the run is not resumable, as a plain render). With ``cache_dir``: that folder,
    kept; ``resume=False`` only ignores what is in it (and refreshes it).
    """
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        return PartStore(cache_dir, reuse=resume), False
    folder = beside(output)
    if not resume:
        PartStore(folder, reuse=False).remove()
        return None, False
    return PartStore(folder, reuse=True), True


def _lead_print(segment: Segment) -> tuple[bool, bytes | None]:
    """Whether the segment's lead (the frame before it) can be told by a fingerprint,
    and that fingerprint (None: the segment has no lead)."""
    if segment.lead is None:
        return True, None
    print_ = fingerprint(segment.lead[0])
    return print_ is not None, print_


class Resumer:
    """Finds a run's finished segments in ``store`` and keeps those it renders."""

    def __init__(
        self, store: PartStore, run: str, segment_length: int, prints: FramePrints
    ) -> None:
        self.store = store
        self._run = run
        self._segment_length = segment_length
        self._prints = prints
        #: segments that hold their params, by index, until they come back
        self._held: dict[int, tuple[Any, ...]] = {}
        self.found_frames = 0  # frames of parts used instead of rendering
        self.kept_frames = 0  # frames of parts written by this run
        self.seconds = 0.0  # spent finding and keeping parts, for the logs

    def _frame_prints(self, segment: Segment, n_frames: int | None) -> list[bytes | None]:
        """Fingerprints of the segment's frames: all (``n_frames`` None, read ahead as
        needed) or the first ``n_frames`` (rendered: no longer needed after this)."""
        params = self._held.get(segment.index)
        if params is not None:
            return [fingerprint(p) for p in params[:n_frames]]
        stop = segment.start + (self._segment_length if n_frames is None else n_frames)
        return self._prints(segment.start, stop, n_frames is not None)

    def find(self, segment: Segment) -> EncodedSegment | None:
        """The kept part of ``segment``, or None: it must be rendered."""
        started = time.perf_counter()
        try:
            return self._find(segment)
        finally:
            self.seconds += time.perf_counter() - started

    def keep(self, segment: Segment, result: EncodedSegment) -> None:
        """Write the part of ``segment``, just rendered as ``result``."""
        started = time.perf_counter()
        try:
            self._keep(segment, result)
        finally:
            self.seconds += time.perf_counter() - started

    def _find(self, segment: Segment) -> EncodedSegment | None:
        if isinstance(segment.params, tuple):
            self._held[segment.index] = segment.params
        if not self.store.reuse or not self.store.may_have(self._run, segment.start):
            return None
        prints = self._frame_prints(segment, None)
        known, lead = _lead_print(segment)
        if not prints or any(p is None for p in prints) or not known:
            return None
        key = segment_key(self._run, segment.start, prints, lead)  # type: ignore[arg-type]
        part = self.store.load(self._run, key, segment.index, segment.start, len(prints))
        if part is None:
            return None
        self._held.pop(segment.index, None)
        for _ in segment.params:  # lets the frame store drop what it held for it
            pass
        self._prints(segment.start, segment.start + part.n_frames, True)
        self.found_frames += part.n_frames
        return part

    def _keep(self, segment: Segment, result: EncodedSegment) -> None:
        prints = self._frame_prints(segment, result.n_frames)
        self._held.pop(segment.index, None)
        known, lead = _lead_print(segment)
        if len(prints) != result.n_frames or any(p is None for p in prints) or not known:
            return  # params that cannot be pickled: nothing to tell a later run by
        key = segment_key(self._run, segment.start, prints, lead)  # type: ignore[arg-type]
        if self.store.save(self._run, key, result):
            self.kept_frames += result.n_frames

    def failure_note(self, total: int | None, removed_after: bool) -> str | None:
        """What a failed run's error adds: frames kept, and how to resume."""
        kept = self.found_frames + self.kept_frames
        if not kept:
            return None
        of = f" of {total}" if total is not None else ""
        where = os.fspath(self.store.folder)
        again = (
            "run the same call again to render only the rest (resume=False starts over)"
            if removed_after
            else "a run with the same cache_dir renders only the rest"
        )
        return f"{kept}{of} frames are kept in {where}: {again}"
