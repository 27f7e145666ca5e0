"""Up-front validation: the user's output, codec, pixel format and options turned into the
:class:`~parallel_animate.encode.base.VideoSettings` every worker gets.

Everything here runs in the main process before any frame is rendered, so a typo in a
codec name costs milliseconds, not a render. The output's extension picks a format of
the registry (``formats.py``); the format says which codecs it may hold; the codec
(``codecs.py``) gives its own defaults, pixel formats and options; the chosen encoder is
then opened on a tiny frame so that FFmpeg rejects bad option values now.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from parallel_animate.encode.base import VideoSettings, make_segment_encoder
from parallel_animate.encode.codecs import CodecSpec, UnknownOptionError
from parallel_animate.encode.formats import Format, alpha_formats, format_for
from parallel_animate.encode.nvenc import H264_NVENC, PROBE_SIDE
from parallel_animate.encode.options import as_fps, check_quality_preset


def _resolve_alpha(
    fmt: Format[Any], codec_name: str | None, pixfmt: str | None
) -> tuple[CodecSpec, str]:
    """Codec and pixel format for a run that keeps the figure's transparency."""
    choices = fmt.alpha_codecs()
    if codec_name is None:
        codec_name = fmt.default_codec.name
        if choices and fmt.default_codec not in choices:
            codec_name = choices[0].name  # .mov -> prores_ks 4444, .mkv -> vp9
    codec = fmt.codec(codec_name)
    if codec not in choices:
        names = [c.name for c in choices]
        what = f"{codec.name} in {fmt.label}" if choices else fmt.label
        use = f"use video_codec={' or '.join(map(repr, names))}, or " if choices else ""
        raise ValueError(
            f"savefig_params ask for transparency, but {what} has no alpha channel; "
            f"{use}one of the formats with alpha: {alpha_formats()}"
        )
    pixfmt = pixfmt or codec.alpha_pixfmt
    codec.check_pixfmt(pixfmt)
    if not fmt.keeps_alpha(pixfmt, True):
        raise ValueError(
            f"savefig_params ask for transparency, but video_pixfmt {pixfmt!r} has no alpha "
            f"channel; use {codec.alpha_pixfmt!r} with {codec.name}"
        )
    return codec, pixfmt


def _check_options(settings: VideoSettings) -> None:
    """Open the encoder on a small frame so bad option values fail now, not in a worker."""
    encoder = make_segment_encoder(settings, 0)
    side = PROBE_SIDE if settings.codec == H264_NVENC.name else 16  # NVENC: no tiny frames
    try:
        encoder.add(np.zeros((side, side, 4), dtype=np.uint8))
        encoder.finish()
    except UnknownOptionError:
        raise  # names the options already
    except Exception as exc:
        raise ValueError(
            f"the encoder {settings.codec} rejected pixel format {settings.pixfmt!r} or "
            f"video_params {settings.options}: {exc}"
        ) from None
    finally:
        encoder.close()


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
    fmt = format_for(output)
    if video_codec is not None and not isinstance(video_codec, str):
        raise TypeError(f"video_codec must be a str or None, got {type(video_codec).__name__}")
    if video_pixfmt is not None and not isinstance(video_pixfmt, str):
        raise TypeError(f"video_pixfmt must be a str or None, got {type(video_pixfmt).__name__}")
    if video_params is not None and not isinstance(video_params, dict):
        raise TypeError(f"video_params must be a dict or None, got {type(video_params).__name__}")
    check_quality_preset(quality, preset)
    if alpha:
        codec, pixfmt = _resolve_alpha(fmt, video_codec, video_pixfmt)
    else:
        codec = fmt.codec(video_codec or fmt.default_codec.name)
        pixfmt = video_pixfmt or codec.pixfmt
        codec.check_pixfmt(pixfmt)
    fmt.check_fps(fps_value, fps, codec)
    settings = VideoSettings(
        format=fmt,
        codec=codec.name,
        pixfmt=pixfmt,
        options=codec.layered_options(quality, preset, video_params),
        fps=fps_value,
        alpha=fmt.keeps_alpha(pixfmt, alpha),
        max_size=fmt.max_frame_size(codec),
    )
    _check_options(settings)
    return settings
