"""Helpers kept from the seed package's API: frame selection and a matplotlib style."""

from __future__ import annotations

import logging
import warnings
from fractions import Fraction
from numbers import Rational

import numpy as np

_logger = logging.getLogger(__name__)


def _simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The fraction with the smallest denominator in ``[lo, hi]`` (0 < lo <= hi)."""
    # Continued fractions: take the common integer part, recurse on the reciprocals.
    floor_lo = lo.numerator // lo.denominator
    if floor_lo == lo or floor_lo + 1 <= hi:
        return Fraction(floor_lo if floor_lo == lo else floor_lo + 1)
    rest = _simplest_between(1 / (hi - floor_lo), 1 / (lo - floor_lo))
    return floor_lo + 1 / rest


def exact_fraction(value: float | int | Fraction | np.floating) -> Fraction:
    """The fraction a float stands for; exact numbers (int, Fraction) are kept.

    The rule: of all fractions that round to this very float (in the float's own
    precision), the one with the smallest denominator. So ``30000/1001`` is 30000/1001,
    ``1/3`` is 1/3, and ``0.1`` 1/10, ``29.97`` 2997/100: a decimal with up to 8
    significant digits comes back as written (fewer for a float32, yet
    ``np.float32(29.97)`` is 2997/100 too). Never the float's binary value (a
    denominator near 2**50, which no container's time base can hold).
    """
    if isinstance(value, Rational):
        return Fraction(value)
    x = value if isinstance(value, np.floating) else np.float64(value)
    if not np.isfinite(x):
        raise ValueError(f"{value!r} is not a finite number")
    if x < 0:
        return -exact_fraction(-x)
    if x == 0:
        return Fraction(0)
    exact = Fraction(*x.as_integer_ratio())
    below = Fraction(*np.nextafter(x, x.dtype.type(0)).as_integer_ratio())
    with np.errstate(over="ignore"):
        next_up = np.nextafter(x, x.dtype.type(np.inf))
    above = Fraction(*next_up.as_integer_ratio()) if np.isfinite(next_up) else 2 * exact - below
    # Every number strictly between the midpoints rounds to x (ties go to even mantissas,
    # so a midpoint itself is only kept when it is not the simplest choice's only option).
    lo, hi = (exact + below) / 2, (exact + above) / 2
    candidate = _simplest_between(lo, hi)
    if candidate in (lo, hi) and x.dtype.type(candidate.numerator / candidate.denominator) != x:
        return exact  # a midpoint that rounds away: keep the float's own value
    return candidate


def get_rendered_frame_ids(
    data_fps: float | int | Fraction,
    play_speed: float | int | Fraction,
    rendered_fps: float | int | Fraction,
    n_data_frames: int,
) -> np.ndarray:
    """Indices of the data frames to render so that playback runs at ``play_speed``.

    Data recorded at ``data_fps`` and played back at ``play_speed`` times real time in a
    video of ``rendered_fps`` advances ``stride = data_fps / (rendered_fps / play_speed)``
    data frames per video frame (computed exactly). The result holds
    ``max(1, int(n_data_frames / stride))`` ids, ``floor(k * stride)`` clipped to the
    data; it is empty when there is no data. A stride below 1 repeats frames, which is
    warned about.

    Example: 330 fps data at 0.1x speed in a 30 fps video takes every 1.1th frame.
    """
    stride = exact_fraction(data_fps) / (exact_fraction(rendered_fps) / exact_fraction(play_speed))
    if stride <= 0:
        raise ValueError(
            f"data_fps, play_speed and rendered_fps must be positive (stride {stride})"
        )
    if n_data_frames <= 0:
        return np.zeros(0, dtype=int)
    if stride < 1:
        warnings.warn(f"stride {stride} < 1: data frames will repeat in the video", stacklevel=2)
    n_rendered = max(1, int(n_data_frames / stride))
    k = np.arange(n_rendered, dtype=np.int64)
    ids = (k * stride.numerator) // stride.denominator
    return np.clip(ids, 0, n_data_frames - 1).astype(int)


def configure_matplotlib_style() -> None:
    """Use the fast style, a sans-serif font (Arial when installed) and text in PDFs."""
    import matplotlib
    import matplotlib.style
    from matplotlib import font_manager

    matplotlib.style.use("fast")
    try:
        font_manager.findfont("Arial", fallback_to_default=False)
        family = ["Arial", "sans-serif"]
    except ValueError:
        family = ["sans-serif"]
    matplotlib.rcParams["font.family"] = family
    matplotlib.rcParams["pdf.fonttype"] = 42
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _logger.info("Configured matplotlib style (font family %s).", family[0])
