"""One make_video call of ``python -m benchmarks --resume-cost``, in a fresh interpreter.

Usage (the harness, :mod:`benchmarks.resume_cost`, builds this line)::

    python -m benchmarks._resume_case --scene panels16 --frames 40 --workers 2 \
        --variant c --cache-dir /tmp/cache --output /tmp/x.mp4 --result /tmp/x.json

``--variant``: ``a`` passes ``resume=False``, ``b`` nothing (``resume=True``, the
default), ``c`` and ``d`` ``cache_dir=--cache-dir`` (the harness empties that folder
before a ``c`` call and leaves it as ``c`` filled it for ``d``: here both are the same
call). ``blit`` is left at its default ("auto").

It times the call (wall clock and getrusage CPU around it, nothing else), counts the
``setup()`` calls of every process (workers included) through a file, reads the library's
"Frames drawn", "frames were done already" and "Resume bookkeeping" lines (the last, its
own measure of what resuming adds in this process, is absent with ``resume=False``),
reads the written video back and writes a JSON result. The harness times the whole
process from outside.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from benchmarks._case import (  # Agg first
    LIBRARY_LOGGER,
    Meter,
    capturing_draw_counts,
    write_outcome,
)
from benchmarks.animators import SceneAnimator
from benchmarks.scenes import SCENES
from benchmarks.videoinfo import inspect_video
from parallel_animate.parts import beside

VARIANTS = ("a", "b", "c", "d")
#: Each ``setup()`` appends its pid to the file this names (workers inherit it).
SETUP_LOG_ENV = "PA_BENCH_SETUP_LOG"
#: The library's INFO line when kept parts were used instead of rendering.
FOUND_LINE = re.compile(r"(?P<frames>\d+) frames were done already")
#: Its DEBUG line at the end of a run that keeps parts (pipeline._log_resume): the wall
#: time this process spent fingerprinting params and finding/writing parts.
BOOKKEEPING_LINE = re.compile(
    r"Resume bookkeeping: (?P<bookkeeping_s>[\d.]+) s in this process \(fingerprints "
    r"(?P<fingerprints_s>[\d.]+) s, parts (?P<parts_s>[\d.]+) s\); "
    r"(?P<kept_frames>\d+) frames kept, \d+ found"
)
BOOKKEEPING_KEYS = ("bookkeeping_s", "fingerprints_s", "parts_s", "kept_frames")


class SetupCountingAnimator(SceneAnimator):
    """The scene's animator (what ``animators.ANIMATORS`` holds: the scene's name, its
    ``setup()`` and ``update()``), with each ``setup()`` call noted in the file named by
    ``$PA_BENCH_SETUP_LOG``, whichever process makes it. Every variant uses this same
    class, so their parts' keys agree and their cost is the same (one small append per
    worker)."""

    def __init__(self, scene_name: str) -> None:
        self.scene_name = scene_name

    def setup(self) -> Any:
        path = os.environ.get(SETUP_LOG_ENV)
        if path:
            with open(path, "a") as f:
                f.write(f"{os.getpid()}\n")
        return super().setup()


class ResumeLinesHandler(logging.Handler):
    """Keeps the frame count of the library's "N frames were done already" line and the
    numbers of its "Resume bookkeeping" line (None each while that line is not seen)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.frames = 0
        self.bookkeeping: dict[str, float | int | None] = dict.fromkeys(BOOKKEEPING_KEYS)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not fail the run
            return
        if found := FOUND_LINE.match(message):
            self.frames = int(found["frames"])
        elif kept := BOOKKEEPING_LINE.match(message):
            self.bookkeeping = {
                k: (int if k == "kept_frames" else float)(kept[k]) for k in BOOKKEEPING_KEYS
            }


def call_kwargs(variant: str, cache_dir: Path | None) -> dict[str, Any]:
    """make_video's keyword arguments of ``variant`` beyond those every variant passes."""
    if variant == "a":
        return {"resume": False}
    if variant == "b":
        return {}  # resume=True is the default
    if cache_dir is None:
        raise ValueError(f"variant {variant} needs --cache-dir")
    return {"cache_dir": str(cache_dir)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The timed call and what it left behind."""
    scene = SCENES[args.scene]
    kwargs = call_kwargs(args.variant, args.cache_dir)
    setup_log = args.result.with_suffix(".setup")
    setup_log.unlink(missing_ok=True)
    os.environ[SETUP_LOG_ENV] = str(setup_log)
    animator = SetupCountingAnimator(args.scene)
    params = scene.params(args.frames)
    lines = ResumeLinesHandler()
    logger = logging.getLogger(LIBRARY_LOGGER)
    with capturing_draw_counts() as draws:  # the logger at DEBUG, for this handler too
        logger.addHandler(lines)
        try:
            with Meter() as m:
                animator.make_video(
                    str(args.output),
                    params,
                    scene.fps,
                    num_workers=args.workers,
                    disable_progress_bar=True,
                    **kwargs,
                )
        finally:
            logger.removeHandler(lines)
    calls = setup_log.read_text().split() if setup_log.exists() else []
    setup_log.unlink(missing_ok=True)
    cache_parts = None
    if args.cache_dir is not None and args.cache_dir.is_dir():
        cache_parts = sum(1 for p in args.cache_dir.iterdir() if p.suffix == ".part")
    return {
        **m.as_dict(),
        "kwargs": kwargs,
        "setup_calls": len(calls),
        "setup_pids": sorted({int(p) for p in calls}),
        "found_frames": lines.frames,
        **lines.bookkeeping,
        "parts_left_beside": beside(args.output).exists(),
        "cache_parts": cache_parts,
        **draws.result(),
        **inspect_video(args.output),
    }


def main(argv: list[str] | None = None) -> int:
    """Run one call and write its JSON result; exit 1 on failure (the result says why)."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks._resume_case")
    ap.add_argument("--scene", required=True, choices=sorted(SCENES))
    ap.add_argument("--variant", required=True, choices=VARIANTS)
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args(argv)
    result: dict[str, Any] = {
        "scene": args.scene,
        "variant": args.variant,
        "frames": args.frames,
        "workers": args.workers,
        "pid": os.getpid(),
        "ok": False,
    }
    return write_outcome(result, lambda: run(args), args.result)


if __name__ == "__main__":
    sys.exit(main())
