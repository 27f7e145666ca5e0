"""Turn ``param_by_frame`` into segments: runs of contiguous frames with their params.

The iterable is consumed lazily. Frames may arrive out of order through
:class:`IndexedFrameParams`; only frames that wait for an earlier one are held.
Frame-id errors are raised as soon as they are known.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

#: With no known length (a generator without ``n_frames``), a frame id may run at most
#: this many frames ahead of the next frame needed. Frames that wait for an earlier one
#: are held in memory, so this also bounds that buffer; an id beyond it (a timestamp used
#: as an id, say) is an error at once. With a known length the bound is the length.
MAX_FRAMES_AHEAD = 100_000


@dataclass(frozen=True)
class IndexedFrameParams:
    """Params for one frame, tagged with the frame's index.

    Use it when ``param_by_frame`` yields frames out of order (a loader that returns
    whatever finished first): ``frame_id`` takes the place of the position in the
    iterable.
    """

    frame_id: int
    params: Any

    def __post_init__(self) -> None:
        if isinstance(self.frame_id, bool):  # an int subclass, but never a frame number
            raise TypeError("frame_id must be an int, got bool")
        try:
            frame_id = operator.index(self.frame_id)
        except TypeError:
            raise TypeError(
                f"frame_id must be an int, got {type(self.frame_id).__name__}"
            ) from None
        if frame_id < 0:
            raise ValueError(f"frame_id must be non-negative, got {frame_id}")
        object.__setattr__(self, "frame_id", frame_id)


@dataclass(frozen=True)
class Segment:
    """Frames ``start .. start + len(params) - 1``, rendered and encoded as one job.

    ``params`` is a tuple here; a segment read lazily (``readahead.lazy_segments``) or
    fed to a worker as it renders (:meth:`with_params`) has an iterator instead.

    ``lead``: the params of frame ``start - 1`` in a 1-tuple (None for the first
    segment, or where not known). A GIF worker draws that frame first, so that the
    segment's first frame writes only the pixels that changed since it.
    """

    index: int
    start: int
    params: Iterable[Any]
    lead: tuple[Any] | None = None

    @property
    def stop(self) -> int:
        return self.start + len(self.params)  # type: ignore[arg-type]

    def with_params(self, params: Iterable[Any]) -> Segment:
        """This segment's header with ``params`` (a backend feeding a running task)."""
        return Segment(self.index, self.start, params, self.lead)


def _describe_missing(start: int, stop: int, present: Iterable[int], limit: int = 10) -> str:
    """The ids of ``start .. stop - 1`` not in ``present``, the first ``limit`` named.

    Memory and time follow ``present`` (the frames held), not ``stop - start``.
    """
    held = sorted(i for i in present if start <= i < stop)
    n_missing = (stop - start) - len(held)
    shown: list[int] = []
    candidate = start
    for i in [*held, stop]:
        while candidate < i and len(shown) < limit:
            shown.append(candidate)
            candidate += 1
        if len(shown) >= limit:
            break
        candidate = i + 1
    text = ", ".join(str(i) for i in shown)
    if n_missing > limit:
        text += f", ... ({n_missing - limit} more)"
    return text


def known_length(param_by_frame: Iterable[Any], n_frames: int | None) -> int | None:
    """The number of frames if it can be known without consuming the iterable."""
    if n_frames is not None:
        return n_frames
    try:
        return len(param_by_frame)  # type: ignore[arg-type]
    except TypeError:
        return None


def iter_segments(
    param_by_frame: Iterable[Any],
    n_frames: int | None,
    segment_length: int,
    max_ahead: int = MAX_FRAMES_AHEAD,
    *,
    leads: bool = True,
) -> Iterator[Segment]:
    """Yield the segments of the video in order, reading ``param_by_frame`` lazily.

    A plain item is the frame at its position in the iterable; an
    :class:`IndexedFrameParams` is the frame it names. ``n_frames`` cuts the iterable
    (an infinite generator works). Raises ValueError for an id that is repeated, an id
    beyond the known length (``n_frames`` or ``len()``), with no known length an id more
    than ``max_ahead`` frames ahead of the next frame needed, ids missing when the
    iterable ends, or no frames at all. Memory follows the frames held, never the ids.
    ``leads``: give each segment after the first its lead (the previous one's last
    frame's params).
    """
    if segment_length < 1:
        raise ValueError("segment_length must be >= 1")
    total = known_length(param_by_frame, n_frames)
    items = iter(param_by_frame)
    if n_frames is not None:
        items = itertools.islice(items, n_frames)

    pending: dict[int, Any] = {}  # frames read but not yet handed out
    next_start = 0  # every frame below this has been handed out
    seg_index = 0
    highest = -1
    lead: tuple[Any] | None = None  # the last frame's params of the previous segment

    def window_end() -> int:
        end = next_start + segment_length
        return end if total is None else min(end, total)

    for position, item in enumerate(items):
        if isinstance(item, IndexedFrameParams):
            frame_id, params = item.frame_id, item.params
        else:
            frame_id, params = position, item
        if total is not None and frame_id >= total:
            raise ValueError(
                f"frame id {frame_id} is out of range: the video has {total} frames "
                f"(ids 0 to {total - 1})"
            )
        if total is None and frame_id - next_start >= max_ahead:
            needed = next_start
            while needed in pending:
                needed += 1
            raise ValueError(
                f"frame id {frame_id} is {frame_id - needed} frames ahead of the next "
                f"frame needed ({needed}): with no known length, ids may run at most "
                f"{max_ahead} frames ahead (frame ids count frames from 0, not timestamps); "
                f"pass n_frames to render a longer video out of order"
            )
        if frame_id < next_start or frame_id in pending:
            raise ValueError(f"duplicate frame id {frame_id} in param_by_frame")
        pending[frame_id] = params
        highest = max(highest, frame_id)
        # Hand out every segment that is now complete.
        while True:
            end = window_end()
            if end <= next_start or any(i not in pending for i in range(next_start, end)):
                break
            params_ = tuple(pending.pop(i) for i in range(next_start, end))
            yield Segment(seg_index, next_start, params_, lead)
            lead = params_[-1:] if leads else None
            seg_index += 1
            next_start = end

    if total is None:
        total = highest + 1
    if len(pending) < total - next_start:  # every held id is in next_start .. total - 1
        raise ValueError(
            f"param_by_frame ended without frame ids "
            f"{_describe_missing(next_start, total, pending)} "
            f"(expected {total} frames, ids 0 to {total - 1})"
        )
    if total == 0:
        raise ValueError("param_by_frame is empty: there are no frames to render")
    while next_start < total:
        end = min(next_start + segment_length, total)
        params_ = tuple(pending.pop(i) for i in range(next_start, end))
        yield Segment(seg_index, next_start, params_, lead)
        lead = params_[-1:] if leads else None
        seg_index += 1
        next_start = end
