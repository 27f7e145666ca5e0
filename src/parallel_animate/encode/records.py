"""Frame records of the animated image formats and PNG sequences: what a worker makes of
each frame, and what the main process puts around them.

Each frame is compressed in the worker as a still image with Pillow (GIF: quantised to
its own palette and LZW-coded; WebP: VP8/VP8L; PNG: deflate) and cut out of that still
file as the animation's frame record, with its delay, so the main process only writes
the file's header, joins the records and writes the trailer (``images.py``): every
format is fully parallel.

A record depends only on its frame's index, pixels and rectangle (and, for GIF, which
pixels changed since the previous frame), never on another frame's record, so a
segment never depends on an earlier one's records.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from abc import ABC, abstractmethod
from fractions import Fraction
from typing import BinaryIO

import numpy as np
from PIL import Image

from parallel_animate.encode.base import VideoSettings
from parallel_animate.encode.palette import Quantizer

Box = tuple[int, int, int, int]  # left, top, right, bottom


def frame_time(index: int, fps: Fraction, unit: int) -> int:
    """Start of frame ``index`` in 1/``unit`` s, rounded half up: delays made of these
    differences add up to the exact duration (GIF: 3, 3, 4, 3, 3, 4 cs at 30 fps)."""
    return math.floor(Fraction(index * unit) / fps + Fraction(1, 2))


def frame_delay(index: int, fps: Fraction, unit: int) -> int:
    return frame_time(index + 1, fps, unit) - frame_time(index, fps, unit)


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, payload) of each chunk of a PNG file."""
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def _png_chunk(tag: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(tag + payload)
    return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)


def _riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(fourcc, payload) of each chunk of a RIFF/WebP file."""
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        tag = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append((tag, data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return chunks


def _riff_chunk(tag: bytes, payload: bytes) -> bytes:
    return tag + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) & 1)


def _skip_gif_blocks(data: bytes, pos: int) -> int:
    """Position after the data sub-blocks starting at ``pos`` (and their terminator)."""
    while data[pos]:
        pos += data[pos] + 1
    return pos + 1


class FrameRecords(ABC):
    """One format's frame records: what a worker makes of each frame (:meth:`encode`)."""

    #: every frame covers the whole canvas (else later frames of a segment cover only
    #: the rectangle that changed)
    whole_frames = False
    #: the previous segment's last frame, given, lets the first frame write only the
    #: pixels that changed (else the first frame of a segment covers the canvas)
    uses_previous = False

    def __init__(self, settings: VideoSettings) -> None:
        self.alpha = settings.alpha
        self.fps = settings.fps

    @abstractmethod
    def encode(
        self, index: int, pixels: np.ndarray, box: Box, changed: np.ndarray | None = None
    ) -> bytes:
        """The record of frame ``index``: ``pixels`` (RGB, or RGBA with alpha) inside
        ``box`` (left, top, right, bottom); ``changed`` (the box's shape, bool): the
        pixels that differ from the previous frame's (None: the first of a segment)."""


class AnimationRecords(FrameRecords):
    """The records of one animated file, and what the main process puts around them."""

    @abstractmethod
    def header(self, width: int, height: int) -> bytes:
        """The file's start, written before the first record."""

    @abstractmethod
    def finish(self, file: BinaryIO, n_frames: int) -> None:
        """Complete the file after the last record (trailer, sizes known only now)."""


class GifRecords(AnimationRecords):
    """Frame records of an animated GIF: Graphic Control Extension + image with its own
    palette (``palette.py``). A later frame of a segment writes only the pixels that
    changed and leaves the others transparent, so they show exactly what they showed
    (no flicker from a new palette); so does a segment's first frame, given the frame
    before it (the worker draws the segment's lead). Transparent output: pixels with
    alpha < 128 are transparent, and every frame is a whole canvas that is cleared after
    it is shown."""

    def __init__(self, settings: VideoSettings) -> None:
        super().__init__(settings)
        options = settings.options
        self.whole_frames = self.alpha
        self.uses_previous = not self.alpha
        self.quantizer = Quantizer(
            int(options["colors"]), options["quantizer"], options["dither"] != "none"
        )

    def encode(
        self, index: int, pixels: np.ndarray, box: Box, changed: np.ndarray | None = None
    ) -> bytes:
        left, top, right, bottom = box
        crop = pixels[top:bottom, left:right]
        keep = crop[..., 3] >= 128 if self.alpha else changed
        indices, palette, transparent = self.quantizer.quantize(crop[..., :3], keep)
        paletted = Image.fromarray(indices, "P")
        entries = palette.tobytes() + (b"\0\0\0" if transparent is not None else b"")
        paletted.putpalette(entries)
        buffer = io.BytesIO()
        paletted.save(buffer, "GIF", optimize=False, interlace=False)
        data = buffer.getvalue()
        # The still file: header, screen descriptor, its palette, then the image.
        flags = data[10]
        pos = 13
        palette_bytes, bits = b"", 0
        if flags & 0x80:
            bits = flags & 7
            palette_bytes = data[pos : pos + (3 << (bits + 1))]
            pos += len(palette_bytes)
        while data[pos] == 0x21:  # extensions
            pos = _skip_gif_blocks(data, pos + 2)
        local_flags = data[pos + 9]
        pos += 10
        if local_flags & 0x80:
            bits = local_flags & 7
            palette_bytes = data[pos : pos + (3 << (bits + 1))]
            pos += len(palette_bytes)
        image_data = data[pos : _skip_gif_blocks(data, pos + 1)]
        disposal = 2 if self.alpha else 1  # 2: cleared after showing, 1: kept
        packed = (disposal << 2) | (1 if transparent is not None else 0)
        control = struct.pack(
            "<BBBBHBB",
            0x21,
            0xF9,
            4,
            packed,
            frame_delay(index, self.fps, 100),
            transparent or 0,
            0,
        )
        descriptor = struct.pack(
            "<BHHHHB", 0x2C, left, top, right - left, bottom - top, 0x80 | bits
        )
        return control + descriptor + palette_bytes + image_data

    def header(self, width: int, height: int) -> bytes:
        screen = struct.pack("<6sHHBBB", b"GIF89a", width, height, 0, 0, 0)
        loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\0"
        return screen + loop

    def finish(self, file: BinaryIO, n_frames: int) -> None:
        file.write(b"\x3b")  # trailer


class WebpRecords(AnimationRecords):
    """ANMF records of an animated WebP: a still WebP's image chunks with position,
    duration in ms, and 'do not blend' so each frame replaces its rectangle."""

    def __init__(self, settings: VideoSettings) -> None:
        super().__init__(settings)
        options = settings.options
        self.params = {
            "lossless": options["lossless"] == "1",
            "quality": int(options["quality"]),
            "method": int(options["method"]),
            "exact": True,
        }

    def encode(
        self, index: int, pixels: np.ndarray, box: Box, changed: np.ndarray | None = None
    ) -> bytes:
        left, top, right, bottom = box
        left, top = left & ~1, top & ~1  # WebP frame offsets are even
        crop = np.ascontiguousarray(pixels[top:bottom, left:right])
        image = Image.fromarray(crop, "RGBA" if self.alpha else "RGB")
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", **self.params)
        frame_chunks = b"".join(
            _riff_chunk(tag, payload)
            for tag, payload in _riff_chunks(buffer.getvalue())
            if tag in (b"ALPH", b"VP8 ", b"VP8L")
        )
        width, height = right - left, bottom - top
        delay = frame_delay(index, self.fps, 1000)
        header = b"".join(
            v.to_bytes(3, "little") for v in (left // 2, top // 2, width - 1, height - 1, delay)
        )
        return _riff_chunk(b"ANMF", header + b"\x02" + frame_chunks)

    def header(self, width: int, height: int) -> bytes:
        flags = 0x02 | (0x10 if self.alpha else 0)  # animation, alpha
        vp8x = bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little")
        vp8x += (height - 1).to_bytes(3, "little")
        anim = b"\xff\xff\xff\x00" + struct.pack("<H", 0)  # background, loop forever
        # The RIFF size is written by finish().
        return b"RIFF\0\0\0\0WEBP" + _riff_chunk(b"VP8X", vp8x) + _riff_chunk(b"ANIM", anim)

    def finish(self, file: BinaryIO, n_frames: int) -> None:
        size = file.tell()
        file.seek(4)
        file.write(struct.pack("<I", size - 8))


class ApngRecords(AnimationRecords):
    """fcTL + IDAT/fdAT records of an APNG; sequence numbers follow from the frame index
    (frame i >= 1: fcTL 2i - 1, fdAT 2i), so workers write them without coordination."""

    def __init__(self, settings: VideoSettings) -> None:
        super().__init__(settings)
        self.compress_level = int(settings.options["compress_level"])
        delay = (1 / settings.fps).limit_denominator(65535)
        if delay.numerator > 65535:  # a frame longer than 65535 s
            delay = Fraction(65535)
        self.delay = delay

    def encode(
        self, index: int, pixels: np.ndarray, box: Box, changed: np.ndarray | None = None
    ) -> bytes:
        left, top, right, bottom = box
        data = _encode_png(pixels[top:bottom, left:right], self.compress_level)
        image = b"".join(payload for tag, payload in _png_chunks(data) if tag == b"IDAT")
        control = struct.pack(
            ">IIIIIHHBB",
            0 if index == 0 else 2 * index - 1,
            right - left,
            bottom - top,
            left,
            top,
            self.delay.numerator,
            self.delay.denominator,
            0,  # dispose: none
            0,  # blend: source (replace the rectangle)
        )
        if index == 0:
            return _png_chunk(b"fcTL", control) + _png_chunk(b"IDAT", image)
        return _png_chunk(b"fcTL", control) + _png_chunk(
            b"fdAT", struct.pack(">I", 2 * index) + image
        )

    def header(self, width: int, height: int) -> bytes:
        color_type = 6 if self.alpha else 2
        ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
        # acTL holds the frame count, written by finish().
        return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + self._animation_control(0)

    @staticmethod
    def _animation_control(n_frames: int) -> bytes:
        return _png_chunk(b"acTL", struct.pack(">II", n_frames, 0))  # 0: loop forever

    def finish(self, file: BinaryIO, n_frames: int) -> None:
        file.write(_png_chunk(b"IEND", b""))
        file.seek(8 + 25)  # after the signature and IHDR
        file.write(self._animation_control(n_frames))


class PngRecords(FrameRecords):
    """Each frame a whole PNG file (a PNG sequence)."""

    whole_frames = True

    def __init__(self, settings: VideoSettings) -> None:
        super().__init__(settings)
        self.compress_level = int(settings.options["compress_level"])

    def encode(
        self, index: int, pixels: np.ndarray, box: Box, changed: np.ndarray | None = None
    ) -> bytes:
        return _encode_png(pixels, self.compress_level)


def _encode_png(pixels: np.ndarray, compress_level: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(
        buffer, "PNG", compress_level=compress_level
    )
    return buffer.getvalue()
