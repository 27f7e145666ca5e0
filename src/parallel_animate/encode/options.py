"""The format table and up-front validation of codec, pixel format and options.

Everything here runs in the main process before any frame is rendered, so a typo in a
codec name costs milliseconds, not a render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np


@dataclass(frozen=True)
class FormatSpec:
    """What an output extension means: container, default codec and its defaults."""

    container: str
    default_codec: str
    default_pixfmt: str
    allowed_codecs: tuple[str, ...]
    # Codec options by codec: never one dict for all codecs.
    codec_defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    # Format of the in-memory segment files the workers produce.
    segment_container: str = "mp4"


_X264_DEFAULTS = {"crf": "23", "preset": "slow"}

FORMATS: dict[str, FormatSpec] = {
    ".mp4": FormatSpec(
        container="mp4",
        default_codec="libx264",
        default_pixfmt="yuv420p",
        allowed_codecs=("libx264",),
        codec_defaults={"libx264": _X264_DEFAULTS},
    ),
}


@dataclass(frozen=True)
class VideoSettings:
    """Everything a worker needs to encode a segment and the main process to mux it."""

    container: str
    segment_container: str
    codec: str
    pixfmt: str
    options: dict[str, str]
    fps: Fraction

    @property
    def frame_duration(self) -> Fraction:
        return 1 / self.fps


def as_fps(fps: Any) -> Fraction:
    """Validate ``fps`` and return it exactly (29.97 stays 2997/100)."""
    if isinstance(fps, bool) or not isinstance(fps, (int, float, Fraction, np.number)):
        raise TypeError(f"fps must be a number, got {type(fps).__name__}")
    if isinstance(fps, Fraction):
        value = fps
    elif isinstance(fps, (int, np.integer)):
        value = Fraction(int(fps))
    else:
        if not np.isfinite(fps):
            raise ValueError(f"fps must be a finite number > 0, got {fps}")
        value = Fraction(repr(float(fps)))
    if value <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    return value


def format_for(output: Path) -> FormatSpec:
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"unsupported output extension {output.suffix!r} for {output}; "
            f"supported: {', '.join(sorted(FORMATS))}"
        )
    return FORMATS[suffix]


def _check_codec(name: str, spec: FormatSpec) -> av.codec.Codec:
    if name not in spec.allowed_codecs:
        raise ValueError(
            f"video_codec {name!r} is not supported for .{spec.container} output; "
            f"choose one of: {', '.join(spec.allowed_codecs)}"
        )
    try:
        codec = av.codec.Codec(name, "w")
    except Exception as exc:  # UnknownCodecError and friends
        raise ValueError(
            f"video_codec {name!r} is not available in this PyAV build: {exc}"
        ) from None
    if codec.type != "video":
        raise ValueError(f"video_codec {name!r} is not a video codec")
    return codec


def _check_pixfmt(name: str, codec: av.codec.Codec) -> None:
    try:
        av.VideoFormat(name)
    except Exception:
        raise ValueError(f"video_pixfmt {name!r} is not a pixel format known to FFmpeg") from None
    accepted = [f.name for f in (codec.video_formats or [])]
    if accepted and name not in accepted:
        raise ValueError(
            f"video_pixfmt {name!r} cannot be encoded by {codec.name}; "
            f"it takes: {', '.join(accepted)}"
        )


def _check_options(settings: VideoSettings) -> None:
    """Open the encoder on a tiny frame so bad option values fail now, not in a worker."""
    from parallel_animate.encode.segment import SegmentEncoder

    encoder = SegmentEncoder(settings)
    try:
        encoder.add(np.zeros((16, 16, 4), dtype=np.uint8))
        encoder.finish()
    except Exception as exc:
        raise ValueError(
            f"the encoder {settings.codec} rejected pixel format {settings.pixfmt!r} or "
            f"video_params {settings.options}: {exc}"
        ) from None


def resolve_video_settings(
    output: Path,
    fps: Any,
    video_codec: str | None = None,
    video_pixfmt: str | None = None,
    video_params: dict[str, Any] | None = None,
) -> VideoSettings:
    """Fill the format's defaults in and validate them, raising ValueError/TypeError."""
    fps_value = as_fps(fps)
    spec = format_for(output)
    if video_codec is not None and not isinstance(video_codec, str):
        raise TypeError(f"video_codec must be a str or None, got {type(video_codec).__name__}")
    if video_pixfmt is not None and not isinstance(video_pixfmt, str):
        raise TypeError(f"video_pixfmt must be a str or None, got {type(video_pixfmt).__name__}")
    if video_params is not None and not isinstance(video_params, dict):
        raise TypeError(f"video_params must be a dict or None, got {type(video_params).__name__}")
    codec_name = video_codec or spec.default_codec
    codec = _check_codec(codec_name, spec)
    pixfmt = video_pixfmt or spec.default_pixfmt
    _check_pixfmt(pixfmt, codec)
    options = dict(spec.codec_defaults.get(codec_name, {}))
    if video_params is not None:
        options.update({str(k): str(v) for k, v in video_params.items()})
    settings = VideoSettings(
        container=spec.container,
        segment_container=spec.segment_container,
        codec=codec_name,
        pixfmt=pixfmt,
        options=options,
        fps=fps_value,
    )
    _check_options(settings)
    return settings
