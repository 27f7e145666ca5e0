"""Writers of one output file, in the main process: a temporary file beside the output,
renamed over it only on :meth:`FileWriter.commit`.

The video muxer and the animated-image writer both build on :class:`FileWriter`; the
PNG sequence, many files, has its own writer (``images.py``).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from abc import abstractmethod
from pathlib import Path

from parallel_animate.encode.base import SegmentWriter, VideoSettings


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
