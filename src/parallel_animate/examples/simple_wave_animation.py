"""A cosine wave travelling to the right: the smallest complete use of the library.

Run it: ``python -m parallel_animate.examples.simple_wave_animation [wave.mp4]``
"""

from __future__ import annotations

import sys
import time
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from parallel_animate import Animator


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

    def update(self, frame_idx: int, params: Any) -> None:
        self.line.set_ydata(np.cos(self.x - params["phase"]))
        self.title.set_text(f"frame {frame_idx}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    output = argv[0] if argv else "wave.mp4"
    n_frames = 150
    params = [{"phase": 2 * np.pi * i / 60} for i in range(n_frames)]
    started = time.perf_counter()
    path = WaveAnimation().make_video(output, params, fps=30)
    print(f"wrote {path} ({n_frames} frames) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
