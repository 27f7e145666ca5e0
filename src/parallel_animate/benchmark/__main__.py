"""``python -m parallel_animate.benchmark``: compare make_video with FuncAnimation.save.

See benchmarks/README.md for what is measured and what each column means.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

try:
    from parallel_animate.benchmark import report
    from parallel_animate.benchmark.runner import CaseSpec, run_case
    from parallel_animate.benchmark.scenes import SCENES
except ModuleNotFoundError as exc:  # psutil & co. come with the [bench] extra
    sys.exit(f"missing {exc.name!r}: install the benchmark extra: pip install -e '.[bench]'")


def _int_list(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _scene_list(text: str) -> list[str]:
    names = [v.strip() for v in text.split(",") if v.strip()]
    unknown = [n for n in names if n not in SCENES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scene(s) {unknown}; choose from {', '.join(SCENES)}"
        )
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(
        prog="python -m parallel_animate.benchmark",
        description="Time parallel_animate's make_video against matplotlib's "
        "FuncAnimation.save and against the bare per-frame work (the floor).",
    )
    ap.add_argument(
        "--scenes",
        type=_scene_list,
        default=list(SCENES),
        help=f"comma-separated subset of {','.join(SCENES)} (default: all)",
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
        default=[1, 2],
        help="comma-separated num_workers values for make_video (default: 1,2)",
    )
    ap.add_argument(
        "--dask",
        type=int,
        nargs="?",
        const=2,
        default=None,
        metavar="W",
        help="also run make_video on a Dask LocalCluster of W worker processes "
        "(default W: 2); needs the dask extra",
    )
    ap.add_argument(
        "--skip-funcanimation",
        action="store_true",
        help="do not run the FuncAnimation.save baseline",
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
    args = ap.parse_args(argv)
    if args.frames_scale <= 0:
        ap.error("--frames-scale must be > 0")
    if args.dask is not None and args.dask < 1:
        ap.error("--dask takes a worker count >= 1")
    if len(args.rss_frames) != 2:
        ap.error("--rss-frames takes exactly two counts")
    return args


def plan(args: argparse.Namespace) -> list[CaseSpec]:
    """The cases of a normal run, in the order they are run."""
    cases = []
    for name in args.scenes:
        n = max(2, round(SCENES[name].default_frames * args.frames_scale))
        if not args.skip_funcanimation:
            cases.append(CaseSpec(name, "funcanimation", n))
        cases.append(CaseSpec(name, "floor", n))
        cases += [CaseSpec(name, "ours", n, w) for w in args.workers]
        if args.dask is not None:
            cases.append(CaseSpec(name, "dask", n, args.dask))
    return cases


def _run_all(
    cases: list[CaseSpec], args: argparse.Namespace, video_dir: Path
) -> list[dict[str, Any]]:
    results = []
    for i, spec in enumerate(cases, 1):
        print(
            f"[{i}/{len(cases)}] {spec.scene}: {spec.label}, {spec.frames} frames ...",
            end=" ",
            file=sys.stderr,
            flush=True,
        )
        res = run_case(spec, video_dir, args.out / "logs", args.ffmpeg_threads)
        if res.get("ok"):
            msg = f"{res['wall_s']:.2f} s, {res['peak_tree_rss_bytes'] / 2**20:.0f} MB"
        else:
            msg = f"FAILED: {res.get('error')}"
        print(msg, file=sys.stderr, flush=True)
        results.append(res)
    return results


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}


def main_table(args: argparse.Namespace, video_dir: Path) -> int:
    """The normal run: every scene x method, then the table."""
    env = report.environment()
    results = _run_all(plan(args), args, video_dir)
    rows = report.build_rows(results)
    print()
    print(report.format_text(rows))
    warn = report.warnings_for(results)
    for w in warn:
        print(f"warning: {w}")
    json_path, md_path = report.write_outputs(args.out, rows, results, _settings(args), env)
    print(f"\nwrote {json_path} and {md_path}")
    return 0 if all(r.get("ok") for r in results) else 1


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
        print(f"imshow1080, 2 workers, {r['frames']:>5} frames: peak tree RSS {mb:.0f} MB")
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


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code (1 if any case failed)."""
    args = parse_args(argv)
    run = main_rss_check if args.rss_check else main_table
    if args.keep_videos:
        return run(args, args.out / "videos")
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
