"""Five panels of different kinds (line, scatter, bars, image, polar), one phase per frame.

Run it: ``python -m parallel_animate.examples.multi_panel_animation [panels.mp4] [--frames N]``
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from parallel_animate import Animator
from parallel_animate.examples import _common


class MultiPanelAnimation(Animator):
    """A 2x3 grid: five plots driven by ``params = {"phase": float}``, and a caption.

    Every artist is set from the phase alone, so any frame can be drawn first.
    ``update`` returns the artists it changed, for ``make_video(..., blit=True)``.
    """

    def __init__(self, n_points: int = 300, n_dots: int = 60, n_bars: int = 12) -> None:
        self.n_points = n_points
        self.n_dots = n_dots
        self.n_bars = n_bars

    def setup(self) -> Figure:
        # Fixed margins, no layout engine: constrained layout would redo its work on
        # every frame (more than half of the draw time of a figure like this one).
        fig = plt.figure(figsize=(12, 6.75), dpi=100)
        grid = fig.add_gridspec(
            2, 3, left=0.05, right=0.97, bottom=0.06, top=0.94, hspace=0.3, wspace=0.28
        )
        self.fig = fig

        # 1. lines: a wave and its envelope
        ax = fig.add_subplot(grid[0, 0])
        self.x = np.linspace(0, 4 * np.pi, self.n_points)
        (self.wave,) = ax.plot(self.x, np.sin(self.x), lw=2, label="sin(x - phase)")
        (self.wave2,) = ax.plot(self.x, np.cos(self.x), lw=1, ls="--", label="damped")
        ax.set(xlim=(self.x[0], self.x[-1]), ylim=(-1.3, 1.3), title="line")
        ax.legend(loc="upper right", fontsize="small")

        # 2. scatter: dots on a rotating spiral, coloured by radius
        ax = fig.add_subplot(grid[0, 1])
        t = np.linspace(0, 1, self.n_dots)
        self.radius = 0.2 + 0.8 * t
        self.dots = ax.scatter(
            np.zeros(self.n_dots), np.zeros(self.n_dots), c=t, cmap="plasma", s=10 + 60 * t
        )
        ax.set(xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), aspect="equal", title="scatter")

        # 3. bars
        ax = fig.add_subplot(grid[0, 2])
        self.bar_x = np.arange(self.n_bars)
        self.bars = ax.bar(self.bar_x, np.ones(self.n_bars), color="tab:green")
        ax.set(ylim=(0, 2.1), title="bar")

        # 4. image: two interfering waves
        ax = fig.add_subplot(grid[1, 0])
        yy, xx = np.mgrid[-1:1:120j, -1:1:160j]
        self.r1 = np.hypot(xx + 0.4, yy)
        self.r2 = np.hypot(xx - 0.4, yy)
        self.image = ax.imshow(
            self._field(0.0), cmap="RdBu", vmin=-2, vmax=2, origin="lower", extent=(-1, 1, -1, 1)
        )
        ax.set_title("imshow")
        fig.colorbar(self.image, ax=ax, shrink=0.8)

        # 5. polar: a rose that turns
        ax = fig.add_subplot(grid[1, 1], projection="polar")
        self.theta = np.linspace(0, 2 * np.pi, 400)
        (self.rose,) = ax.plot(self.theta, np.ones_like(self.theta), color="tab:purple")
        ax.set_ylim(0, 1.05)
        ax.set_title("polar", pad=16)

        # 6. a caption with the frame and phase
        ax = fig.add_subplot(grid[1, 2])
        ax.set_axis_off()
        self.caption = ax.text(0.5, 0.5, "", ha="center", va="center", fontsize=16)
        return fig

    def _field(self, phase: float) -> np.ndarray:
        return np.sin(12 * self.r1 - phase) + np.sin(12 * self.r2 - phase)

    def update(self, frame_idx: int, params: Any) -> list[Any]:
        phase = params["phase"]
        self.wave.set_ydata(np.sin(self.x - phase))
        self.wave2.set_ydata(np.exp(-self.x / 8) * np.cos(2 * self.x + phase))
        angle = 6 * np.pi * self.radius + phase
        spiral = np.column_stack([np.cos(angle), np.sin(angle)])
        self.dots.set_offsets(self.radius[:, None] * spiral)
        heights = 1 + np.sin(phase + self.bar_x * 2 * np.pi / self.n_bars)
        for bar, height in zip(self.bars, heights, strict=True):
            bar.set_height(height)
        self.image.set_data(self._field(phase))
        self.rose.set_ydata(np.abs(np.cos(4 * (self.theta - phase / 4))))
        self.caption.set_text(f"frame {frame_idx}\nphase {phase:.2f} rad")
        return [self.wave, self.wave2, self.dots, *self.bars, self.image, self.rose, self.caption]


def main(argv: list[str] | None = None) -> None:
    args = _common.parse_args(
        argv,
        prog="parallel_animate.examples.multi_panel_animation",
        description="Render five panels of different plot types.",
        default_output="panels.mp4",
        default_frames=240,
    )
    _common.render(MultiPanelAnimation(), args, _common.phase_params(args.frames))


if __name__ == "__main__":
    main()
