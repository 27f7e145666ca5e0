"""The seam between the workers and the main process, for every format.

A worker gets a :class:`VideoSettings`, feeds a segment's frames into the
:class:`FrameEncoder` its format makes, and returns an :class:`EncodedSegment`; the main
process feeds those, in order, into the :class:`SegmentWriter` the same format makes.
Which encoder and writer that is, the settings' :class:`OutputFormat` decides (no
format names are looked up here): this module imports no format, so every format's
module can import it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np


class OutputFormat(Protocol):
    """What the seam needs of a format (``formats.py`` holds the formats themselves).

    A format object must pickle (it travels to the workers inside :class:`VideoSettings`,
    under spawn and to Dask too); the registry's formats pickle as their row.
    """

    #: FFmpeg muxer of the output file; None for a format that writes its own bytes
    @property
    def container(self) -> str | None: ...

    def segment_encoder(self, settings: VideoSettings, start: int) -> FrameEncoder:
        """The worker side: an encoder for the segment whose first frame is ``start``."""
        ...

    def writer(self, settings: VideoSettings, output: Path) -> SegmentWriter:
        """The main side: the writer that joins the segments into ``output``."""
        ...


@dataclass(frozen=True)
class VideoSettings:
    """Everything a worker needs to encode a segment and the main process to write it.

    Made (and validated) by ``resolve_video_settings``; picklable.
    """

    #: the output format, which makes the segment encoders and the writer
    format: OutputFormat
    codec: str  # the encoder's name, as FFmpeg (or ``video_codec``) spells it
    pixfmt: str
    options: dict[str, str]
    fps: Fraction
    alpha: bool = False
    #: the largest frame (width, height) the codec and container take; None: no limit
    max_size: tuple[int, int] | None = None

    @property
    def container(self) -> str | None:
        """FFmpeg muxer of the output; None for the image formats."""
        return self.format.container

    @property
    def frame_duration(self) -> Fraction:
        return 1 / self.fps


@dataclass(frozen=True)
class EncodedSegment:
    """A segment as it leaves the worker.

    ``data``: a tiny container file (video formats), or one encoded frame per frame
    (image formats).
    """

    index: int
    start: int
    n_frames: int
    width: int
    height: int
    data: bytes | tuple[bytes, ...]
    #: how its frames were drawn: (in full, in part, unchanged); for the logs
    draws: tuple[int, int, int] = (0, 0, 0)
    #: seconds blit="auto" spent deciding what to redraw, over its frames; for the logs
    bookkeeping_s: float = 0.0

    def container_file(self) -> bytes:
        """``data`` of a video format's segment: the container file's bytes."""
        if not isinstance(self.data, bytes):
            raise TypeError(
                f"segment at frame {self.start} holds frame records, not a container file"
            )
        return self.data

    def frame_records(self) -> tuple[bytes, ...]:
        """``data`` of an image format's segment: one record per frame."""
        if not isinstance(self.data, tuple):
            raise TypeError(
                f"segment at frame {self.start} holds a container file, not frame records"
            )
        return self.data


class FrameEncoder(Protocol):
    """What a worker feeds a segment's frames into."""

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """(width, height) of the frames added so far; None before the first."""
        ...

    def add(self, rgba: np.ndarray) -> None: ...

    def finish(self) -> bytes | tuple[bytes, ...]: ...

    def close(self) -> None: ...


class SegmentWriter(ABC):
    """Takes segments in order; checks that they follow each other and share one size.

    A writer writes somewhere temporary and puts the result in place only on
    :meth:`commit`; :meth:`abort` removes every trace, so whatever fails, the output
    path is left as it was.
    """

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


def check_frame_size(before: tuple[int, int] | None, rgba: np.ndarray) -> tuple[int, int]:
    """(width, height) of ``rgba``; a ValueError if it differs from ``before``."""
    height, width = rgba.shape[:2]
    if before is not None and (width, height) != before:
        raise ValueError(
            f"the figure changed size from {before[0]}x{before[1]} to "
            f"{width}x{height} pixels; every frame of a video must have the same size"
        )
    return width, height


def make_segment_encoder(settings: VideoSettings, start: int) -> FrameEncoder:
    """The encoder for the segment whose first frame is ``start`` (in a worker)."""
    return settings.format.segment_encoder(settings, start)


def open_writer(settings: VideoSettings, output: Path) -> SegmentWriter:
    """The writer for ``settings``' format (in the main process)."""
    return settings.format.writer(settings, output)
