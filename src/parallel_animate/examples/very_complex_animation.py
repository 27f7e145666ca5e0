"""Fourteen panels on one GridSpec, 1600x900: the kind of figure where parallel rendering pays.

Run it: ``python -m parallel_animate.examples.very_complex_animation [complex.mp4] [--frames N]``
"""

from __future__ import annotations

from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from parallel_animate import Animator
from parallel_animate.examples import _common


class VeryComplexAnimation(Animator):
    """Lines, scatter, bars, polar, image, stems, mesh, arrows, histogram, stacked
    areas, steps, horizontal bars, a pie and a timeline, driven by
    ``params = {"phase": float}``.

    Static data is drawn from a fixed seed in ``setup()``, so every worker builds the same
    figure; each frame depends on its phase only. Every artist is updated in place and
    ``update`` returns them all, for ``make_video(..., blit=True)``.
    """

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed

    def setup(self) -> Figure:
        rng = np.random.default_rng(self.seed)
        fig = plt.figure(figsize=(16, 9), dpi=100)
        grid = fig.add_gridspec(
            4, 5, hspace=0.55, wspace=0.35, left=0.04, right=0.98, bottom=0.05, top=0.9
        )
        fig.suptitle("14 panels", fontsize=16)
        self.fig = fig
        self.suptitle = fig.texts[-1]
        panels: dict[str, Any] = {}

        def panel(where: Any, title: str, **kw: Any) -> Any:
            ax = fig.add_subplot(where, **kw)
            ax.set_title(title, fontsize=10)
            panels[title] = ax
            return ax

        # 1. harmonics
        ax = panel(grid[0, 0:2], "harmonics")
        self.x = np.linspace(0, 2 * np.pi, 400)
        self.harmonics = [ax.plot(self.x, 0 * self.x, lw=1.5)[0] for _ in range(4)]
        ax.set(xlim=(0, 2 * np.pi), ylim=(-2.2, 2.2))
        # 2. scatter cloud
        ax = panel(grid[0, 2], "scatter")
        self.cloud = rng.normal(size=(150, 2)) * [0.6, 0.3]
        self.cloud_colors = rng.uniform(size=150)
        self.scatter = ax.scatter(*self.cloud.T, c=self.cloud_colors, s=8, cmap="viridis")
        ax.set(xlim=(-2, 2), ylim=(-2, 2))
        # 3. bars
        ax = panel(grid[0, 3], "bar")
        self.bars = ax.bar(
            np.arange(8), np.ones(8), color=matplotlib.colormaps["tab10"](np.arange(8))
        )
        ax.set_ylim(0, 2.1)
        # 4. polar spiral
        ax = panel(grid[0, 4], "polar", projection="polar")
        self.theta = np.linspace(0, 6 * np.pi, 500)
        (self.spiral,) = ax.plot(self.theta, self.theta / (6 * np.pi), color="tab:red")
        ax.set_ylim(0, 1)
        ax.set_yticklabels([])
        # 5. image
        ax = panel(grid[1, 0], "imshow")
        yy, xx = np.mgrid[-2:2:90j, -2:2:90j]
        self.grid_x, self.grid_y = xx, yy
        self.image = ax.imshow(self._blob(0.0), cmap="magma", vmin=0, vmax=1, origin="lower")
        ax.set_axis_off()
        # 6. stems
        ax = panel(grid[1, 1], "stem")
        self.stem_x = np.arange(16)
        self.stem_marks, self.stem_lines, _ = ax.stem(self.stem_x, np.zeros(16))
        ax.set(xlim=(-1, 16), ylim=(-1.2, 1.2))
        # 7. mesh
        ax = panel(grid[1, 2], "pcolormesh")
        mx, my = np.meshgrid(np.linspace(-1, 1, 31), np.linspace(-1, 1, 31))
        self.mesh_r = np.hypot(mx, my)
        self.mesh = ax.pcolormesh(mx, my, self.mesh_r[:-1, :-1], cmap="cividis", vmin=-1, vmax=1)
        ax.set_aspect("equal")
        # 8. arrows
        ax = panel(grid[1, 3], "quiver")
        qx, qy = np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))
        self.qx, self.qy = qx, qy
        self.quiver = ax.quiver(
            qx, qy, -qy, qx, np.hypot(qx, qy), cmap="cool", pivot="mid", scale=8
        )
        ax.set(xlim=(-1.25, 1.25), ylim=(-1.25, 1.25), aspect="equal")
        # 9. histogram of a sample that drifts
        ax = panel(grid[1, 4], "histogram")
        self.sample = rng.normal(size=2000)
        self.hist_edges = np.linspace(-4, 4, 33)
        counts, _ = np.histogram(self.sample, self.hist_edges)
        self.hist = ax.bar(
            self.hist_edges[:-1], counts, width=np.diff(self.hist_edges), align="edge"
        )
        ax.set(xlim=(-4, 4), ylim=(0, 260))
        # 10. stacked areas
        ax = panel(grid[2, 0:2], "fill_between")
        self.area_x = np.linspace(0, 10, 200)
        zero = np.zeros_like(self.area_x)
        self.areas = [ax.fill_between(self.area_x, zero, zero, alpha=0.8) for _ in range(3)]
        ax.set(xlim=(0, 10), ylim=(0, 3.2))
        # 11. steps
        ax = panel(grid[2, 2], "step")
        self.step_x = np.arange(20)
        (self.steps,) = ax.step(self.step_x, np.zeros(20), where="mid", color="tab:brown")
        ax.set(xlim=(-1, 20), ylim=(-1.2, 1.2))
        # 12. horizontal bars
        ax = panel(grid[2, 3], "barh")
        self.hbars = ax.barh(["a", "b", "c", "d", "e"], np.ones(5), color="tab:olive")
        ax.set_xlim(0, 2.1)
        # 13. pie
        ax = panel(grid[2, 4], "pie")
        self.wedges, _ = ax.pie(np.ones(5), colors=matplotlib.colormaps["Pastel1"](np.arange(5)))
        # 14. timeline of the phase, with a cursor and a readout
        ax = panel(grid[3, :], "timeline")
        t = np.linspace(0, 8 * np.pi, 1000)
        ax.plot(t, np.sin(t) * np.exp(-t / 20), color="0.6")
        self.cursor = ax.axvline(0, color="tab:red", lw=2)
        self.readout = ax.text(0.01, 0.85, "", transform=ax.transAxes, fontsize=11)
        ax.set(xlim=(0, 8 * np.pi), ylim=(-1.1, 1.1))
        self.panels = panels
        return fig

    def _blob(self, phase: float) -> np.ndarray:
        cx, cy = np.cos(phase), np.sin(phase)
        return np.exp(-((self.grid_x - cx) ** 2 + (self.grid_y - cy) ** 2) * 2)

    def update(self, frame_idx: int, params: Any) -> list[Any]:
        phase = params["phase"]
        changed: list[Any] = []
        for k, line in enumerate(self.harmonics, 1):
            line.set_ydata(np.sin(k * self.x - phase * k) * 2 / k)
        changed += self.harmonics
        rot = np.array([[np.cos(phase), -np.sin(phase)], [np.sin(phase), np.cos(phase)]])
        self.scatter.set_offsets(self.cloud @ rot.T)
        changed.append(self.scatter)
        for i, bar in enumerate(self.bars):
            bar.set_height(1 + np.sin(phase + i * np.pi / 4))
        changed += self.bars
        self.spiral.set_xdata(self.theta + phase)
        changed.append(self.spiral)
        self.image.set_data(self._blob(phase))
        changed.append(self.image)
        tops = np.sin(self.stem_x / 2.5 - phase)
        self.stem_marks.set_ydata(tops)
        self.stem_lines.set_segments(
            [[(x, 0), (x, y)] for x, y in zip(self.stem_x, tops, strict=True)]
        )
        changed += [self.stem_marks, self.stem_lines]
        self.mesh.set_array(np.sin(6 * self.mesh_r[:-1, :-1] - phase).ravel())
        changed.append(self.mesh)
        self.quiver.set_UVC(
            np.cos(phase) * -self.qy - np.sin(phase) * self.qx,
            np.cos(phase) * self.qx + np.sin(phase) * self.qy,
        )
        changed.append(self.quiver)
        counts, _ = np.histogram(self.sample + 1.5 * np.sin(phase), self.hist_edges)
        for bar, count in zip(self.hist, counts, strict=True):
            bar.set_height(count)
        changed += self.hist
        lower = np.zeros_like(self.area_x)
        for k, area in enumerate(self.areas):
            upper = lower + (1 + 0.5 * np.sin(self.area_x * (k + 1) / 2 + phase)) / 1.6
            outline = np.column_stack(
                [
                    np.concatenate([self.area_x, self.area_x[::-1]]),
                    np.concatenate([upper, lower[::-1]]),
                ]
            )
            area.set_verts([outline])
            lower = upper
        changed += self.areas
        self.steps.set_ydata(np.sin(self.step_x / 3 + phase))
        changed.append(self.steps)
        for i, bar in enumerate(self.hbars):
            bar.set_width(1 + np.cos(phase + i))
        changed += self.hbars
        shares = 1.2 + np.sin(phase + np.arange(5))
        edges = np.concatenate([[0], np.cumsum(shares) / shares.sum() * 360])
        for wedge, start, stop in zip(self.wedges, edges[:-1], edges[1:], strict=True):
            wedge.set_theta1(start + np.degrees(phase))
            wedge.set_theta2(stop + np.degrees(phase))
        changed += self.wedges
        t = phase % (8 * np.pi)
        self.cursor.set_xdata([t, t])
        self.readout.set_text(f"frame {frame_idx}   phase {phase:6.2f} rad")
        changed += [self.cursor, self.readout]
        return changed


def main(argv: list[str] | None = None) -> None:
    args = _common.parse_args(
        argv,
        prog="parallel_animate.examples.very_complex_animation",
        description="Render a 14-panel figure.",
        default_output="complex.mp4",
        default_frames=300,
    )
    _common.render(VeryComplexAnimation(), args, _common.phase_params(args.frames))


if __name__ == "__main__":
    main()
