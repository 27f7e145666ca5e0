"""The ``parallel-animate`` command, also ``python -m parallel_animate``.

    parallel-animate demo [OUTPUT] [--frames N] [--workers N]
    parallel-animate bench [BENCHMARK OPTIONS ...]      (from a checkout: python -m benchmarks)
    parallel-animate render module:Class OUTPUT --params FILE [--fps F] [--workers N]
                            [--codec C] [--pixfmt P] [--quality Q] [--preset P]
                            [--video-mode auto|gpu|cpu]
                            [--blit | --no-blit] [--no-resume] [--cache DIR]

Mistakes on the command line (a module that is not there, a bad params file, a bad
option value) print one line on stderr and exit with code 2; a failure in the user's
animation exits with code 1 and the worker's traceback; Ctrl-C exits with 130.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import traceback
from fractions import Fraction
from pathlib import Path
from typing import Any

from parallel_animate.encode.options import ntsc_rate
from parallel_animate.examples._common import positive_int
from parallel_animate.pipeline import run
from parallel_animate.plan import RunOptions, build_plan

PROG = "parallel-animate"

# Options of `render` passed to make_video under the same name when given.
PASSED_OPTIONS = ("quality", "preset", "backend", "frame_timeout", "video_mode")


class UsageError(Exception):
    """A mistake of the person at the command line: one line on stderr, exit code 2."""


class UserCodeError(Exception):
    """The user's module failed to import or their class to construct: their traceback
    is worth showing (exit code 1)."""


# -- argument types ---------------------------------------------------------------------
def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 workers: use 1 for this process, -1 for all cores")
    return value


def _fps(text: str) -> Fraction:
    """``30`` or ``30000/1001`` exactly; a decimal as make_video takes a float (29.97 is
    30000/1001, see ``ntsc_rate``)."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(
            f"not a frame rate: {text!r} (try 30, 29.97 or 30000/1001)"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return (ntsc_rate(value) if "/" not in text else None) or value


# -- render: the animator and its params ----------------------------------------------
def load_animator(target: str) -> Any:
    """``module:Class`` or ``path/to/file.py:Class`` -> an instance (made without
    arguments); ``module:name`` may also name an Animator instance."""
    from parallel_animate import Animator

    module_name, sep, attr = target.rpartition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"expected module:Class (e.g. mypackage.anims:Wave), got {target!r}")
    if module_name.endswith(".py") or "/" in module_name or os.sep in module_name:
        path = Path(module_name)
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
        if path.suffix != ".py":
            raise UsageError(f"not a Python file: {path}")
        # Import it by name from its folder, so that "spawn" workers can import it too.
        sys.path.insert(0, str(path.resolve().parent))
        module_name = path.stem
    elif "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` does
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name or module_name.startswith(f"{exc.name}."):
            raise UsageError(f"no module named {module_name!r} (from {target!r})") from None
        raise UserCodeError(f"importing {module_name} failed:\n{traceback.format_exc()}") from exc
    except Exception as exc:
        raise UserCodeError(f"importing {module_name} failed:\n{traceback.format_exc()}") from exc
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            found = sorted(
                name
                for name, value in vars(module).items()
                if isinstance(value, type)
                and issubclass(value, Animator)
                and value is not Animator
            )
            hint = f"; Animator classes there: {', '.join(found)}" if found else ""
            raise UsageError(f"module {module_name!r} has no {attr!r}{hint}") from None
    if isinstance(obj, Animator):
        return obj
    if not (isinstance(obj, type) and issubclass(obj, Animator)):
        raise UsageError(
            f"{target} is a {type(obj).__name__}, not a subclass of parallel_animate.Animator"
        )
    if inspect.isabstract(obj):
        missing = ", ".join(sorted(obj.__abstractmethods__))
        raise UsageError(f"{target} does not define {missing}")
    try:
        inspect.signature(obj).bind()
    except TypeError as exc:
        raise UsageError(
            f"cannot create {target}() without arguments ({exc}); the command line makes "
            "the animator as Class(): give its arguments defaults"
        ) from None
    try:
        return obj()
    except Exception as exc:
        raise UserCodeError(f"{target}() failed:\n{traceback.format_exc()}") from exc


def load_params(path: Path) -> list[Any]:
    """Per-frame params: a JSON list (one item per frame), or a .npz whose arrays all have
    one row per frame (frame i gets ``{name: array[i]}``; a single unnamed array saved with
    ``np.savez(f, a)`` gives ``a[i]`` itself)."""
    if not path.is_file():
        raise UsageError(f"params file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(data, list):
            raise UsageError(
                f"{path} must hold a JSON list with one item per frame, "
                f"not a {type(data).__name__}"
            )
        if not data:
            raise UsageError(f"{path} holds an empty list: no frames to render")
        return data
    if suffix == ".npz":
        import numpy as np

        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except Exception as exc:  # zipfile.BadZipFile, ValueError (pickled objects)...
            raise UsageError(f"cannot read {path} as .npz: {exc}") from None
        if not arrays:
            raise UsageError(f"{path} holds no arrays")
        lengths = {name: (a.shape[0] if a.ndim else None) for name, a in arrays.items()}
        if None in lengths.values() or len(set(lengths.values())) != 1:
            shown = ", ".join(
                f"{name}: {rows if rows is not None else 'scalar'}"
                for name, rows in lengths.items()
            )
            raise UsageError(
                f"every array in {path} must have one row per frame (same first "
                f"dimension); rows: {shown}"
            )
        n = int(next(iter(arrays.values())).shape[0])  # every array has this many rows
        if n == 0:
            raise UsageError(f"the arrays in {path} have no rows: no frames to render")

        def item(a: Any, i: int) -> Any:
            row = a[i]
            return row.item() if row.ndim == 0 else row

        if list(arrays) == ["arr_0"]:
            return [item(arrays["arr_0"], i) for i in range(n)]
        return [{name: item(a, i) for name, a in arrays.items()} for i in range(n)]
    raise UsageError(f"params file must be .json or .npz, got {path.name}")


# -- commands ---------------------------------------------------------------------------
def find_benchmark_checkout() -> Path | None:
    """The repository checkout whose ``benchmarks/`` to run: the current directory, else
    the checkout this package is imported from (an editable install). None for an
    installed wheel: the benchmark is not part of the package."""
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (root / "benchmarks" / "__main__.py").is_file() and (
            root / "src" / "parallel_animate"
        ).is_dir():
            return root
    return None


def cmd_bench(argv: list[str]) -> int:
    """``python -m benchmarks ARGV`` of the checkout, in this process; exit 2 without one."""
    root = find_benchmark_checkout()
    if root is None:
        print(
            f"{PROG}: error: the benchmark is not part of the installed package, it lives in "
            "the repository's benchmarks/ folder: in a checkout, run pip install -e '.[bench]' "
            "then python -m benchmarks [OPTIONS] (or parallel-animate bench there)",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(root))
    from benchmarks.__main__ import main as bench_main

    return bench_main(argv)


def cmd_demo(args: argparse.Namespace) -> int:
    from parallel_animate.examples import simple_wave_animation

    argv = [args.output, "--frames", str(args.frames), "--workers", str(args.workers)]
    try:
        simple_wave_animation.main(argv)
    except (ValueError, TypeError) as exc:  # the output's checks (x.avi), as for render
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"{type(exc).__name__}: {exc}") from exc
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    given: dict[str, Any] = {}
    for option in PASSED_OPTIONS:
        value = getattr(args, option)
        if value is not None and value is not False:
            given[option] = value
    params = load_params(Path(args.params))
    animator = load_animator(args.target)
    options = RunOptions(
        n_frames=args.frames,
        num_workers=args.workers,
        disable_progress_bar=True if args.no_progress else None,
        video_codec=args.codec,
        video_pixfmt=args.pixfmt,
        blit=args.blit,
        resume=args.resume,
        cache_dir=args.cache,
        **given,
    )
    try:
        path = run(build_plan(animator, args.output, params, args.fps, options))
    except (ValueError, TypeError) as exc:  # the checks of the options and the params
        raise UsageError(_text(exc)) from exc
    except (ImportError, OSError) as exc:  # --backend: Dask missing, scheduler unreachable
        raise UsageError(f"{type(exc).__name__}: {_text(exc)}") from exc
    print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Render matplotlib animations to video on every core.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="render a demo video (a travelling wave)")
    demo.add_argument("output", nargs="?", default="wave.mp4", help="default: wave.mp4")
    demo.add_argument("--frames", type=positive_int, default=150, help="default: 150")
    demo.add_argument("--workers", type=_workers, default=-1, help="default: all cores")
    demo.set_defaults(run=cmd_demo)

    commands.add_parser(
        "bench",
        help="benchmark against FuncAnimation.save, in a checkout of the repository "
        "(options: parallel-animate bench --help)",
        add_help=False,
    )

    render = commands.add_parser(
        "render",
        help="render an Animator subclass with params from a file",
        description="Render module:Class (an Animator subclass, made without arguments) "
        "with one item of the params file per frame.",
    )
    render.add_argument("target", help="module:Class or path/to/file.py:Class")
    render.add_argument("output", help="the video to write (.mp4, ...)")
    render.add_argument(
        "--params",
        required=True,
        metavar="FILE",
        help="a JSON list (one item per frame) or a .npz (arrays with one row per frame)",
    )
    render.add_argument("--fps", type=_fps, default=Fraction(30), help="default: 30")
    render.add_argument("--workers", type=_workers, default=-1, help="default: all cores")
    render.add_argument("--frames", type=positive_int, help="render only the first N frames")
    render.add_argument("--codec", help="encoder, e.g. libx264 (default: the format's)")
    render.add_argument("--pixfmt", help="pixel format, e.g. yuv444p (default: the format's)")
    render.add_argument("--quality", type=int, help="0 (smallest) to 100 (best)")
    render.add_argument("--preset", help="encoding speed against size, e.g. fast")
    render.add_argument(
        "--video-mode",
        choices=("auto", "gpu", "cpu"),
        help="H.264 on NVENC (gpu), libx264 (cpu), or NVENC when it opens (auto)",
    )
    blitting = render.add_mutually_exclusive_group()
    blitting.add_argument(
        "--blit",
        dest="blit",
        action="store_const",
        const=True,
        default="auto",
        help="update() returns the artists it changed; draw only those (matplotlib's "
        "rule). Default: redraw only what changed, found automatically, every frame "
        "the bytes of a full draw",
    )
    blitting.add_argument(
        "--no-blit",
        dest="blit",
        action="store_const",
        const=False,
        help="draw every frame in full",
    )
    render.add_argument("--backend", help="a Dask scheduler address to render on")
    render.add_argument(
        "--frame-timeout",
        type=float,
        metavar="SECONDS",
        help="fail if a frame takes longer than this (default: no limit)",
    )
    render.add_argument(
        "--no-resume",
        dest="resume",
        action="store_false",
        help="render everything, not reusing the parts an interrupted run left beside "
        "the output (by default a rerun renders only what is missing)",
    )
    render.add_argument(
        "--cache",
        metavar="DIR",
        help="keep finished segments in DIR after success too: a later run renders only "
        "the segments whose inputs changed",
    )
    render.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    render.set_defaults(run=cmd_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "bench":
        return cmd_bench(argv[1:])
    args = build_parser().parse_args(argv)  # exits with 2 on a bad command line
    from parallel_animate import RenderError

    try:
        return args.run(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (UserCodeError, RenderError) as exc:
        print(f"{PROG}: {_text(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print(f"{PROG}: interrupted{_text(exc)}", file=sys.stderr)
        return 130


def _text(exc: BaseException) -> str:
    """The error's message and its notes (what a failed run kept, to resume)."""
    return "\n".join([str(exc), *getattr(exc, "__notes__", ())])


if __name__ == "__main__":
    sys.exit(main())
