"""Join encoded segments into the output container (runs in the main process).

Packets are copied, not re-encoded: each segment's timestamps are shifted by the
segment's first frame so the output runs at exactly ``fps`` with no gap or overlap.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av

from parallel_animate.encode.options import VideoSettings
from parallel_animate.encode.segment import EncodedSegment


class SegmentMuxer:
    """Write segments, strictly in order, into ``path``."""

    def __init__(self, settings: VideoSettings, path: Path) -> None:
        self.settings = settings
        self.path = path
        self._container = av.open(str(path), "w", format=settings.container)
        self._stream: av.video.stream.VideoStream | None = None
        self._size: tuple[int, int] | None = None
        self._next_frame = 0
        self.frames_written = 0

    def add(self, segment: EncodedSegment) -> None:
        if segment.start != self._next_frame:
            raise RuntimeError(
                f"segment starting at frame {segment.start} arrived, expected frame "
                f"{self._next_frame}"
            )
        size = (segment.width, segment.height)
        if self._size is None:
            self._size = size
        elif size != self._size:
            raise RuntimeError(
                f"frames {segment.start}-{segment.start + segment.n_frames - 1} are "
                f"{size[0]}x{size[1]} pixels but earlier frames are "
                f"{self._size[0]}x{self._size[1]}: did a worker's figure change size?"
            )
        with av.open(io.BytesIO(segment.data), "r") as source:
            in_stream = source.streams.video[0]
            if self._stream is None:
                self._stream = self._container.add_stream_from_template(in_stream)
            offset = Fraction(segment.start) / self.settings.fps / in_stream.time_base
            if offset.denominator != 1:
                raise RuntimeError(
                    f"frame {segment.start} does not fall on the segment time base "
                    f"{in_stream.time_base}"
                )
            shift = int(offset)
            count = 0
            for packet in source.demux(in_stream):
                if packet.dts is None and packet.pts is None:
                    continue  # the demuxer's end-of-stream marker
                if packet.pts is not None:
                    packet.pts += shift
                if packet.dts is not None:
                    packet.dts += shift
                packet.stream = self._stream
                self._container.mux(packet)
                count += 1
        if count != segment.n_frames:
            raise RuntimeError(
                f"segment at frame {segment.start} holds {count} packets for "
                f"{segment.n_frames} frames"
            )
        self._next_frame += segment.n_frames
        self.frames_written += segment.n_frames

    def close(self) -> None:
        """Write the trailer; the file is complete after this."""
        self._container.close()

    def abort(self) -> None:
        """Close without caring about the result (the caller deletes the file)."""
        try:
            self._container.close()
        except Exception:
            pass
