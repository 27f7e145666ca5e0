"""``python -m benchmarks --examples``: the library's bundled seed examples
(``VeryComplexAnimation``, ``MultiPanelAnimation``) rendered by ``make_video`` with
``blit=False`` and with ``blit="auto"`` (the default), alternated round by round, each
call in a fresh interpreter (:mod:`benchmarks._examples_case`): the wall of each, the
ratio auto / blit=False, the frames drawn in full / in part / unchanged and the time the
library spent deciding what to redraw (see benchmarks/README.md, "The bundled examples").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.resume_cost import (
    _distinct,
    _median,
    _num,
    call_problems,
    header,
    write_results,
)

#: name -> "module:class" of the example (imported by the case only)
EXAMPLES = {
    "very_complex": "parallel_animate.examples.very_complex_animation:VeryComplexAnimation",
    "multi_panel": "parallel_animate.examples.multi_panel_animation:MultiPanelAnimation",
}
#: the case's --blit -> make_video's blit=
MODES: dict[str, bool | str] = {"False": False, "auto": "auto"}
FPS = 30
DEFAULT_WORKERS = 2
DEFAULT_ROUNDS = 3
DEFAULT_FRAMES = 120
CASE_MODULE = "benchmarks._examples_case"
RESULTS_NAME = "results-run{n}-examples.md"

COLUMNS: report.Columns = [
    ("example", "example"),
    ("blit", "blit"),
    ("runs", "runs"),
    ("wall", "wall s median (min)"),
    ("ratio", "auto / blit=False (wall medians)"),
    ("draw_counts", "draws full/part/same"),
    ("bookkeeping", "auto bookkeeping ms/frame"),
    ("frames_ok", "frames ok"),
]

NOTES = """\
- wall s: wall clock around the make_video call, in the case process (not the
  interpreter start nor the imports); median over the rounds, the fastest in brackets.
  Each call runs in a fresh interpreter; per round every example with blit=False, then
  with blit="auto".
- auto / blit=False: the auto row's median wall / the blit=False row's (below 1: auto
  is faster). On this 2-core shared VM a single call varies by several percent.
- draws full/part/same: frames drawn in full / in part / unchanged, all workers
  together, from the library's DEBUG line "Frames drawn: ..." (values that differ
  between rounds are listed). With blit=False every frame is drawn in full.
- auto bookkeeping ms/frame: the library's DEBUG line "Auto blit bookkeeping: ...": the
  time spent deciding what to redraw per frame drawn in part or unchanged, summed over
  the workers (median over the rounds; none with blit=False)."""


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """This mode's switch (``--frames``, ``--rounds``, ``--save``, ``--workers``, ``--out``
    and ``--keep-videos`` are shared, with other defaults here)."""
    g = ap.add_argument_group("--examples", "the bundled examples, blit=False against auto")
    g.add_argument(
        "--examples",
        action="store_true",
        help="instead of the table: the library's examples VeryComplexAnimation and "
        'MultiPanelAnimation with blit=False and blit="auto", alternated, each call in '
        f"a fresh interpreter (default {DEFAULT_FRAMES} frames, W={DEFAULT_WORKERS}, "
        f"{DEFAULT_ROUNDS} rounds)",
    )


def check_args(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fill in this mode's defaults (before the table's and --resume-cost's)."""
    if not args.examples:
        return
    if args.resume_cost or args.rss_check:
        ap.error("--examples, --resume-cost and --rss-check are separate runs")
    if args.scenes is not None or args.frames_scale != 1.0:
        ap.error("--examples renders the bundled examples: no --scenes, --frames-scale")
    args.workers = args.workers or [DEFAULT_WORKERS]
    if len(args.workers) != 1:
        ap.error("--examples measures one worker count")
    args.rounds = DEFAULT_ROUNDS if args.rounds is None else args.rounds
    args.frames = DEFAULT_FRAMES if args.frames is None else args.frames
    if args.rounds < 1 or args.frames < 1:
        ap.error("--rounds and --frames must be >= 1")
    args.methods = []  # none of the table's methods runs


def _run_call(
    example: str, mode: str, rnd: int, args: argparse.Namespace, video_dir: Path
) -> dict[str, Any]:
    """One make_video call in a fresh interpreter; its result plus the process's wall."""
    from benchmarks.runner import run_module  # needs psutil: checked by main()

    logs = (args.out / "logs").absolute()
    logs.mkdir(parents=True, exist_ok=True)
    video_dir.mkdir(parents=True, exist_ok=True)
    output = video_dir.absolute() / f"examples-{example}-{mode}.mp4"
    output.unlink(missing_ok=True)
    name = f"examples-r{rnd}-{example}-{mode}"
    cmd = ["--example", example, "--blit", mode, "--frames", str(args.frames)]
    cmd += ["--workers", str(args.workers[0]), "--output", str(output)]
    cmd += ["--result", str(logs / f"{name}.json")]
    result = run_module(CASE_MODULE, cmd, logs / f"{name}.json", logs / f"{name}.log")
    result.update(example=example, mode=mode, round=rnd)
    return result


def _draws(run: dict[str, Any]) -> str:
    draws = run.get("draws")
    return "?" if draws is None else "/".join(str(draws[k]) for k in report.DRAW_KEYS)


def summarize(runs: list[dict[str, Any]], frames: int) -> list[dict[str, Any]]:
    """One row per (example, mode), in that order: medians and minima of the successful
    runs, the auto row's wall median / the blit=False row's."""
    rows = []
    for example in EXAMPLES:
        base = None
        for mode in MODES:
            mine = [r for r in runs if (r["example"], r["mode"]) == (example, mode)]
            ok = [r for r in mine if r.get("ok")]
            walls = [r["wall_s"] for r in ok]
            row: dict[str, Any] = {"example_id": example, "blit": mode}
            row["example"] = EXAMPLES[example].rsplit(":", 1)[1]
            row["runs"] = f"{len(ok)}" if len(ok) == len(mine) else f"{len(ok)} of {len(mine)}"
            row["wall_median"] = _median(walls)
            row["wall_min"] = min(walls) if walls else None
            row["wall_s_runs"] = walls
            row["wall"] = (
                "FAILED" if not walls else f"{row['wall_median']:.2f} ({row['wall_min']:.2f})"
            )
            base = row["wall_median"] if mode == "False" else base
            ratio = row["wall_median"] / base if mode != "False" and walls and base else None
            row["ratio_num"] = ratio
            row["ratio"] = _num(ratio, 3)
            row["draw_counts"] = _distinct([_draws(r) for r in ok])
            row["bookkeeping_ms"] = _median([r.get("bookkeeping_ms") for r in ok])
            row["bookkeeping"] = _num(row["bookkeeping_ms"], 2)
            row["frames_ok"] = bool(ok) and all(r.get("output_frames") == frames for r in ok)
            rows.append(row)
    return rows


def problems(runs: list[dict[str, Any]], frames: int) -> tuple[list[str], list[str]]:
    """(problems, warnings): a failed call, a wrong frame count, a missing "Frames drawn"
    line or draw counts that do not add up to the frames, a full redraw not drawing every
    frame in full; warned about: an auto call that drew every frame in full or logged no
    bookkeeping line."""
    found, warned = [], []
    for r in runs:
        name = f"round {r['round']} ({r['example']}, blit={r['mode']})"
        found += call_problems(name, r, frames)
        draws = r.get("draws")
        if not r.get("ok"):
            continue
        if draws is None:
            found.append(f"{name}: no 'Frames drawn' line from the library")
            continue
        counted = sum(draws[k] for k in report.DRAW_KEYS)
        if counted != frames:
            found.append(f"{name}: the draw counts add up to {counted} frames, not {frames}")
        if r["mode"] == "False" and draws["full"] != counted:
            found.append(f"{name}: blit=False drew {_draws(r)}, not every frame in full")
        if r["mode"] == "auto" and draws["full"] == counted:
            warned.append(f"{name}: blit='auto' drew every frame in full")
        if r["mode"] == "auto" and counted > draws["full"] and r.get("bookkeeping_ms") is None:
            warned.append(f"{name}: no 'Auto blit bookkeeping' line from the library")
    return found, warned


def markdown(title: str, data: dict[str, Any]) -> str:
    """The results file: where, how, the table, the notes, every run, problems."""
    s = data["settings"]
    per_run = [
        {
            "round": r["round"],
            "example": r["example"],
            "blit": r["mode"],
            "call s": "FAILED" if not r.get("ok") else f"{r['wall_s']:.2f}",
            "process s": f"{r['process_wall_s']:.2f}",
            "main CPU s": _num(r.get("self_cpu_s"), 2),
            "workers CPU s": _num(r.get("children_cpu_s"), 2),
            "draws full/part/same": _draws(r) if r.get("ok") else "-",
            "bookkeeping ms/frame": _num(r.get("bookkeeping_ms"), 2),
        }
        for r in data["runs"]
    ]
    md = [
        *header(title, data),
        f"{s['frames']} frames, W={s['workers']}, {s['rounds']} round(s); every call "
        f"`make_video(output, _common.phase_params({s['frames']}), fps={FPS}, "
        f"num_workers={s['workers']}, disable_progress_bar=True, blit=MODE)`.",
        report.format_markdown(data["rows"], COLUMNS),
        NOTES,
        "Every run, in the order they ran:",
        report.format_markdown(per_run, [(k, k) for k in per_run[0]]),
    ]
    for what, lines in (("Problems", data["problems"]), ("Warnings", data["warnings"])):
        if lines:
            md += [f"{what}:", "\n".join(f"- {p}" for p in lines)]
    return "\n\n".join(md) + "\n"


def main(args: argparse.Namespace, video_dir: Path) -> int:
    """Run the rounds, print the table, write ``examples.json`` and ``.md`` to --out (and
    with --save the Markdown to results/); 1 if a call failed or a check did."""
    env = report.environment()
    order = [
        (rnd, ex, mode) for rnd in range(1, args.rounds + 1) for ex in EXAMPLES for mode in MODES
    ]
    runs = []
    for i, (rnd, example, mode) in enumerate(order, 1):
        print(
            f"[{i}/{len(order)}] round {rnd}: {example}, blit={mode} ...",
            end=" ",
            file=sys.stderr,
            flush=True,
        )
        res = _run_call(example, mode, rnd, args, video_dir)
        msg = f"call {res['wall_s']:.2f} s" if res.get("ok") else f"FAILED: {res.get('error')}"
        print(f"{msg}, process {res['process_wall_s']:.2f} s", file=sys.stderr, flush=True)
        runs.append(res)
    rows = summarize(runs, args.frames)
    found, warned = problems(runs, args.frames)
    print(
        f"\nbundled examples: {args.frames} frames, W={args.workers[0]}, blit=False and "
        f'"auto", {args.rounds} round(s), each call in a fresh interpreter\n'
    )
    print(report.format_text(rows, COLUMNS))
    for p in found:
        print(f"problem: {p}")
    for w in warned:
        print(f"warning: {w}")
    data = {
        "command": f"python -m benchmarks --examples --frames {args.frames} "
        f"--workers {args.workers[0]} --rounds {args.rounds}",
        "environment": env,
        "settings": dict(frames=args.frames, workers=args.workers[0], rounds=args.rounds),
        "rows": rows,
        "problems": found,
        "warnings": warned,
        "runs": runs,
    }
    titles = (
        "parallel_animate benchmark: the bundled examples",
        'the bundled examples, blit=False against "auto"',
    )
    write_results(args, "examples", data, markdown, titles, RESULTS_NAME)
    return 1 if found else 0
