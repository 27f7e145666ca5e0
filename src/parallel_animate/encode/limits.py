"""The frame rates each output can hold, found by experiment with PyAV (FFmpeg's MP4,
MOV and Matroska muxers) and from the image formats' delay fields.

A limit is ``(lowest, highest, why)``, both ends allowed; the format registry
(``formats.py``) says which applies, and ``check_fps_range`` words the error.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

#: (lowest fps, highest fps, why), both ends allowed
FpsLimits = tuple[Fraction, Fraction, str]

#: no limit (PNG sequences have no timing)
ANY_FPS: FpsLimits = (Fraction(0), Fraction(10**18), "")

#: the lowest frame rate of the video formats: one frame per 10000 s (slower rates fail
#: in the MP4/MOV muxer, whose durations are 32-bit, and x264 refuses far slower ones)
_MIN_VIDEO_FPS = Fraction(1, 10000)

#: MP4 and MOV: FFmpeg's muxer takes the rate's numerator (doubled up to 10000 or more)
#: as the timescale; at 10000 fps and more that is one tick per frame, and x264's
#: reordered frames then come back with wrong times (seen at 1e4, 1.2e4, 2e4, 1e5)
MOV_FPS: FpsLimits = (
    _MIN_VIDEO_FPS,
    Fraction(9999),
    "MP4 and MOV need two ticks of their timescale per frame, which the muxer gives "
    "below 10000 fps only",
)
#: Matroska and WebM: timestamps in milliseconds; above 1000 fps frames share one
MATROSKA_FPS: FpsLimits = (
    _MIN_VIDEO_FPS,
    Fraction(1000),
    "Matroska and WebM count milliseconds; at most one frame per ms",
)
GIF_FPS: FpsLimits = (
    Fraction(100, 65535),
    Fraction(100),
    "GIF delays count 1/100 s in a 16-bit field: from 1/100 s to 655.35 s a frame",
)
WEBP_FPS: FpsLimits = (
    Fraction(1000, 2**24 - 1),
    Fraction(1000),
    "WebP durations count milliseconds in 24 bits: from 1 ms to about 4.7 h a frame",
)
APNG_FPS: FpsLimits = (
    Fraction(1, 65535),
    Fraction(65535),
    "APNG delays are a fraction of two 16-bit numbers: from 1/65535 s to 65535 s",
)


def video_fps_limits(containers: set[str]) -> FpsLimits:
    """The limits of a video whose segments and output use these FFmpeg muxers."""
    return MATROSKA_FPS if containers & {"matroska", "webm"} else MOV_FPS


def _number(value: Fraction) -> str:
    """A limit as the docs write it: 9999, 1/10000, 0.00152590."""
    if value.denominator == 1 or value.numerator == 1:
        return str(value)
    return f"{float(value):.6g}"


def check_fps_range(fps: Fraction, given: Any, limits: FpsLimits, what: str) -> None:
    """A ValueError naming the limit unless ``fps`` is within ``limits`` (``given``: as
    the user wrote it; ``what``: the format and codec)."""
    low, high, why = limits
    if not low <= fps <= high:
        raise ValueError(
            f"fps {given} is out of range for {what}: it must be from {_number(low)} "
            f"to {_number(high)} ({why})"
        )
