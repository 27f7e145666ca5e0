"""The format table and up-front validation of codec, pixel format and options.

Everything here runs in the main process before any frame is rendered, so a typo in a
codec name costs milliseconds, not a render.

The output's extension picks a :class:`FormatSpec` (container, default codec, the codecs
it may hold); the codec picks a :class:`CodecSpec` (its own default options, pixel
formats, what ``quality`` and ``preset`` mean for it, and how to keep it on one thread).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from parallel_animate.util import exact_fraction

_logger = logging.getLogger("parallel_animate")

PRESETS = ("fast", "balanced", "small")


def _scale(quality: int, worst: int, best: int = 0) -> int:
    """Map quality 0..100 linearly onto a codec scale running from ``worst`` to ``best``."""
    return round(worst + (best - worst) * quality / 100)


@dataclass(frozen=True)
class CodecSpec:
    """One encoder: its own defaults, never shared with another codec."""

    name: str
    pixfmt: str
    defaults: dict[str, str]
    #: preset name ("fast", "balanced", "small") -> options
    presets: dict[str, dict[str, str]]
    #: quality 0..100 -> options; None where quality has no meaning (lossless)
    quality: Callable[[int], dict[str, str]] | None
    #: the pixel format that keeps the alpha channel; None: no alpha with this codec
    alpha_pixfmt: str | None = None
    #: "video": PyAV encoder, segments remuxed; otherwise an image format's own writer
    kind: str = "video"
    #: format of the in-memory segment files (video codecs)
    segment_container: str = "mp4"
    #: options that keep one worker's encoder on one thread, merged into the
    #: colon-separated option named by the key ("x265-params", "svtav1-params")
    one_thread: dict[str, dict[str, str]] = field(default_factory=dict)
    #: image formats: the options they understand, each with its check
    image_options: dict[str, Callable[[str], Any]] = field(default_factory=dict)
    #: image formats: the pixel formats they store (video codecs: FFmpeg's list)
    image_pixfmts: tuple[str, ...] = ()


def _int_option(name: str, low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not (value.isdigit() and low <= int(value) <= high):
            raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        return int(value)

    return parse


_NO_PRESETS: dict[str, dict[str, str]] = {"fast": {}, "balanced": {}, "small": {}}
_PNG = CodecSpec(
    name="png",
    pixfmt="rgb24",
    defaults={"compress_level": "6"},
    presets={
        "fast": {"compress_level": "1"},
        "balanced": {"compress_level": "6"},
        "small": {"compress_level": "9"},
    },
    quality=None,  # lossless
    alpha_pixfmt="rgba",
    kind="png",
    image_options={"compress_level": _int_option("compress_level", 0, 9)},
    image_pixfmts=("rgb24", "rgba"),
)


def _choice_option(name: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
        return value

    return parse


CODECS: dict[str, CodecSpec] = {
    spec.name: spec
    for spec in (
        CodecSpec(
            name="libx264",
            pixfmt="yuv420p",
            defaults={"crf": "23", "preset": "slow"},  # the seed's
            presets={
                "fast": {"preset": "veryfast"},
                "balanced": {"preset": "medium"},
                "small": {"preset": "slower"},
            },
            quality=lambda q: {"crf": str(_scale(q, 51))},
        ),
        CodecSpec(
            name="libx265",
            pixfmt="yuv420p",
            defaults={"crf": "28", "preset": "fast", "x265-params": "log-level=error"},
            presets={
                "fast": {"preset": "veryfast"},
                "balanced": {"preset": "fast"},
                "small": {"preset": "slow"},
            },
            quality=lambda q: {"crf": str(_scale(q, 51))},
            one_thread={"x265-params": {"pools": "none", "frame-threads": "1"}},
        ),
        CodecSpec(
            name="libsvtav1",
            pixfmt="yuv420p",
            defaults={"crf": "35", "preset": "8"},
            presets={
                "fast": {"preset": "10"},
                "balanced": {"preset": "8"},
                "small": {"preset": "5"},
            },
            quality=lambda q: {"crf": str(_scale(q, 63, 1))},
            one_thread={"svtav1-params": {"lp": "1"}},
        ),
        CodecSpec(
            name="libvpx-vp9",
            pixfmt="yuv420p",
            # crf with b:v 0 is vp9's constant-quality mode
            defaults={"crf": "31", "b": "0", "deadline": "good", "cpu-used": "2"},
            presets={
                "fast": {"cpu-used": "5"},
                "balanced": {"cpu-used": "2"},
                "small": {"cpu-used": "1"},
            },
            quality=lambda q: {"crf": str(_scale(q, 63)), "b": "0"},
            alpha_pixfmt="yuva420p",
            # Matroska carries vp9's alpha (BlockAdditional); MP4 would drop it.
            segment_container="webm",
        ),
        CodecSpec(
            name="prores_ks",
            pixfmt="yuv422p10le",
            # auto: HQ for 4:2:2, 4444 for 4:4:4 and alpha
            defaults={"profile": "auto"},
            presets=_NO_PRESETS,  # intra-only, one speed
            quality=lambda q: {"flags": "+qscale", "global_quality": str(118 * _scale(q, 32, 1))},
            alpha_pixfmt="yuva444p10le",
            segment_container="mov",
        ),
        CodecSpec(
            name="gif",
            pixfmt="pal8",
            # fastoctree: 40+ dB on plots and colormaps with few colours, so small LZW
            # data; mediancut is slower and spends all 256 colours (bigger files).
            defaults={"colors": "256", "quantizer": "fastoctree", "dither": "none"},
            presets=_NO_PRESETS,
            quality=lambda q: {"colors": str(_scale(q, 2, 256))},
            alpha_pixfmt="pal8",  # one palette entry is transparent
            kind="gif",
            image_options={
                "colors": _int_option("colors", 2, 256),
                "quantizer": _choice_option("quantizer", ("mediancut", "fastoctree")),
                "dither": _choice_option("dither", ("none", "floyd-steinberg")),
            },
            image_pixfmts=("pal8",),
        ),
        CodecSpec(
            name="libwebp",
            pixfmt="rgb24",
            defaults={"lossless": "1", "quality": "80", "method": "4"},
            presets={
                "fast": {"method": "1"},
                "balanced": {"method": "4"},
                "small": {"method": "6"},
            },
            quality=lambda q: {"lossless": "0", "quality": str(q)},
            alpha_pixfmt="rgba",
            kind="webp",
            image_options={
                "lossless": _int_option("lossless", 0, 1),
                "quality": _int_option("quality", 0, 100),
                "method": _int_option("method", 0, 6),
            },
            image_pixfmts=("rgb24", "rgba"),
        ),
        replace(_PNG, name="apng", kind="apng"),  # the same deflate, one file
        _PNG,
    )
}


@dataclass(frozen=True)
class FormatSpec:
    """What an output extension means: its container and the codecs it may hold."""

    label: str
    container: str | None  # FFmpeg muxer of the output (video formats)
    default_codec: str
    allowed_codecs: tuple[str, ...]
    #: the container can carry an alpha channel (MP4 cannot, whatever the codec)
    alpha: bool = True

    def alpha_codecs(self) -> tuple[str, ...]:
        if not self.alpha:
            return ()
        return tuple(c for c in self.allowed_codecs if CODECS[c].alpha_pixfmt is not None)


_VIDEO_CODECS = ("libx264", "libx265", "libvpx-vp9", "libsvtav1", "prores_ks")
_MP4_CODECS = ("libx264", "libx265", "libsvtav1", "libvpx-vp9")

FORMATS: dict[str, FormatSpec] = {
    ".mp4": FormatSpec(".mp4", "mp4", "libx264", _MP4_CODECS, alpha=False),
    ".mkv": FormatSpec(".mkv", "matroska", "libx264", _VIDEO_CODECS),
    ".mov": FormatSpec(".mov", "mov", "libx264", ("libx264", "prores_ks")),
    ".webm": FormatSpec(".webm", "webm", "libvpx-vp9", ("libvpx-vp9", "libsvtav1")),
    ".gif": FormatSpec(".gif", None, "gif", ("gif",)),
    ".webp": FormatSpec(".webp", None, "libwebp", ("libwebp",)),
    ".apng": FormatSpec(".apng", None, "apng", ("apng",)),
    ".png": FormatSpec("PNG sequence (f_%04d.png)", None, "png", ("png",)),
}

# One printf directive for the frame number, such as %d, %04d or %6d.
_FRAME_DIRECTIVE = re.compile(r"%(0?\d*)d")


@dataclass(frozen=True)
class VideoSettings:
    """Everything a worker needs to encode a segment and the main process to write it."""

    kind: str  # "video", or an image format: "gif", "webp", "apng", "png"
    container: str | None
    segment_container: str
    codec: str
    pixfmt: str
    options: dict[str, str]
    fps: Fraction
    alpha: bool = False

    @property
    def frame_duration(self) -> Fraction:
        return 1 / self.fps


def as_fps(fps: Any) -> Fraction:
    """Validate ``fps`` and return it exactly (29.97 stays 2997/100)."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float, Fraction, np.number)):
        raise TypeError(f"fps must be a number, got {type(fps).__name__}")
    if isinstance(fps, (float, np.floating)) and not np.isfinite(fps):
        raise ValueError(f"fps must be a finite number > 0, got {fps}")
    value = exact_fraction(fps)
    if value <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    return value


def is_frame_pattern(output: Path) -> bool:
    """True for a PNG sequence's file-name pattern such as ``f_%04d.png``."""
    return _FRAME_DIRECTIVE.search(output.name.replace("%%", "")) is not None


def frame_file(pattern: Path, index: int) -> Path:
    """The file of frame ``index`` of a PNG sequence pattern."""
    return pattern.with_name(pattern.name % index)


def _supported() -> str:
    return ", ".join(FORMATS[s].label for s in FORMATS)


def format_for(output: Path) -> FormatSpec:
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"unsupported output extension {output.suffix!r} for {output}; "
            f"supported: {_supported()}"
        )
    name = output.name.replace("%%", "")
    directives = _FRAME_DIRECTIVE.findall(name)
    if suffix == ".png":
        if len(directives) != 1 or name.count("%") != 1:
            raise ValueError(
                f"a .png output is a PNG sequence and needs one frame-number pattern in "
                f"its file name, such as frames/f_%04d.png; got {output.name!r}"
            )
    elif "%" in name:
        raise ValueError(
            f"a %d frame-number pattern is for PNG sequences (.png) only; got {output.name!r}"
        )
    return FORMATS[suffix]


def _check_codec(name: str, spec: FormatSpec) -> CodecSpec:
    if name not in spec.allowed_codecs:
        raise ValueError(
            f"video_codec {name!r} is not supported for {spec.label} output; "
            f"choose one of: {', '.join(spec.allowed_codecs)}"
        )
    codec = CODECS[name]
    if codec.kind == "video":
        try:
            av.codec.Codec(name, "w")
        except Exception as exc:  # UnknownCodecError and friends
            raise ValueError(
                f"video_codec {name!r} is not available in this PyAV build: {exc}"
            ) from None
    return codec


def _accepted_pixfmts(codec: CodecSpec) -> list[str]:
    if codec.kind != "video":
        return list(codec.image_pixfmts)
    return [f.name for f in (av.codec.Codec(codec.name, "w").video_formats or [])]


def _has_alpha(pixfmt: str) -> bool:
    return any(c.is_alpha for c in av.VideoFormat(pixfmt).components)


def _check_pixfmt(name: str, codec: CodecSpec) -> None:
    try:
        av.VideoFormat(name)
    except Exception:
        raise ValueError(f"video_pixfmt {name!r} is not a pixel format known to FFmpeg") from None
    accepted = _accepted_pixfmts(codec)
    if accepted and name not in accepted:
        raise ValueError(
            f"video_pixfmt {name!r} cannot be encoded by {codec.name}; "
            f"it takes: {', '.join(accepted)}"
        )


def alpha_formats() -> str:
    """The formats (and codecs) that keep transparency, for error messages and docs."""
    parts = []
    for spec in FORMATS.values():
        codecs = spec.alpha_codecs()
        if codecs and spec.container is not None:
            parts.append(f"{spec.label} ({', '.join(codecs)})")
        elif codecs:
            parts.append(spec.label)
    return ", ".join(parts)


def _resolve_alpha(
    spec: FormatSpec, codec_name: str | None, pixfmt: str | None
) -> tuple[CodecSpec, str]:
    """Codec and pixel format for a run that keeps the figure's transparency."""
    choices = spec.alpha_codecs()
    if codec_name is None:
        codec_name = spec.default_codec
        if choices and codec_name not in choices:
            codec_name = choices[0]  # .mov -> prores_ks 4444, .mkv -> vp9
    codec = _check_codec(codec_name, spec)
    if codec.name not in choices:
        what = f"{codec.name} in {spec.label}" if choices else spec.label
        use = f"use video_codec={' or '.join(map(repr, choices))}, or " if choices else ""
        raise ValueError(
            f"savefig_params ask for transparency, but {what} has no alpha channel; "
            f"{use}one of the formats with alpha: {alpha_formats()}"
        )
    pixfmt = pixfmt or codec.alpha_pixfmt
    _check_pixfmt(pixfmt, codec)
    if codec.kind != "gif" and not _has_alpha(pixfmt):  # GIF: a transparent palette entry
        raise ValueError(
            f"savefig_params ask for transparency, but video_pixfmt {pixfmt!r} has no alpha "
            f"channel; use {codec.alpha_pixfmt!r} with {codec.name}"
        )
    return codec, pixfmt


def _parse_params(value: str) -> dict[str, str]:
    """``"a=1:b=2"`` (x265-params, svtav1-params) as a dict."""
    return dict(part.partition("=")[::2] for part in value.split(":") if part)


def _merge_params(value: str, extra: dict[str, str]) -> str:
    """``"a=1:b=2"`` merged with ``extra``, whose keys win."""
    items = {**_parse_params(value), **extra}
    return ":".join(f"{k}={v}" for k, v in items.items())


def codec_options(
    codec: CodecSpec,
    quality: int | None,
    preset: str | None,
    video_params: dict[str, Any] | None,
) -> dict[str, str]:
    """The codec's defaults, then ``preset``, then ``quality``, then ``video_params``."""
    layers = [codec.defaults]
    if preset is not None:
        layers.append(codec.presets[preset])
    if quality is not None and codec.quality is not None:
        layers.append(codec.quality(quality))
    if video_params:
        layers.append({str(k): str(v) for k, v in video_params.items()})
    options: dict[str, str] = {}
    for layer in layers:
        for key, value in layer.items():
            if key in codec.one_thread and key in options:
                value = _merge_params(options[key], _parse_params(value))
            options[key] = value
    # The parallelism is the segments: one encoder thread per worker.
    for key, forced in codec.one_thread.items():
        options[key] = _merge_params(options.get(key, ""), forced)
    if codec.kind != "video":
        unknown = sorted(set(options) - set(codec.image_options))
        if unknown:
            raise ValueError(
                f"video_params key(s) {', '.join(unknown)} are not options of {codec.name}; "
                f"it takes: {', '.join(codec.image_options)}"
            )
        for key, parse in codec.image_options.items():
            try:
                parse(options[key])
            except ValueError as exc:
                raise ValueError(f"video_params for {codec.name}: {exc}") from None
    return options


def _check_options(settings: VideoSettings) -> None:
    """Open the encoder on a tiny frame so bad option values fail now, not in a worker."""
    from parallel_animate.encode.segment import make_segment_encoder

    encoder = make_segment_encoder(settings, 0)
    try:
        encoder.add(np.zeros((16, 16, 4), dtype=np.uint8))
        encoder.finish()
    except Exception as exc:
        raise ValueError(
            f"the encoder {settings.codec} rejected pixel format {settings.pixfmt!r} or "
            f"video_params {settings.options}: {exc}"
        ) from None
    finally:
        encoder.close()


def _check_quality_preset(quality: Any, preset: Any) -> None:
    if quality is not None:
        if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)):
            raise TypeError(f"quality must be an int from 0 to 100 or None, got {quality!r}")
        if not 0 <= quality <= 100:
            raise ValueError(f"quality must be from 0 to 100, got {quality}")
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)} or None; got {preset!r}")


def resolve_video_settings(
    output: Path,
    fps: Any,
    video_codec: str | None = None,
    video_pixfmt: str | None = None,
    video_params: dict[str, Any] | None = None,
    *,
    quality: int | None = None,
    preset: str | None = None,
    alpha: bool = False,
) -> VideoSettings:
    """Fill the format's defaults in and validate them, raising ValueError/TypeError.

    ``alpha``: the frames are meant to be transparent (``savefig_params``); the output
    must keep the alpha channel, or this raises a ValueError naming the formats that do.
    """
    fps_value = as_fps(fps)
    spec = format_for(output)
    if video_codec is not None and not isinstance(video_codec, str):
        raise TypeError(f"video_codec must be a str or None, got {type(video_codec).__name__}")
    if video_pixfmt is not None and not isinstance(video_pixfmt, str):
        raise TypeError(f"video_pixfmt must be a str or None, got {type(video_pixfmt).__name__}")
    if video_params is not None and not isinstance(video_params, dict):
        raise TypeError(f"video_params must be a dict or None, got {type(video_params).__name__}")
    _check_quality_preset(quality, preset)
    if alpha:
        codec, pixfmt = _resolve_alpha(spec, video_codec, video_pixfmt)
    else:
        codec = _check_codec(video_codec or spec.default_codec, spec)
        pixfmt = video_pixfmt or codec.pixfmt
        _check_pixfmt(pixfmt, codec)
    if codec.kind == "gif":
        keeps_alpha = alpha
        if fps_value > 50:
            _logger.warning(
                "GIF delays are counted in 1/100 s and most players show delays under "
                "2/100 s as 1/10 s: %s fps will play slower than meant (use .webp, .apng "
                "or a video format for more than 50 fps)",
                fps,
            )
    else:
        keeps_alpha = _has_alpha(pixfmt)
    settings = VideoSettings(
        kind=codec.kind,
        container=spec.container,
        segment_container=codec.segment_container,
        codec=codec.name,
        pixfmt=pixfmt,
        options=codec_options(codec, quality, preset, video_params),
        fps=fps_value,
        alpha=keeps_alpha,
    )
    _check_options(settings)
    return settings
