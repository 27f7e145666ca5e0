"""The parallel-animate command: demo, bench, render; user mistakes exit 2 without traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from anims import block_params, reference_frames
from conftest import assert_matches_reference, decode
from parallel_animate import cli

ROOT = Path(__file__).resolve().parents[1]


def run_module(*args, cwd=None):
    """``python -m parallel_animate ARGS`` in a fresh interpreter."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT / "tests"), env.get("PYTHONPATH", "")]
    )
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, "-m", "parallel_animate", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_console_script_is_declared():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["parallel-animate"] == "parallel_animate.cli:main"


@pytest.mark.slow
def test_demo_through_python_m(tmp_path):
    result = run_module("demo", tmp_path / "demo.mp4", "--frames", "12", "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    assert len(decode(tmp_path / "demo.mp4")[0]) == 12


@pytest.mark.slow
def test_render_json_params_matches_reference(tmp_path):
    params = block_params(16)
    (tmp_path / "p.json").write_text(json.dumps(params))
    code = cli.main(
        [
            "render",
            "anims:BlockAnimator",
            str(tmp_path / "r.mp4"),
            "--params",
            str(tmp_path / "p.json"),
            "--fps",
            "30000/1001",
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    assert code == 0
    frames, _, info = decode(tmp_path / "r.mp4")
    assert info.average_rate == pytest.approx(30000 / 1001)
    from anims import BlockAnimator

    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))


@pytest.mark.slow
def test_render_npz_params_from_a_file_path_in_a_fresh_process(tmp_path):
    """path/to/file.py:Class, .npz params; spawn workers must import the class too."""
    (tmp_path / "mine.py").write_text(
        textwrap.dedent(
            """
            import matplotlib.pyplot as plt
            from parallel_animate import Animator

            class Bar(Animator):
                def setup(self):
                    self.fig = plt.figure(figsize=(1.6, 1.2), dpi=100)
                    ax = self.fig.add_axes((0, 0, 1, 1))
                    ax.set_xlim(0, 40)
                    self.block = ax.axvspan(0, 4, color="k")
                    return self.fig

                def update(self, frame_idx, params):
                    assert isinstance(params["x"], float) and params["w"].shape == (2,)
                    self.block.set_x(params["x"])
            """
        )
    )
    np.savez(tmp_path / "p.npz", x=np.arange(10) * 3.0, w=np.ones((10, 2)))
    code = (
        "import multiprocessing, sys; multiprocessing.set_start_method('spawn');"
        "from parallel_animate.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), MPLBACKEND="Agg")
    options = ["--params", "p.npz", "--workers", "2", "--no-progress"]
    result = subprocess.run(
        [sys.executable, "-c", code, "render", "mine.py:Bar", "out.mp4", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert len(decode(tmp_path / "out.mp4")[0]) == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "nosuchmodule_x:A", "o.mp4", "--params", "p.json"], "no module named"),
        (["render", "anims:Nope", "o.mp4", "--params", "p.json"], "has no 'Nope'"),
        (["render", "anims:block_params", "o.mp4", "--params", "p.json"], "not a subclass"),
        (["render", "anims:FailingAnimator", "o.mp4", "--params", "p.json"], "without arguments"),
        (["render", "anims", "o.mp4", "--params", "p.json"], "expected module:Class"),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "missing.json"], "not found"),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "bad.json"], "not valid JSON"),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "dict.json"], "JSON list"),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "p.txt"], ".json or .npz"),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "ragged.npz"], "one row per"),
        (["render", "anims:BlockAnimator", "o.xyz", "--params", "p.json"], "extension"),
        (
            ["render", "anims:BlockAnimator", "o.mp4", "--params", "p.json", "--codec", "nope"],
            "video_codec",
        ),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "p.json", "--fps", "x"], "fps"),
        (["render", "anims:BlockAnimator", "o.mp4"], "--params"),
        (["nosuchcommand"], "invalid choice"),
        (["demo", "x.avi"], "unsupported output extension '.avi'"),
        (["render", "anims:BlockAnimator", "o.mp4", "--params", "p.json", "--fps", "2e4"], "9999"),
    ],
)
def test_user_mistakes_exit_2_without_traceback(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(block_params(3)))
    (tmp_path / "p.txt").write_text("[]")
    (tmp_path / "bad.json").write_text("[{")
    (tmp_path / "dict.json").write_text('{"x": 1}')
    np.savez(tmp_path / "ragged.npz", x=np.zeros(3), y=np.zeros(4))
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "o.mp4").exists()


def test_options_reach_the_run_plan(tmp_path, monkeypatch):
    """--quality, --blit & co. reach the run's plan as make_video would make it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(block_params(4)))
    base = ["render", "anims:BlockAnimator", "o.mp4", "--params", "p.json", "--workers", "1"]
    plans = []

    def fake_run(plan):
        plans.append(plan)
        return plan.output

    monkeypatch.setattr(cli, "run", fake_run)
    assert cli.main([*base, "--quality", "80", "--blit", "--frames", "3", "--no-progress"]) == 0
    (plan,) = plans
    assert plan.blit is True and plan.n_frames == 3 and plan.disable_progress_bar is True
    assert plan.video.options["crf"] == "10"  # quality 80 on x264's scale: 51 - 0.51 * 80
    assert plan.workers == 1 and plan.video.codec == "libx264"
    assert cli.main([*base, "--no-blit"]) == 0
    assert cli.main(base) == 0
    assert [p.blit for p in plans[1:]] == [False, "auto"]


@pytest.mark.slow
def test_render_a_gif_with_quality_and_preset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(block_params(6)))
    args = ["render", "anims:BlockAnimator", "o.gif", "--params", "p.json", "--workers", "2"]
    assert cli.main([*args, "--quality", "40", "--preset", "fast", "--no-progress"]) == 0
    assert (tmp_path / "o.gif").read_bytes()[:6] == b"GIF89a"


@pytest.mark.slow
def test_failure_in_user_code_exits_1_with_its_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(block_params(6)))
    (tmp_path / "broken.py").write_text("raise RuntimeError('broken module (marker 3c9a)')\n")
    assert cli.main(["render", "broken:X", "o.mp4", "--params", "p.json"]) == 1
    err = capsys.readouterr().err
    assert "marker 3c9a" in err and "Traceback" in err
    (tmp_path / "failing.py").write_text(
        "from anims import FailingAnimator\n"
        "class Fails(FailingAnimator):\n"
        "    def __init__(self):\n"
        "        super().__init__(fail_at=2)\n"
    )
    code = cli.main(["render", "failing:Fails", "o.mp4", "--params", "p.json", "--workers", "2"])
    assert code == 1
    assert "marker 7f3a" in capsys.readouterr().err


def test_bench_runs_the_checkouts_benchmark_with_its_arguments(tmp_path, monkeypatch, capsys):
    # Found from anywhere: this package is imported from the checkout's src/.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: python -m benchmarks" in out and "--frames-scale" in out
    assert sys.modules["benchmarks"].__file__ == str(ROOT / "benchmarks" / "__init__.py")


@pytest.mark.slow
def test_bench_without_a_checkout_says_where_the_benchmark_is(tmp_path):
    """An installed package has no benchmark: one line on stderr, exit code 2."""
    site = tmp_path / "site-packages"
    shutil.copytree(
        ROOT / "src" / "parallel_animate",
        site / "parallel_animate",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    env = dict(os.environ, PYTHONPATH=str(site), MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-m", "parallel_animate", "bench", "--scenes", "simple"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("parallel-animate: error: the benchmark is not part of the installed")
    assert "benchmarks/ folder" in line and "python -m benchmarks" in line
    assert not list(tmp_path.glob("benchmark-results*"))


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert "demo" in out and "bench" in out and "render" in out


@pytest.mark.slow
def test_render_keeps_parts_in_cache_and_reports_what_a_failure_kept(tmp_path, capsys):
    from anims import rendered_frames

    log = tmp_path / "log"
    log.mkdir()
    (tmp_path / "p.json").write_text(json.dumps(block_params(30)))
    args = [
        "render",
        "anims:CountingAnimator",
        str(tmp_path / "r.mp4"),
        "--params",
        str(tmp_path / "p.json"),
        "--fps",
        "10",
        "--workers",
        "2",
        "--no-progress",
    ]
    # CountingAnimator(log_dir) needs an argument: a module of ours gives it one.
    (tmp_path / "counting.py").write_text(
        "from anims import CountingAnimator\n\n"
        "class Counting(CountingAnimator):\n"
        f"    def __init__(self):\n        super().__init__({str(log)!r}, fail_at=25)\n"
    )
    args[1] = f"{tmp_path / 'counting.py'}:Counting"
    (log / "fail").touch()
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    if sys.version_info >= (3, 11):
        assert "frames are kept in" in err and "run the same call again" in err
    rendered_frames(log)
    (log / "fail").unlink()
    assert cli.main([*args, "--no-resume"]) == 0
    assert rendered_frames(log) == list(range(30))  # everything again
    assert cli.main([*args, "--cache", str(tmp_path / "cache")]) == 0
    assert rendered_frames(log) == list(range(30))
    assert cli.main([*args, "--cache", str(tmp_path / "cache")]) == 0
    assert rendered_frames(log) == []  # all found
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__") == [
        "cache", "counting.py", "log", "p.json", "r.mp4"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30", Fraction(30)),
        ("29.97", Fraction(30000, 1001)),  # as make_video reads the float 29.97
        ("23.976", Fraction(24000, 1001)),
        ("30000/1001", Fraction(30000, 1001)),
        ("2997/100", Fraction(2997, 100)),  # a fraction is exact
        ("12.5", Fraction(25, 2)),
    ],
)
def test_fps_argument(text, expected):
    assert cli._fps(text) == expected
