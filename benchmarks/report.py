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

from benchmarks.methods import BASELINE, METHODS, PEER, PEER_DIST

Columns = list[tuple[str, str]]

#: The table's columns; a ratio column that no row has a value for is left out.
COLUMNS: Columns = [
    ("scene", "scene"),
    ("method", "method"),
    ("frames", "frames"),
    ("wall_s", "wall s"),
    ("spread_pct", "spread %"),
    ("fps", "fps"),
    ("x_vs_funcanimation", "x vs FuncAnim"),
    ("x_vs_full_redraw", "x vs full redraw"),
    ("x_vs_peer", "x vs peer"),
    ("wall_over_floor", "wall/floor"),
    ("peak_rss_mb", "peak tree RSS MB"),
    ("main_cpu_pct", "main CPU %"),
    ("draws", "draws full/part/same"),
    ("bookkeeping_ms", "auto bookkeeping ms/frame"),
]
OPTIONAL_COLUMNS = (
    "spread_pct",
    "x_vs_funcanimation",
    "x_vs_full_redraw",
    "x_vs_peer",
    "draws",
    "bookkeeping_ms",
)
#: The keys of a case's ``draws`` (the library's "Frames drawn" DEBUG line), in order.
DRAW_KEYS = ("full", "part", "unchanged")

FIDELITY_COLUMNS: Columns = [
    ("scene", "scene"),
    ("frames_compared", "frames compared"),
    ("worst_mean_abs_diff", "mean |diff| (worst frame)"),
    ("worst_pct_pixels_differing", "% pixels differing (worst frame)"),
    ("max_abs_diff", "max |diff|"),
    ("blit_full_draws", "blit full draws"),
    ("within_limits", "within limits"),
]

NOTES = """\
- wall s: the case's own timing of the work (figure setup + save / make_video call;
  for the floor, the summed per-frame work), without interpreter start or imports.
  With --repeat N: the median of the case's N runs (each a fresh interpreter, run in
  rounds), and every ratio is between median runs.
- spread % (with --repeat): (slowest - fastest run) / median, of this case's runs.
- fps: frames / wall s.
- x vs FuncAnim: FuncAnimation.save wall / this wall (how many times faster).
- x vs full redraw (blit and auto rows): the same method's full-redraw wall at the same
  W / this wall.
- x vs peer: parallel-matplotlib-animation's wall at the same W / this wall.
- wall/floor: wall / (floor / W), W = worker count of the row (1 for FuncAnimation
  and the floors); blit rows use the blit floor, auto rows the full-redraw floor (so
  they can go below 1: they skip work the floor does). 1.0 = as fast as perfectly
  parallel bare work; above 1 = overhead.
- peak tree RSS MB: max over 50 ms samples of the summed RSS of the case process and
  all its descendants (shared pages of forked workers are counted once per process).
- main CPU %: main process CPU / (main + waited-for children CPU), from getrusage
  around the work.
- draws full/part/same (make_video rows): frames drawn in full / in part / unchanged,
  from the library's DEBUG line "Frames drawn: ..." at the end of the run. With
  blit=True the library counts only the full draws (the first frame of each worker and
  any redraw), not the blitted frames, so the three need not add up to the frames.
- auto bookkeeping ms/frame (blit="auto" rows): the time the library spent deciding
  what to redraw (finding the changes, checking the figure's structure, locating the
  changed artists, texts included), per frame drawn in part or unchanged, summed over
  the workers; from its DEBUG line "Auto blit bookkeeping: ..." """


def _workers(result: dict[str, Any]) -> int:
    return int(result["workers"]) if METHODS[result["method"]].per_worker_count else 1


def build_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per case, with ratios against the same scene's baseline, peer and floor."""
    walls: dict[tuple[str, str, int], float] = {
        (r["scene"], r["method"], _workers(r)): r["wall_s"]
        for r in results
        if r.get("ok") and r["wall_s"] > 0
    }

    def wall_of(scene: str, method: str | None, workers: int) -> float | None:
        if method is None:
            return None
        w = workers if METHODS[method].per_worker_count else 1
        return walls.get((scene, method, w))

    rows = []
    for r in results:
        method = METHODS[r["method"]]
        row: dict[str, Any] = {
            "scene": r["scene"],
            "method": r.get("label", r["method"]),
            "method_id": r["method"],
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
        scene, workers = r["scene"], row["workers"]
        row["wall_s"] = wall
        runs = r.get("wall_s_runs", [])
        if len(runs) > 1:
            row["spread_pct"] = 100.0 * (max(runs) - min(runs)) / wall
        row["fps"] = r["frames"] / wall if wall > 0 else None
        if wall > 0:
            ratios = {
                "x_vs_funcanimation": wall_of(scene, BASELINE, 1),
                "x_vs_full_redraw": wall_of(scene, method.full_redraw, workers),
                "x_vs_peer": None
                if method.peer or not method.per_worker_count
                else wall_of(scene, PEER, workers),
            }
            row.update({k: v / wall for k, v in ratios.items() if v is not None})
        floor = wall_of(scene, method.floor, 1)
        if floor is not None:
            row["wall_over_floor"] = wall / (floor / workers)
        own, kids = r.get("self_cpu_s", 0.0), r.get("children_cpu_s", 0.0)
        if own + kids > 0:
            row["main_cpu_pct"] = 100.0 * own / (own + kids)
        if r.get("draws"):
            row["draws"] = {k: r["draws"][k] for k in DRAW_KEYS}
        if r.get("bookkeeping_ms") is not None:
            row["bookkeeping_ms"] = r["bookkeeping_ms"]
        rows.append(row)
    return rows


def table_columns(rows: list[dict[str, Any]]) -> Columns:
    """The columns of the table, without ratio columns that no row has a value for."""
    return [
        (key, title)
        for key, title in COLUMNS
        if key not in OPTIONAL_COLUMNS or any(key in r for r in rows)
    ]


def _fmt(key: str, value: Any) -> str:
    if key == "draws":  # blank where there is nothing to count (not a make_video row)
        return "" if value is None else "/".join(str(value[k]) for k in DRAW_KEYS)
    if value is None:
        return "" if key == "bookkeeping_ms" else "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if key in ("peak_rss_mb", "main_cpu_pct", "spread_pct"):
            return f"{value:.0f}"
        if key == "fps":
            return f"{value:.1f}"
        if key == "worst_mean_abs_diff":
            return f"{value:.3f}"
        return f"{value:.2f}"
    return str(value)


def _cells(row: dict[str, Any], columns: Columns) -> list[str]:
    if not row.get("ok", True):
        cells = [_fmt(k, row.get(k)) for k, _ in columns[:3]]
        cells.append("FAILED")
        cells += ["-"] * (len(columns) - 4)
        return cells
    return [_fmt(k, row.get(k)) for k, _ in columns]


def format_text(rows: list[dict[str, Any]], columns: Columns | None = None) -> str:
    """Fixed-width table for the terminal (the main table unless ``columns`` is given)."""
    columns = table_columns(rows) if columns is None else columns
    header = [title for _, title in columns]
    body = [_cells(r, columns) for r in rows]
    widths = [max(len(c) for c in col) for col in zip(header, *body, strict=True)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            out.append(c.ljust(w) if i < 2 else c.rjust(w))
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(c) for c in body)])


def format_markdown(rows: list[dict[str, Any]], columns: Columns | None = None) -> str:
    """GitHub-flavoured Markdown table (the main table unless ``columns`` is given)."""
    columns = table_columns(rows) if columns is None else columns
    header = [title for _, title in columns]
    align = ["---", "---"] + ["---:"] * (len(columns) - 2)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cells(r, columns)) + " |" for r in rows]
    return "\n".join(lines)


FIDELITY_NOTES = """\
Blit vs full redraw, same frames rendered in this process by the library's renderer:
RGB difference in 8-bit levels. Limits: mean |diff| <= 1 level and <= 0.5 % of pixels
differing (animated artists are drawn on top, so a static artist above one may differ).
"blit full draws" counts full draws of the blit renderer over the compared frames: 1 (the
first) means every other frame was blitted."""


def warnings_for(
    results: list[dict[str, Any]], fidelity: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """Things that make a row untrustworthy; printed under the table."""
    out = []
    for scene, fid in (fidelity or {}).items():
        if "error" in fid:
            out.append(f"{scene}: fidelity check FAILED: {fid['error']}")
            continue
        if not fid["within_limits"]:
            out.append(f"{scene}: blit frames differ from full redraws beyond the limits")
        if fid["blit_full_draws"] > 1:
            out.append(
                f"{scene}: the blit renderer drew {fid['blit_full_draws']} of "
                f"{fid['frames_compared']} frames in full: update() misses an artist "
                "that changes, so blit rows measure full redraws"
            )
    for r in results:
        name = f"{r['scene']} / {r.get('label', r['method'])}"
        if not r.get("ok"):
            out.append(f"{name}: FAILED: {r.get('error', '?')} (log: {r.get('log')})")
            continue
        n_out = r.get("output_frames")
        if n_out != r["frames"]:
            out.append(f"{name}: video has {n_out} frames, expected {r['frames']}")
        size, want = r.get("output_size_px"), r.get("scene_size_px")
        if size and want and list(size) != list(want):
            out.append(
                f"{name}: video is {size[0]}x{size[1]}, the figure {want[0]}x{want[1]} "
                "(frames rescaled)"
            )
        if "forkserver" in r.get("child_kinds", {}):
            out.append(
                f"{name}: workers came from a forkserver; getrusage does not count "
                "them, so main CPU % may be too high"
            )
        out += _draw_warnings(name, r)
        sampled = r.get("children_cpu_s_sampled", 0.0)
        counted = r.get("children_cpu_s", 0.0)
        if sampled > 1.5 * counted + 0.5:
            out.append(
                f"{name}: children used >= {sampled:.1f} s CPU (sampled) but getrusage "
                f"counted {counted:.1f} s; main CPU % is too high"
            )
    return out


def _draw_warnings(name: str, r: dict[str, Any]) -> list[str]:
    """The draw counts of a make_video row: missing, not adding up, or all full draws
    where the method should draw in part."""
    method = METHODS[r["method"]]
    if not method.draw_counts:
        return []
    draws = r.get("draws")
    if not draws:
        return [f'{name}: no "Frames drawn" line from the library: draw counts unknown']
    counted = sum(draws[k] for k in DRAW_KEYS)
    out = []
    if method.blit_mode is not True and counted != r["frames"]:
        out.append(f"{name}: the draw counts add up to {counted} frames, not {r['frames']}")
    if method.blit_mode == "auto" and draws["full"] == counted:
        out.append(
            f"{name}: blit='auto' drew every frame in full, so this row measures full redraws"
        )
    return out


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def environment(peer: dict[str, Any] | None = None) -> dict[str, Any]:
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
            )
        },
        # the peer's interpreter and version, if one was given
        "peer": peer,
    }


def _peer_line(env: dict[str, Any]) -> list[str]:
    peer = env.get("peer")
    if not peer:
        return [f"Peer: {PEER_DIST} not measured (no --peer-python).", ""]
    return [f"Peer: {PEER_DIST} {peer['version']} in `{peer['python']}`, its defaults.", ""]


def write_outputs(
    out_dir: Path,
    rows: list[dict[str, Any]],
    results: list[dict[str, Any]],
    settings: dict[str, Any],
    env: dict[str, Any],
    fidelity: dict[str, dict[str, Any]] | None = None,
    plot: Path | None = None,
) -> tuple[Path, Path]:
    """Write results.json (rows, fidelity, raw case results) and results.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "results.json"
    md_path = out_dir / "results.md"
    json_path.write_text(
        json.dumps(
            {
                "environment": env,
                "settings": settings,
                "rows": rows,
                "fidelity": fidelity or {},
                "scaling_plot": plot.name if plot else None,
                "cases": results,
            },
            indent=2,
        )
    )
    warn = warnings_for(results, fidelity)
    md = [
        "# parallel_animate benchmark",
        "",
        f"{env['date_utc']}, Python {env['python']}, {env['cpu_count']} CPUs, {env['platform']}",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v),
        "",
        *_peer_line(env),
        f"Settings: `{json.dumps(settings)}`",
        "",
        format_markdown(rows),
        "",
        NOTES,
    ]
    if fidelity:
        fid_rows = [f for f in fidelity.values() if "error" not in f]
        md += ["", "## Blit fidelity", "", format_markdown(fid_rows, FIDELITY_COLUMNS)]
        md += ["", FIDELITY_NOTES]
    if plot:
        md += ["", "## Scaling", "", f"![frames/s against workers]({plot.name})"]
    if warn:
        md += ["", "Warnings:", "", *(f"- {w}" for w in warn)]
    md_path.write_text("\n".join(md) + "\n")
    return json_path, md_path
