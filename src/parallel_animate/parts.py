"""Finished segments kept on disk, so that a failed or killed run resumes.

A part is one encoded segment in a file of its own, named by its key (see
``fingerprint.py``): ``<run>-<start>-<key>.part``, where ``run`` is the start of the run
key (so that a run knows, without reading any params, at which frames a part of its own
may wait) and ``key`` the segment's whole key. Its bytes are a magic line, a JSON header,
the segment's data and a SHA-256 of all that: a truncated or damaged file is found out,
warned about and rendered again. A part is written under a temporary name (created
exclusively, locked while written, flushed to disk) and renamed into place, so a crash
in the middle of a write never leaves a part that a later run would use; the
temporaries of a killed writer are removed by the next run that opens the folder.

Parts are pure data (no pickle): reading a folder someone else can write never runs
code. Several runs and processes may share a folder: a part is only ever replaced by
another with the same key (the same bytes, give or take an encoder's randomness).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from pathlib import Path

from parallel_animate.encode import EncodedSegment
from parallel_animate.encode.writer import remove_stale, temp_prefix, try_lock

_logger = logging.getLogger("parallel_animate")

_MAGIC = b"parallel-animate part 1\n"
_SUFFIX = ".part"
_TEMP_PREFIX = ".tmp-"
#: hex digits of the run key in a part's name
_RUN_CHARS = 16
_NAME = re.compile(r"([0-9a-f]{16})-([0-9]+)-([0-9a-f]{64})\.part")


def beside(output: Path) -> Path:
    """The hidden folder of ``output``'s parts: ``.<name>.parts`` in its folder (the
    name shortened, as the temporaries' are, where it would pass NAME_MAX)."""
    tail = f"{output.suffix[1:]}.parts" if output.suffix else "parts"
    return output.with_name(temp_prefix(output, len(os.fsencode(tail))) + tail)


class PartStore:
    """The parts in ``folder``.

    ``reuse``: parts found there may be used (False: a run that starts over). Only the
    names are listed when the store opens; a part is read when a run asks for it.
    """

    def __init__(self, folder: Path, *, reuse: bool) -> None:
        self.folder = folder
        self.reuse = reuse
        self._starts: set[tuple[str, int]] = set()  # (run, start) of the parts listed
        self._write_failed = False
        remove_stale(folder, lambda name: name.startswith(_TEMP_PREFIX), False)
        if reuse and folder.is_dir():
            with os.scandir(folder) as entries:
                for entry in entries:
                    match = _NAME.fullmatch(entry.name)
                    if match:
                        self._starts.add((match[1], int(match[2])))

    def _path(self, run: str, start: int, key: str) -> Path:
        return self.folder / f"{run[:_RUN_CHARS]}-{start}-{key}{_SUFFIX}"

    def may_have(self, run: str, start: int) -> bool:
        """Whether a part of run ``run`` starting at frame ``start`` was listed."""
        return (run[:_RUN_CHARS], start) in self._starts

    def load(
        self, run: str, key: str, index: int, start: int, n_frames: int
    ) -> EncodedSegment | None:
        """The part ``key`` as segment ``index``, or None: missing, or damaged (then it
        is removed, with a warning)."""
        path = self._path(run, start, key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            _logger.warning("cannot read the kept part %s (%s): rendering it again", path, exc)
            return None
        try:
            return _decode(data, index, start, n_frames)
        except ValueError as exc:
            _logger.warning(
                "the kept part %s of frames %d-%d is damaged (%s): rendering them again",
                path.name,
                start,
                start + n_frames - 1,
                exc,
            )
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def save(self, run: str, key: str, segment: EncodedSegment) -> bool:
        """Write ``segment`` as part ``key``, atomically; False (and a warning, once) if
        it cannot be written: the run goes on, it only cannot resume from it."""
        path = self._path(run, segment.start, key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, _encode(segment))
        except OSError as exc:
            if not self._write_failed:
                _logger.warning(
                    "cannot keep finished segments in %s (%s): this run could not be resumed",
                    self.folder,
                    exc,
                )
            self._write_failed = True
            return False
        return True

    def remove(self) -> None:
        """Remove the folder and every part in it (never raises)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _encode(segment: EncodedSegment) -> bytes:
    records = None if isinstance(segment.data, bytes) else [len(r) for r in segment.data]
    chunks = [segment.data] if isinstance(segment.data, bytes) else list(segment.data)
    header = {
        "start": segment.start,
        "n_frames": segment.n_frames,
        "width": segment.width,
        "height": segment.height,
        "records": records,
        "size": sum(len(c) for c in chunks),
    }
    body = b"".join([_MAGIC, json.dumps(header).encode(), b"\n", *chunks])
    return body + hashlib.sha256(body).digest()


def _decode(data: bytes, index: int, start: int, n_frames: int) -> EncodedSegment:
    """The segment in a part's bytes; ValueError if they are not a whole, sound part
    of frames ``start .. start + n_frames - 1``."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 32:
        raise ValueError("not a part file")
    body, checksum = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != checksum:
        raise ValueError("checksum mismatch: truncated or overwritten")
    line_end = body.index(b"\n", len(_MAGIC))
    header = json.loads(body[len(_MAGIC) : line_end])
    payload = body[line_end + 1 :]
    if header["start"] != start or header["n_frames"] != n_frames:
        raise ValueError(f"it holds frames from {header['start']}, {header['n_frames']} of them")
    if header["size"] != len(payload):
        raise ValueError("its size does not match its header")
    content: bytes | tuple[bytes, ...] = payload
    if header["records"] is not None:
        records, offset = [], 0
        for size in header["records"]:
            records.append(payload[offset : offset + size])
            offset += size
        content = tuple(records)
    return EncodedSegment(
        index=index,
        start=start,
        n_frames=n_frames,
        width=int(header["width"]),
        height=int(header["height"]),
        data=content,
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """``data`` to ``path`` through a locked temporary file flushed to disk, renamed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    temp = path.with_name(f"{_TEMP_PREFIX}{uuid.uuid4().hex}{_SUFFIX}")
    fd = os.open(temp, flags, 0o666)
    try:
        try_lock(fd)  # a later run removes the temporary once this lock is gone
        with os.fdopen(os.dup(fd), "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    finally:
        os.close(fd)
