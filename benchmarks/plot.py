"""The scaling plot: frames/s against workers, per scene, with the floor line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from benchmarks.methods import BASELINE, METHODS


def _fps(rows: list[dict[str, Any]], scene: str, method: str) -> dict[int, float]:
    """Worker count -> frames/s of one method's successful rows in one scene."""
    return {
        r["workers"]: r["fps"]
        for r in rows
        if r["ok"] and r["scene"] == scene and r["method_id"] == method and r.get("fps")
    }


def write_scaling_plot(rows: list[dict[str, Any]], path: Path) -> Path | None:
    """One panel per scene: each per-worker method's fps, and its floor's fps x W.

    The floor line is the bare per-frame work of one process times W, i.e. perfect
    parallelism without any overhead; FuncAnimation.save, serial, is a horizontal line.
    Returns None (and writes nothing) when no per-worker method has a row.
    """
    scenes = list(dict.fromkeys(r["scene"] for r in rows if r["ok"]))
    series = [m for m in METHODS.values() if m.per_worker_count]
    scenes = [s for s in scenes if any(_fps(rows, s, m.name) for m in series)]
    if not scenes:
        return None

    fig = Figure(figsize=(5.0 * len(scenes), 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(scenes), squeeze=False)[0]
    for ax, scene in zip(axes, scenes, strict=True):
        all_w = sorted({w for m in series for w in _fps(rows, scene, m.name)})
        floors_drawn = set()
        for k, method in enumerate(series):
            fps = _fps(rows, scene, method.name)
            if not fps:
                continue
            color = f"C{k}"
            ws = sorted(fps)
            ax.plot(ws, [fps[w] for w in ws], "o-", color=color, label=method.series_label)
            floor = _fps(rows, scene, method.floor) if method.floor else {}
            if 1 in floor and method.floor not in floors_drawn:
                floors_drawn.add(method.floor)
                ax.plot(
                    all_w,
                    [floor[1] * w for w in all_w],
                    "--",
                    color=color,
                    alpha=0.7,
                    label=f"{method.floor} (1 proc) x W",
                )
        base = _fps(rows, scene, BASELINE)
        if 1 in base:
            ax.axhline(base[1], color="k", ls=":", label=METHODS[BASELINE].series_label)
        ax.set_xticks(all_w)
        ax.set_xlim(all_w[0] - 0.3, all_w[-1] + 0.3)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("workers (W)")
        ax.set_ylabel("frames/s")
        frames = next(r["frames"] for r in rows if r["scene"] == scene)
        ax.set_title(f"{scene} ({frames} frames)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
