"""Failures: user code, dead workers, Ctrl-C, bad arguments. Nothing half-written, no
worker left behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from anims import (
    BlockAnimator,
    ExitingAnimator,
    FailingAnimator,
    InterruptingAnimator,
    NotAFigureAnimator,
    SetupFailingAnimator,
    SuicideAnimator,
    UnpicklableFailingAnimator,
    block_params,
)
from conftest import assert_untouched, process_gone, setup_pids, worker_children
from parallel_animate import IndexedFrameParams, RenderError


def _untouched(target: Path):
    assert_untouched(target)
    assert worker_children() == []


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_update_error_names_frame_and_keeps_traceback(target, workers):
    with pytest.raises(RenderError) as info:
        FailingAnimator(fail_at=17).make_video(
            target, block_params(40), fps=10, num_workers=workers
        )
    err = info.value
    assert isinstance(err, RuntimeError)
    assert err.frame_index == 17
    text = str(err)
    assert "frame 17" in text and "FailingAnimator.update()" in text
    assert "ZeroDivisionError: boom at frame 17 (marker 7f3a)" in text
    assert "in update" in text  # the worker's traceback lines
    assert isinstance(err.__cause__, ZeroDivisionError)
    _untouched(target)


@pytest.mark.slow
def test_unpicklable_exception_still_reported(target):
    with pytest.raises(RenderError) as info:
        UnpicklableFailingAnimator().make_video(target, block_params(10), fps=10, num_workers=2)
    assert info.value.frame_index == 3
    assert "UnpicklableError: odd/error" in str(info.value)
    _untouched(target)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_setup_error(target, workers):
    with pytest.raises(RenderError) as info:
        SetupFailingAnimator().make_video(target, block_params(10), fps=10, num_workers=workers)
    assert "SetupFailingAnimator.setup()" in str(info.value)
    assert "OSError: cannot open the data file (marker 91bc)" in str(info.value)
    assert info.value.frame_index is not None
    _untouched(target)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_setup_returning_non_figure_is_type_error(target, workers):
    with pytest.raises(TypeError, match="must return a matplotlib Figure, got Axes"):
        NotAFigureAnimator().make_video(target, block_params(4), fps=4, num_workers=workers)
    _untouched(target)


@pytest.mark.slow
def test_killed_worker_is_reported_not_hung(target, start_method):
    started = time.monotonic()
    with pytest.raises(RenderError) as info:
        SuicideAnimator(die_at=25, main_pid=os.getpid()).make_video(
            target, block_params(60), fps=10, num_workers=2
        )
    assert time.monotonic() - started < 60
    assert "SIGKILL" in str(info.value)
    assert info.value.frame_index == 25
    _untouched(target)


@pytest.mark.slow
def test_duplicate_id_from_generator_mid_run(target):
    def frames():
        for i in range(30):
            yield IndexedFrameParams(i, {"x": i})
        yield IndexedFrameParams(7, {"x": 7})

    with pytest.raises(ValueError, match="duplicate frame id 7"):
        BlockAnimator().make_video(target, frames(), fps=10, num_workers=2)
    _untouched(target)


@pytest.mark.slow
def test_missing_ids_when_iterable_ends(target):
    items = (IndexedFrameParams(i, {"x": i}) for i in (0, 1, 2, 5, 6))
    with pytest.raises(ValueError, match="without frame ids 3, 4"):
        BlockAnimator().make_video(target, items, fps=10, num_workers=2)
    _untouched(target)


@pytest.mark.slow
def test_id_beyond_n_frames(target):
    items = [IndexedFrameParams(i, {"x": i}) for i in (0, 1, 9)]
    with pytest.raises(ValueError, match="frame id 9 is out of range"):
        BlockAnimator().make_video(target, items, fps=10, n_frames=3, num_workers=2)
    _untouched(target)


class _Marker(BlockAnimator):
    """Leaves a file when setup() runs: proof that work started."""

    def setup(self):
        Path(self.log_dir, "setup-ran").touch()
        return super().setup()


@pytest.mark.parametrize(
    ("kwargs", "exc", "pattern"),
    [
        ({"fps": 0}, ValueError, "fps must be > 0"),
        ({"fps": -5}, ValueError, "fps must be > 0"),
        ({"fps": "30"}, TypeError, "fps must be a number"),
        ({"fps": float("nan")}, ValueError, "finite"),
        ({"video_codec": "nope264"}, ValueError, "not supported for .mp4 output; choose one of"),
        ({"video_pixfmt": "yuv420q"}, ValueError, "not a pixel format"),
        ({"video_pixfmt": "rgba"}, ValueError, "cannot be encoded by libx264; it takes: yuv420p"),
        ({"video_params": {"preset": "warp9"}}, ValueError, "rejected"),
        ({"num_workers": 0}, ValueError, "num_workers must not be 0"),
        ({"n_frames": 0}, ValueError, "n_frames must be >= 1"),
        ({"preload_factor": 0}, ValueError, "preload_factor must be >= 1"),
        ({"savefig_params": {"format": "png"}}, ValueError, "supported: dpi, facecolor"),
        ({"savefig_params": {"dpi": -1}}, ValueError, "dpi"),
        ({"savefig_params": {"bbox_inches": "loose"}}, ValueError, "bbox_inches"),
        ({"param_by_frame": []}, ValueError, "empty"),
        ({"param_by_frame": 5}, TypeError, "iterable"),
        ({"plotting_log_interval": 0}, ValueError, "plotting_log_interval"),
    ],
)
def test_bad_arguments_fail_before_any_work(tmp_path, target, kwargs, exc, pattern):
    args = {"param_by_frame": block_params(5), "fps": 10, "num_workers": 2, **kwargs}
    with pytest.raises(exc, match=pattern):
        _Marker(log_dir=str(tmp_path)).make_video(target, **args)
    _untouched(target)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("missing/dir/out.mp4", "folder of output_file does not exist"),
        ("out.xyz", "unsupported output extension '.xyz'"),
        (".", "is a directory"),
    ],
)
def test_bad_output_paths(tmp_path, name, pattern):
    with pytest.raises(ValueError, match=pattern):
        _Marker(log_dir=str(tmp_path)).make_video(tmp_path / name, block_params(3), fps=3)
    assert list(tmp_path.iterdir()) == []


def test_indexed_frame_params_validation():
    with pytest.raises(ValueError, match="non-negative"):
        IndexedFrameParams(-1, None)
    with pytest.raises(TypeError, match="must be an int"):
        IndexedFrameParams(1.5, None)


@pytest.mark.slow
def test_ctrl_c_stops_everything(tmp_path):
    """SIGINT to a rendering process: KeyboardInterrupt, its workers gone, nothing written."""
    proc, worker_pids = _start_slow_render(tmp_path)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
    assert all(process_gone(p) for p in worker_pids)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["setups.txt"]


def _start_slow_render(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    """A process rendering a slow animation with 2 workers, once both have started."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from anims import SlowAnimator, block_params
        if __name__ == "__main__":
            SlowAnimator(log_dir={str(tmp_path)!r}).make_video(
                {str(tmp_path / "c.mp4")!r}, block_params(200), fps=10, num_workers=2,
                disable_progress_bar=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    return proc, setup_pids(tmp_path)


@pytest.mark.slow
def test_workers_exit_when_the_parent_is_killed(tmp_path):
    proc, worker_pids = _start_slow_render(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(process_gone(p) for p in worker_pids):
        time.sleep(0.1)
    assert all(process_gone(p) for p in worker_pids)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sys_exit_in_update_does_not_exit_the_caller(target, workers):
    with pytest.raises(RenderError, match="SystemExit") as info:
        ExitingAnimator().make_video(target, block_params(6), fps=6, num_workers=workers)
    assert info.value.frame_index == 2
    _untouched(target)


@pytest.mark.slow
def test_keyboard_interrupt_raised_by_update_in_a_worker_is_a_render_error(target):
    with pytest.raises(RenderError, match="KeyboardInterrupt") as info:
        InterruptingAnimator().make_video(target, block_params(6), fps=6, num_workers=2)
    assert info.value.frame_index == 2
    _untouched(target)


def test_keyboard_interrupt_in_the_callers_own_process_stays_an_interrupt(target):
    # num_workers=1 renders here, where a KeyboardInterrupt is the user's Ctrl-C.
    with pytest.raises(KeyboardInterrupt):
        InterruptingAnimator().make_video(target, block_params(6), fps=6, num_workers=1)
    _untouched(target)


@pytest.mark.slow
def test_unpicklable_animator_is_a_type_error_before_any_work(target, start_method):
    """Under spawn/forkserver the animator is pickled; a lock in it cannot be. (Under
    fork it is inherited as it is and the run works.)"""
    import threading

    animator = BlockAnimator()
    animator.lock = threading.Lock()
    if start_method == "fork":
        animator.make_video(target, block_params(4), fps=4, num_workers=2)
        assert target.read_bytes() != b"precious"
        return
    with pytest.raises(TypeError, match=r"must be picklable.*'_thread.lock'.*setup\(\)"):
        animator.make_video(target, block_params(4), fps=4, num_workers=2)
    _untouched(target)


@pytest.mark.slow
def test_unpicklable_params_are_a_type_error_naming_the_frames(target, start_method):
    import threading

    params = block_params(130)  # several segments: the error names frames of the last
    params[125] = {"x": 1.0, "lock": threading.Lock()}
    with pytest.raises(
        TypeError, match=r"params of frames \d+-\d+ cannot be sent.*_thread.lock"
    ) as info:
        BlockAnimator().make_video(target, params, fps=10, num_workers=2)
    first, last = map(int, re.search(r"frames (\d+)-(\d+)", str(info.value)).groups())
    assert first <= 125 <= last < 130 and last - first < 8  # the chunk that held it
    _untouched(target)


@pytest.mark.slow
def test_lambdas_in_params_travel_by_value(tmp_path, start_method):
    params = [{"x": 3.0 * i, "f": lambda v: v} for i in range(6)]  # not plain-picklable
    out = BlockAnimator().make_video(tmp_path / "x.mp4", params, fps=6, num_workers=2)
    assert out.exists()


@pytest.mark.slow
def test_spawn_script_without_main_guard_fails_instead_of_hanging(tmp_path):
    """CPython's spawn blocks on a child that died at start-up once the data it sends
    passes 64 KiB; a large animator must still end in a clear error, not a hang."""
    script = textwrap.dedent(
        f"""
        import multiprocessing, sys
        import numpy as np
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        multiprocessing.set_start_method("spawn", force=True)
        from anims import BlockAnimator, block_params
        animator = BlockAnimator()
        animator.data = np.zeros(200_000)  # 1.6 MB of pickled attributes
        animator.make_video({str(tmp_path / "x.mp4")!r}, block_params(10), fps=10,
                            num_workers=2, disable_progress_bar=True)
        """
    )
    path = tmp_path / "no_guard.py"  # a file: spawn re-runs it in each child (not -c)
    path.write_text(script)
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "RenderError" in proc.stderr and "__main__" in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["no_guard.py"]
