"""Animated GIF, WebP and APNG, and PNG sequences: the segment encoder (worker side) and
the writers (main side) that the image formats of the registry (``formats.py``) make.

A worker's :class:`ImageSegmentEncoder` turns each frame into a frame record of its
format (``records.py``); the main process joins the records into one file
(:class:`AnimationWriter`) or moves each frame's PNG file into place
(:class:`PngSequenceWriter`).

The first frame of each segment covers the whole canvas; each later frame covers only
the rectangle that changed since the previous frame, and replaces it (no blending), so
a segment never depends on an earlier one's records. GIF is the exception: given the
previous segment's last frame (:meth:`ImageSegmentEncoder.set_previous`, drawn again by
the worker), its first frame too writes only the pixels that changed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from parallel_animate.encode.base import (
    EncodedSegment,
    SegmentWriter,
    VideoSettings,
    check_frame_size,
)
from parallel_animate.encode.options import frame_file
from parallel_animate.encode.records import AnimationRecords, Box, FrameRecords
from parallel_animate.encode.writer import FileWriter, remove_stale, temp_prefix, try_lock


def changed_box(before: np.ndarray, after: np.ndarray) -> Box:
    """The smallest rectangle holding every pixel that differs (1x1 if none does)."""
    return _changes(before, after)[0]


def _changes(before: np.ndarray, after: np.ndarray) -> tuple[Box, np.ndarray]:
    """The changed rectangle, and which of its pixels differ (a GIF leaves the others
    transparent, so they keep exactly what the viewer shows)."""
    diff = np.any(before != after, axis=2)
    rows = np.flatnonzero(diff.any(axis=1))
    if rows.size == 0:
        return (0, 0, 1, 1), diff[:1, :1]
    cols = np.flatnonzero(diff[rows[0] : rows[-1] + 1].any(axis=0))
    box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    return box, diff[box[1] : box[3], box[0] : box[2]]


class ImageSegmentEncoder:
    """Encodes a segment's frames one by one (worker side); :meth:`finish` returns one
    record per frame."""

    def __init__(self, settings: VideoSettings, start: int, frames: FrameRecords) -> None:
        """``frames``: the format's frame records, made for ``settings``."""
        self.settings = settings
        self.start = start
        self.frame_size: tuple[int, int] | None = None
        self._records: list[bytes] = []
        self._previous: np.ndarray | None = None
        self._frames = frames

    @property
    def wants_previous(self) -> bool:
        """Whether :meth:`set_previous` changes the records (GIF without alpha)."""
        return self._frames.uses_previous

    def set_previous(self, rgba: np.ndarray) -> None:
        """The frame before the segment's first (the previous segment's last): the first
        frame then writes only the pixels that changed since it."""
        if self.wants_previous and not self._records:
            self._previous = np.array(rgba[..., :3])

    def add(self, rgba: np.ndarray) -> None:
        self.frame_size = check_frame_size(self.frame_size, rgba)
        index = self.start + len(self._records)
        pixels = rgba if self.settings.alpha else rgba[..., :3]
        changed = None
        if self._previous is None or self._frames.whole_frames:
            width, height = self.frame_size
            box = (0, 0, width, height)
        else:
            box, changed = _changes(self._previous, pixels)
        self._records.append(self._frames.encode(index, pixels, box, changed))
        if not self._frames.whole_frames:
            self._previous = pixels.copy()

    def finish(self) -> tuple[bytes, ...]:
        if not self._records:
            raise ValueError("no frames were added to the segment")
        return tuple(self._records)

    def close(self) -> None:
        self._records.clear()
        self._previous = None


class AnimationWriter(FileWriter):
    """Writes the header on the first segment, then each frame record, then the trailer."""

    def __init__(self, settings: VideoSettings, output: Path, frames: AnimationRecords) -> None:
        """``frames``: the format's frame records, made for ``settings``."""
        super().__init__(settings, output)
        self._frames = frames
        self._file = self.file  # the one descriptor of the temporary file
        self._finished = False

    def _write(self, segment: EncodedSegment) -> None:
        if segment.start == 0:
            self._file.write(self._frames.header(segment.width, segment.height))
        for record in segment.frame_records():
            self._file.write(record)

    def _close(self) -> None:
        if self._finished or self._file.closed:
            return
        self._finished = True
        self._frames.finish(self._file, self.frames_written)
        self._file.flush()


class PngSequenceWriter(SegmentWriter):
    """Frame files written into a temporary folder, moved into place on commit.

    The temporary folder is in the pattern's folder (or, where that does not exist
    yet, in its parent), so that every move is a rename on one file system; the
    pattern's folder is created only on commit.
    """

    def __init__(self, settings: VideoSettings, output: Path) -> None:
        super().__init__(settings, output)
        folder = output.parent
        self._folder = folder
        host = folder if folder.is_dir() else folder.parent
        prefix = temp_prefix(folder, len(".partial-") + 8).rstrip(".") + ".partial-"
        token = re.compile(re.escape(prefix) + "[a-z0-9_]{8}")
        # A killed run's folder (its lock free) is removed; a live run's is never touched.
        remove_stale(host, lambda name: token.fullmatch(name) is not None, True)
        self._temp = Path(tempfile.mkdtemp(prefix=prefix, dir=host))
        self._lock_fd = os.open(self._temp, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try_lock(self._lock_fd)

    def _release(self) -> None:
        if self._lock_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)
            self._lock_fd = -1

    def _write(self, segment: EncodedSegment) -> None:
        for offset, data in enumerate(segment.frame_records()):
            (self._temp / str(segment.start + offset)).write_bytes(data)

    def commit(self) -> None:
        """Move every frame file into place, all or nothing: a file it replaces is kept
        aside until the last one is in, and put back if any move fails."""
        self._folder.mkdir(exist_ok=True)
        aside = self._temp / "replaced"
        aside.mkdir()
        moved: list[tuple[int, bool]] = []  # (frame, an old file was set aside)
        try:
            for index in range(self.frames_written):
                target = frame_file(self.output, index)
                had_old = True
                try:
                    os.replace(target, aside / str(index))
                except FileNotFoundError:
                    had_old = False
                moved.append((index, had_old))
                os.replace(self._temp / str(index), target)
        except BaseException:
            self._restore(moved, aside)
            raise
        shutil.rmtree(self._temp)
        self._release()

    def _restore(self, moved: list[tuple[int, bool]], aside: Path) -> None:
        """Undo a commit that failed midway: new files out, the old ones back."""
        for index, had_old in reversed(moved):
            target = frame_file(self.output, index)
            with contextlib.suppress(OSError):
                if not (self._temp / str(index)).exists():
                    os.replace(target, self._temp / str(index))
            if had_old:
                with contextlib.suppress(OSError):
                    os.replace(aside / str(index), target)

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            shutil.rmtree(self._temp)
        self._release()
