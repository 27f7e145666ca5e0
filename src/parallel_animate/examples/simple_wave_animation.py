"""A cosine wave travelling to the right: the smallest complete use of the library.

Run it: ``python -m parallel_animate.examples.simple_wave_animation [wave.mp4] [--frames N]``
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from parallel_animate import Animator
from parallel_animate.examples import _common


class WaveAnimation(Animator):
    """One line, ``params = {"phase": float}`` per frame."""

    def __init__(self, n_points: int = 500) -> None:
        self.n_points = n_points

    def setup(self) -> Figure:
        self.fig, self.ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
        self.x = np.linspace(0, 4 * np.pi, self.n_points)
        (self.line,) = self.ax.plot(self.x, np.cos(self.x), lw=2)
        self.title = self.ax.set_title("")
        self.ax.set_xlim(self.x[0], self.x[-1])
        self.ax.set_ylim(-1.2, 1.2)
        self.ax.set_xlabel("x")
        self.ax.set_ylabel("cos(x - phase)")
        return self.fig

    def update(self, frame_idx: int, params: Any) -> list[Any]:
        self.line.set_ydata(np.cos(self.x - params["phase"]))
        self.title.set_text(f"frame {frame_idx}")
        return [self.line, self.title]


def main(argv: list[str] | None = None) -> None:
    args = _common.parse_args(
        argv,
        prog="parallel_animate.examples.simple_wave_animation",
        description="Render a travelling cosine wave.",
        default_output="wave.mp4",
        default_frames=150,
    )
    params = _common.phase_params(args.frames, period=60)
    _common.render(WaveAnimation(), args, params)


if __name__ == "__main__":
    main()
