"""Turn raw case results into the table (text, Markdown, JSON)."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

COLUMNS: list[tuple[str, str]] = [
    ("scene", "scene"),
    ("method", "method"),
    ("frames", "frames"),
    ("wall_s", "wall s"),
    ("fps", "fps"),
    ("x_vs_funcanimation", "x vs FuncAnim"),
    ("wall_over_floor", "wall/floor"),
    ("peak_rss_mb", "peak tree RSS MB"),
    ("main_cpu_pct", "main CPU %"),
]

NOTES = """\
- wall s: the case's own timing of the work (figure setup + save / make_video call;
  for the floor, the summed per-frame work), without interpreter start or imports.
- fps: frames / wall s.
- x vs FuncAnim: FuncAnimation.save wall / this wall (how many times faster).
- wall/floor: wall / (floor / W), W = worker count of the row (1 for FuncAnimation
  and the floor). 1.0 = as fast as perfectly parallel bare work; above 1 = overhead.
- peak tree RSS MB: max over 50 ms samples of the summed RSS of the case process and
  all its descendants (shared pages of forked workers are counted once per process).
- main CPU %: main process CPU / (main + waited-for children CPU), from getrusage
  around the work; for dask rows the children are the Dask workers, whose CPU each
  worker reads for itself around the work (the cluster's start is not timed)."""


def _workers(result: dict[str, Any]) -> int:
    return int(result["workers"]) if result["method"] in ("ours", "dask") else 1


def build_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per case, with ratios against the same scene's baseline and floor."""
    base: dict[str, float] = {}
    floor: dict[str, float] = {}
    for r in results:
        if not r.get("ok"):
            continue
        if r["method"] == "funcanimation":
            base[r["scene"]] = r["wall_s"]
        elif r["method"] == "floor":
            floor[r["scene"]] = r["wall_s"]

    rows = []
    for r in results:
        row: dict[str, Any] = {
            "scene": r["scene"],
            "method": r.get("label", r["method"]),
            "frames": r["frames"],
            "workers": _workers(r),
            "ok": bool(r.get("ok")),
        }
        if r.get("peak_tree_rss_bytes"):
            row["peak_rss_mb"] = r["peak_tree_rss_bytes"] / 2**20
        if not r.get("ok"):
            row["error"] = r.get("error", "failed")
            rows.append(row)
            continue
        wall = r["wall_s"]
        row["wall_s"] = wall
        row["fps"] = r["frames"] / wall if wall > 0 else None
        if r["scene"] in base and wall > 0:
            row["x_vs_funcanimation"] = base[r["scene"]] / wall
        if r["scene"] in floor and floor[r["scene"]] > 0:
            row["wall_over_floor"] = wall / (floor[r["scene"]] / row["workers"])
        own, kids = r.get("self_cpu_s", 0.0), r.get("children_cpu_s", 0.0)
        if own + kids > 0:
            row["main_cpu_pct"] = 100.0 * own / (own + kids)
        rows.append(row)
    return rows


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if key in ("peak_rss_mb", "main_cpu_pct"):
            return f"{value:.0f}"
        if key == "fps":
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def _cells(row: dict[str, Any]) -> list[str]:
    if not row["ok"]:
        cells = [_fmt(k, row.get(k)) for k, _ in COLUMNS[:3]]
        cells.append("FAILED")
        cells += ["-"] * (len(COLUMNS) - 4)
        return cells
    return [_fmt(k, row.get(k)) for k, _ in COLUMNS]


def format_text(rows: list[dict[str, Any]]) -> str:
    """Fixed-width table for the terminal."""
    header = [title for _, title in COLUMNS]
    body = [_cells(r) for r in rows]
    widths = [max(len(c) for c in col) for col in zip(header, *body, strict=True)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            out.append(c.ljust(w) if i < 2 else c.rjust(w))
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(c) for c in body)])


def format_markdown(rows: list[dict[str, Any]]) -> str:
    """GitHub-flavoured Markdown table."""
    header = [title for _, title in COLUMNS]
    align = ["---", "---"] + ["---:"] * (len(COLUMNS) - 2)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def warnings_for(results: list[dict[str, Any]]) -> list[str]:
    """Things that make a row untrustworthy; printed under the table."""
    out = []
    for r in results:
        name = f"{r['scene']} / {r.get('label', r['method'])}"
        if not r.get("ok"):
            out.append(f"{name}: FAILED: {r.get('error', '?')} (log: {r.get('log')})")
            continue
        n_out = r.get("output_frames")
        if n_out != r["frames"]:
            out.append(f"{name}: video has {n_out} frames, expected {r['frames']}")
        if "forkserver" in r.get("child_kinds", {}):
            out.append(
                f"{name}: workers came from a forkserver; getrusage does not count "
                "them, so main CPU % may be too high"
            )
        sampled = r.get("children_cpu_s_sampled", 0.0)
        counted = r.get("children_cpu_s", 0.0)
        # Dask rows read their workers' CPU in the workers; the sample includes startup.
        if r["method"] != "dask" and sampled > 1.5 * counted + 0.5:
            out.append(
                f"{name}: children used >= {sampled:.1f} s CPU (sampled) but getrusage "
                f"counted {counted:.1f} s; main CPU % is too high"
            )
    return out


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    """Where the numbers came from."""
    return {
        "date_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "versions": {
            d: _version(d)
            for d in (
                "parallel-animate",
                "matplotlib",
                "numpy",
                "av",
                "imageio-ffmpeg",
                "psutil",
                "distributed",
            )
        },
    }


def write_outputs(
    out_dir: Path,
    rows: list[dict[str, Any]],
    results: list[dict[str, Any]],
    settings: dict[str, Any],
    env: dict[str, Any],
) -> tuple[Path, Path]:
    """Write results.json (rows + raw case results) and results.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "results.json"
    md_path = out_dir / "results.md"
    json_path.write_text(
        json.dumps(
            {"environment": env, "settings": settings, "rows": rows, "cases": results},
            indent=2,
        )
    )
    warn = warnings_for(results)
    md = [
        "# parallel_animate benchmark",
        "",
        f"{env['date_utc']}, Python {env['python']}, {env['cpu_count']} CPUs, {env['platform']}",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v),
        "",
        f"Settings: `{json.dumps(settings)}`",
        "",
        format_markdown(rows),
        "",
        NOTES,
    ]
    if warn:
        md += ["", "Warnings:", "", *(f"- {w}" for w in warn)]
    md_path.write_text("\n".join(md) + "\n")
    return json_path, md_path
