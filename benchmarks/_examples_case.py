"""One make_video call of ``python -m benchmarks --examples``, in a fresh interpreter.

Usage (the harness, :mod:`benchmarks.examples_cost`, builds this line)::

    python -m benchmarks._examples_case --example very_complex --blit auto \
        --frames 30 --workers 2 --output /tmp/x.mp4 --result /tmp/x.json

It renders one of the library's bundled examples with the params its own command
uses (``_common.phase_params(frames)``): ``make_video(output, params, fps=30,
num_workers=W, disable_progress_bar=True, blit=MODE)``, MODE ``False`` or ``"auto"``.
It times the call (wall clock and getrusage CPU around it, nothing else), reads the
library's "Frames drawn" and "Auto blit bookkeeping" DEBUG lines, reads the written video
back and writes a JSON result. The harness times the whole process from outside.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from benchmarks._case import timed_make_video, write_outcome  # Agg first
from benchmarks.examples_cost import EXAMPLES, FPS, MODES
from benchmarks.videoinfo import inspect_video
from parallel_animate.examples import _common


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The timed call and what it wrote."""
    module, cls = EXAMPLES[args.example].rsplit(":", 1)
    animator = getattr(importlib.import_module(module), cls)()
    params = _common.phase_params(args.frames)
    found = timed_make_video(animator, args.output, params, FPS, args.workers, MODES[args.blit])
    return {**found, **inspect_video(args.output)}


def main(argv: list[str] | None = None) -> int:
    """Run one call and write its JSON result; exit 1 on failure (the result says why)."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks._examples_case")
    ap.add_argument("--example", required=True, choices=list(EXAMPLES))
    ap.add_argument("--blit", required=True, choices=list(MODES))
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args(argv)
    result: dict[str, Any] = {
        "example": args.example,
        "mode": args.blit,
        "frames": args.frames,
        "workers": args.workers,
        "pid": os.getpid(),
        "ok": False,
    }
    return write_outcome(result, lambda: run(args), args.result)


if __name__ == "__main__":
    sys.exit(main())
