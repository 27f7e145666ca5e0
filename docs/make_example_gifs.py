"""Render the small GIFs of the examples shown in the README (with the library itself).

Run from the repository root: ``python docs/make_example_gifs.py``.
"""

from __future__ import annotations

from pathlib import Path

from parallel_animate.examples._common import phase_params
from parallel_animate.examples.multi_panel_animation import MultiPanelAnimation
from parallel_animate.examples.nondeterministic_video_loader import (
    LoadedFrameAnimation,
    nondeterministic_loader,
)
from parallel_animate.examples.simple_wave_animation import WaveAnimation
from parallel_animate.examples.very_complex_animation import VeryComplexAnimation

OUT = Path(__file__).parent / "examples"
FRAMES = 48
FPS = 12


def main() -> None:
    OUT.mkdir(exist_ok=True)
    small = {"dpi": 40}
    jobs = [
        (WaveAnimation(), "simple_wave_animation.gif", phase_params(FRAMES), {"dpi": 50}),
        (MultiPanelAnimation(), "multi_panel_animation.gif", phase_params(FRAMES), small),
        (VeryComplexAnimation(), "very_complex_animation.gif", phase_params(FRAMES), {"dpi": 30}),
        (
            LoadedFrameAnimation(),
            "nondeterministic_video_loader.gif",
            nondeterministic_loader(FRAMES),
            small,
        ),
    ]
    for animator, name, params, savefig in jobs:
        path = animator.make_video(
            OUT / name,
            params,
            FPS,
            n_frames=FRAMES,
            savefig_params=savefig,
            disable_progress_bar=True,
        )
        print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
