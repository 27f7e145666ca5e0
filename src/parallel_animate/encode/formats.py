"""The format registry: one row per output extension, one class per format.

A row is a format object: its extension, the codecs it may hold (the first one is the
default) and a few words for the docs' format table. Its class owns everything that
differs between formats: the segment encoder a worker runs, the writer the main process
runs, what the file name must look like, and the format's own rules (GIF keeps
transparency in a palette entry, and counts delays in 1/100 s).

To add a format: write its class (a :class:`VideoFormat` row needs none, only a
container; an animated image format subclasses :class:`AnimatedImageFormat` with its
frame records, see ``records.py``) and add its row to :data:`REGISTRY`. The error
messages, :func:`alpha_formats` and :func:`format_table_markdown` follow from the rows.

Format objects travel to the workers inside ``VideoSettings``: each pickles as its
registry row (the extension), like an enum member, so the codec specs' functions never
need to pickle.
"""

from __future__ import annotations

import logging
import pickle
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from parallel_animate.encode.base import FrameEncoder, SegmentWriter, VideoSettings
from parallel_animate.encode.codecs import (
    APNG,
    GIF,
    LIBSVTAV1,
    LIBVPX_VP9,
    LIBWEBP,
    LIBX264,
    LIBX265,
    PNG,
    PRORES_KS,
    CodecSpec,
    ImageCodec,
    VideoCodec,
    has_alpha,
)
from parallel_animate.encode.images import AnimationWriter, ImageSegmentEncoder, PngSequenceWriter
from parallel_animate.encode.limits import (
    ANY_FPS,
    APNG_FPS,
    GIF_FPS,
    WEBP_FPS,
    FpsLimits,
    check_fps_range,
    video_fps_limits,
)
from parallel_animate.encode.mux import SegmentMuxer
from parallel_animate.encode.nvenc import H264_NVENC
from parallel_animate.encode.options import FRAME_DIRECTIVE
from parallel_animate.encode.records import (
    AnimationRecords,
    ApngRecords,
    FrameRecords,
    GifRecords,
    PngRecords,
    WebpRecords,
)
from parallel_animate.encode.segment import SegmentEncoder

_logger = logging.getLogger("parallel_animate")

C = TypeVar("C", bound=CodecSpec)


@dataclass(frozen=True, kw_only=True, eq=False)
class Format(ABC, Generic[C]):
    """One output format, one row of the registry (compared by identity)."""

    #: the output's extension, lower case, with its dot
    suffix: str
    #: the codecs ``video_codec`` may name; the first one is the default
    codecs: tuple[C, ...]
    #: the docs' alpha cell, where the one made from the codecs says too little
    alpha_note: str | None = None
    #: every frame is encoded in the workers (the main process only joins them)
    fully_parallel: ClassVar[bool] = True

    if TYPE_CHECKING:
        # For the type checker only: a real property here would become the default of
        # VideoFormat's dataclass field of this name. The subclasses provide it (that
        # field; None in ImageFormat).
        @property
        def container(self) -> str | None:
            """FFmpeg muxer of the output file; None for a format that writes its own
            bytes."""
            ...

    @property
    def label(self) -> str:
        """The format's name in messages."""
        return self.suffix

    @property
    def default_codec(self) -> C:
        return self.codecs[0]

    def codec(self, name: str) -> C:
        """The spec of codec ``name``; a ValueError if this format cannot hold it or this
        build cannot encode it."""
        spec = self._allowed(name)
        spec.check_available()
        return spec

    def _allowed(self, name: str) -> C:
        for spec in self.codecs:
            if spec.name == name:
                return spec
        raise ValueError(
            f"video_codec {name!r} is not supported for {self.label} output; "
            f"choose one of: {', '.join(c.name for c in self.codecs)}"
        )

    def alpha_codecs(self) -> tuple[C, ...]:
        """The codecs that keep transparency in this format."""
        return tuple(c for c in self.codecs if c.alpha_pixfmt is not None)

    def alpha_description(self) -> str | None:
        """This format in the list of formats with alpha; None if it has none."""
        return self.label if self.alpha_codecs() else None

    def keeps_alpha(self, pixfmt: str, wanted: bool) -> bool:
        """Whether the output keeps the frames' alpha channel, for pixel format
        ``pixfmt`` when transparency is ``wanted`` (or not)."""
        return has_alpha(pixfmt)

    def check_name(self, output: Path) -> None:
        """A ValueError if the file name does not suit the format (a %d pattern)."""
        if "%" in output.name.replace("%%", ""):
            raise ValueError(
                f"a %d frame-number pattern is for PNG sequences (.png) only; got {output.name!r}"
            )

    def fps_limits(self, codec: C) -> FpsLimits:
        """The frame rates the output (with ``codec``) can hold (``limits.py``)."""
        return ANY_FPS

    def max_frame_size(self, codec: C) -> tuple[int, int] | None:
        """The largest frame (width, height) the output takes with ``codec``."""
        return codec.max_size

    def check_fps(self, fps: Fraction, given: Any, codec: C) -> None:
        """A ValueError for a frame rate the format cannot hold (``given``: as written)."""
        check_fps_range(fps, given, self.fps_limits(codec), f"{self.label} with {codec.name}")

    @abstractmethod
    def segment_encoder(self, settings: VideoSettings, start: int) -> FrameEncoder:
        """The worker side: an encoder for the segment whose first frame is ``start``."""

    @abstractmethod
    def writer(self, settings: VideoSettings, output: Path) -> SegmentWriter:
        """The main side: the writer that joins the segments into ``output``."""

    @abstractmethod
    def table_row(self) -> tuple[str, str, str, str, str]:
        """The docs' table cells: output, default codec and pixel format, other codecs,
        alpha, fully parallel."""

    def _other_codecs_cell(self, notes: dict[str, str]) -> str:
        return ", ".join(
            f"`{c.name}` {notes[c.name]}" if c.name in notes else f"`{c.name}`"
            for c in self.codecs[1:]
        )

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # A format pickles as its row, so workers (spawned, or on Dask) get the very
        # object of their own registry.
        if FORMATS.get(self.suffix) is not self:
            raise pickle.PicklingError(f"{self!r} is not the registry's {self.suffix} format")
        return registered, (self.suffix,)


@dataclass(frozen=True, kw_only=True, eq=False)
class VideoFormat(Format[VideoCodec]):
    """A video container: segments encoded by FFmpeg in the workers, their packets
    remuxed (never re-encoded) into the container in the main process."""

    #: FFmpeg muxer of the output
    container: str
    #: the container can carry an alpha channel (MP4 cannot, whatever the codec)
    alpha: bool = True
    #: the docs' words after a codec in "other codecs" (its pixel formats, say)
    notes: dict[str, str] = field(default_factory=dict)

    def alpha_codecs(self) -> tuple[VideoCodec, ...]:
        return super().alpha_codecs() if self.alpha else ()

    def alpha_description(self) -> str | None:
        codecs = self.alpha_codecs()
        if not codecs:
            return None
        return f"{self.label} ({', '.join(c.name for c in codecs)})"

    def fps_limits(self, codec: VideoCodec) -> FpsLimits:
        # Both the codec's segment container (vp9: WebM) and the output must hold it.
        return video_fps_limits({codec.segment_container, self.container})

    def max_frame_size(self, codec: VideoCodec) -> tuple[int, int] | None:
        w, h = codec.max_size or (2**31 - 1, 2**31 - 1)  # MP4, MOV: 16-bit sizes
        mov = {codec.segment_container, self.container} & {"mp4", "mov"}
        return (min(w, 65535), min(h, 65535)) if mov else (w, h)

    def segment_encoder(self, settings: VideoSettings, start: int) -> SegmentEncoder:
        return SegmentEncoder(settings, self._allowed(settings.codec))

    def writer(self, settings: VideoSettings, output: Path) -> SegmentMuxer:
        return SegmentMuxer(settings, output, self.container)

    def table_row(self) -> tuple[str, str, str, str, str]:
        default = self.default_codec
        alpha = ", ".join(f"`{c.name}` (`{c.alpha_pixfmt}`)" for c in self.alpha_codecs())
        return (
            f"`{self.suffix}`",
            f"`{default.name}`, `{default.pixfmt}`",
            self._other_codecs_cell(self.notes),
            self.alpha_note or (f"yes: {alpha}" if alpha else "no"),
            "yes" if self.fully_parallel else "no",
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class ImageFormat(Format[ImageCodec]):
    """An image format: each frame encoded on its own in the workers (Pillow) into a
    frame record (``records.py``); the main process only writes what they send."""

    #: FFmpeg plays no part in writing the output
    container: ClassVar[None] = None
    #: the frame records of the format
    records: ClassVar[type[FrameRecords]]
    #: the docs' words after the default codec (else: its pixel format)
    summary: str | None = None

    def segment_encoder(self, settings: VideoSettings, start: int) -> ImageSegmentEncoder:
        return ImageSegmentEncoder(settings, start, self.records(settings))

    def table_row(self) -> tuple[str, str, str, str, str]:
        default = self.default_codec
        alpha = ", ".join(f"`{c.alpha_pixfmt}`" for c in self.alpha_codecs())
        return (
            f"`{self.suffix}`",
            f"`{default.name}`: {self.summary or f'`{default.pixfmt}`'}",
            self._other_codecs_cell({}),
            self.alpha_note or (f"yes ({alpha})" if alpha else "no"),
            "yes" if self.fully_parallel else "no",
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class AnimatedImageFormat(ImageFormat):
    """One animated file: a header, every frame's record, a trailer."""

    records: ClassVar[type[AnimationRecords]]

    def writer(self, settings: VideoSettings, output: Path) -> AnimationWriter:
        return AnimationWriter(settings, output, self.records(settings))


@dataclass(frozen=True, kw_only=True, eq=False)
class GifFormat(AnimatedImageFormat):
    """Animated GIF: a palette per frame; transparency is one palette entry."""

    records = GifRecords

    def keeps_alpha(self, pixfmt: str, wanted: bool) -> bool:
        return wanted  # pal8 has no alpha channel, a transparent palette entry does it

    def fps_limits(self, codec: ImageCodec) -> FpsLimits:
        return GIF_FPS

    def check_fps(self, fps: Fraction, given: Any, codec: ImageCodec) -> None:
        super().check_fps(fps, given, codec)
        if fps > 50:
            _logger.warning(
                "GIF delays are counted in 1/100 s and most players show delays under "
                "2/100 s as 1/10 s: %s fps will play slower than meant (use .webp, .apng "
                "or a video format for more than 50 fps)",
                given,
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class WebpFormat(AnimatedImageFormat):
    """Animated WebP: VP8L (lossless) or VP8 frames in ANMF chunks."""

    records = WebpRecords

    def fps_limits(self, codec: ImageCodec) -> FpsLimits:
        return WEBP_FPS


@dataclass(frozen=True, kw_only=True, eq=False)
class ApngFormat(AnimatedImageFormat):
    """Animated PNG: deflated frames in fcTL/fdAT chunks."""

    records = ApngRecords

    def fps_limits(self, codec: ImageCodec) -> FpsLimits:
        return APNG_FPS


@dataclass(frozen=True, kw_only=True, eq=False)
class PngSequenceFormat(ImageFormat):
    """One PNG file per frame, named by a printf pattern such as ``f_%04d.png``."""

    records = PngRecords
    #: a pattern, for messages and the docs
    example: ClassVar[str] = "f_%04d.png"

    @property
    def label(self) -> str:
        return f"PNG sequence ({self.example})"

    def check_name(self, output: Path) -> None:
        name = output.name.replace("%%", "")
        if len(FRAME_DIRECTIVE.findall(name)) != 1 or name.count("%") != 1:
            raise ValueError(
                f"a .png output is a PNG sequence and needs one frame-number pattern in "
                f"its file name, such as frames/{self.example}; got {output.name!r}"
            )

    def writer(self, settings: VideoSettings, output: Path) -> PngSequenceWriter:
        return PngSequenceWriter(settings, output)

    def table_row(self) -> tuple[str, str, str, str, str]:
        return (f"`{self.example}` (PNG sequence)", *super().table_row()[1:])


_VIDEO_CODECS = (LIBX264, LIBX265, LIBVPX_VP9, LIBSVTAV1, PRORES_KS, H264_NVENC)

#: one row per extension, in the order of messages and docs
REGISTRY: tuple[Format[Any], ...] = (
    VideoFormat(
        suffix=".mp4",
        container="mp4",
        codecs=(LIBX264, LIBX265, LIBSVTAV1, LIBVPX_VP9, H264_NVENC),
        alpha=False,
    ),
    VideoFormat(suffix=".mkv", container="matroska", codecs=_VIDEO_CODECS),
    VideoFormat(
        suffix=".mov",
        container="mov",
        codecs=(LIBX264, PRORES_KS, H264_NVENC),
        notes={"prores_ks": "(`yuv422p10le`, `yuv444p10le`, `yuva444p10le`)"},
        alpha_note="yes: `prores_ks` 4444",
    ),
    VideoFormat(suffix=".webm", container="webm", codecs=(LIBVPX_VP9, LIBSVTAV1)),
    GifFormat(
        suffix=".gif",
        codecs=(GIF,),
        summary="a palette of up to 256 colours per frame",
        alpha_note="yes (on/off per pixel)",
    ),
    WebpFormat(suffix=".webp", codecs=(LIBWEBP,), summary="lossless, `rgb24`"),
    ApngFormat(suffix=".apng", codecs=(APNG,)),
    PngSequenceFormat(
        suffix=".png", codecs=(PNG,), summary="`rgb24`, pixels identical to the figure's"
    ),
)

#: the rows by extension
FORMATS: dict[str, Format[Any]] = {row.suffix: row for row in REGISTRY}


def registered(suffix: str) -> Format[Any]:
    """The registry's format for extension ``suffix`` (how a format unpickles)."""
    return FORMATS[suffix]


def format_for(output: Path) -> Format[Any]:
    """The format of ``output``, from its extension; a ValueError for an unknown one or
    a file name that does not suit it."""
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"unsupported output extension {output.suffix!r} for {output}; "
            f"supported: {', '.join(row.label for row in REGISTRY)}"
        )
    fmt.check_name(output)
    return fmt


def alpha_formats() -> str:
    """The formats (and codecs) that keep transparency, for error messages and docs."""
    return ", ".join(d for row in REGISTRY if (d := row.alpha_description()) is not None)


def format_table_markdown() -> str:
    """The docs' table of formats, one line per row (each ending in a newline)."""
    header = ("output", "default codec, pixel format", "other codecs", "alpha", "fully parallel")
    rows = [header, ("---",) * len(header), *(row.table_row() for row in REGISTRY)]
    # An empty cell is written "| |", as the docs have it.
    return "".join("|" + "|".join(f" {c} " if c else " " for c in r) + "|\n" for r in rows)
