"""Where encoded segments go, in the main process: one writer per run.

A writer takes segments strictly in order, writes them somewhere temporary and puts the
result in place only on :meth:`SegmentWriter.commit`; :meth:`SegmentWriter.abort`
removes every trace. Whatever fails, the output path is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from abc import ABC, abstractmethod
from pathlib import Path

from parallel_animate.encode.options import VideoSettings
from parallel_animate.encode.segment import EncodedSegment


def temp_path_beside(output: Path) -> Path:
    """A new empty file in the output's folder (so that the final rename is atomic).

    Created with the usual permissions (umask applies), unlike ``mkstemp``'s 0600: the
    file becomes the output as it is.
    """
    while True:
        path = output.with_name(f".{output.stem}.{uuid.uuid4().hex[:8]}.partial{output.suffix}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return path


class SegmentWriter(ABC):
    """Takes segments in order; checks that they follow each other and share one size."""

    def __init__(self, settings: VideoSettings, output: Path) -> None:
        self.settings = settings
        self.output = output
        self.size: tuple[int, int] | None = None  # (width, height) of every frame
        self.frames_written = 0

    def add(self, segment: EncodedSegment) -> None:
        if segment.start != self.frames_written:
            raise RuntimeError(
                f"segment starting at frame {segment.start} arrived, expected frame "
                f"{self.frames_written}"
            )
        size = (segment.width, segment.height)
        if self.size is None:
            self.size = size
        elif size != self.size:
            raise RuntimeError(
                f"frames {segment.start}-{segment.start + segment.n_frames - 1} are "
                f"{size[0]}x{size[1]} pixels but earlier frames are "
                f"{self.size[0]}x{self.size[1]}: did a worker's figure change size?"
            )
        self._write(segment)
        self.frames_written += segment.n_frames

    @abstractmethod
    def _write(self, segment: EncodedSegment) -> None:
        """Write the next segment (order and size are checked)."""

    @abstractmethod
    def commit(self) -> None:
        """Finish the output and put it in place."""

    @abstractmethod
    def abort(self) -> None:
        """Remove everything written so far; never raises."""


class FileWriter(SegmentWriter):
    """An output of one file, written to a temporary file beside it and renamed."""

    def __init__(self, settings: VideoSettings, output: Path) -> None:
        super().__init__(settings, output)
        self.temp = temp_path_beside(output)

    @abstractmethod
    def _close(self) -> None:
        """Complete and close the temporary file (trailer, header patches)."""

    def commit(self) -> None:
        self._close()
        os.replace(self.temp, self.output)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._close()
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


def open_writer(settings: VideoSettings, output: Path) -> SegmentWriter:
    """The writer for ``settings``' format."""
    if settings.kind == "video":
        from parallel_animate.encode.mux import SegmentMuxer

        return SegmentMuxer(settings, output)
    from parallel_animate.encode import images

    return images.WRITERS[settings.kind](settings, output)
