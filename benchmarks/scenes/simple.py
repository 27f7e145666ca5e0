"""The "simple" scene: 640x480, one moving cosine line; per-frame overhead shows."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from ._common import Params, State, new_figure


def params(n_frames: int) -> list[Params]:
    """One phase per frame; a full wave period every 60 frames."""
    return [{"phase": 2.0 * math.pi * i / 60.0} for i in range(n_frames)]


def build() -> tuple[Figure, State]:
    """640x480, one line: the cheapest figure, where per-frame overhead dominates."""
    fig = new_figure(6.4, 4.8, 100)
    ax = fig.add_subplot()
    x = np.linspace(0.0, 4.0 * math.pi, 500)
    (line,) = ax.plot(x, np.cos(x), lw=2)
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(-1.2, 1.2)
    ax.set_xlabel("x")
    ax.set_ylabel("cos(x - phase)")
    return fig, {"x": x, "line": line}


def draw(state: State, frame_idx: int, params: Params) -> list[Artist]:
    """Move the wave."""
    state["line"].set_ydata(np.cos(state["x"] - params["phase"]))
    return [state["line"]]
