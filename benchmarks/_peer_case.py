"""One benchmark case of the peer, parallel-matplotlib-animation, in the peer's interpreter.

The peer's import name is also ``parallel_animate``, so it lives in its own virtualenv
and this script runs there as a plain file (the harness starts it with ``python -I``, so
neither PYTHONPATH nor this script's folder is on ``sys.path``). It must therefore not
import our package: it loads the scenes' drawing code from ``--scenes-dir`` by path
(the ``scenes`` package imports only numpy and matplotlib), subclasses the peer's ``Animator``
and calls the peer's ``make_video(output_file, param_by_frame, fps, num_workers=W)``
with nothing else, i.e. at the peer's defaults. By hand::

    /path/to/peer-venv/bin/python -I benchmarks/_peer_case.py \\
        --scenes-dir benchmarks/scenes --scene simple \\
        --frames 15 --workers 2 --output /tmp/x.mp4 --result /tmp/x.json

The parent reads the written video back (this interpreter need not have PyAV).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib

matplotlib.use("Agg")

PEER_DIST = "parallel-matplotlib-animation"
_SCENES_MODULE = "parallel_animate_bench_scenes"  # not under parallel_animate


def load_scenes(path: str) -> ModuleType:
    """Import the ``scenes`` package from its folder, once per process, under another
    name (its modules import each other relatively) and without ``benchmarks``."""
    module = sys.modules.get(_SCENES_MODULE)
    if module is None:
        init = Path(path) / "__init__.py"
        spec = importlib.util.spec_from_file_location(
            _SCENES_MODULE, init, submodule_search_locations=[str(Path(path))]
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the scenes from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[_SCENES_MODULE] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return module


def peer_animator_class() -> type:
    """The peer's Animator, after checking it really is the peer's installed package."""
    import parallel_animate

    dist = metadata.distribution(PEER_DIST)
    expected = Path(str(dist.locate_file("parallel_animate/__init__.py"))).resolve()
    if Path(parallel_animate.__file__).resolve() != expected:
        raise ImportError(
            f"parallel_animate comes from {parallel_animate.__file__}, not from the "
            f"installed {PEER_DIST} ({expected}); is PYTHONPATH leaking in?"
        )
    return parallel_animate.Animator


Animator: Any = peer_animator_class()


class PeerSceneAnimator(Animator):
    """A benchmark scene on the peer's Animator; picklable (only names and a path)."""

    def __init__(self, scenes_dir: str, scene_name: str) -> None:
        self.scenes_dir = scenes_dir
        self.scene_name = scene_name

    def setup(self) -> Any:
        scene = load_scenes(self.scenes_dir).SCENES[self.scene_name]
        fig, self.state = scene.build()
        return fig

    def update(self, frame_idx: int, params: Any) -> Any:
        scene = load_scenes(self.scenes_dir).SCENES[self.scene_name]
        return scene.draw(self.state, frame_idx, params)


def _cpu_seconds() -> tuple[float, float]:
    """(this process, waited-for children) user+sys CPU seconds so far."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Time the peer's make_video at its defaults, as _case times ours."""
    scene = load_scenes(args.scenes_dir).SCENES[args.scene]
    animator = PeerSceneAnimator(args.scenes_dir, args.scene)
    params = scene.params(args.frames)
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    animator.make_video(str(args.output), params, scene.fps, num_workers=args.workers)
    wall = time.perf_counter() - t0
    own, kids = _cpu_seconds()
    return {
        "wall_s": wall,
        "self_cpu_s": own - cpu0[0],
        "children_cpu_s": kids - cpu0[1],
        "peer_version": metadata.version(PEER_DIST),
        # its default video_mode="auto" imports torch to look for CUDA, inside make_video
        "peer_imported_torch": "torch" in sys.modules,
        "peer_cuda": _cuda_available(),
    }


def _cuda_available() -> bool | None:
    torch = sys.modules.get("torch")
    return bool(torch.cuda.is_available()) if torch is not None else None


def main(argv: list[str] | None = None) -> int:
    """Run one peer case and write its JSON result; exit 1 on failure (result says why)."""
    ap = argparse.ArgumentParser(prog="_peer_case.py")
    ap.add_argument("--scenes-dir", required=True)
    ap.add_argument("--scene", required=True)
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args(argv)

    result: dict[str, Any] = {
        "scene": args.scene,
        "method": "peer",
        "frames": args.frames,
        "workers": args.workers,
        "pid": os.getpid(),
        "python": sys.executable,
        "ok": False,
    }
    try:
        result.update(run(args))
        result["ok"] = True
    except BaseException as exc:  # report anything, including KeyboardInterrupt
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
        traceback.print_exc()
    args.result.write_text(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
