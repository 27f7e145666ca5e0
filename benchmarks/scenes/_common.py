"""What the scenes share: the seed, the frame rate, the per-frame RNG, a bare figure.

Imports numpy and matplotlib only (see the package's docstring).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SEED = 20240521
FPS = 30

Params = dict[str, float]
State = dict[str, Any]


def frame_rng(frame_idx: int) -> np.random.Generator:
    """Per-frame RNG: same numbers for a frame whichever worker draws it."""
    return np.random.default_rng([SEED, frame_idx])


def new_figure(width_in: float, height_in: float, dpi: int) -> Figure:
    """A pyplot-free figure with an Agg canvas (no GUI, no global figure registry)."""
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig
