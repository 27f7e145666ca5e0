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


def as_fps(fps: Any) -> Fraction:
    """Validate ``fps`` and return it as a fraction: 29.97 is 2997/100, 30000/1001 is
    30000/1001, 1/3 is 1/3 (the simplest fraction a float stands for)."""
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
