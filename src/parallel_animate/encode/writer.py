"""Writers of one output file, in the main process: a temporary file beside the output,
renamed over it only on :meth:`FileWriter.commit`.

The video muxer and the animated-image writer both build on :class:`FileWriter`; the
PNG sequence, many files, has its own writer (``images.py``).

Temporaries: ``.<stem>.XXXXXXXX.partial<suffix>`` beside the output (the stem shortened
and tagged with a hash of the name where the whole would pass the folder's NAME_MAX).
The file is created once (``O_CREAT | O_EXCL | O_NOFOLLOW``) and written through that
descriptor only, never reopened by name, so a symlink swapped in cannot redirect it.
While a run writes it, it holds an advisory lock (``flock``) on it. A writer that opens
removes the temporaries *of its own target* (the exact name pattern above) whose lock
it can take: their run is gone (killed), since the lock dies with the last process that
held it. A live run's temporary, or another target's, is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import uuid
from abc import abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from parallel_animate.encode.base import SegmentWriter, VideoSettings

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, no clean-up of leftovers
    fcntl = None  # type: ignore[assignment]

#: characters of the random part of a temporary's name
_TOKEN = 8


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the folder's file system takes."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def temp_prefix(output: Path, extra: int) -> str:
    """``.<stem>.`` for the temporaries of ``output``, so that with ``extra`` more
    characters (all ASCII) the name fits the folder's NAME_MAX; a stem too long is cut
    and tagged with a hash of the output's name (so that two targets stay apart)."""
    limit = name_max(output.parent if output.parent.is_dir() else output.parent.parent)
    prefix = f".{output.stem}."
    if len(os.fsencode(prefix)) + extra <= limit:
        return prefix
    tag = "~" + hashlib.sha1(os.fsencode(output.name)).hexdigest()[:8]
    room = limit - extra - len(tag) - 2
    stem = os.fsencode(output.stem)[: max(room, 1)].decode(errors="ignore")
    return f".{stem}{tag}."


def _temp_pattern(output: Path) -> re.Pattern[str]:
    tail = f".partial{output.suffix}"
    prefix = temp_prefix(output, _TOKEN + len(os.fsencode(tail)))
    return re.compile(re.escape(prefix) + f"[0-9a-f]{{{_TOKEN}}}" + re.escape(tail))


def try_lock(fd: int) -> bool:
    """Take the advisory lock on ``fd`` without waiting; False if another run holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def remove_stale(folder: Path, matches: Callable[[str], bool], directory: bool) -> None:
    """Remove the entries of ``folder`` whose name ``matches`` and whose lock is free
    (their writer is gone). Errors are ignored: a leftover is never worth failing for."""
    if fcntl is None or not folder.is_dir():
        return
    flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if directory else 0)
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not matches(entry.name):
                continue
            with contextlib.suppress(OSError):
                fd = os.open(entry.path, flags)
                try:
                    if try_lock(fd) and os.path.samestat(os.fstat(fd), os.lstat(entry.path)):
                        if directory:
                            shutil.rmtree(entry.path)
                        else:
                            os.unlink(entry.path)
                finally:
                    os.close(fd)


def open_temp_beside(output: Path) -> tuple[Path, int]:
    """A new empty file in the output's folder (so that the final rename is atomic),
    created once, locked, and its descriptor.

    Created with the usual permissions (umask applies), unlike ``mkstemp``'s 0600: the
    file becomes the output as it is. Leftovers of a killed run to the same output are
    removed first.
    """
    pattern = _temp_pattern(output)
    remove_stale(output.parent, lambda name: pattern.fullmatch(name) is not None, False)
    tail = f".partial{output.suffix}"
    prefix = temp_prefix(output, _TOKEN + len(os.fsencode(tail)))
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    while True:
        path = output.with_name(f"{prefix}{uuid.uuid4().hex[:_TOKEN]}{tail}")
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue
        try_lock(fd)
        return path, fd


class FileWriter(SegmentWriter):
    """An output of one file, written to a temporary file beside it and renamed.

    Subclasses write through :attr:`file` (a file object on the one descriptor)."""

    def __init__(self, settings: VideoSettings, output: Path) -> None:
        super().__init__(settings, output)
        self.temp, self._lock_fd = open_temp_beside(output)
        # A second descriptor of the same open file: the lock lasts until both close.
        self.file: BinaryIO = os.fdopen(os.dup(self._lock_fd), "w+b")

    @abstractmethod
    def _close(self) -> None:
        """Complete the temporary file (trailer, header patches)."""

    def _release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        if self._lock_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._lock_fd)
            self._lock_fd = -1

    def commit(self) -> None:
        try:
            self._close()
            self.file.flush()
            os.replace(self.temp, self.output)
        finally:
            self._release()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._close()
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()
        self._release()
