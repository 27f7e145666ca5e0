"""Every example runs, short, through its main() (as ``python -m ...`` calls it)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from conftest import decode
from parallel_animate import Animator, IndexedFrameParams

VIDEO_EXAMPLES = {
    "simple_wave_animation": 6,
    "multi_panel_animation": 4,
    "very_complex_animation": 3,
    "nondeterministic_video_loader": 12,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VIDEO_EXAMPLES))
def test_video_example(tmp_path, capsys, name):
    n = VIDEO_EXAMPLES[name]
    module = importlib.import_module(f"parallel_animate.examples.{name}")
    out = tmp_path / f"{name}.mp4"
    module.main([str(out), "--frames", str(n), "--workers", "2"])
    assert f"wrote {out}" in capsys.readouterr().out
    frames, _, _ = decode(out)
    assert len(frames) == n
    assert len({frame.tobytes() for frame in frames}) == n  # every frame differs


def test_classes_are_where_parallel_matplotlib_animation_has_them():
    import matplotlib.pyplot as plt

    from parallel_animate.examples.multi_panel_animation import MultiPanelAnimation
    from parallel_animate.examples.simple_wave_animation import WaveAnimation
    from parallel_animate.examples.very_complex_animation import VeryComplexAnimation

    fig = MultiPanelAnimation().setup()
    titles = {ax.get_title() for ax in fig.axes} - {""}
    assert titles == {"line", "scatter", "bar", "imshow", "polar"}
    fig = VeryComplexAnimation().setup()
    assert len(fig.axes) == 14
    assert WaveAnimation().setup() is not None
    plt.close("all")


def test_blitted_example_matches_full_redraw(tmp_path):
    from parallel_animate.examples._common import phase_params
    from parallel_animate.examples.very_complex_animation import VeryComplexAnimation

    params = phase_params(4)
    lossless = {"video_pixfmt": "yuv444p", "video_params": {"crf": "0", "preset": "ultrafast"}}
    full = VeryComplexAnimation().make_video(
        tmp_path / "f.mp4", params, fps=10, num_workers=1, **lossless
    )
    blit = VeryComplexAnimation().make_video(
        tmp_path / "b.mp4", params, fps=10, num_workers=1, blit=True, **lossless
    )
    a, b = decode(full)[0].astype(int), decode(blit)[0].astype(int)
    assert abs(a - b).mean() < 1.0


def test_loader_yields_every_frame_once_out_of_order():
    from parallel_animate.examples.nondeterministic_video_loader import nondeterministic_loader

    ids = [item.frame_id for item in nondeterministic_loader(40, threads=4, max_delay=0.01)]
    assert sorted(ids) == list(range(40))
    assert ids != sorted(ids)


def test_seed_loader_names_and_defaults_are_the_seeds():
    """0.1.2 scripts import these two names from this module and call them bare."""
    import inspect

    from parallel_animate.examples.nondeterministic_video_loader import (
        VideoFrameAnimation,
        fake_video_loader,
    )

    parameters = inspect.signature(fake_video_loader).parameters
    assert parameters["n_frames"].default == 64
    assert parameters["frame_size"].default == (128, 128)
    assert issubclass(VideoFrameAnimation, Animator)


def test_fake_video_loader_yields_each_frame_once_shuffled():
    from parallel_animate.examples.nondeterministic_video_loader import fake_video_loader

    items = list(fake_video_loader())
    assert all(isinstance(item, IndexedFrameParams) for item in items)
    ids = [item.frame_id for item in items]
    assert sorted(ids) == list(range(64)) and ids != sorted(ids)
    assert [i.frame_id for i in fake_video_loader(n_frames=10, seed=1)] == [
        i.frame_id for i in fake_video_loader(n_frames=10, seed=1)
    ]
    by_id = {item.frame_id: item.params["frame"] for item in fake_video_loader(8, (16, 40))}
    assert by_id[0].shape == (16, 40, 3) and by_id[0].dtype == np.uint8
    green = [int(np.flatnonzero(by_id[k][0, :, 1])[0]) for k in range(8)]  # bar's left edge
    assert green == sorted(green) and len(set(green)) == 8  # moves left to right
    assert not by_id[3][..., [0, 2]].any()  # only green


def test_video_frame_animation_shows_the_frame_and_its_index():
    import matplotlib.pyplot as plt

    from parallel_animate.examples.nondeterministic_video_loader import VideoFrameAnimation

    anim = VideoFrameAnimation()
    fig = anim.setup()
    frame = np.zeros((128, 128, 3), dtype=np.uint8)
    frame[:, 5:25] = (0, 255, 0)
    anim.update(7, {"frame": frame})
    assert fig.axes[0].get_title() == "Video Frame 7"
    assert np.array_equal(fig.axes[0].images[0].get_array(), frame)
    plt.close(fig)


@pytest.mark.slow
def test_seed_loader_example_renders_as_the_seed_ran_it(tmp_path):
    """The seed's own run, shorter: the shuffled generator, n_frames given, workers."""
    from parallel_animate.examples.nondeterministic_video_loader import (
        VideoFrameAnimation,
        fake_video_loader,
    )

    out = VideoFrameAnimation().make_video(
        output_file=tmp_path / "seed.mp4",
        param_by_frame=fake_video_loader(n_frames=8),
        n_frames=8,
        fps=30,
        num_workers=2,
        disable_progress_bar=True,
    )
    frames, _, _ = decode(out)
    assert len(frames) == 8
    assert len({frame.tobytes() for frame in frames}) == 8


@pytest.mark.slow
def test_scaling_test_writes_a_plot(tmp_path, capsys):
    from parallel_animate.examples import scaling_test

    out = tmp_path / "scaling.png"
    scaling_test.main([str(out), "--frames", "4", "--max-workers", "2", "--animation", "wave"])
    assert out.stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "figure rebuilt per frame" in printed and f"wrote {out}" in printed


@pytest.mark.slow
def test_runs_with_python_m(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=str(src), MPLBACKEND="Agg")
    name = "nondeterministic_video_loader"
    options = ["out.mp4", "--frames", "8", "--workers", "2"]
    result = subprocess.run(
        [sys.executable, "-m", f"parallel_animate.examples.{name}", *options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert len(decode(tmp_path / "out.mp4")[0]) == 8


@pytest.mark.parametrize(
    "name",
    [
        "simple_wave_animation",
        "multi_panel_animation",
        "very_complex_animation",
        "loader",
        "seed_loader",
    ],
)
def test_examples_auto_blit_is_byte_for_byte_a_full_draw(name):
    """Every bundled example, unchanged: blit="auto" gives a full draw's very bytes."""

    from parallel_animate.examples import (
        multi_panel_animation,
        nondeterministic_video_loader,
        simple_wave_animation,
        very_complex_animation,
    )
    from parallel_animate.examples._common import phase_params
    from parallel_animate.render import FrameRenderer
    from parallel_animate.style import FrameStyle

    if name == "loader":
        make = nondeterministic_video_loader.LoadedFrameAnimation
        params = [{"image": nondeterministic_video_loader.load_frame(i, 0.0)} for i in range(6)]
    elif name == "seed_loader":
        make = nondeterministic_video_loader.VideoFrameAnimation
        items = nondeterministic_video_loader.fake_video_loader(6, seed=0)
        params = [item.params for item in sorted(items, key=lambda item: item.frame_id)]
    else:
        make = {
            "simple_wave_animation": simple_wave_animation.WaveAnimation,
            "multi_panel_animation": multi_panel_animation.MultiPanelAnimation,
            "very_complex_animation": very_complex_animation.VeryComplexAnimation,
        }[name]
        params = phase_params(6)
    frames = {}
    for mode in (False, "auto"):
        renderer = FrameRenderer(make(), FrameStyle(), blit=mode)
        frames[mode] = [renderer.render(i, p).copy() for i, p in enumerate(params)]
        if mode == "auto":
            drawn_in_part = renderer.partial_draws
        renderer.close()
    for i, (full, auto) in enumerate(zip(frames[False], frames["auto"], strict=True)):
        assert np.array_equal(full, auto), f"{name}: frame {i} differs"
    assert drawn_in_part >= 1 or name == "very_complex_animation"
