"""build_plan: every option checked before any work, one option list for every caller."""

from __future__ import annotations

import inspect
from fractions import Fraction

import pytest

from anims import BlockAnimator
from parallel_animate import Animator
from parallel_animate.plan import RunOptions, build_plan


def test_run_options_are_make_videos_options():
    params = list(inspect.signature(Animator.make_video).parameters)
    assert params[:4] == ["self", "output_file", "param_by_frame", "fps"]
    assert tuple(params[4:]) == RunOptions.names()
    defaults = {
        name: p.default
        for name, p in inspect.signature(Animator.make_video).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    assert defaults == {name: getattr(RunOptions(), name) for name in RunOptions.names()}


def test_defaults_of_an_mp4(tmp_path, monkeypatch):
    monkeypatch.setattr("parallel_animate.plan.cpu_count", lambda: 6)
    plan = build_plan(BlockAnimator(), tmp_path / "a.mp4", [1, 2], 29.97)
    assert plan.output == tmp_path / "a.mp4"
    assert plan.workers == 6
    assert plan.video.codec == "libx264" and plan.video.pixfmt == "yuv420p"
    assert plan.video.options == {"crf": "23", "preset": "slow"}
    assert plan.video.fps == Fraction(30000, 1001)  # the NTSC decimal
    assert plan.blit == "auto" and plan.reuse_figure is True and plan.preload_factor == 8
    assert plan.progress_callback is None and plan.lent_figure is None
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_explicit_fields_are_carried(tmp_path):
    import matplotlib.pyplot as plt

    fig = plt.figure()
    calls = []
    plan = build_plan(
        BlockAnimator(),
        str(tmp_path / "a.gif"),
        range(3),
        10,
        RunOptions(num_workers=1, quality=50, blit=True, n_frames=2),
        progress_callback=lambda i, n: calls.append(i),
        lent_figure=fig,
    )
    assert plan.lent_figure is fig and plan.n_frames == 2 and plan.workers == 1
    assert plan.video.codec == "gif" and plan.video.options["colors"] == "129"
    plan.progress_callback(0, 2)
    assert calls == [0]
    plt.close(fig)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (RunOptions(num_workers=0), ValueError, "num_workers must not be 0"),
        (RunOptions(num_workers=2.0), TypeError, "num_workers must be an int"),
        (RunOptions(n_frames=0), ValueError, "n_frames must be >= 1"),
        (RunOptions(preload_factor=None), TypeError, "preload_factor must be an int >= 1"),
        (RunOptions(blit="yes"), TypeError, "blit must be True, False or .auto."),
        (RunOptions(reuse_figure_object=1), TypeError, "reuse_figure_object must be True or"),
        (RunOptions(disable_progress_bar=0), TypeError, "True, False or None"),
        (RunOptions(plotting_log_interval=-1), ValueError, "plotting_log_interval must be >="),
        (RunOptions(video_codec="libx265x"), ValueError, "video_codec 'libx265x'"),
        (RunOptions(savefig_params={"bbox": 1}), ValueError, "unsupported savefig_params"),
        (RunOptions(quality=101), ValueError, "quality must be from 0 to 100"),
        (RunOptions(backend=3), TypeError, "backend must be"),
    ],
)
def test_bad_options_fail_before_any_work(tmp_path, options, error, message):
    with pytest.raises(error, match=message):
        build_plan(BlockAnimator(), tmp_path / "a.mp4", [1, 2], 30, options)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_fail_before_any_work(tmp_path):
    animator = BlockAnimator()
    with pytest.raises(TypeError, match="param_by_frame must be an iterable"):
        build_plan(animator, tmp_path / "a.mp4", "abc", 30)
    with pytest.raises(TypeError, match="progress_callback must be callable"):
        build_plan(animator, tmp_path / "a.mp4", [1], 30, progress_callback=3)
    with pytest.raises(ValueError, match="folder of output_file does not exist"):
        build_plan(animator, tmp_path / "no" / "a.mp4", [1], 30)
    with pytest.raises(ValueError, match="is a directory"):
        build_plan(animator, tmp_path, [1], 30)
    with pytest.raises(ValueError, match="fps must be > 0"):
        build_plan(animator, tmp_path / "a.mp4", [1], 0)
    assert list(tmp_path.iterdir()) == []
