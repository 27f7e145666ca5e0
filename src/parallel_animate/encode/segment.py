"""Encode one segment's frames into a small in-memory container (runs in a worker).

Each segment is a closed, self-contained stream that starts with a keyframe, so the
main process can join segments by remuxing packets, never re-encoding.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from parallel_animate.encode.options import VideoSettings


@dataclass(frozen=True)
class EncodedSegment:
    """A segment as it leaves the worker: a tiny container file in bytes."""

    index: int
    start: int
    n_frames: int
    width: int
    height: int
    data: bytes


def padded_size(width: int, height: int, pixfmt: str) -> tuple[int, int]:
    """The frame size the pixel format can hold: odd sizes grow by one, never resized."""
    fmt = av.VideoFormat(pixfmt)
    probe = 1 << 10
    step_x = max(1, probe // fmt.chroma_width(probe))
    step_y = max(1, probe // fmt.chroma_height(probe))
    return -(-width // step_x) * step_x, -(-height // step_y) * step_y


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

    def _open(self, width: int, height: int) -> None:
        s = self.settings
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
        height, width = rgba.shape[:2]
        if self._size is None:
            self._open(width, height)
        elif (width, height) != self._size:
            raise ValueError(
                f"the figure changed size from {self._size[0]}x{self._size[1]} to "
                f"{width}x{height} pixels; every frame of a video must have the same size"
            )
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
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def finish(self) -> bytes:
        """Flush the encoder and return the segment file's bytes."""
        if self._container is None:
            raise ValueError("no frames were added to the segment")
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        return self._buffer.getvalue()

    def close(self) -> None:
        """Release the encoder without producing output (after a failure)."""
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
