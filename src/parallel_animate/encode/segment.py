"""Encode one segment's frames into a small in-memory container (runs in a worker).

Each segment is a closed, self-contained stream that starts with a keyframe, so the
main process can join segments by remuxing packets, never re-encoding. Image formats
(gif, webp, apng, png) encode each frame on its own here; see ``images.py``.
"""

from __future__ import annotations

import io
import itertools
import os
from dataclasses import dataclass
from typing import Protocol

import av
import numpy as np

from parallel_animate.encode.options import VideoSettings


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


class FrameEncoder(Protocol):
    """What a worker feeds a segment's frames into."""

    frame_size: tuple[int, int] | None

    def add(self, rgba: np.ndarray) -> None: ...

    def finish(self) -> bytes | tuple[bytes, ...]: ...

    def close(self) -> None: ...


def make_segment_encoder(settings: VideoSettings, start: int) -> FrameEncoder:
    """The encoder for the segment whose first frame is ``start``."""
    if settings.kind == "video":
        return SegmentEncoder(settings)
    from parallel_animate.encode.images import ImageSegmentEncoder

    return ImageSegmentEncoder(settings, start)


def check_frame_size(before: tuple[int, int] | None, rgba: np.ndarray) -> tuple[int, int]:
    """(width, height) of ``rgba``; a ValueError if it differs from ``before``."""
    height, width = rgba.shape[:2]
    if before is not None and (width, height) != before:
        raise ValueError(
            f"the figure changed size from {before[0]}x{before[1]} to "
            f"{width}x{height} pixels; every frame of a video must have the same size"
        )
    return width, height


def padded_size(width: int, height: int, pixfmt: str) -> tuple[int, int]:
    """The frame size the pixel format can hold: odd sizes grow by one, never resized."""
    fmt = av.VideoFormat(pixfmt)
    probe = 1 << 10
    step_x = max(1, probe // fmt.chroma_width(probe))
    step_y = max(1, probe // fmt.chroma_height(probe))
    return -(-width // step_x) * step_x, -(-height // step_y) * step_y


def _decoding_order_dts(packets: list[av.Packet]) -> None:
    """Give ``packets`` (in decoding order, pts = frame numbers) valid dts if they lack it.

    Some encoders report no or nonsense dts for very short streams (x265 with one or two
    frames: uninitialised values). The dts of the i-th packet is then ``i - r``, where
    ``r`` is the reordering depth the pts order needs, which keeps dts increasing and
    never after pts.
    """
    dts = [p.dts for p in packets]
    if (
        None not in dts
        and all(a < b for a, b in itertools.pairwise(dts))
        and all(0 <= p.pts - p.dts <= len(packets) for p in packets)
    ):
        return
    depth = max(i - p.pts for i, p in enumerate(packets))
    for i, packet in enumerate(packets):
        packet.dts = i - depth


class SegmentEncoder:
    """Feed RGBA frames with :meth:`add`, then :meth:`finish` into a file object."""

    def __init__(self, settings: VideoSettings) -> None:
        self.settings = settings
        self._buffer = io.BytesIO()
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._size: tuple[int, int] | None = None  # figure pixels (w, h)
        self._padded: tuple[int, int] | None = None
        self._count = 0
        self._packets: list[av.Packet] = []

    def _open(self, width: int, height: int) -> None:
        s = self.settings
        if s.codec == "libsvtav1":
            os.environ.setdefault("SVT_LOG", "1")  # errors only, not a banner per segment
        self._container = av.open(self._buffer, "w", format=s.segment_container)
        stream = self._container.add_stream(s.codec, rate=s.fps)
        self._padded = padded_size(width, height, s.pixfmt)
        stream.width, stream.height = self._padded
        stream.pix_fmt = s.pixfmt
        stream.time_base = s.frame_duration
        # The parallelism is the segments: one encoder thread per worker.
        stream.codec_context.thread_count = 1
        stream.options = dict(s.options)
        self._stream = stream
        self._size = (width, height)

    def add(self, rgba: np.ndarray) -> None:
        """Encode one frame: an (H, W, 4) uint8 array (a view of the Agg buffer is fine)."""
        width, height = check_frame_size(self._size, rgba)
        if self._size is None:
            self._open(width, height)
        pw, ph = self._padded
        if (pw, ph) != (width, height):
            rgba = np.pad(rgba, ((0, ph - height), (0, pw - width), (0, 0)), mode="edge")
        if rgba.flags.c_contiguous and self.settings.pixfmt != "rgba":
            # No copy: the encoder converts to its pixel format (swscale) right away,
            # so the figure's buffer may be redrawn as soon as encode() returns.
            frame = av.VideoFrame.from_numpy_buffer(rgba, format="rgba")
        else:
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba")
        frame.pts = self._count
        frame.time_base = self.settings.frame_duration
        self._count += 1
        self._packets.extend(self._stream.encode(frame))

    def finish(self) -> bytes:
        """Flush the encoder and return the segment file's bytes."""
        if self._container is None:
            raise ValueError("no frames were added to the segment")
        self._packets.extend(self._stream.encode(None))
        _decoding_order_dts(self._packets)
        for packet in self._packets:
            self._container.mux(packet)
        self._packets.clear()
        self._container.close()
        self._container = None
        return self._buffer.getvalue()

    def close(self) -> None:
        """Release the encoder without producing output (after a failure)."""
        self._packets.clear()
        if self._container is not None:
            try:
                self._container.close()
            except Exception:
                pass
            self._container = None

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """(width, height) of the figure's frames, before padding."""
        return self._size

    @property
    def frame_count(self) -> int:
        return self._count
