"""One benchmark case, run in a fresh interpreter by the parent harness.

Usage (the harness builds this line; run it by hand to debug one case)::

    python -m parallel_animate.benchmark._case --scene simple --method floor \
        --frames 15 --output /tmp/x.mp4 --result /tmp/x.json

It times only the work (not interpreter start or imports), measures its own and its
children's CPU time with getrusage around that work, checks the video it wrote, and
writes a JSON result file. Peak memory is measured from outside by the parent.
"""

from __future__ import annotations

import argparse
import importlib
import json
import multiprocessing
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import av
import numpy as np

from parallel_animate.benchmark import scenes

METHODS = ("funcanimation", "ours", "dask", "floor")

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


def run_funcanimation(
    scene: scenes.Scene, n_frames: int, output: Path, ffmpeg_threads: int | None
) -> dict[str, Any]:
    """matplotlib's serial FuncAnimation.save through an ffmpeg pipe."""
    import imageio_ffmpeg
    from matplotlib.animation import FFMpegWriter

    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    extra = ["-pix_fmt", PIX_FMT, "-crf", CRF, "-preset", PRESET]
    if ffmpeg_threads is not None:
        extra += ["-threads", str(ffmpeg_threads)]
    # Building the figure is timed too: make_video's workers pay for setup() as well.
    with Meter() as m:
        anim = scenes.make_funcanimation(scene, n_frames)
        writer = FFMpegWriter(fps=scene.fps, codec=CODEC, extra_args=extra)
        anim.save(str(output), writer=writer, dpi=scene.dpi)
    return {**m.as_dict(), "ffmpeg_args": extra}


def run_ours(scene: scenes.Scene, n_frames: int, output: Path, workers: int) -> dict[str, Any]:
    """parallel_animate's make_video with the scene's Animator subclass."""
    if not scenes.HAVE_ANIMATOR:
        raise RuntimeError("parallel_animate.Animator is not importable")
    animator = scene.animator()
    params = scene.params(n_frames)
    with Meter() as m:
        path = animator.make_video(
            str(output), params, scene.fps, num_workers=workers, disable_progress_bar=True
        )
    return {**m.as_dict(), "returned_path": str(path)}


def _workers_cpu_seconds(client: Any) -> float:
    """User+sys CPU seconds used so far by all Dask worker processes of ``client``."""

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    return sum(client.run(cpu).values())


def run_dask(scene: scenes.Scene, n_frames: int, output: Path, workers: int) -> dict[str, Any]:
    """make_video on a LocalCluster of ``workers`` single-threaded worker processes.

    Starting the cluster is not timed (a cluster is usually up before a render), and
    its workers import this package first, as they would after an earlier render. The
    workers' CPU, read in each worker around the timed region, is reported as the
    children's, since getrusage cannot see processes that are still running.
    """
    from distributed import Client, LocalCluster

    animator = scene.animator()
    params = scene.params(n_frames)
    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(importlib.import_module, "parallel_animate.benchmark.scenes")
        cluster_start_s = time.perf_counter() - t0
        workers_cpu0 = _workers_cpu_seconds(client)
        with Meter() as m:
            path = animator.make_video(
                str(output), params, scene.fps, backend=client, disable_progress_bar=True
            )
        workers_cpu_s = _workers_cpu_seconds(client) - workers_cpu0
    return {
        **m.as_dict(),
        "children_cpu_s": workers_cpu_s,
        "cluster_start_s": cluster_start_s,
        "returned_path": str(path),
    }


def run_floor(scene: scenes.Scene, n_frames: int, output: Path) -> dict[str, Any]:
    """The least work any tool must do per frame, done as directly as possible.

    update + full draw + pixel grab + single-threaded x264 encode, one frame after the
    other in this process. Setup and container open/close are not counted; the encoder
    flush is (it encodes the frames still in x264's lookahead).
    """
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

    t_update = t_draw = t_grab = t_encode = 0.0
    with Meter() as m:
        for i in range(n_frames):
            t0 = time.perf_counter()
            scene.draw(state, i, params[i])
            t1 = time.perf_counter()
            canvas.draw()
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

    # self_cpu_s ~ loop_wall_s shows the encoder really ran on one thread.
    return {
        **m.as_dict(),
        "wall_s": t_update + t_draw + t_grab + t_encode,
        "loop_wall_s": m.wall_s,
        "floor": {"update_s": t_update, "draw_s": t_draw, "grab_s": t_grab, "encode_s": t_encode},
    }


def inspect_video(path: Path) -> dict[str, Any]:
    """Frame count and size of what was written, to catch a run that cheated or broke."""
    if not path.exists():
        return {"output_exists": False}
    info: dict[str, Any] = {"output_exists": True, "output_bytes": path.stat().st_size}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        info["output_codec"] = stream.codec_context.name
        info["output_size_px"] = [stream.codec_context.width, stream.codec_context.height]
        info["output_pix_fmt"] = stream.codec_context.pix_fmt
        info["output_frames"] = sum(1 for pkt in container.demux(stream) if pkt.size > 0)
    return info


def main(argv: list[str] | None = None) -> int:
    """Run one case and write its JSON result; exit 1 on failure (result says why)."""
    ap = argparse.ArgumentParser(prog="python -m parallel_animate.benchmark._case")
    ap.add_argument("--scene", required=True, choices=sorted(scenes.SCENES))
    ap.add_argument("--method", required=True, choices=METHODS)
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
    try:
        if args.method == "funcanimation":
            result.update(run_funcanimation(scene, args.frames, args.output, args.ffmpeg_threads))
        elif args.method == "ours":
            result.update(run_ours(scene, args.frames, args.output, args.workers))
        elif args.method == "dask":
            result.update(run_dask(scene, args.frames, args.output, args.workers))
        else:
            result.update(run_floor(scene, args.frames, args.output))
        result["mp_start_method_after"] = multiprocessing.get_start_method(allow_none=True)
        result.update(inspect_video(args.output))
        result["ok"] = True
    except BaseException as exc:  # report anything, including KeyboardInterrupt
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
        traceback.print_exc()
    args.result.write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
