"""``python -m benchmarks``: compare make_video with FuncAnimation.save.

See benchmarks/README.md for what is measured and what each column means.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from benchmarks import examples_cost, fidelity, report, resume_cost
from benchmarks.methods import DASK, METHODS, PEER, CaseSpec
from benchmarks.plot import write_scaling_plot
from benchmarks.scenes import SCENES

PROG = "python -m benchmarks"
PEER_ENV = "PARALLEL_ANIMATE_PEER_PYTHON"

# What a run needs beyond the library, checked in main() (importing this module and
# --help need none of it): import name -> (distribution, the extra that installs it).
BENCH_EXTRA = {"psutil": ("psutil", "bench"), "imageio_ffmpeg": ("imageio-ffmpeg", "bench")}
DASK_EXTRA = {"distributed": ("dask[distributed]", "dask")}


def _int_list(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _name_list(choices: Iterable[str], what: str) -> Callable[[str], list[str]]:
    """An argparse type: a comma-separated list of names out of ``choices``."""
    known = list(choices)

    def parse(text: str) -> list[str]:
        names = [v.strip() for v in text.split(",") if v.strip()]
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown {what}(s) {unknown}; choose from {', '.join(known)}"
            )
        return names

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Time parallel_animate's make_video against matplotlib's "
        "FuncAnimation.save and against the bare per-frame work (the floor).",
    )
    ap.add_argument(
        "--scenes",
        type=_name_list(SCENES, "scene"),
        default=None,
        help=f"comma-separated subset of {','.join(SCENES)} "
        f"(default: all; with --resume-cost: {resume_cost.DEFAULT_SCENE})",
    )
    ap.add_argument(
        "--frames-scale",
        type=float,
        default=1.0,
        help="multiply every scene's frame count, e.g. 0.1 for a quick run",
    )
    ap.add_argument(
        "--workers",
        type=_int_list,
        default=None,
        help="comma-separated worker counts for the per-worker methods "
        "(default: 1,2; with --scaling: 1..CPU count; with --resume-cost: 2)",
    )
    ap.add_argument(
        "--scaling",
        action="store_true",
        help="measure every worker count from 1 to the CPU count (unless --workers "
        "is given) for the scaling plot, which is written whenever >1 count is measured",
    )
    ap.add_argument(
        "--methods",
        type=_name_list(METHODS, "method"),
        default=None,
        help=f"comma-separated subset of {','.join(METHODS)} "
        f"(default: all; {PEER} only with a peer interpreter)",
    )
    ap.add_argument(
        "--skip-funcanimation",
        action="store_true",
        help="do not run the FuncAnimation.save baseline",
    )
    ap.add_argument(
        "--dask",
        action="store_true",
        help="add a make_video row on a Dask LocalCluster of W single-threaded worker "
        "processes per worker count (needs the dask extra)",
    )
    ap.add_argument(
        "--peer-python",
        default=os.environ.get(PEER_ENV) or None,
        help="python of a virtualenv with parallel-matplotlib-animation installed, "
        f"measured side by side (default: ${PEER_ENV}, else no peer rows)",
    )
    ap.add_argument(
        "--fidelity-frames",
        type=int,
        default=8,
        help="frames per scene compared blit vs full redraw (default 8; 0 = skip)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("benchmark-results"),
        help="directory for results.json, results.md and logs/",
    )
    ap.add_argument(
        "--keep-videos",
        action="store_true",
        help="keep the videos in OUT/videos/ (default: a temp dir, deleted)",
    )
    ap.add_argument(
        "--ffmpeg-threads",
        type=int,
        default=None,
        help="pass -threads N to ffmpeg for FuncAnimation.save "
        "(default: ffmpeg's own choice, as a user would get)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every case N times, in rounds (all cases, then all again), and "
        "report each case's median run; the table shows the spread (default 1)",
    )
    ap.add_argument(
        "--rss-check",
        action="store_true",
        help="instead: peak tree RSS of imshow1080 with 2 workers at two frame counts",
    )
    ap.add_argument(
        "--rss-frames",
        type=_int_list,
        default=[60, 600],
        help="frame counts for --rss-check (default: 60,600)",
    )
    resume_cost.add_arguments(ap)
    examples_cost.add_arguments(ap)
    args = ap.parse_args(argv)
    examples_cost.check_args(ap, args)  # the modes' defaults first (scene, workers)
    resume_cost.check_args(ap, args)
    if args.scenes is None:
        args.scenes = list(SCENES)
    if args.frames_scale <= 0:
        ap.error("--frames-scale must be > 0")
    if len(args.rss_frames) != 2:
        ap.error("--rss-frames takes exactly two counts")
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")
    if args.fidelity_frames < 0:
        ap.error("--fidelity-frames must be >= 0")
    if args.workers is None:
        args.workers = list(range(1, (os.cpu_count() or 1) + 1)) if args.scaling else [1, 2]
    if args.methods is None:
        args.methods = [
            m for m in METHODS if (m != PEER or args.peer_python) and (m != DASK or args.dask)
        ]
    if args.skip_funcanimation:
        args.methods = [m for m in args.methods if m != "funcanimation"]
    if PEER in args.methods and not args.peer_python:
        ap.error(f"method {PEER} needs --peer-python or ${PEER_ENV}")
    if PEER not in args.methods:
        args.peer_python = None
    return args


def scene_frames(name: str, args: argparse.Namespace) -> int:
    """The frame count of a scene in this run."""
    return max(2, round(SCENES[name].default_frames * args.frames_scale))


def plan(args: argparse.Namespace) -> list[CaseSpec]:
    """The cases of a normal run, in the order they are run: per scene, the single
    runs first, then for each worker count every per-worker method side by side."""
    chosen = [METHODS[m] for m in METHODS if m in args.methods]
    cases = []
    for name in args.scenes:
        n = scene_frames(name, args)
        cases += [CaseSpec(name, m.name, n) for m in chosen if not m.per_worker_count]
        for w in args.workers:
            cases += [CaseSpec(name, m.name, n, w) for m in chosen if m.per_worker_count]
    return cases


def _run_all(
    cases: list[CaseSpec], args: argparse.Namespace, video_dir: Path
) -> list[dict[str, Any]]:
    """Run ``cases`` ``args.repeat`` times in rounds; one result per case (its median)."""
    runs = [spec for _ in range(args.repeat) for spec in cases]
    results = _run_each(runs, args, video_dir)
    by_case = list(zip(results, runs, strict=True))
    return [median_run([r for r, s in by_case if s == spec]) for spec in cases]


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median wall time among ``runs`` of one case (the lower of the two
    middle ones for an even count), with every run's wall time in ``wall_s_runs`` and
    the highest peak RSS of all; the first failure if any run failed."""
    failed = [r for r in runs if not r.get("ok")]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["wall_s_runs"] = [r["wall_s"] for r in runs]
    chosen["peak_tree_rss_bytes"] = max(r["peak_tree_rss_bytes"] for r in runs)
    return chosen


def _run_each(
    cases: list[CaseSpec], args: argparse.Namespace, video_dir: Path
) -> list[dict[str, Any]]:
    from benchmarks.runner import run_case  # needs psutil: see missing_requirements()

    results = []
    for i, spec in enumerate(cases, 1):
        print(
            f"[{i}/{len(cases)}] {spec.scene}: {spec.label}, {spec.frames} frames ...",
            end=" ",
            file=sys.stderr,
            flush=True,
        )
        res = run_case(spec, video_dir, args.out / "logs", args.ffmpeg_threads, args.peer_python)
        if res.get("ok"):
            msg = f"{res['wall_s']:.2f} s, {res['peak_tree_rss_bytes'] / 2**20:.0f} MB"
        else:
            msg = f"FAILED: {res.get('error')}"
        print(msg, file=sys.stderr, flush=True)
        results.append(res)
    return results


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "peer"
    }


def _fidelity_all(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Blit vs full redraw per scene, in this process, when any blit method runs."""
    if args.fidelity_frames == 0 or not any(METHODS[m].blit for m in args.methods):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name in args.scenes:
        print(f"fidelity {name}: blit vs full redraw ...", end=" ", file=sys.stderr, flush=True)
        try:
            n = scene_frames(name, args)
            res = fidelity.check_scene(SCENES[name], n, args.fidelity_frames)
        except Exception as exc:  # a broken scene must not lose the timings
            res = {"scene": name, "error": f"{type(exc).__name__}: {exc}"}
            print(f"FAILED: {res['error']}", file=sys.stderr, flush=True)
        else:
            print(f"mean |diff| <= {res['worst_mean_abs_diff']:.3f}", file=sys.stderr, flush=True)
        out[name] = res
    return out


def main_table(args: argparse.Namespace, video_dir: Path) -> int:
    """The normal run: every scene x method, the blit fidelity check, then the table."""
    env = report.environment(args.peer)
    results = _run_all(plan(args), args, video_dir)
    fid = _fidelity_all(args)
    rows = report.build_rows(results)
    print()
    print(report.format_text(rows))
    fid_ok = [f for f in fid.values() if "error" not in f]
    if fid_ok:
        print("\nblit vs full redraw (fidelity):")
        print(report.format_text(fid_ok, report.FIDELITY_COLUMNS))
    for w in report.warnings_for(results, fid):
        print(f"warning: {w}")
    plot = None
    if len(args.workers) > 1 or args.scaling:
        plot = write_scaling_plot(rows, args.out / "scaling.png")
    json_path, md_path = report.write_outputs(
        args.out, rows, results, _settings(args), env, fid, plot
    )
    print(f"\nwrote {json_path} and {md_path}" + (f" and {plot}" if plot else ""))
    failed_fid = any("error" in f for f in fid.values())
    return 0 if all(r.get("ok") for r in results) and not failed_fid else 1


def main_rss_check(args: argparse.Namespace, video_dir: Path) -> int:
    """Does memory stay flat when the video gets 10x longer? (It should.)"""
    env = report.environment()
    cases = [CaseSpec("imshow1080", "ours", n, 2) for n in args.rss_frames]
    results = _run_all(cases, args, video_dir)
    print()
    for w in report.warnings_for(results):
        print(f"warning: {w}")
    if not all(r.get("ok") for r in results):
        return 1
    small, large = (r["peak_tree_rss_bytes"] / 2**20 for r in results)
    for r in results:
        mb = r["peak_tree_rss_bytes"] / 2**20
        each = "/".join(f"{b / 2**20:.0f}" for b in r.get("peak_rss_descendants_bytes", []))
        main_mb = r.get("peak_rss_main_bytes", 0) / 2**20
        print(
            f"imshow1080, 2 workers, {r['frames']:>5} frames: peak tree RSS {mb:.0f} MB "
            f"(each process's own peak: main {main_mb:.0f} MB, workers {each} MB)"
        )
    ratio = large / small
    print(
        f"ratio {args.rss_frames[1]}/{args.rss_frames[0]} frames: {ratio:.2f} "
        "(about 1 = memory does not grow with video length)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "rss-check.json"
    path.write_text(
        json.dumps(
            {
                "environment": env,
                "peak_tree_rss_mb": {
                    str(r["frames"]): r["peak_tree_rss_bytes"] / 2**20 for r in results
                },
                "ratio": ratio,
                "cases": results,
            },
            indent=2,
        )
    )
    print(f"wrote {path}")
    return 0


def missing_requirements(args: argparse.Namespace) -> str | None:
    """What this run needs and is not installed, as one line saying how to install it;
    None when nothing is missing. The harness watches memory with psutil; the
    FuncAnimation rows need imageio-ffmpeg's ffmpeg; the Dask rows need distributed."""
    needed = {"psutil": BENCH_EXTRA["psutil"]}
    if "funcanimation" in args.methods and not args.rss_check:
        needed["imageio_ffmpeg"] = BENCH_EXTRA["imageio_ffmpeg"]
    if DASK in args.methods and not args.rss_check:
        needed.update(DASK_EXTRA)
    missing = {name: dist for name, dist in needed.items() if find_spec(name) is None}
    if not missing:
        return None
    dists = ", ".join(dist for dist, _ in missing.values())
    extras = ",".join(dict.fromkeys(extra for _, extra in missing.values()))
    return (
        f"missing {dists}: from the repository root, install the extra: "
        f"pip install -e '.[{extras}]'"
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (1 if any case failed, 2 if the
    command line is wrong or what the run needs is not installed)."""
    args = parse_args(argv)
    missing = missing_requirements(args)
    if missing is not None:
        print(f"{PROG}: error: {missing}", file=sys.stderr)
        return 2
    from benchmarks.runner import probe_peer

    args.peer = None
    if args.peer_python and not args.rss_check:
        try:
            args.peer = probe_peer(args.peer_python)
        except ValueError as exc:
            sys.exit(f"error: {exc}")
    run = (
        resume_cost.main
        if args.resume_cost
        else examples_cost.main
        if args.examples
        else main_rss_check
        if args.rss_check
        else main_table
    )
    if args.keep_videos:
        return run(args, args.out / "videos")
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
