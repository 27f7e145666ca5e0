"""Parent side: run one case in a fresh interpreter and watch it from outside.

A fresh process per case keeps memory and CPU accounting clean (no figure, font cache
or worker pool left over from the previous case). The child reports its own wall time
and getrusage CPU; the parent samples the RSS of the child's whole process tree, which
the child cannot measure for itself once workers come and go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from benchmarks.methods import METHODS, PEER_DIST, PEER_VERSION, CaseSpec
from benchmarks.scenes import SCENES
from benchmarks.videoinfo import inspect_video

POLL_S = 0.05
CASE_MODULE = "benchmarks._case"
HERE = Path(__file__).resolve().parent
#: The repository root, which holds the ``benchmarks`` package: every case runs there.
ROOT = HERE.parent
PEER_CASE_SCRIPT = HERE / "_peer_case.py"
SCENES_DIR = HERE / "scenes"


@dataclass
class TreeStats:
    """What the sampler saw of the process tree."""

    peak_rss_bytes: int = 0
    # each process's own highest sample (not at the same moment as the tree's peak)
    peak_rss_by_pid: dict[int, int] = field(default_factory=dict)
    max_procs: int = 0
    samples: int = 0
    # last CPU time seen for each descendant (not the case process itself)
    child_cpu_s: dict[int, float] = field(default_factory=dict)
    child_kinds: dict[str, int] = field(default_factory=dict)
    # one psutil.Process per pid seen (it caches what it read once, e.g. its start time)
    processes: dict[int, psutil.Process] = field(default_factory=dict)


def _kind(proc: psutil.Process, root_cmdline: list[str]) -> str:
    """Guess how a descendant was started, to judge whether RUSAGE_CHILDREN sees it."""
    try:
        cmd = proc.cmdline()
    except (psutil.Error, OSError):
        return "unknown"
    joined = " ".join(cmd)
    if cmd == root_cmdline:
        return "fork"
    if "forkserver" in joined:
        return "forkserver"
    if "multiprocessing" in joined or "spawn_main" in joined:
        return "spawn"
    return Path(cmd[0]).name if cmd else "unknown"


_CHILDREN_FILES = Path(f"/proc/self/task/{os.getpid()}/children").exists()


def _descendant_pids(root: psutil.Process) -> list[int]:
    """Pids of every descendant of ``root``.

    Read from each thread's ``/proc/PID/task/TID/children`` where Linux has it: ~0.05 ms
    per process, where ``psutil.Process.children`` scans every process of the machine
    (~1.2 ms). At 20 samples a second that scan took 2 % of this 2-core machine away
    from the workers being measured.
    """
    if not _CHILDREN_FILES:
        return [p.pid for p in root.children(recursive=True)]
    found: list[int] = []
    todo = [root.pid]
    while todo:
        pid = todo.pop()
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def _sample(root: psutil.Process, stats: TreeStats, root_cmdline: list[str]) -> None:
    """Add one sample of the tree's summed RSS; tolerate processes that just exited."""
    total = 0
    try:
        pids = [root.pid, *_descendant_pids(root)]
    except psutil.Error:
        return
    alive = 0
    for pid in pids:
        try:
            proc = stats.processes.get(pid)
            if proc is None:
                proc = stats.processes[pid] = psutil.Process(pid)
            with proc.oneshot():
                rss = proc.memory_info().rss
                total += rss
                stats.peak_rss_by_pid[pid] = max(stats.peak_rss_by_pid.get(pid, 0), rss)
                if proc.pid != root.pid:
                    times = proc.cpu_times()
                    if proc.pid not in stats.child_cpu_s:
                        kind = _kind(proc, root_cmdline)
                        stats.child_kinds[kind] = stats.child_kinds.get(kind, 0) + 1
                    stats.child_cpu_s[proc.pid] = times.user + times.system
            alive += 1
        except psutil.Error:
            continue
    stats.samples += 1
    stats.max_procs = max(stats.max_procs, alive)
    stats.peak_rss_bytes = max(stats.peak_rss_bytes, total)


def _child_env() -> dict[str, str]:
    """The parent's environment, with the repository root first on PYTHONPATH.

    ``benchmarks`` is not installed: a case finds it there, and so does every process a
    case starts in a fresh interpreter ("spawn" or "forkserver" workers, Dask's), whatever
    its working directory. ``parallel_animate`` comes from where the parent's came from
    (the installed package, or PYTHONPATH, which is kept).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run_module(module: str, argv: list[str], result_file: Path, log_file: Path) -> dict[str, Any]:
    """``python -m MODULE ARGV`` in a fresh interpreter in ROOT, its output in
    ``log_file``; the JSON result it writes to ``result_file`` (``ok`` False, with the
    error and the log's tail, if it failed or wrote none), plus ``process_wall_s`` (the
    whole process, timed from here), ``returncode`` and ``log``. No sampling: for the
    modes that time the call inside the case (``--resume-cost``, ``--examples``)."""
    result_file.unlink(missing_ok=True)
    with open(log_file, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", module, *argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_child_env(),
            cwd=ROOT,
        )
        process_wall = time.perf_counter() - t0
    result: dict[str, Any] = {"ok": False}
    if result_file.exists():
        result.update(json.loads(result_file.read_text()))
    if not result.get("ok"):
        result.setdefault("error", f"case exited with code {proc.returncode}")
        result["log_tail"] = "\n".join(log_file.read_text(errors="replace").splitlines()[-15:])
    result.update(process_wall_s=process_wall, returncode=proc.returncode, log=str(log_file))
    return result


def probe_peer(python: str) -> dict[str, str]:
    """Check that ``python`` runs and has the peer installed; its version and path.

    Raises ValueError with the interpreter's own message if not, before any case runs.
    """
    code = f"import importlib.metadata as m; print(m.version({PEER_DIST!r}))"
    try:
        proc = subprocess.run(
            [python, "-I", "-c", code], capture_output=True, text=True, env=_peer_env()
        )
    except OSError as exc:
        raise ValueError(f"peer interpreter {python!r} does not run: {exc}") from None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ValueError(f"{PEER_DIST} is not installed for {python}: {tail[0]}")
    version = proc.stdout.strip()
    if version != PEER_VERSION:
        print(
            f"warning: {python} has {PEER_DIST} {version}; the benchmark was written "
            f"against {PEER_VERSION}",
            file=sys.stderr,
        )
    return {"python": python, "version": version}


def _peer_env() -> dict[str, str]:
    """The environment for the peer's interpreter: nothing that points at our package."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _command(
    spec: CaseSpec, output: Path, result_file: Path, peer_python: str | None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a case: ours via -m, the peer's via its script."""
    common = ["--scene", spec.scene, "--frames", str(spec.frames), "--workers", str(spec.workers)]
    common += ["--output", str(output), "--result", str(result_file)]
    if METHODS[spec.method].peer:
        if peer_python is None:
            raise ValueError(f"{spec.method} needs the peer's interpreter (--peer-python)")
        # -I: no PYTHONPATH, no user site, not this script's folder: the peer's
        # parallel_animate must not be shadowed by ours.
        cmd = [peer_python, "-I", str(PEER_CASE_SCRIPT), "--scenes-dir", str(SCENES_DIR)]
        return cmd + common, _peer_env()
    cmd = [sys.executable, "-m", CASE_MODULE, "--method", spec.method]
    return cmd + common, _child_env()


def run_case(
    spec: CaseSpec,
    video_dir: Path,
    log_dir: Path,
    ffmpeg_threads: int | None = None,
    peer_python: str | None = None,
) -> dict[str, Any]:
    """Run ``spec`` in a fresh interpreter; return the child's result plus tree stats."""
    video_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    # Absolute: the case runs in ROOT, so that ``-m benchmarks._case`` imports this
    # checkout's package and not a ``benchmarks`` of the caller's working directory.
    output = video_dir.absolute() / f"{spec.slug}.mp4"
    result_file = log_dir.absolute() / f"{spec.slug}.json"
    log_file = log_dir / f"{spec.slug}.log"
    for stale in (output, result_file):
        stale.unlink(missing_ok=True)

    cmd, env = _command(spec, output, result_file, peer_python)
    if ffmpeg_threads is not None and spec.method == "funcanimation":
        cmd += ["--ffmpeg-threads", str(ffmpeg_threads)]

    stats = TreeStats()
    t0 = time.perf_counter()
    with open(log_file, "wb") as log:
        child = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        root = psutil.Process(child.pid)
        # Forked workers keep the case's argv, which is exactly cmd. (Reading it from
        # the child right after Popen could race with exec and see the parent's argv.)
        while child.poll() is None:
            _sample(root, stats, cmd)
            time.sleep(POLL_S)
    process_wall = time.perf_counter() - t0

    result: dict[str, Any] = {
        "scene": spec.scene,
        "method": spec.method,
        "frames": spec.frames,
        "workers": spec.workers,
        "ok": False,
    }
    if result_file.exists():
        result.update(json.loads(result_file.read_text()))
    if result.get("ok") and "output_frames" not in result:
        result.update(inspect_video(output))  # the peer's interpreter may lack PyAV
    if not result.get("ok"):
        tail = log_file.read_text(errors="replace").strip().splitlines()[-15:]
        result.setdefault("error", f"case exited with code {child.returncode}")
        result["log_tail"] = "\n".join(tail)
    result.update(
        {
            "label": spec.label,
            "scene_size_px": list(SCENES[spec.scene].size_px),
            "returncode": child.returncode,
            "process_wall_s": process_wall,
            "peak_tree_rss_bytes": stats.peak_rss_bytes,
            "peak_rss_main_bytes": stats.peak_rss_by_pid.get(child.pid, 0),
            "peak_rss_descendants_bytes": sorted(
                (v for k, v in stats.peak_rss_by_pid.items() if k != child.pid), reverse=True
            ),
            "max_tree_procs": stats.max_procs,
            "rss_samples": stats.samples,
            "children_cpu_s_sampled": sum(stats.child_cpu_s.values()),
            "child_kinds": stats.child_kinds,
            "log": str(log_file),
            "video": str(output),
        }
    )
    return result
