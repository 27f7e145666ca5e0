"""Encode one video segment's frames into a small in-memory container (in a worker).

Each segment is a closed, self-contained stream that starts with a keyframe, so the
main process can join segments by remuxing packets (``mux.py``), never re-encoding.
The video formats of the registry (``formats.py``) make these encoders; the image
formats have their own (``images.py``).

Frames are converted to YUV with BT.709 (limited range) here and tagged so, since
players assume BT.709 for untagged HD video (``yuv_range``, ``tag_bt709``).
"""

from __future__ import annotations

import io
import itertools
import os

import av
import numpy as np
from av.video.reformatter import (
    ColorPrimaries,
    ColorRange,
    Colorspace,
    ColorTrc,
    Interpolation,
    VideoReformatter,
)

from parallel_animate.encode.base import VideoSettings, check_frame_size
from parallel_animate.encode.codecs import VideoCodec

#: FFmpeg's AVCOL_SPC_BT709 (PyAV has no enum of AVColorSpace; its ``Colorspace`` holds
#: swscale's SWS_CS_* values)
AVCOL_SPC_BT709 = 1


def yuv_range(pixfmt: str) -> ColorRange | None:
    """The range a figure's RGB is converted to for ``pixfmt``: limited (tv) for YUV,
    full for the ``yuvj`` formats; None for RGB and grey formats (no matrix to choose).

    Players assume BT.709 for untagged HD video, so every YUV output is converted with
    BT.709 and tagged so (colour matrix, primaries, transfer and range), whatever its size.
    """
    fmt = av.VideoFormat(pixfmt)
    if fmt.is_rgb or len(fmt.components) < 3:
        return None
    return ColorRange.JPEG if pixfmt.startswith("yuvj") else ColorRange.MPEG


def tag_bt709(
    target: av.VideoFrame | av.video.codeccontext.VideoCodecContext, rng: ColorRange
) -> None:
    """Tag a frame or an encoder as BT.709 in range ``rng`` (the encoders write these
    into their bitstream's VUI / sequence header, the muxers into the container)."""
    target.colorspace = AVCOL_SPC_BT709
    target.color_primaries = ColorPrimaries.BT709
    target.color_trc = ColorTrc.BT709
    target.color_range = rng


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
    pts: list[int] = []
    for packet in packets:
        if packet.pts is None:  # the encoder was given a pts for every frame
            raise RuntimeError("the encoder returned a packet without pts")
        pts.append(packet.pts)
    dts = [p.dts for p in packets if p.dts is not None]
    if (
        len(dts) == len(packets)
        and all(a < b for a, b in itertools.pairwise(dts))
        and all(0 <= p - d <= len(packets) for p, d in zip(pts, dts, strict=True))
    ):
        return
    depth = max(i - p for i, p in enumerate(pts))
    for i, packet in enumerate(packets):
        packet.dts = i - depth


class SegmentEncoder:
    """Feed RGBA frames with :meth:`add`, then :meth:`finish` into a file object."""

    def __init__(self, settings: VideoSettings, codec: VideoCodec) -> None:
        self.settings = settings
        self.codec = codec
        self._buffer = io.BytesIO()
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._size: tuple[int, int] | None = None  # figure pixels (w, h)
        self._padded: tuple[int, int] | None = None
        self._count = 0
        self._packets: list[av.Packet] = []
        self._range = yuv_range(settings.pixfmt)
        self._reformatter = VideoReformatter()

    def _open(self, width: int, height: int) -> None:
        s = self.settings
        for name, value in self.codec.environment.items():
            os.environ.setdefault(name, value)
        self._container = av.open(self._buffer, "w", format=self.codec.segment_container)
        stream = self._container.add_stream(s.codec, rate=s.fps)
        if not isinstance(stream, av.video.stream.VideoStream):  # a codec of codecs.py
            raise TypeError(f"{s.codec} is not a video encoder")
        self._padded = padded_size(width, height, s.pixfmt)
        stream.width, stream.height = self._padded
        stream.pix_fmt = s.pixfmt
        stream.time_base = s.frame_duration
        # The parallelism is the segments: one encoder thread per worker.
        stream.codec_context.thread_count = 1
        if self._range is not None:
            tag_bt709(stream.codec_context, self._range)
        picture = self.codec.picture_options
        extra = picture(*self._padded, s.fps, s.options) if picture is not None else {}
        stream.options = {**s.options, **extra}
        self._stream = stream
        self._size = (width, height)
        # Opened now, after every setting above: FFmpeg takes the options it knows and
        # leaves the others in the dict, which would otherwise be ignored silently.
        stream.codec_context.open()
        self.codec.check_consumed(stream.codec_context.options)

    def add(self, rgba: np.ndarray) -> None:
        """Encode one frame: an (H, W, 4) uint8 array (a view of the Agg buffer is fine)."""
        width, height = check_frame_size(self._size, rgba)
        if self._size is None:
            self._open(width, height)
        # Both set by _open() on the first frame.
        assert self._stream is not None and self._padded is not None
        pw, ph = self._padded
        if (pw, ph) != (width, height):
            rgba = np.pad(rgba, ((0, ph - height), (0, pw - width), (0, 0)), mode="edge")
        if rgba.flags.c_contiguous and self.settings.pixfmt != "rgba":
            # No copy: the frame is converted to the pixel format (swscale) right away,
            # below or in encode(), so the figure's buffer may be redrawn after add().
            frame = av.VideoFrame.from_numpy_buffer(rgba, format="rgba")
        else:
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba")
        if self._range is not None:
            # Converted here, not by the encoder: PyAV's encoder converts with the
            # frame's (unset) colorspace, which swscale takes as BT.601.
            frame = self._reformatter.reformat(
                frame,
                format=self.settings.pixfmt,
                src_colorspace=Colorspace.ITU709,
                dst_colorspace=Colorspace.ITU709,
                # as the encoder did; ACCURATE_RND brings flat colours no closer (up to
                # 3 levels off either way: 8-bit limited range) and costs ~40 % more
                interpolation=Interpolation.BILINEAR,
                src_color_range=ColorRange.JPEG,
                dst_color_range=self._range,
                threads=1,
            )
            tag_bt709(frame, self._range)
        frame.pts = self._count
        frame.time_base = self.settings.frame_duration
        self._count += 1
        self._packets.extend(self._stream.encode(frame))

    def finish(self) -> bytes:
        """Flush the encoder and return the segment file's bytes."""
        if self._container is None or self._stream is None:  # both set by _open()
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
