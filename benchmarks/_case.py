"""One benchmark case, run in a fresh interpreter by the parent harness.

Usage (the harness builds this line; run it by hand to debug one case)::

    python -m benchmarks._case --scene simple --method floor \
        --frames 15 --output /tmp/x.mp4 --result /tmp/x.json

``--method`` is a name from :data:`benchmarks.methods.METHODS` that has
a runner in :data:`RUNNERS` (the peer runs in its own interpreter, ``_peer_case.py``).

It times only the work (not interpreter start or imports), measures its own and its
children's CPU time with getrusage around that work, checks the video it wrote, and
writes a JSON result file. Peak memory is measured from outside by the parent. The
make_video methods also report the frames drawn in full, in part and unchanged, from the
library's DEBUG line at the end of the run (``draws``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import logging
import multiprocessing
import os
import re
import resource
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import av
import numpy as np

from benchmarks import scenes
from benchmarks.methods import METHODS
from benchmarks.videoinfo import inspect_video

# The codec settings every path uses, so only the machinery differs.
CODEC = "libx264"
PIX_FMT = "yuv420p"
CRF = "23"
PRESET = "slow"


def _cpu_seconds() -> tuple[float, float]:
    """(this process, waited-for children) user+sys CPU seconds so far."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


class Meter:
    """Wall time and getrusage CPU over exactly the measured block, nothing around it."""

    def __enter__(self) -> Meter:
        self._cpu0 = _cpu_seconds()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_s = time.perf_counter() - self._t0
        own, kids = _cpu_seconds()
        self.self_cpu_s = own - self._cpu0[0]
        self.children_cpu_s = kids - self._cpu0[1]

    def as_dict(self) -> dict[str, float]:
        """The three numbers the harness reports."""
        return {
            "wall_s": self.wall_s,
            "self_cpu_s": self.self_cpu_s,
            "children_cpu_s": self.children_cpu_s,
        }


#: The pipeline's DEBUG line at the end of a make_video run (logger "parallel_animate"),
#: "Frames drawn: %d in full, %d in part, %d unchanged (blit=%r)", as formatted.
DRAWS_LINE = re.compile(
    r"Frames drawn: (?P<full>\d+) in full, (?P<part>\d+) in part, "
    r"(?P<unchanged>\d+) unchanged \(blit=(?P<blit>.*)\)"
)
BOOKKEEPING_LINE = re.compile(
    r"Auto blit bookkeeping: (?P<ms>[0-9.]+) ms per frame drawn in part or unchanged"
)
LIBRARY_LOGGER = "parallel_animate"
#: At most this many distinct other DEBUG lines are kept (with their counts).
MAX_DEBUG_LINES = 20


class DrawCountHandler(logging.Handler):
    """Keeps the counts of the "Frames drawn" line, and the other DEBUG lines seen.

    Only what this process logs: with W >= 2 the workers' own lines (e.g. why the auto
    blitter drew a frame in full) stay in the workers; the counts are summed over the
    segments in this process before the line is logged.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.draws: dict[str, Any] | None = None
        self.bookkeeping_ms: float | None = None  # blit="auto": per frame in part
        self.others: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not fail the run
            return
        kept = BOOKKEEPING_LINE.fullmatch(message)
        if kept is not None:
            self.bookkeeping_ms = float(kept["ms"])
            return
        found = DRAWS_LINE.fullmatch(message)
        if found is None:
            if record.levelno == logging.DEBUG:
                self.others[message] += 1
            return
        self.draws = {k: int(found[k]) for k in ("full", "part", "unchanged")}
        self.draws["blit"] = found["blit"]  # repr of make_video's blit=, as logged

    def result(self) -> dict[str, Any]:
        """``draws`` (None if the line never came) and ``debug_lines``: the other
        DEBUG lines of this process, most frequent first, with their counts."""
        return {
            "draws": self.draws,
            "bookkeeping_ms": self.bookkeeping_ms,
            "debug_lines": [
                {"message": m, "count": n} for m, n in self.others.most_common(MAX_DEBUG_LINES)
            ],
        }


@contextlib.contextmanager
def capturing_draw_counts() -> Iterator[DrawCountHandler]:
    """The library's logger at DEBUG, into a :class:`DrawCountHandler`, for the block
    only (level and handlers as they were afterwards)."""
    logger = logging.getLogger(LIBRARY_LOGGER)
    handler = DrawCountHandler()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def run_funcanimation(scene: scenes.Scene, args: argparse.Namespace) -> dict[str, Any]:
    """matplotlib's serial FuncAnimation.save through an ffmpeg pipe."""
    import imageio_ffmpeg
    from matplotlib.animation import FFMpegWriter

    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    extra = ["-pix_fmt", PIX_FMT, "-crf", CRF, "-preset", PRESET]
    if args.ffmpeg_threads is not None:
        extra += ["-threads", str(args.ffmpeg_threads)]
    # Building the figure is timed too: make_video's workers pay for setup() as well.
    with Meter() as m:
        anim = scenes.make_funcanimation(scene, args.frames)
        writer = FFMpegWriter(fps=scene.fps, codec=CODEC, extra_args=extra)
        anim.save(str(args.output), writer=writer, dpi=scene.dpi)
    return {**m.as_dict(), "ffmpeg_args": extra}


def run_ours(scene: scenes.Scene, args: argparse.Namespace, blit: bool | str) -> dict[str, Any]:
    """parallel_animate's make_video with the scene's Animator subclass.

    ``blit`` is passed as given: False (every frame in full), True (the artists
    ``update()`` returns, over a background) or "auto" (the default: what changed).
    The frames drawn in full / in part / unchanged come from the pipeline's DEBUG line.
    """
    params = scene.params(args.frames)
    return timed_make_video(scene.animator(), args.output, params, scene.fps, args.workers, blit)


def timed_make_video(
    animator: Any, output: Path, params: Any, fps: float, workers: int, blit: bool | str
) -> dict[str, Any]:
    """``animator.make_video(output, params, fps, num_workers=workers,
    disable_progress_bar=True, blit=blit)``, timed by a :class:`Meter`, with the draw
    counts of the library's DEBUG lines (:func:`capturing_draw_counts`)."""
    with capturing_draw_counts() as draws, Meter() as m:
        path = animator.make_video(
            str(output),
            params,
            fps,
            num_workers=workers,
            disable_progress_bar=True,
            blit=blit,
        )
    return {**m.as_dict(), "returned_path": str(path), **draws.result()}


def run_floor(
    scene: scenes.Scene, args: argparse.Namespace, blit: bool, frames: range | None = None
) -> dict[str, Any]:
    """The least work any tool must do per frame, done as directly as possible.

    update + full draw + pixel grab + single-threaded x264 encode, one frame after the
    other in this process. Setup and container open/close are not counted; the encoder
    flush is (it encodes the frames still in x264's lookahead).

    With ``blit``, the artists the first ``draw`` returns are marked animated and the
    figure without them is drawn once (``background_s``); every frame then restores
    that background and draws only the artists ``draw`` returned, as matplotlib's
    blitting does. The scene's fidelity check shows that this loses nothing.

    ``frames``: only these frames of the scene's ``args.frames`` (a side-by-side part).
    """
    n_frames, output = args.frames, args.output
    fig, state = scene.build()
    canvas = fig.canvas
    width, height = canvas.get_width_height(physical=True)
    params = scene.params(n_frames)

    container = av.open(str(output), mode="w")
    stream = container.add_stream(
        CODEC, rate=scene.fps, options={"crf": CRF, "preset": PRESET, "threads": "1"}
    )
    stream.width = width
    stream.height = height
    stream.pix_fmt = PIX_FMT
    stream.codec_context.thread_count = 1

    t_update = t_background = t_draw = t_grab = t_encode = 0.0
    background = None
    with Meter() as m:
        for i in range(n_frames) if frames is None else frames:
            t0 = time.perf_counter()
            changed = scene.draw(state, i, params[i])
            t1 = time.perf_counter()
            if not blit:
                canvas.draw()
            else:
                if background is None:
                    for artist in changed:
                        artist.set_animated(True)
                    canvas.draw()  # everything but the animated artists
                    background = canvas.copy_from_bbox(fig.bbox)
                    t_bg = time.perf_counter()
                    t_background += t_bg - t1
                    t1 = t_bg
                else:
                    canvas.restore_region(background)
                for artist in sorted(changed, key=lambda a: a.get_zorder()):
                    fig.draw_artist(artist)
            t2 = time.perf_counter()
            rgba = np.asarray(canvas.buffer_rgba())
            t3 = time.perf_counter()
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba").reformat(format=PIX_FMT)
            container.mux(stream.encode(frame))
            t4 = time.perf_counter()
            t_update += t1 - t0
            t_draw += t2 - t1
            t_grab += t3 - t2
            t_encode += t4 - t3
        t0 = time.perf_counter()
        container.mux(stream.encode(None))
        t_encode += time.perf_counter() - t0
    container.close()

    split = {"update_s": t_update, "draw_s": t_draw, "grab_s": t_grab, "encode_s": t_encode}
    if blit:
        split["background_s"] = t_background
    # self_cpu_s ~ loop_wall_s shows the encoder really ran on one thread.
    return {
        **m.as_dict(),
        "wall_s": sum(split.values()),
        "loop_wall_s": m.wall_s,
        "floor": split,
    }


def _floor_part(scene_name: str, n_frames: int, start: int, stop: int, output: str) -> None:
    """One process of the side-by-side floor: its figure, then its frames."""
    args = argparse.Namespace(frames=n_frames, output=Path(output))
    run_floor(scenes.SCENES[scene_name], args, blit=False, frames=range(start, stop))


def run_floor_side_by_side(scene: scenes.Scene, args: argparse.Namespace) -> dict[str, Any]:
    """The floor's loop in W forked processes at once (W = ``--workers``), each on its
    own contiguous 1/W of the frames, with no pipes and nothing shared: the most W
    processes can do on this machine, what they cost each other (caches, memory
    bandwidth) included. Wall: from the forks to the last exit, figure builds included,
    as make_video's wall includes ``setup()``. Each part is its own video file; the
    result counts their frames together."""
    n, w = args.frames, args.workers
    bounds = [round(n * k / w) for k in range(w + 1)]
    parts = [args.output.with_name(f"{args.output.stem}.part{k}.mp4") for k in range(w)]
    fork = multiprocessing.get_context("fork")
    with Meter() as m:
        procs = [
            fork.Process(
                target=_floor_part, args=(scene.name, n, bounds[k], bounds[k + 1], str(parts[k]))
            )
            for k in range(w)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
    failed = [proc.exitcode for proc in procs if proc.exitcode != 0]
    if failed:
        raise RuntimeError(f"a side-by-side floor process failed (exit codes {failed})")
    infos = [inspect_video(part) for part in parts]
    for part in parts:
        part.unlink()
    return {
        **m.as_dict(),
        "parts": bounds,
        "output_exists": True,
        "output_frames": sum(i["output_frames"] for i in infos),
        "output_bytes": sum(i["output_bytes"] for i in infos),
        "output_size_px": infos[0]["output_size_px"],
        "output_codec": infos[0]["output_codec"],
        "output_pix_fmt": infos[0]["output_pix_fmt"],
    }


def _workers_cpu_seconds(client: Any) -> float:
    """User+sys CPU seconds used so far by all Dask worker processes of ``client``."""

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    return sum(client.run(cpu).values())


def run_dask(scene: scenes.Scene, args: argparse.Namespace) -> dict[str, Any]:
    """make_video on a LocalCluster of ``args.workers`` single-threaded worker processes.

    Starting the cluster is not timed (a cluster is usually up before a render), and
    its workers import this package first, as they would after an earlier render. The
    workers' CPU, read in each worker around the timed region, is reported as the
    children's, since getrusage cannot see processes that are still running.
    Every frame is drawn in full (``blit=False``, not make_video's default "auto"), as
    in the "ours" row it is compared with.
    """
    from distributed import Client, LocalCluster

    animator = scene.animator()
    params = scene.params(args.frames)
    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(importlib.import_module, "benchmarks.scenes")
        cluster_start_s = time.perf_counter() - t0
        workers_cpu0 = _workers_cpu_seconds(client)
        with capturing_draw_counts() as draws, Meter() as m:
            path = animator.make_video(
                str(args.output),
                params,
                scene.fps,
                backend=client,
                disable_progress_bar=True,
                blit=METHODS["dask"].blit_mode,
            )
        workers_cpu_s = _workers_cpu_seconds(client) - workers_cpu0
    return {
        **m.as_dict(),
        "children_cpu_s": workers_cpu_s,
        "cluster_start_s": cluster_start_s,
        "returned_path": str(path),
        **draws.result(),
    }


#: How _case runs each method of ours (the peer's runner is _peer_case.py).
RUNNERS: dict[str, Callable[[scenes.Scene, argparse.Namespace], dict[str, Any]]] = {
    "funcanimation": run_funcanimation,
    "floor": functools.partial(run_floor, blit=False),
    "floor-blit": functools.partial(run_floor, blit=True),
    "floor-side-by-side": run_floor_side_by_side,
    **{
        name: functools.partial(run_ours, blit=METHODS[name].blit_mode)
        for name in ("ours", "ours-auto", "ours-blit")
    },
    "dask": run_dask,
}


def main(argv: list[str] | None = None) -> int:
    """Run one case and write its JSON result; exit 1 on failure (result says why)."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks._case")
    ap.add_argument("--scene", required=True, choices=sorted(scenes.SCENES))
    ap.add_argument("--method", required=True, choices=sorted(RUNNERS))
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--ffmpeg-threads", type=int, default=None)
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args(argv)

    scene = scenes.SCENES[args.scene]
    result: dict[str, Any] = {
        "scene": args.scene,
        "method": args.method,
        "frames": args.frames,
        "workers": args.workers,
        "pid": os.getpid(),
        # Start method a plain multiprocessing call would use. RUSAGE_CHILDREN only sees
        # workers this process waited for (fork/spawn pools), not forkserver children.
        "mp_default_start_method": multiprocessing.get_all_start_methods()[0],
        "ok": False,
    }

    def measure() -> dict[str, Any]:
        found = RUNNERS[args.method](scene, args)
        found["mp_start_method_after"] = multiprocessing.get_start_method(allow_none=True)
        if "output_frames" not in found:  # the side-by-side floor checked its parts
            found.update(inspect_video(args.output))
        return found

    return write_outcome(result, measure, args.result)


def write_outcome(
    result: dict[str, Any], measure: Callable[[], dict[str, Any]], path: Path
) -> int:
    """Run ``measure``, add what it returns (or the error) to ``result``, write it to
    ``path`` as JSON; the case's exit code (0 if it ran, 1 if it raised)."""
    try:
        result.update(measure())
        result["ok"] = True
    except BaseException as exc:  # report anything, including KeyboardInterrupt
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
        traceback.print_exc()
    path.write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
