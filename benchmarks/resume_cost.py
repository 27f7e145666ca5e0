"""``python -m benchmarks --resume-cost``: what make_video's ``resume`` and ``cache_dir``
cost, against a plain render: the same call as a (``resume=False``), b (the default
``resume=True``), c (``cache_dir=`` an empty folder) and d (``cache_dir=`` the folder c
filled), alternated round by round, each in a fresh interpreter
(:mod:`benchmarks._resume_case`). Its 5 % criterion is judged on the library's own
measure of c's extra work (see NOTES and benchmarks/README.md, "What resume costs").
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
from collections.abc import Callable
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
#: The highest values that pass: c's bookkeeping / call (the direct cost), d/c (call).
BOOKKEEPING_LIMIT, RERUN_LIMIT = 0.05, 0.10
#: run field -> row key of its median (and ``<key>_min``, ``<key>_s_runs``)
MEDIANS = {
    "wall_s": "call",
    "process_wall_s": "process",
    "bookkeeping_s": "bookkeeping",
    "self_cpu_s": "main_cpu",
    "children_cpu_s": "workers_cpu",
}

COLUMNS: report.Columns = [
    ("label", "method"),
    ("call", "make_video call"),
    ("runs", "runs"),
    ("call_median", "call s median"),
    ("call_min", "call s min"),
    ("process_median", "process s median"),
    ("process_min", "process s min"),
    ("bookkeeping", "bookkeeping s median"),
    ("main_cpu_median", "main CPU s median"),
    ("workers_cpu_median", "workers CPU s median"),
    ("setup_calls", "setup() calls"),
    ("draw_counts", "draws full/part/same"),
    ("frames_ok", "frames ok"),
]
RATIO_COLUMNS: report.Columns = [
    ("ratio", "ratio"),
    ("what", "of"),
    ("value", "value"),
    ("process", "process (info)"),
    ("criterion", "criterion (value)"),
    ("result", "result"),
]

NOTES = """\
- call s: wall clock around the make_video call, in the case process; process s: the
  whole case process (interpreter start and imports too); main / workers CPU s:
  getrusage around the call. Each call runs in a fresh interpreter, alternated round by
  round (a, b, c, d, a, ...); c's folder is emptied before each c, d uses it as c left it.
- bookkeeping s: the library's own measure of what resuming adds, its DEBUG line
  "Resume bookkeeping" (none with resume=False): wall time in the main process spent
  fingerprinting params as they are read and finding or writing parts (each written
  once, with fsync); not the run's key, made once. (a), (b) and (c) do the same
  rendering work in the workers: resuming adds work only in the main process.
- So "a first run with cache_dir is at most 5 % slower" is judged on that direct cost:
  c's bookkeeping / call (median over c's runs of each run's bookkeeping s / call s)
  <= 0.05; b's is shown. On a 2-core shared VM the wall of single calls cannot resolve
  5 %: the workers' CPU for the same work varied by +-20 % between runs (5 full runs,
  panels16, 120 frames, W=2: (a)'s workers' CPU 21.2-28.3 s, call 10.9-15.8 s). b/a,
  c/a (medians), the median of per-round c_i/a_i and process ratios are information.
- d/c <= 0.10 on the call medians: a rerun found in the cache costs at most a tenth
  (full size: ~0.07 s against ~13 s, far outside the noise).
- setup() calls: per run, in every process (values that differ between runs are
  listed); d must have none. draws: the library's "Frames drawn" line (full/part/same)."""


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """This mode's options (``--scenes``, ``--workers``, ``--frames-scale``, ``--out`` and
    ``--keep-videos`` are the table's, with other defaults here)."""
    g = ap.add_argument_group("--resume-cost", "what resume and cache_dir cost (see the README)")
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
        help="with --resume-cost: frames per call (default: the scene's, 120 for "
        "panels16, times --frames-scale); with --examples: frames per call (default 120)",
    )
    g.add_argument(
        "--rounds",
        type=int,
        help=f"with --resume-cost: rounds of a, b, c, d (default {DEFAULT_ROUNDS}); with "
        "--examples: rounds of its calls (default 3)",
    )
    g.add_argument(
        "--save",
        action="store_true",
        help="with --resume-cost (or --examples): also write the Markdown to "
        f"benchmarks/results/{RESULTS_NAME.format(n='N')} (results-runN-examples.md; "
        "N: the next run number)",
    )


def check_args(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in this mode's defaults; ``--frames``, ``--rounds`` and ``--save`` need
    ``--resume-cost`` or ``--examples`` (which fills in its own)."""
    if not args.resume_cost:
        given = {"--frames": args.frames, "--rounds": args.rounds, "--save": args.save or None}
        stray = [name for name, value in given.items() if value is not None]
        if stray and not args.examples:
            ap.error(f"{', '.join(stray)} only go with --resume-cost or --examples")
        return
    if args.rss_check:
        ap.error("--resume-cost and --rss-check are separate runs")
    args.scenes = args.scenes or [DEFAULT_SCENE]
    args.workers = args.workers or [DEFAULT_WORKERS]
    if len(args.scenes) != 1 or len(args.workers) != 1:
        ap.error("--resume-cost measures one scene at one worker count")
    args.rounds = DEFAULT_ROUNDS if args.rounds is None else args.rounds
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
    from benchmarks.runner import run_module  # needs psutil: checked by main()

    logs = (args.out / "logs").absolute()
    logs.mkdir(parents=True, exist_ok=True)
    # c and d make the same call (the same output too); a and b have files of their own
    output = video_dir.absolute() / f"resume-cost-{'cache' if variant in 'cd' else variant}.mp4"
    output.unlink(missing_ok=True)
    result_file = logs / f"resume-cost-r{rnd}-{variant}.json"
    log_file = logs / f"resume-cost-r{rnd}-{variant}.log"
    cmd = ["--scene", args.scenes[0], "--variant", variant]
    cmd += ["--frames", str(args.frames), "--workers", str(args.workers[0])]
    cmd += ["--output", str(output), "--result", str(result_file)]
    if variant in "cd":
        cmd += ["--cache-dir", str(cache.absolute())]
    result = {"variant": variant, **run_module(CASE_MODULE, cmd, result_file, log_file)}
    result["round"] = rnd
    return result


def call_problems(name: str, run: dict[str, Any], frames: int) -> list[str]:
    """A failed call (with its error and log), or a video without ``frames`` frames."""
    if not run.get("ok"):
        return [f"{name}: FAILED: {run.get('error')} (log: {run.get('log')})"]
    if run.get("output_frames") != frames:
        return [f"{name}: the video has {run.get('output_frames')} frames, not {frames}"]
    return []


def problems(runs: list[dict[str, Any]], frames: int) -> list[str]:
    """What went wrong: a failed call, a wrong frame count, parts left where none should
    be, c finding parts or keeping none, d rendering anything, a "Resume bookkeeping"
    line with a (or none with b, c, d), with fewer frames kept than all (b, c), any (d)."""
    out = []
    for r in runs:
        name = f"round {r['round']} ({r['variant']})"
        out += call_problems(name, r, frames)
        if not r.get("ok"):
            continue
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
        kept, want = r.get("kept_frames"), {"a": None, "d": 0}.get(r["variant"], frames)
        if kept != want:  # None: no "Resume bookkeeping" line
            out.append(f"{name}: 'Resume bookkeeping' line: {kept} frames kept, not {want}")
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
        for field, key in MEDIANS.items():
            values = [r[field] for r in ok if r.get(field) is not None]
            row[f"{key}_median"] = _median(values)
            row[f"{key}_min"] = min(values) if values else None
            row[f"{key}_s_runs"] = values
        row["bookkeeping"] = _num(row["bookkeeping_median"], 3)
        row["setup_calls"] = _distinct([r["setup_calls"] for r in ok])
        draws = [r.get("draws") for r in ok]
        row["draw_counts"] = _distinct(
            ["?" if d is None else "/".join(str(d[k]) for k in report.DRAW_KEYS) for d in draws]
        )
        row["frames_ok"] = bool(ok) and all(r.get("output_frames") == frames for r in ok)
        rows.append(row)
    return rows


def _num(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _div(top: float | None, bottom: float | None) -> float | None:
    return top / bottom if top is not None and bottom else None


def _ratio_row(
    name: str, what: str, value: float | None, process: float | None, limit: float | None
) -> dict[str, Any]:
    digits = 4 if "bookkeeping" in name else 3
    row = {"ratio": name, "what": what, "value_num": value, "process_num": process}
    row.update(value=_num(value, digits), process=_num(process, 3), limit=limit)
    row["criterion"] = "-" if limit is None else f"<= {limit:.2f}"
    if limit is None or value is None:
        row["result"] = "-" if limit is None else "FAIL (no value)"
    else:
        row["result"] = "PASS" if value <= limit else "FAIL"
    return row


def ratios(rows: list[dict[str, Any]], runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bookkeeping / call of b and c (PASS/FAIL for c), d/c of the call medians
    (PASS/FAIL); for information b/a, c/a of the medians and the median of per-round c/a."""
    by = {r["variant"]: r for r in rows}
    ok = {(r["round"], r["variant"]): r for r in runs if r.get("ok")}
    out = []
    for v in "bc":
        own = [_div(r.get("bookkeeping_s"), r["wall_s"]) for r in ok.values() if r["variant"] == v]
        limit = BOOKKEEPING_LIMIT if v == "c" else None
        what = f"{by[v]['call']}: median of each run's bookkeeping s / call s"
        out.append(_ratio_row(f"{v}: bookkeeping / call", what, _median(own), None, limit))
    for num, den, limit in (("d", "c", RERUN_LIMIT), ("b", "a", None), ("c", "a", None)):
        name = f"{num}/{den}" + (" (wall, noisy)" if limit is None else "")
        what = f"{by[num]['call']} / {by[den]['call']}: medians"
        top, bottom = by[num], by[den]
        call, process = (
            _div(top[f"{k}_median"], bottom[f"{k}_median"]) for k in ("call", "process")
        )
        out.append(_ratio_row(name, what, call, process, limit))
    pairs = [(ok[rnd, "c"], ok[rnd, "a"]) for rnd, v in ok if v == "c" and (rnd, "a") in ok]
    call, process = (
        _median([_div(c[f], a[f]) for c, a in pairs]) for f in ("wall_s", "process_wall_s")
    )
    what = "median over rounds of c_i/a_i (the same round's c and a)"
    out.append(_ratio_row("c_i/a_i (wall, noisy)", what, call, process, None))
    return out


def markdown(title: str, data: dict[str, Any]) -> str:
    """The results file: where, how, the two tables, the notes, every run, problems."""
    s = data["settings"]
    per_run = [
        {
            "round": r["round"],
            "variant": VARIANTS[r["variant"]][0],
            "call s": "FAILED" if not r.get("ok") else f"{r['wall_s']:.2f}",
            "process s": f"{r['process_wall_s']:.2f}",
            "bookkeeping s": _num(r.get("bookkeeping_s"), 3),
            "main CPU s": _num(r.get("self_cpu_s"), 2),
            "workers CPU s": _num(r.get("children_cpu_s"), 2),
        }
        for r in data["runs"]
    ]
    md = [
        *header(title, data),
        f"Scene {s['scene']}, {s['frames']} frames, W={s['workers']}, {s['rounds']} round(s); "
        f"every call `make_video(output, params, fps, num_workers={s['workers']}, "
        'disable_progress_bar=True, ...)` with `blit` at its default ("auto").',
        report.format_markdown(data["rows"], COLUMNS),
        report.format_markdown(data["ratios"], RATIO_COLUMNS),
        NOTES,
        "Every run, in the order they ran:",
        report.format_markdown(per_run, [(k, k) for k in per_run[0]]),
    ]
    if data["problems"]:
        md += ["Problems:", "\n".join(f"- {p}" for p in data["problems"])]
    return "\n\n".join(md) + "\n"  # paragraphs, tables and lists apart


def header(title: str, data: dict[str, Any]) -> list[str]:
    """The first paragraphs of a results file: the title, the command, when and where
    (``data``: ``command``, ``environment``, ``end_utc``, ``load_avg_1m_end``)."""
    env = data["environment"]
    return [
        f"# {title}",
        f"    {data['command']}",
        f"{env['date_utc']} to {data['end_utc']}, Python {env['python']}, "
        f"{env['cpu_count']} CPUs, {env['platform']}; load average (1 min) "
        f"{_num(env['load_avg_1m'], 2)} at the start, "
        f"{_num(data['load_avg_1m_end'], 2)} at the end.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items() if v),
    ]


def next_results_path(folder: Path = RESULTS_DIR, name: str = RESULTS_NAME) -> Path:
    """``name`` (``results-run{n}-....md``) with n one more than any run's in ``folder``."""
    runs = [
        int(m[1])
        for p in folder.glob("results-run*")
        if (m := re.match(r"results-run(\d+)", p.name))
    ]
    return folder / name.format(n=max(runs, default=0) + 1)


def write_results(
    args: argparse.Namespace,
    stem: str,
    data: dict[str, Any],
    markdown_of: Callable[[str, dict[str, Any]], str],
    titles: tuple[str, str],
    results_name: str,
) -> None:
    """Add when and how loaded the run ended to ``data`` (see :func:`header`), write it
    to ``--out`` as ``STEM.json`` and as ``STEM.md`` (``markdown_of(title, data)``,
    ``titles[0]``), and with ``--save`` the Markdown titled "Run N: ``titles[1]``" to
    results/ as the next run's file named after ``results_name``."""
    end = report.environment()
    data.update(end_utc=end["date_utc"], load_avg_1m_end=end["load_avg_1m"])
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = args.out / f"{stem}.json", args.out / f"{stem}.md"
    json_path.write_text(json.dumps(data, indent=2))
    md_path.write_text(markdown_of(titles[0], data))
    print(f"\nwrote {json_path} and {md_path}")
    if args.save:
        saved = next_results_path(name=results_name)
        run_no = saved.name.split("-")[1].removeprefix("run")
        saved.write_text(markdown_of(f"Run {run_no}: {titles[1]}", data))
        print(f"wrote {saved}")


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
    ratio_rows = ratios(rows, runs)
    found = problems(runs, args.frames)
    print(
        f"\nresume cost: {args.scenes[0]}, {args.frames} frames, W={args.workers[0]}, "
        f'blit "auto", {args.rounds} round(s), each call in a fresh interpreter\n'
    )
    print(report.format_text(rows, COLUMNS))
    print(f"\n{report.format_text(ratio_rows, RATIO_COLUMNS)}")
    for p in found:
        print(f"problem: {p}")
    data = {
        "command": f"python -m benchmarks --resume-cost --scenes {args.scenes[0]} "
        f"--frames {args.frames} --workers {args.workers[0]} --rounds {args.rounds}",
        "environment": env,
        "settings": dict(
            scene=args.scenes[0], frames=args.frames, workers=args.workers[0], rounds=args.rounds
        ),
        "rows": rows,
        "ratios": ratio_rows,
        "problems": found,
        "runs": runs,
    }
    titles = ("parallel_animate benchmark: what resume costs", "what resume and cache_dir cost")
    write_results(args, "resume-cost", data, markdown, titles, RESULTS_NAME)
    return 1 if found else 0
