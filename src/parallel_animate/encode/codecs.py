"""Codec specs: what each encoder's defaults, presets and ``quality`` mean, and how its
options are layered and checked.

Two kinds of codec, each with only the fields that mean something for it:

- :class:`VideoCodec`: an FFmpeg encoder run by PyAV in the workers; FFmpeg knows its
  pixel formats and checks its options when the encoder opens.
- :class:`ImageCodec`: a still-image encoder (Pillow) behind an image format; this
  package knows its pixel formats and checks its options itself.

A codec never shares defaults with another one: ``preset="fast"`` means ``veryfast``
for x264 and ``method 1`` for WebP. Which formats may hold which codec is the format
registry's business (``formats.py``).
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import av

from parallel_animate.encode.levels import h264_level
from parallel_animate.encode.options import PRESETS

#: options as FFmpeg and Pillow take them: strings
Options = dict[str, str]


def _scale(quality: int, worst: int, best: int = 0) -> int:
    """Map quality 0..100 linearly onto a codec scale running from ``worst`` to ``best``."""
    return round(worst + (best - worst) * quality / 100)


def _parse_params(value: str) -> Options:
    """``"a=1:b=2"`` (x265-params, svtav1-params) as a dict."""
    return dict(part.partition("=")[::2] for part in value.split(":") if part)


def _merge_params(value: str, extra: Options) -> str:
    """``"a=1:b=2"`` merged with ``extra``, whose keys win."""
    items = {**_parse_params(value), **extra}
    return ":".join(f"{k}={v}" for k, v in items.items())


class UnknownOptionError(ValueError):
    """``video_params`` that the encoder did not take (FFmpeg ignores them silently)."""


def _option_names(encoder: str) -> list[str]:
    """The encoder's own options and the generic ones of every encoder (aliases too)."""
    options = av.codec.context.CodecContext.create(encoder, "w").supported_options
    return [o.name for o in (*options.private, *options.generic)]


def _option_hint(key: str, known: list[str]) -> str:
    """What the user probably meant by ``key``, or ""."""
    name, colon, _ = key.partition(":")
    if colon and name in known:  # the command line's "b:v": a stream specifier
        return f" ({key!r}: write {name!r}, without ffmpeg's stream specifier)"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    return f" ({key!r}: did you mean {close[0]!r}?)" if close else ""


def has_alpha(pixfmt: str) -> bool:
    """True if FFmpeg's pixel format ``pixfmt`` has an alpha channel."""
    return any(c.is_alpha for c in av.VideoFormat(pixfmt).components)


@dataclass(frozen=True, kw_only=True, eq=False)
class CodecSpec(ABC):
    """One encoder: its own defaults, never shared with another codec."""

    name: str
    #: the pixel format used when ``video_pixfmt`` is None
    pixfmt: str
    defaults: Options
    #: preset name (one of :data:`PRESETS`) -> options
    presets: dict[str, Options]
    #: quality 0..100 -> options; None where quality has no meaning (lossless)
    quality: Callable[[int], Options] | None
    #: the pixel format that keeps the alpha channel; None: no alpha with this codec
    alpha_pixfmt: str | None = None
    #: the largest frame (width, height) the encoder takes; None: no limit of its own
    max_size: tuple[int, int] | None = None

    def layered_options(
        self, quality: int | None, preset: str | None, video_params: dict[str, Any] | None
    ) -> Options:
        """The defaults, then ``preset``, then ``quality``, then ``video_params``: each
        layer's keys win over the layers before it."""
        layers = [self.defaults]
        if preset is not None:
            layers.append(self.presets[preset])
        if quality is not None and self.quality is not None:
            layers.append(self.quality(quality))
        if video_params:
            layers.append({str(k): str(v) for k, v in video_params.items()})
        options: Options = {}
        for layer in layers:
            for key, value in layer.items():
                options[key] = self._layer(key, options.get(key), value)
        return self._complete(options)

    def _layer(self, key: str, below: str | None, value: str) -> str:
        """The value of ``key`` when a layer sets ``value`` over ``below``."""
        return value

    def _complete(self, options: Options) -> Options:
        """The final options, checked where this package (not FFmpeg) knows the codec."""
        return options

    @abstractmethod
    def check_available(self) -> None:
        """Raise a ValueError if this build cannot encode with this codec."""

    @abstractmethod
    def accepted_pixfmts(self) -> list[str]:
        """The pixel formats the encoder takes (empty: unknown, anything goes)."""

    def check_pixfmt(self, name: str) -> None:
        """Raise a ValueError unless FFmpeg knows pixel format ``name`` and this codec
        takes it."""
        try:
            av.VideoFormat(name)
        except Exception:
            raise ValueError(
                f"video_pixfmt {name!r} is not a pixel format known to FFmpeg"
            ) from None
        accepted = self.accepted_pixfmts()
        if accepted and name not in accepted:
            raise ValueError(
                f"video_pixfmt {name!r} cannot be encoded by {self.name}; "
                f"it takes: {', '.join(accepted)}"
            )


@dataclass(frozen=True, kw_only=True, eq=False)
class VideoCodec(CodecSpec):
    """An FFmpeg encoder; each worker encodes its segments into small in-memory files."""

    #: FFmpeg muxer of the in-memory segment files
    segment_container: str = "mp4"
    #: options that keep one worker's encoder on one thread, merged into the
    #: colon-separated option named by the key ("x265-params", "svtav1-params")
    one_thread: dict[str, Options] = field(default_factory=dict)
    #: environment variables the encoder library reads, set in the worker unless the
    #: user set them
    environment: Options = field(default_factory=dict)
    #: options that depend on the picture: (width, height, fps, the options) -> more
    #: options, added when a segment's encoder opens (its frame size is known then)
    picture_options: Callable[[int, int, Fraction, Options], Options] | None = None

    def _layer(self, key: str, below: str | None, value: str) -> str:
        # A colon-separated option given twice (defaults, then video_params) is merged
        # key by key, so that the user's x265-params keep log-level=error.
        if key in self.one_thread and below is not None:
            return _merge_params(below, _parse_params(value))
        return value

    def _complete(self, options: Options) -> Options:
        # The parallelism is the segments: one encoder thread per worker.
        for key, forced in self.one_thread.items():
            options[key] = _merge_params(options.get(key, ""), forced)
        return options

    def check_available(self) -> None:
        try:
            av.codec.Codec(self.name, "w")
        except Exception as exc:  # UnknownCodecError and friends
            raise ValueError(
                f"video_codec {self.name!r} is not available in this PyAV build: {exc}"
            ) from None

    def accepted_pixfmts(self) -> list[str]:
        return [f.name for f in (av.codec.Codec(self.name, "w").video_formats or [])]

    def check_consumed(self, unused: Iterable[str]) -> None:
        """Raise :class:`UnknownOptionError` naming the options left ``unused`` by the
        opened encoder: FFmpeg ignores them without a word, so a typo (``crff``) or a
        container option (``movflags``) would silently render with the defaults."""
        keys = sorted(unused)
        if not keys:
            return
        known = _option_names(self.name)
        names = ", ".join(map(repr, keys))
        raise UnknownOptionError(
            f"video_params {names} {'is not an option' if len(keys) == 1 else 'are not options'}"
            f" of the {self.name} encoder{''.join(_option_hint(k, known) for k in keys)}. "
            f"video_params are encoder options only (see `ffmpeg -h encoder={self.name}`); "
            "container (muxer) options such as movflags are not taken: parallel_animate "
            "sets the muxer itself"
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class ImageCodec(CodecSpec):
    """A still-image encoder behind an image format (GIF, WebP, PNG)."""

    #: the options it understands, each with its check (raises ValueError)
    checks: dict[str, Callable[[str], Any]]
    #: the pixel formats it stores
    pixfmts: tuple[str, ...]

    def _complete(self, options: Options) -> Options:
        unknown = sorted(set(options) - set(self.checks))
        if unknown:
            raise ValueError(
                f"video_params key(s) {', '.join(unknown)} are not options of {self.name}; "
                f"it takes: {', '.join(self.checks)}"
            )
        for key, parse in self.checks.items():
            try:
                parse(options[key])
            except ValueError as exc:
                raise ValueError(f"video_params for {self.name}: {exc}") from None
        return options

    def check_available(self) -> None:
        """Always available: Pillow, a dependency, encodes these."""

    def accepted_pixfmts(self) -> list[str]:
        return list(self.pixfmts)


def _int_option(name: str, low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not (value.isdigit() and low <= int(value) <= high):
            raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
        return int(value)

    return parse


def _choice_option(name: str, choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
        return value

    return parse


def _x264_level(width: int, height: int, fps: Fraction, options: Options) -> Options:
    """x264 derives the level from its reference frames: preset slow's 5 make 1080p
    level 5.0, which many TVs, phones and small boards refuse. Asked for the level the
    picture needs, x264 keeps its reference frames within it. A level or reference count
    the user asked for wins."""
    named = set(options)
    for key in ("x264-params", "x264opts"):
        named |= set(_parse_params(options.get(key, "")))
    if named & {"level", "refs", "ref"}:
        return {}
    level = h264_level(width, height, fps)
    return {} if level is None else {"level": level}


#: for codecs with one speed (intra-only, or nothing to trade)
_NO_PRESETS: dict[str, Options] = {name: {} for name in PRESETS}

LIBX264 = VideoCodec(
    max_size=(16384, 16384),
    name="libx264",
    pixfmt="yuv420p",
    defaults={"crf": "23", "preset": "slow"},  # the seed's
    presets={
        "fast": {"preset": "veryfast"},
        "balanced": {"preset": "medium"},
        "small": {"preset": "slower"},
    },
    quality=lambda q: {"crf": str(_scale(q, 51))},
    picture_options=_x264_level,
)
LIBX265 = VideoCodec(
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
)
LIBSVTAV1 = VideoCodec(
    max_size=(16384, 8704),
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
    environment={"SVT_LOG": "1"},  # errors only, not a banner per segment
)
LIBVPX_VP9 = VideoCodec(
    max_size=(65536, 65536),
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
)
PRORES_KS = VideoCodec(
    name="prores_ks",
    pixfmt="yuv422p10le",
    # auto: HQ for 4:2:2, 4444 for 4:4:4 and alpha
    defaults={"profile": "auto"},
    presets=_NO_PRESETS,  # intra-only, one speed
    quality=lambda q: {"flags": "+qscale", "global_quality": str(118 * _scale(q, 32, 1))},
    alpha_pixfmt="yuva444p10le",
    segment_container="mov",
)
GIF = ImageCodec(
    max_size=(65535, 65535),
    name="gif",
    pixfmt="pal8",
    # Each frame's own palette, exact when its colours fit (``palette.py``); else the
    # most common colours exact and median cut for the rest: 66 dB on the wave demo
    # (fastoctree: 60 dB there, 47 dB against 46 on a 1600x900 dashboard).
    defaults={"colors": "256", "quantizer": "mediancut", "dither": "none"},
    presets={
        "fast": {"quantizer": "fastoctree"},
        "balanced": {"quantizer": "mediancut"},
        "small": {"quantizer": "mediancut"},
    },
    quality=lambda q: {"colors": str(_scale(q, 2, 256))},
    alpha_pixfmt="pal8",  # one palette entry is transparent
    checks={
        "colors": _int_option("colors", 2, 256),
        "quantizer": _choice_option("quantizer", ("mediancut", "fastoctree")),
        "dither": _choice_option("dither", ("none", "floyd-steinberg")),
    },
    pixfmts=("pal8",),
)
LIBWEBP = ImageCodec(
    max_size=(16383, 16383),
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
    checks={
        "lossless": _int_option("lossless", 0, 1),
        "quality": _int_option("quality", 0, 100),
        "method": _int_option("method", 0, 6),
    },
    pixfmts=("rgb24", "rgba"),
)
PNG = ImageCodec(
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
    checks={"compress_level": _int_option("compress_level", 0, 9)},
    pixfmts=("rgb24", "rgba"),
)
APNG = replace(PNG, name="apng")  # the same deflate, one file

#: every codec by the name ``video_codec`` takes
CODECS: dict[str, CodecSpec] = {
    spec.name: spec
    for spec in (LIBX264, LIBX265, LIBSVTAV1, LIBVPX_VP9, PRORES_KS, GIF, LIBWEBP, APNG, PNG)
}
