"""The user's arguments that mean the same whatever the format: fps, quality, preset, and
the frame-number pattern of a PNG sequence's file name.

Nothing here knows a codec or a format, so every other module of ``encode`` (and the
animator, which checks the output path before anything else) may use it.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from parallel_animate.util import exact_fraction

#: the speed/size trade-offs every codec maps onto its own presets
PRESETS = ("fast", "balanced", "small")

#: one printf directive for the frame number, such as %d, %04d or %6d
FRAME_DIRECTIVE = re.compile(r"%(0?\d*)d")


#: N of the NTSC rates N*1000/1001 whose decimals (29.97, 23.976, 59.94, ...) mean them
NTSC_BASES = (15, 24, 30, 48, 60, 120, 240)


def ntsc_rate(value: Fraction) -> Fraction | None:
    """The NTSC rate N*1000/1001 that the decimal ``value`` stands for, or None.

    29.97 is what the world writes for 30000/1001 (a video at 2997/100 fps drifts from
    every NTSC source); so are 23.976 and 23.98 for 24000/1001, 59.94 for 60000/1001:
    each N*1000/1001 of :data:`NTSC_BASES` rounded to 2 or 3 decimals.
    """
    for base in NTSC_BASES:
        rate = Fraction(base * 1000, 1001)
        if value in (round(rate, 2), round(rate, 3)):
            return rate
    return None


def as_fps(fps: Any) -> Fraction:
    """Validate ``fps`` and return it as a fraction: a float as the simplest fraction it
    stands for (1/3 is 1/3, 30000/1001 is 30000/1001, 12.5 is 25/2), except the NTSC
    decimals (29.97 is 30000/1001, see :func:`ntsc_rate`); an int or Fraction exactly."""
    numbers = (int, float, Fraction, np.integer, np.floating)
    if isinstance(fps, bool) or not isinstance(fps, numbers):
        raise TypeError(f"fps must be a number, got {type(fps).__name__}")
    if isinstance(fps, (float, np.floating)) and not np.isfinite(fps):
        raise ValueError(f"fps must be a finite number > 0, got {fps}")
    # NumPy integers as ints; floats (NumPy's in their own precision) as the simple
    # fraction they stand for: 30000/1001 stays 30000/1001 (see exact_fraction).
    value = exact_fraction(int(fps) if isinstance(fps, np.integer) else fps)
    if value <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    if isinstance(fps, (float, np.floating)):
        return ntsc_rate(value) or value
    return value


def check_quality_preset(quality: Any, preset: Any) -> None:
    """``quality`` an int 0..100 or None, ``preset`` one of :data:`PRESETS` or None."""
    if quality is not None:
        if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)):
            raise TypeError(f"quality must be an int from 0 to 100 or None, got {quality!r}")
        if not 0 <= quality <= 100:
            raise ValueError(f"quality must be from 0 to 100, got {quality}")
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)} or None; got {preset!r}")


def is_frame_pattern(output: Path) -> bool:
    """True for a PNG sequence's file-name pattern such as ``f_%04d.png``."""
    return FRAME_DIRECTIVE.search(output.name.replace("%%", "")) is not None


def frame_file(pattern: Path, index: int) -> Path:
    """The file of frame ``index`` of a PNG sequence pattern."""
    return pattern.with_name(pattern.name % index)
