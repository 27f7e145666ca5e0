"""How rendering time scales with the number of workers: a plot of speed-up vs workers.

Renders one example animation with 1, 2, ... N workers, with the figure reused
between frames (the default) and rebuilt for every frame (``reuse_figure_object=False``),
and with ``--blit`` also blitted; then plots the speed-up over one worker next to the
ideal (N workers, N times faster) and writes it as a PNG.

Run it: ``python -m parallel_animate.examples.scaling_test [scaling.png] [--frames N]
[--max-workers N] [--animation wave|multi|complex]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from parallel_animate.examples import _common
from parallel_animate.plan import cpu_count

ANIMATIONS = ("wave", "multi", "complex")


def _animator(name: str) -> Any:
    if name == "wave":
        from parallel_animate.examples.simple_wave_animation import WaveAnimation

        return WaveAnimation()
    if name == "multi":
        from parallel_animate.examples.multi_panel_animation import MultiPanelAnimation

        return MultiPanelAnimation()
    from parallel_animate.examples.very_complex_animation import VeryComplexAnimation

    return VeryComplexAnimation()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m parallel_animate.examples.scaling_test",
        description="Time make_video with 1..N workers and plot the speed-up.",
    )
    parser.add_argument("output", nargs="?", default="scaling.png", help="the plot (PNG)")
    parser.add_argument("--frames", type=_common.positive_int, default=120)
    parser.add_argument(
        "--max-workers",
        type=_common.positive_int,
        default=cpu_count(),
        help=f"largest worker count (default: the CPUs, here {cpu_count()})",
    )
    parser.add_argument("--animation", choices=ANIMATIONS, default="multi")
    parser.add_argument("--blit", action="store_true", help="also time make_video(..., blit=True)")
    args = parser.parse_args(argv)
    return args


def modes(blit: bool) -> dict[str, dict[str, Any]]:
    """Label -> make_video arguments of each way of rendering that is timed."""
    out: dict[str, dict[str, Any]] = {
        "figure reused": {},
        "figure rebuilt per frame": {"reuse_figure_object": False},
    }
    if blit:
        out["figure reused + blit"] = {"blit": True}
    return out


def time_runs(args: argparse.Namespace, video_dir: Path) -> dict[str, dict[int, float]]:
    """Seconds of each make_video run, by mode and worker count."""
    params = _common.phase_params(args.frames)
    results: dict[str, dict[int, float]] = {}
    for label, kwargs in modes(args.blit).items():
        results[label] = {}
        for workers in range(1, args.max_workers + 1):
            started = time.perf_counter()
            _animator(args.animation).make_video(
                video_dir / f"w{workers}.mp4",
                params,
                fps=30,
                num_workers=workers,
                disable_progress_bar=True,
                **kwargs,
            )
            seconds = time.perf_counter() - started
            results[label][workers] = seconds
            print(
                f"{label:26s} {workers:3d} worker(s): {seconds:7.2f} s "
                f"({args.frames / seconds:6.1f} frames/s)",
                flush=True,
            )
    return results


def plot(results: dict[str, dict[int, float]], args: argparse.Namespace) -> Path:
    """Speed-up over one worker (with the ideal line) and frames per second; PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax_speed, ax_rate = fig.subplots(1, 2)
    workers = list(range(1, args.max_workers + 1))
    ax_speed.plot(workers, workers, "k--", lw=1, label="ideal")
    for label, times in results.items():
        ax_speed.plot(workers, [times[1] / times[w] for w in workers], "o-", label=label)
        ax_rate.plot(workers, [args.frames / times[w] for w in workers], "o-", label=label)
    ax_speed.set(xlabel="workers", ylabel="speed-up over 1 worker", title="speed-up")
    ax_rate.set(xlabel="workers", ylabel="frames per second", title="throughput")
    for ax in (ax_speed, ax_rate):
        ax.set_xticks(workers)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    ax_rate.set_ylim(bottom=0)
    fig.suptitle(f"{args.animation} animation, {args.frames} frames, {cpu_count()} CPUs available")
    output = Path(args.output)
    fig.savefig(output)
    return output


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pa-scaling-") as tmp:
        results = time_runs(args, Path(tmp))
    print(f"wrote {plot(results, args)}")


if __name__ == "__main__":
    main()
