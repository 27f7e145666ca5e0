"""What the examples share: their command line and the per-frame params."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

from parallel_animate import Animator


def parse_args(
    argv: list[str] | None,
    *,
    prog: str,
    description: str,
    default_output: str,
    default_frames: int,
    fps: float = 30,
) -> argparse.Namespace:
    """``[OUTPUT] [--frames N] [--workers N] [--fps F] [--blit]``."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=description)
    parser.add_argument(
        "output", nargs="?", default=default_output, help=f"default: {default_output}"
    )
    parser.add_argument(
        "--frames",
        type=positive_int,
        default=default_frames,
        help=f"number of frames (default: {default_frames}; a few for a quick run)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=-1,
        help="worker processes: 1 = this process, -1 = all cores (default)",
    )
    parser.add_argument("--fps", type=float, default=fps, help=f"default: {fps:g}")
    parser.add_argument("--blit", action="store_true", help="redraw only the artists that change")
    return parser.parse_args(argv)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def phase_params(n_frames: int, period: float = 120) -> list[dict[str, float]]:
    """``{"phase": float}`` per frame: one full turn (2 pi) every ``period`` frames."""
    return [{"phase": 2 * math.pi * i / period} for i in range(n_frames)]


def render(animator: Animator, args: argparse.Namespace, params: Any, **kwargs: Any) -> Path:
    """make_video with the command line's settings; prints what it wrote and how fast."""
    if args.blit:
        kwargs["blit"] = True
    started = time.perf_counter()
    path = animator.make_video(
        args.output, params, fps=args.fps, num_workers=args.workers, **kwargs
    )
    seconds = time.perf_counter() - started
    print(
        f"wrote {path} ({args.frames} frames) in {seconds:.1f} s "
        f"({args.frames / seconds:.1f} frames/s)"
    )
    return path
