"""parallel-matplotlib-animation 0.1.3+'s keywords, mapped onto this package's options.

0.1.3 replaced ``video_codec``, ``video_pixfmt`` and ``video_params`` with
``video_mode`` ("auto", "gpu", "cpu"), ``video_quality`` (the H.264 quantiser scale,
0-51, lower is better; 20 when None), ``video_preset`` (x264 presets on the CPU, NVENC
``p1``-``p7`` on the GPU) and ``video_extra_ffmpeg_params`` (raw FFmpeg arguments).
Users who switch from it keep their calls: :func:`resolve_upstream` turns those
keywords into a codec, a pixel format and codec options, before any frame is rendered
(the NVENC probe included). Giving one thing in both spellings is a ValueError.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from parallel_animate.encode.codecs import CodecSpec, ImageCodec
from parallel_animate.encode.formats import format_for
from parallel_animate.encode.nvenc import H264_NVENC, nvenc_error, nvenc_sessions

_logger = logging.getLogger("parallel_animate")

VIDEO_MODES = ("auto", "gpu", "cpu")
X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast",
    "medium", "slow", "slower", "veryslow", "placebo",
)  # fmt: skip
NVENC_PRESETS = tuple(f"p{i}" for i in range(1, 8))
#: 0.1.3+'s libx264 settings (its GPU ones are ``H264_NVENC.defaults``)
X264_DEFAULTS = {"crf": "20", "preset": "slow", "profile": "high"}
#: the options ``video_quality`` sets, by codec (others: through ``quality``)
_QUANTISER = {"libx264": ("crf",), "libx265": ("crf",), "h264_nvenc": ("rc", "qp")}
#: FFmpeg arguments that are not codec options, and what to use instead
_NOT_OPTIONS = {
    "c": "video_mode or video_codec",
    "codec": "video_mode or video_codec",
    "vcodec": "video_mode or video_codec",
    "r": "make_video's fps",
    "framerate": "make_video's fps",
    "s": "the figure's size and savefig_params' dpi",
    "vf": "the figure itself (no filters are run)",
    "filter": "the figure itself (no filters are run)",
    "f": "the output's extension",
    "threads": "nothing: each worker's encoder has one thread, the segments are the parallelism",
}


_TOPICS = {"video_codec": "encoder", "video_params": "encoder's options"}


@dataclass(frozen=True)
class UpstreamChoice:
    """What the 0.1.3+ keywords decide: the 0.1.2 options they stand for."""

    video_codec: str | None
    video_pixfmt: str | None
    video_params: dict[str, str] | None
    #: at most this many workers (the NVENC sessions); None: no limit
    max_workers: int | None = None


def _option_names(codec: str) -> set[str]:
    options = av.codec.context.CodecContext.create(codec, "w").supported_options
    return {o.name for o in (*options.private, *options.generic)}


def check_mixed(given: dict[str, Any]) -> None:
    """A ValueError for the same thing given in the 0.1.2 and the 0.1.3+ spelling."""
    pairs = (
        ("video_codec", "video_mode"),
        ("video_params", "video_quality"),
        ("video_params", "video_preset"),
        ("video_params", "video_extra_ffmpeg_params"),
        ("quality", "video_quality"),
        ("preset", "video_preset"),
    )
    for old, new in pairs:
        if given.get(old) is not None and given.get(new) is not None:
            what = _TOPICS.get(old, old)
            origin = "the 0.1.2 spelling" if old in _TOPICS else "this package's own"
            raise ValueError(
                f"{old} and {new} both set the {what}: {old} is "
                f"{origin}, {new} "
                "that of parallel-matplotlib-animation 0.1.3+; give one of them"
            )


def _check_types(mode: Any, quality: Any, preset: Any, extra: Any) -> None:
    if mode is not None and mode not in VIDEO_MODES:
        raise ValueError(f"video_mode must be 'auto', 'gpu' or 'cpu', got {mode!r}")
    if quality is not None:
        if isinstance(quality, bool) or not isinstance(quality, int):
            raise TypeError(f"video_quality must be an int from 0 to 51 or None, got {quality!r}")
        if not 0 <= quality <= 51:
            raise ValueError(f"video_quality is H.264's quantiser scale, 0 to 51; got {quality}")
    if preset is not None and not isinstance(preset, str):
        raise TypeError(f"video_preset must be a str or None, got {preset!r}")
    if extra is not None and (
        isinstance(extra, str)
        or not isinstance(extra, Sequence)
        or not all(isinstance(a, str) for a in extra)
    ):
        raise TypeError(
            f"video_extra_ffmpeg_params must be a list of str such as ['-g', '10'], got {extra!r}"
        )


def parse_extra(args: Sequence[str], codec: str) -> tuple[dict[str, str], str | None]:
    """``["-g", "10", "-pix_fmt", "yuv444p"]`` as (codec options, pixel format).

    A codec option of ``codec`` (its own or FFmpeg's generic ones: ``-g``, ``-bf``,
    ``-tune``, ``-crf``, ``-profile:v``, ``-x264-params`` ...) becomes that option;
    ``-pix_fmt`` the pixel format; ``-movflags +faststart`` is what MP4 output gets
    anyway. Anything else is a ValueError naming it.
    """
    known = _option_names(codec)
    options: dict[str, str] = {}
    pixfmt = None
    for i in range(0, len(args), 2):
        flag = args[i]
        name, _, stream = flag[1:].partition(":")
        if not flag.startswith("-") or not name or stream not in ("", "v", "v:0"):
            raise ValueError(
                f"video_extra_ffmpeg_params: {flag!r} is not an FFmpeg option for the video "
                "stream; give options and values in pairs, such as ['-g', '10']"
            )
        if i + 1 == len(args):
            raise ValueError(f"video_extra_ffmpeg_params: {flag!r} needs a value after it")
        value = args[i + 1]
        if name == "pix_fmt":
            pixfmt = value
        elif name == "movflags":
            if {f.lstrip("+") for f in value.split("+") if f} - {"faststart"}:
                raise ValueError(
                    f"video_extra_ffmpeg_params: '-movflags {value}' is not supported: "
                    "parallel_animate writes the container itself (always +faststart)"
                )
        elif name in _NOT_OPTIONS:
            raise ValueError(
                f"video_extra_ffmpeg_params: {flag!r} is not supported; use {_NOT_OPTIONS[name]}"
            )
        elif name in known:
            options[name] = value
        else:
            raise ValueError(
                f"video_extra_ffmpeg_params: {flag!r} is not an option of the {codec} "
                f"encoder (see `ffmpeg -h encoder={codec}`)"
            )
    return options, pixfmt


def _choose_mode(mode: str, preset: str | None, workers: int, backend: Any) -> str:
    """The encoder ``video_mode`` picks, decided here, before any frame is rendered."""
    if mode == "cpu":
        return "libx264"
    reason = nvenc_error()
    if mode == "gpu":
        if reason is not None:
            raise ValueError(
                f"video_mode='gpu' needs an NVIDIA GPU with NVENC, but h264_nvenc does not "
                f"open here ({reason}); use video_mode='auto' (libx264 when there is no "
                f"NVENC) or 'cpu'"
            )
        return H264_NVENC.name
    why = (
        "NVENC does not open here" if reason is not None
        else f"video_preset {preset!r} is a libx264 preset" if preset in X264_PRESETS
        else "a Dask backend renders elsewhere" if backend is not None
        else f"{workers} workers would need more NVENC sessions than {nvenc_sessions()}"
        if workers > nvenc_sessions()
        else None
    )  # fmt: skip
    if why is None:
        return H264_NVENC.name
    _logger.info("video_mode='auto': encoding with libx264 (%s)", why)
    return "libx264"


def _quality_options(spec: CodecSpec, quality: int) -> dict[str, str]:
    """``video_quality`` 0..51 on ``spec``'s own scale (others: as ``quality``)."""
    keys = _QUANTISER.get(spec.name)
    if keys is not None:
        return {"rc": "constqp", "qp": str(quality)} if "qp" in keys else {"crf": str(quality)}
    if spec.quality is None:
        raise ValueError(f"video_quality has no meaning for {spec.name}: it is lossless")
    return spec.quality(round(100 * (51 - quality) / 51))


def resolve_upstream(
    output: Path, given: dict[str, Any], workers: int, backend: Any
) -> UpstreamChoice | None:
    """The 0.1.2 options the 0.1.3+ keywords in ``given`` stand for; None if none is set.

    ``given``: make_video's options by name. With ``video_mode`` (or, for an H.264
    output, any 0.1.3+ keyword without ``video_codec``: its default, "auto"), the
    encoder is libx264 or NVENC with 0.1.3+'s settings; with ``video_codec``, that codec
    with the keywords on its own scale.
    """
    if given.get("video_codec") in VIDEO_MODES:  # 0.1.3+'s 10th positional argument
        raise ValueError(
            f"video_codec={given['video_codec']!r} is a video_mode: pass "
            f"video_mode={given['video_codec']!r} by keyword (in 0.1.2 the 10th "
            "argument of make_video is video_codec)"
        )
    mode, quality = given.get("video_mode"), given.get("video_quality")
    preset, extra = given.get("video_preset"), given.get("video_extra_ffmpeg_params")
    if mode is None and quality is None and preset is None and extra is None:
        return None
    check_mixed(given)
    _check_types(mode, quality, preset, extra)
    fmt = format_for(output)
    h264 = "libx264" in {c.name for c in fmt.codecs}
    if mode is not None and not h264:
        raise ValueError(
            f"video_mode chooses an H.264 encoder, which {fmt.label} output cannot hold; "
            "write .mp4, .mkv or .mov, or leave video_mode out"
        )
    codec = given.get("video_codec")
    max_workers = None
    params: dict[str, str] = {}
    if codec is None and h264:
        codec = _choose_mode(mode or "auto", preset, workers, backend)
        if codec == H264_NVENC.name:
            max_workers = nvenc_sessions() if backend is None else None
        else:
            params = dict(X264_DEFAULTS)
            if preset in NVENC_PRESETS:  # 0.1.3+ too: its fallback keeps its own preset
                preset = None
        for key in ("crf", "qp", "rc") if given.get("quality") is not None else ():
            params.pop(key, None)
        if given.get("preset") is not None:
            params.pop("preset", None)
    spec = fmt.codec(codec or fmt.default_codec.name)
    if quality is not None:
        params.update(_quality_options(spec, quality))
    if preset is not None:
        if isinstance(spec, ImageCodec) or "preset" not in _option_names(spec.name):
            raise ValueError(f"video_preset: {spec.name} has no preset option")
        params["preset"] = preset
    pixfmt = given.get("video_pixfmt")
    more: dict[str, str] = {}
    if extra:
        if isinstance(spec, ImageCodec):
            raise ValueError(
                f"video_extra_ffmpeg_params are FFmpeg arguments; {fmt.label} is written "
                "without FFmpeg"
            )
        more, extra_pixfmt = parse_extra(list(extra), spec.name)
        if extra_pixfmt is not None and pixfmt is not None:
            raise ValueError("video_pixfmt and '-pix_fmt' in video_extra_ffmpeg_params: give one")
        pixfmt = extra_pixfmt or pixfmt
    lossless = quality == 0 or given.get("quality") == 100
    if codec == "libx264" and (lossless or pixfmt not in (None, "yuv420p")):
        params.pop("profile", None)  # 0.1.3+'s High takes neither: x264 picks the profile
    params.update(more)  # the user's own -profile:v stays, right or wrong
    old = given.get("video_params")
    if old is not None:  # with video_mode only: the chosen encoder's options
        if not isinstance(old, dict):
            raise TypeError(f"video_params must be a dict or None, got {type(old).__name__}")
        params.update({str(k): str(v) for k, v in old.items()})
    return UpstreamChoice(codec, pixfmt, params or None, max_workers)
