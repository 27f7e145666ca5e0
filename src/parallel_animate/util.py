"""Helpers kept from the seed package's API: frame selection and a matplotlib style."""

from __future__ import annotations

import logging
import warnings
from fractions import Fraction
from numbers import Rational

import numpy as np

_logger = logging.getLogger(__name__)


def exact_fraction(value: float | int | Fraction) -> Fraction:
    """A Fraction for the number as written: 0.1 becomes 1/10, not the binary float."""
    if isinstance(value, Rational):
        return Fraction(value)
    return Fraction(repr(float(value)))


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
