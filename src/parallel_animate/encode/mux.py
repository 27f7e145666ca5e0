"""Join encoded video segments into the output container (runs in the main process).

Packets are copied, not re-encoded. Each packet's timestamps are turned back into frame
numbers (whatever the segment container's time base: 1/12800 in MP4, 1/1000 in
Matroska), shifted by the segment's first frame and handed to the output muxer in units
of one frame, so the output runs at exactly ``fps`` with no gap or overlap.

Decoding timestamps are rebuilt as ``start + i - delay`` for the i-th packet of a
segment, with one ``delay`` (the encoder's B-frame delay, from the first segment) for
the whole file: dts then never go back at a segment join, even where a short last
segment was encoded with fewer B-frames (x264 and x265 choose no B-frames for one or
two frames).

MP4 and MOV get their index (moov) first (faststart), and HEVC the ``hvc1`` tag, so
that browsers, QuickTime and iOS play them.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av

from parallel_animate.encode.base import EncodedSegment, VideoSettings
from parallel_animate.encode.writer import FileWriter

#: muxers whose index (moov) is moved before the media data (faststart)
_INDEXED = {"mp4", "mov"}


class _Reread:
    """A read-only view of the file being written, with a position of its own.

    FFmpeg's faststart pass opens the output a second time to read what it moves. Each
    read puts the shared file object's position back, so the writer's is untouched (a
    seek also flushes what Python buffered, so the view reads what was written).
    """

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._pos = 0

    def read(self, size: int) -> bytes:
        here = self._file.tell()
        try:
            self._file.seek(self._pos)
            data = self._file.read(size)
        finally:
            self._file.seek(here)
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            offset += self._size()
        self._pos = offset
        return offset

    def _size(self) -> int:
        here = self._file.tell()
        try:
            return self._file.seek(0, io.SEEK_END)
        finally:
            self._file.seek(here)

    def tell(self) -> int:
        return self._pos

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        """The file object is the muxer's: it stays open."""


def _frame_number(ts: int, time_base: Fraction, fps: Fraction, exact: bool) -> int:
    """The frame number of timestamp ``ts``; containers with a coarse time base
    (Matroska's milliseconds) hold rounded times, which round back to the frame."""
    value = ts * time_base * fps
    number = round(value)
    if exact and value != number:
        raise RuntimeError(f"timestamp {ts} x {time_base} is not on a frame at {fps} fps")
    return number


class SegmentMuxer(FileWriter):
    """Write video segments, strictly in order, into the output container."""

    def __init__(self, settings: VideoSettings, output: Path, container: str) -> None:
        """``container``: the FFmpeg muxer of ``output`` (its format's)."""
        super().__init__(settings, output)
        # faststart: FFmpeg moves the index (moov) before the media data when it closes
        # the file, so that a browser can play it before the whole file has arrived.
        # That pass re-reads the file: through a view of our own file object, since it
        # is written through a descriptor, never reopened by name (writer.py).
        self._indexed = faststart = container in _INDEXED
        self._container = av.open(
            self.file,
            "w",
            format=container,
            options={"movflags": "+faststart"} if faststart else {},
            io_open=(lambda url, flags, options: _Reread(self.file)) if faststart else None,
        )
        self._stream: av.video.stream.VideoStream | None = None
        self._delay: int | None = None  # frames between a packet's dts and its index

    def _write(self, segment: EncodedSegment) -> None:
        fps = self.settings.fps
        # Bound before `with`: PyAV's stubs give __enter__ typing.Self, which mypy reads
        # as Any for Python 3.10.
        source = av.open(io.BytesIO(segment.container_file()), "r")
        with source:
            in_stream = source.streams.video[0]
            if self._stream is None:
                # opaque: the template's codec is a decoder (libdav1d for AV1), which
                # cannot be looked up as an encoder by name.
                self._stream = self._container.add_stream_from_template(in_stream, opaque=True)
                # A whole number of ticks per frame: the template's time base is the
                # segment's (WebM's 1/1000 for vp9), which the MP4 muxer would turn into
                # a 16000 timescale and 533/534-tick frames. 1/numerator holds every
                # frame time; MP4/MOV double it up to 10000 or more, Matroska uses ms.
                self._stream.time_base = Fraction(1, fps.numerator)
                if self._indexed and in_stream.codec_context.name == "hevc":
                    # QuickTime, Safari and iOS play HEVC tagged hvc1 (parameter sets in
                    # the sample entry) only, not FFmpeg's default hev1.
                    self._stream.codec_tag = "hvc1"
                if "alpha_mode" in in_stream.metadata:  # vp9 alpha in Matroska
                    self._stream.metadata["alpha_mode"] = in_stream.metadata["alpha_mode"]
            stream_base = in_stream.time_base
            if stream_base is None:  # FFmpeg gives every demuxed stream one
                raise RuntimeError(f"segment at frame {segment.start} has no time base")
            # a Fraction (PyAV 18) or PyAV's own rational type (PyAV 19): exact either way
            time_base = Fraction(stream_base.numerator, stream_base.denominator)
            # Time bases that hold every frame time exactly must give exact frame numbers.
            exact = (1 / (time_base * fps)).denominator == 1
            packets = []
            for packet in source.demux(in_stream):
                if packet.pts is None:
                    if packet.dts is None:
                        continue  # the demuxer's end-of-stream marker
                    raise RuntimeError(
                        f"segment at frame {segment.start} holds a packet without pts"
                    )
                frame = _frame_number(packet.pts, time_base, fps, exact)
                packets.append((packet, frame))
        frames = sorted(frame for _, frame in packets)
        if frames != list(range(segment.n_frames)):
            raise RuntimeError(
                f"segment at frame {segment.start} holds {len(packets)} packets showing "
                f"frames {frames[:5]}... for {segment.n_frames} frames"
            )
        # The decoding delay this segment needs: a packet may not be decoded after it
        # is shown.
        needs = max(i - frame for i, (_, frame) in enumerate(packets))
        if self._delay is None:
            first_dts = packets[0][0].dts
            encoder_delay = 0
            if first_dts is not None:
                encoder_delay = -_frame_number(first_dts, time_base, fps, False)
            self._delay = max(needs, min(max(encoder_delay, 0), segment.n_frames))
        elif needs > self._delay:
            raise RuntimeError(
                f"segment at frame {segment.start} needs a decoding delay of {needs} "
                f"frames, more than the {self._delay} of the first segment"
            )
        unit = 1 / fps
        for i, (packet, frame) in enumerate(packets):
            packet.time_base = unit
            packet.pts = segment.start + frame
            packet.dts = segment.start + i - self._delay
            packet.duration = 1
            packet.stream = self._stream
            self._container.mux(packet)

    def _close(self) -> None:
        """Write the trailer; the file is complete after this."""
        self._container.close()
