"""``python -m benchmarks --resume-cost``: what make_video's ``resume`` and ``cache_dir``
cost, against a plain render.

The same make_video call (the scene's animator, ``blit`` at its default "auto") four
ways, alternated round by round (a, b, c, d, a, b, c, d, ...), each call in a fresh
interpreter (:mod:`benchmarks._resume_case`):

- a: ``resume=False``: nothing kept (the baseline);
- b: the default ``resume=True``: parts beside the output, removed on success;
- c: ``cache_dir=`` an empty folder (emptied before each round's c);
- d: ``cache_dir=`` the folder c just filled: every part found, nothing rendered.

See benchmarks/README.md ("What resume costs").
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.scenes import SCENES

DEFAULT_SCENE = "panels16"
DEFAULT_WORKERS = 2
DEFAULT_ROUNDS = 3
CASE_MODULE = "benchmarks._resume_case"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_NAME = "results-run{n}-resume-cost.md"

#: variant -> (table label, the make_video argument that sets it apart)
VARIANTS = {
    "a": ("(a) no resume", "resume=False"),
    "b": ("(b) resume, default", "resume=True"),
    "c": ("(c) cache, first run", "cache_dir=<empty dir>"),
    "d": ("(d) cache, rerun", "cache_dir=<dir c filled>"),
}
#: (numerator, denominator, the highest median call-time ratio that passes, or None)
RATIOS = [("b", "a", None), ("c", "a", 1.05), ("d", "c", 0.10)]

COLUMNS: report.Columns = [
    ("label", "method"),
    ("call", "make_video call"),
    ("runs", "runs"),
    ("call_median", "call s median"),
    ("call_min", "call s min"),
    ("process_median", "process s median"),
    ("process_min", "process s min"),
    ("setup_calls", "setup() calls"),
    ("draw_counts", "draws full/part/same"),
    ("frames_ok", "frames ok"),
]
RATIO_COLUMNS: report.Columns = [
    ("ratio", "ratio"),
    ("what", "of"),
    ("call", "call (medians)"),
    ("process", "process (medians)"),
    ("criterion", "criterion (call)"),
    ("result", "result"),
]

NOTES = """\
- call s: wall clock around the make_video call, inside the case process (workers'
  setup() included); process s: the whole case process, from the parent's start of it
  to its exit (interpreter start, imports, the call, reading the video back).
- Each call runs in a fresh interpreter; the methods alternate round by round (a, b, c,
  d, a, ...); c's folder is emptied before each round's c, d uses it as c left it.
- setup() calls: per run, in every process (values that differ between runs are
  listed); d must have none. draws: the library's "Frames drawn" line (full/part/same).
- Ratios divide the medians; the criteria apply to the call's: c/a <= 1.05 (keeping a
  cache costs at most 5 %), d/c <= 0.10 (a rerun found in the cache costs at most a
  tenth). The process ratios are for information (they include the interpreter start)."""


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """This mode's options (``--scenes``, ``--workers``, ``--frames-scale``, ``--out`` and
    ``--keep-videos`` are the table's, with other defaults here)."""
    g = ap.add_argument_group(
        "--resume-cost", "the cost of make_video's resume and cache_dir (see the README)"
    )
    g.add_argument(
        "--resume-cost",
        action="store_true",
        help="instead of the table: make_video with resume=False, resume=True, an empty "
        "cache_dir and the filled cache_dir, alternated, each call in a fresh "
        f"interpreter (default scene {DEFAULT_SCENE}, W={DEFAULT_WORKERS})",
    )
    g.add_argument(
        "--frames",
        type=int,
        default=None,
        help="with --resume-cost: frames per call (default: the scene's, 120 for "
        "panels16, times --frames-scale)",
    )
    g.add_argument(
        "--rounds",
        type=int,
        default=None,
        help=f"with --resume-cost: rounds of a, b, c, d (default {DEFAULT_ROUNDS})",
    )
    g.add_argument(
        "--save",
        action="store_true",
        help="with --resume-cost: also write the Markdown to benchmarks/results/"
        + RESULTS_NAME.format(n="N")
        + " (N: the next run number)",
    )


def check_args(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in this mode's defaults; options of this mode alone need ``--resume-cost``."""
    if not args.resume_cost:
        given = {"--frames": args.frames, "--rounds": args.rounds, "--save": args.save or None}
        stray = [name for name, value in given.items() if value is not None]
        if stray:
            ap.error(f"{', '.join(stray)} only go with --resume-cost")
        return
    if args.rss_check:
        ap.error("--resume-cost and --rss-check are separate runs")
    args.scenes = args.scenes or [DEFAULT_SCENE]
    args.workers = args.workers or [DEFAULT_WORKERS]
    if len(args.scenes) != 1 or len(args.workers) != 1:
        ap.error("--resume-cost measures one scene at one worker count")
    if args.rounds is None:
        args.rounds = DEFAULT_ROUNDS
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    if args.frames is None:
        args.frames = max(2, round(SCENES[args.scenes[0]].default_frames * args.frames_scale))
    if args.frames < 1:
        ap.error("--frames must be >= 1")
    args.methods = []  # none of the table's methods runs


def _run_call(
    variant: str, rnd: int, args: argparse.Namespace, video_dir: Path, cache: Path
) -> dict[str, Any]:
    """One make_video call in a fresh interpreter; its result plus the process's wall."""
    from benchmarks.runner import ROOT, _child_env  # needs psutil: checked by main()

    logs = (args.out / "logs").absolute()
    logs.mkdir(parents=True, exist_ok=True)
    # c and d make the same call (the same output too); a and b have files of their own
    output = video_dir.absolute() / f"resume-cost-{'cache' if variant in 'cd' else variant}.mp4"
    output.unlink(missing_ok=True)
    result_file = logs / f"resume-cost-r{rnd}-{variant}.json"
    result_file.unlink(missing_ok=True)
    log_file = logs / f"resume-cost-r{rnd}-{variant}.log"
    cmd = [sys.executable, "-m", CASE_MODULE, "--scene", args.scenes[0], "--variant", variant]
    cmd += ["--frames", str(args.frames), "--workers", str(args.workers[0])]
    cmd += ["--output", str(output), "--result", str(result_file)]
    if variant in "cd":
        cmd += ["--cache-dir", str(cache.absolute())]
    with open(log_file, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=_child_env(), cwd=ROOT
        )
        process_wall = time.perf_counter() - t0
    result: dict[str, Any] = {"variant": variant, "ok": False}
    if result_file.exists():
        result.update(json.loads(result_file.read_text()))
    if not result.get("ok"):
        result.setdefault("error", f"case exited with code {proc.returncode}")
        result["log_tail"] = "\n".join(log_file.read_text(errors="replace").splitlines()[-15:])
    result.update(round=rnd, process_wall_s=process_wall, returncode=proc.returncode)
    result["log"] = str(log_file)
    return result


def problems(runs: list[dict[str, Any]], frames: int) -> list[str]:
    """What went wrong: a failed call, a wrong frame count, parts left where none should
    be, c finding parts or keeping none, d rendering anything."""
    out = []
    for r in runs:
        name = f"round {r['round']} ({r['variant']})"
        if not r.get("ok"):
            out.append(f"{name}: FAILED: {r.get('error')} (log: {r.get('log')})")
            continue
        if r.get("output_frames") != frames:
            out.append(f"{name}: the video has {r.get('output_frames')} frames, not {frames}")
        if r["parts_left_beside"]:
            out.append(f"{name}: a parts folder is left beside the output")
        if r["variant"] == "d" and (r["setup_calls"] or r["found_frames"] != frames):
            out.append(
                f"{name}: setup() called {r['setup_calls']} times, {r['found_frames']} of "
                f"{frames} frames found in the cache: it rendered"
            )
        if r["variant"] != "d" and (r["found_frames"] or not r["setup_calls"]):
            out.append(f"{name}: {r['found_frames']} frames found kept: it did not render all")
        if r["variant"] == "c" and not r["cache_parts"]:
            out.append(f"{name}: no part in the cache folder after the run")
    return out


def _distinct(values: list[Any]) -> str:
    return ", ".join(dict.fromkeys(str(v) for v in values)) or "-"


def summarize(runs: list[dict[str, Any]], frames: int) -> list[dict[str, Any]]:
    """One row per variant: medians and minima of the successful runs."""
    rows = []
    for variant, (label, call) in VARIANTS.items():
        mine = [r for r in runs if r["variant"] == variant]
        ok = [r for r in mine if r.get("ok")]
        row: dict[str, Any] = {"variant": variant, "label": label, "call": call}
        row["runs"] = f"{len(ok)}" if len(ok) == len(mine) else f"{len(ok)} of {len(mine)}"
        for key, field in (("call", "wall_s"), ("process", "process_wall_s")):
            values = [r[field] for r in ok]
            row[f"{key}_median"] = statistics.median(values) if values else None
            row[f"{key}_min"] = min(values) if values else None
            row[f"{key}_s_runs"] = values
        row["setup_calls"] = _distinct([r["setup_calls"] for r in ok])
        draws = [r.get("draws") for r in ok]
        row["draw_counts"] = _distinct(
            ["?" if d is None else "/".join(str(d[k]) for k in report.DRAW_KEYS) for d in draws]
        )
        row["frames_ok"] = bool(ok) and all(r.get("output_frames") == frames for r in ok)
        rows.append(row)
    return rows


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """b/a, c/a and d/c from the medians, with PASS/FAIL where there is a criterion."""
    by = {r["variant"]: r for r in rows}
    out = []
    for num, den, limit in RATIOS:
        row: dict[str, Any] = {
            "ratio": f"{num}/{den}",
            "what": f"{by[num]['call']} / {by[den]['call']}",
        }
        for key in ("call", "process"):
            top, bottom = by[num][f"{key}_median"], by[den][f"{key}_median"]
            row[f"{key}_value"] = top / bottom if top is not None and bottom else None
            row[key] = "-" if row[f"{key}_value"] is None else f"{row[f'{key}_value']:.3f}"
        row["criterion"] = "-" if limit is None else f"<= {limit:.2f}"
        row["limit"] = limit
        if limit is None:
            row["result"] = "-"
        elif row["call_value"] is None:
            row["result"] = "FAIL (no value)"
        else:
            row["result"] = "PASS" if row["call_value"] <= limit else "FAIL"
        out.append(row)
    return out


def command(args: argparse.Namespace) -> str:
    """The command line of this run, as the results file shows it."""
    return (
        f"python -m benchmarks --resume-cost --scenes {args.scenes[0]} --frames {args.frames}"
        f" --workers {args.workers[0]} --rounds {args.rounds}"
    )


def _load(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def markdown(title: str, data: dict[str, Any]) -> str:
    """The results file: where, how, the two tables, the notes, every run, problems."""
    env, s = data["environment"], data["settings"]
    per_run = [
        {
            "round": r["round"],
            "variant": VARIANTS[r["variant"]][0],
            "call s": "FAILED" if not r.get("ok") else f"{r['wall_s']:.2f}",
            "process s": f"{r['process_wall_s']:.2f}",
        }
        for r in data["runs"]
    ]
    md = [
        f"# {title}",
        "",
        f"    {data['command']}",
        "",
        f"{env['date_utc']} to {data['end_utc']}, Python {env['python']}, "
        f"{env['cpu_count']} CPUs, {env['platform']}; load average (1 min) "
        f"{_load(env['load_avg_1m'])} at the start, {_load(data['load_avg_1m_end'])} at the end.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v),
        "",
        f"Scene {s['scene']}, {s['frames']} frames, W={s['workers']}, {s['rounds']} round(s); "
        f"every call `make_video(output, params, fps, num_workers={s['workers']}, "
        'disable_progress_bar=True, ...)` with `blit` at its default ("auto").',
        "",
        report.format_markdown(data["rows"], COLUMNS),
        "",
        report.format_markdown(data["ratios"], RATIO_COLUMNS),
        "",
        NOTES,
        "",
        "Every run, in the order they ran:",
        "",
        report.format_markdown(per_run, [(k, k) for k in per_run[0]]),
    ]
    if data["problems"]:
        md += ["", "Problems:", "", *(f"- {p}" for p in data["problems"])]
    return "\n".join(md) + "\n"


def next_results_path(folder: Path = RESULTS_DIR) -> Path:
    """``results-runN-resume-cost.md`` with N one more than any run's in ``folder``."""
    runs = [
        int(m[1])
        for p in folder.glob("results-run*")
        if (m := re.match(r"results-run(\d+)", p.name))
    ]
    return folder / RESULTS_NAME.format(n=max(runs, default=0) + 1)


def main(args: argparse.Namespace, video_dir: Path) -> int:
    """Run the rounds, print the tables, write ``resume-cost.json`` and ``.md`` to --out
    (and with --save the Markdown to results/); 1 if a call failed or a check did."""
    env = report.environment()
    cache = video_dir / "resume-cost-cache"
    order = [(rnd, v) for rnd in range(1, args.rounds + 1) for v in VARIANTS]
    runs = []
    for i, (rnd, variant) in enumerate(order, 1):
        label = VARIANTS[variant][0]
        print(f"[{i}/{len(order)}] round {rnd}: {label} ...", end=" ", file=sys.stderr, flush=True)
        if variant == "c":
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir(parents=True)
        res = _run_call(variant, rnd, args, video_dir, cache)
        msg = f"call {res['wall_s']:.2f} s" if res.get("ok") else f"FAILED: {res.get('error')}"
        print(f"{msg}, process {res['process_wall_s']:.2f} s", file=sys.stderr, flush=True)
        runs.append(res)
    rows = summarize(runs, args.frames)
    ratio_rows = ratios(rows)
    found = problems(runs, args.frames)
    print(
        f"\nresume cost: {args.scenes[0]}, {args.frames} frames, W={args.workers[0]}, "
        f'blit "auto", {args.rounds} round(s), each call in a fresh interpreter\n'
    )
    print(report.format_text(rows, COLUMNS))
    print()
    print(report.format_text(ratio_rows, RATIO_COLUMNS))
    for p in found:
        print(f"problem: {p}")
    end = report.environment()
    data = {
        "command": command(args),
        "environment": env,
        "end_utc": end["date_utc"],
        "load_avg_1m_end": end["load_avg_1m"],
        "settings": {
            "scene": args.scenes[0],
            "frames": args.frames,
            "workers": args.workers[0],
            "rounds": args.rounds,
        },
        "rows": rows,
        "ratios": ratio_rows,
        "problems": found,
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / "resume-cost.json", args.out / "resume-cost.md"
    json_path.write_text(json.dumps(data, indent=2))
    md_path.write_text(markdown("parallel_animate benchmark: what resume costs", data))
    print(f"\nwrote {json_path} and {md_path}")
    if args.save:
        saved = next_results_path()
        run_no = saved.name.split("-")[1].removeprefix("run")
        saved.write_text(markdown(f"Run {run_no}: what resume and cache_dir cost", data))
        print(f"wrote {saved}")
    return 1 if found else 0
