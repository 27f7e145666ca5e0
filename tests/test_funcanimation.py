"""parallel_animate.save: frames identical to matplotlib's own Animation.save render."""

from __future__ import annotations

import sys
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import pytest

import parallel_animate
from conftest import assert_matches_reference, decode, worker_children
from funcanims import (
    block_animation,
    fargs_generator_animation,
    matplotlib_frames,
    pyplot_style_animation,
    stateful_animation,
)
from parallel_animate import RenderError

LOSSLESS = {"video_pixfmt": "yuv444p", "video_params": {"crf": "0", "preset": "ultrafast"}}


def assert_same_pixels(decoded, reference):
    """Lossless encode: only RGB<->YUV rounding is left."""
    assert decoded.shape == reference.shape
    assert_matches_reference(decoded, reference, tol=1.0)
    assert np.abs(decoded.astype(int) - reference.astype(int)).mean() < 0.5


@pytest.mark.slow
def test_matches_animation_save_under_each_start_method(tmp_path, start_method):
    n = 24
    reference = matplotlib_frames(block_animation(n)[1])
    fig, anim = block_animation(n)
    canvas = fig.canvas
    out = parallel_animate.save(anim, tmp_path / "a.mp4", num_workers=2, **LOSSLESS)
    assert out == tmp_path / "a.mp4"
    frames, _, info = decode(out)
    assert_same_pixels(frames, reference)
    assert info.average_rate == 5  # 1000 / interval (200 ms), as Animation.save
    assert worker_children() == []
    # The figure is the user's still: open, same canvas, never drawn on here.
    assert fig.number in plt.get_fignums() and fig.canvas is canvas
    plt.close(fig)


def test_check_passes_for_a_good_animation_and_serial_render(tmp_path):
    n = 10
    reference = matplotlib_frames(block_animation(n)[1])
    fig, anim = block_animation(n)
    out = parallel_animate.save(anim, tmp_path / "s.mp4", num_workers=1, check=True, **LOSSLESS)
    assert_same_pixels(decode(out)[0], reference)
    plt.close(fig)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_init_func_fargs_generator_frames(tmp_path, method):
    reference = matplotlib_frames(fargs_generator_animation()[1])
    fig, anim = fargs_generator_animation()
    with _start_method(method):
        out = parallel_animate.save(anim, tmp_path / "g.mp4", num_workers=2, **LOSSLESS)
    assert_same_pixels(decode(out)[0], reference)
    plt.close(fig)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pyplot_style_func(tmp_path, method):
    reference = matplotlib_frames(pyplot_style_animation()[1])
    fig, anim = pyplot_style_animation()
    with _start_method(method):
        out = parallel_animate.save(anim, tmp_path / "p.mp4", num_workers=2, **LOSSLESS)
    assert_same_pixels(decode(out)[0], reference)
    plt.close(fig)


@pytest.mark.slow
def test_blitting_animation_that_already_ran(tmp_path):
    """Artists left animated by a blitting animation are drawn, as Animation.save does;
    blit=True blits; the figure's animated flags are restored afterwards."""
    n = 16
    reference = matplotlib_frames(block_animation(n, blit=True)[1])
    fig, anim = block_animation(n, blit=True)
    fig.canvas.draw()  # starts the animation: init_func's artists become animated
    animated = [a for a in fig.findobj() if a.get_animated()]
    assert len(animated) == 2
    out = parallel_animate.save(anim, tmp_path / "b.mp4", num_workers=2, **LOSSLESS)
    assert_same_pixels(decode(out)[0], reference)
    out = parallel_animate.save(anim, tmp_path / "bb.mp4", num_workers=1, blit=True, **LOSSLESS)
    assert_same_pixels(decode(out)[0], reference)
    assert [a for a in fig.findobj() if a.get_animated()] == animated
    plt.close(fig)


def test_serial_save_leaves_the_figure_as_it_was(tmp_path):
    fig, anim = block_animation(8)
    canvas = fig.canvas
    out = parallel_animate.save(
        anim,
        tmp_path / "d.mp4",
        dpi=50,
        num_workers=1,
        savefig_kwargs={"facecolor": "yellow"},
    )
    frames, _, _ = decode(out)
    assert frames.shape[1:3] == (60, 80)
    assert fig.dpi == 100 and fig.canvas is canvas
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    assert fig.number in plt.get_fignums()
    # Our draws did not start the animation: its first draw still will.
    assert anim._first_draw_id in fig.canvas.callbacks.callbacks["draw_event"]
    plt.close(fig)


@pytest.mark.slow
def test_tight_bbox(tmp_path):
    fig, anim = block_animation(6, size=(4, 3))
    fig.axes[0].set_position((0.25, 0.25, 0.5, 0.5))
    fig.axes[0].set_axis_on()
    out = parallel_animate.save(
        anim,
        tmp_path / "t.mp4",
        num_workers=2,
        savefig_kwargs={"bbox_inches": "tight", "pad_inches": 0.0},
    )
    h, w = decode(out)[0].shape[1:3]
    assert 150 <= w < 300 and 110 <= h < 225
    assert fig.number in plt.get_fignums()
    plt.close(fig)


@pytest.mark.slow
def test_progress_callback_and_fps(tmp_path):
    n = 15
    fig, anim = block_animation(n, interval=40)
    calls = []
    out = parallel_animate.save(
        anim, tmp_path / "c.mp4", progress_callback=lambda i, t: calls.append((i, t))
    )
    assert calls == [(i, n) for i in range(n)]
    assert decode(out)[2].average_rate == 25
    out = parallel_animate.save(anim, tmp_path / "f.mp4", fps=Fraction(30000, 1001))
    assert decode(out)[2].average_rate == Fraction(30000, 1001)
    plt.close(fig)


def test_check_catches_a_stateful_func(tmp_path):
    fig, anim = stateful_animation()
    with pytest.raises(ValueError, match="frame 0 of the animation is drawn differently"):
        parallel_animate.save(anim, tmp_path / "x.mp4", check=True)
    assert not (tmp_path / "x.mp4").exists()
    plt.close(fig)


@pytest.mark.slow
def test_endless_animation_needs_n_frames(tmp_path):
    fig = plt.figure(figsize=(1, 1))
    ax = fig.add_axes((0, 0, 1, 1))
    text = ax.text(0.5, 0.5, "")
    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(fig, lambda k: text.set_text(str(k)), cache_frame_data=False)
    with pytest.raises(ValueError, match="never ends"):
        parallel_animate.save(anim, tmp_path / "e.mp4")
    out = parallel_animate.save(anim, tmp_path / "e.mp4", n_frames=7, num_workers=2)
    assert len(decode(out)[0]) == 7
    plt.close(fig)


@pytest.mark.slow
def test_error_in_func_is_a_render_error(tmp_path):
    fig, anim = block_animation(12, fail_at=5)
    with pytest.raises(RenderError, match="marker 5e1d") as info:
        parallel_animate.save(anim, tmp_path / "r.mp4", num_workers=2)
    assert info.value.frame_index == 5
    assert not (tmp_path / "r.mp4").exists()
    plt.close(fig)


def test_bad_arguments(tmp_path):
    fig, anim = block_animation(4)
    out = tmp_path / "z.mp4"
    with pytest.raises(TypeError, match=r"takes a matplotlib\.animation\.FuncAnimation"):
        parallel_animate.save(fig, out)
    with pytest.raises(TypeError, match="does not take writer="):
        parallel_animate.save(anim, out, writer="ffmpeg")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        parallel_animate.save(anim, out, colour="red")
    with pytest.raises(TypeError, match="not both"):
        parallel_animate.save(anim, out, codec="libx264", video_codec="libx264")
    with pytest.raises(ValueError, match="fps"):
        parallel_animate.save(anim, out, fps=-1)
    with pytest.raises(ValueError, match="unsupported output extension"):
        parallel_animate.save(anim, tmp_path / "z.xyz")
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)


@pytest.mark.slow
def test_unpicklable_func_is_a_clear_type_error(tmp_path):
    """func holds a lock (no pickle can carry it): spawn names func and cloudpickle
    before any worker starts; fork and one worker need no pickling."""
    import threading

    fig, anim = block_animation(4)
    lock = threading.Lock()
    draw = anim._func

    def func(k, *args):
        with lock:
            return draw(k, *args)

    anim._func = func
    with _start_method("spawn"), pytest.raises(TypeError, match=r"func .*cloudpickle"):
        parallel_animate.save(anim, tmp_path / "u.mp4", num_workers=2)
    assert list(tmp_path.iterdir()) == []
    with _start_method("fork"):
        parallel_animate.save(anim, tmp_path / "u.mp4", num_workers=2)
    parallel_animate.save(anim, tmp_path / "v.mp4", num_workers=1)
    assert decode(tmp_path / "u.mp4")[0].shape[0] == 4
    assert decode(tmp_path / "v.mp4")[0].shape[0] == 4
    plt.close(fig)


class _start_method:
    """Set the multiprocessing start method for a block, then restore it."""

    def __init__(self, method):
        self.method = method

    def __enter__(self):
        import multiprocessing

        self.before = multiprocessing.get_start_method(allow_none=True)
        multiprocessing.set_start_method(self.method, force=True)

    def __exit__(self, *exc):
        import multiprocessing

        multiprocessing.set_start_method(self.before, force=True)


@pytest.mark.slow
def test_check_with_a_lazy_frame_generator(tmp_path):
    """frames is a generator function without save_count: read lazily, checked from its
    first items, which are then rendered too."""
    from matplotlib.animation import FuncAnimation

    fig, base = block_animation(1)
    func = base._func

    def frames():
        yield from range(9)

    anim = FuncAnimation(fig, func, frames=frames, save_count=None, cache_frame_data=False)
    out = parallel_animate.save(anim, tmp_path / "l.mp4", num_workers=2, check=True, **LOSSLESS)
    reference = matplotlib_frames(block_animation(9)[1])
    assert_same_pixels(decode(out)[0], reference)


@pytest.mark.slow
def test_spawn_leaves_no_temporary_file(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    fig, anim = block_animation(8)
    with _start_method("spawn"):
        parallel_animate.save(anim, tmp_path / "s.mp4", num_workers=2)
    assert list(scratch.iterdir()) == []
    assert len(decode(tmp_path / "s.mp4")[0]) == 8
    plt.close(fig)


@pytest.mark.slow
def test_script_without_main_guard_fails_fast_with_a_hint(tmp_path):
    """Spawned workers re-import the script, which saves again: a clear error in the
    worker and an error in the parent, never a hang (the figure is bigger than a pipe's
    buffer)."""
    import os
    import subprocess
    import textwrap
    from pathlib import Path

    script = tmp_path / "noguard.py"
    script.write_text(
        textwrap.dedent(
            """
            import multiprocessing
            multiprocessing.set_start_method("spawn", force=True)
            import matplotlib.pyplot as plt, numpy as np
            from matplotlib.animation import FuncAnimation
            import parallel_animate
            fig, ax = plt.subplots()
            x = np.linspace(0, 6, 5000)
            (line,) = ax.plot(x, np.sin(x))
            anim = FuncAnimation(fig, lambda k: line.set_ydata(np.sin(x - k)), frames=8)
            parallel_animate.save(anim, "out.mp4", num_workers=2, disable_progress_bar=True)
            """
        )
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=str(src), MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert 'must be under `if __name__ == "__main__":`' in result.stderr
    assert not (tmp_path / "out.mp4").exists()


@pytest.mark.slow
def test_dask_backend_and_an_animated_gif(tmp_path):
    """backend= and quality= reach make_video; the job travels to Dask workers pickled."""
    distributed = pytest.importorskip("distributed")
    reference = matplotlib_frames(block_animation(10)[1])
    fig, anim = block_animation(10)
    calls = []
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        out = parallel_animate.save(
            anim,
            tmp_path / "d.mp4",
            backend=client,
            progress_callback=lambda i, n: calls.append((i, n)),
            **LOSSLESS,
        )
        assert_same_pixels(decode(out)[0], reference)
        assert calls == [(i, 10) for i in range(10)]
    gif = parallel_animate.save(anim, tmp_path / "d.gif", num_workers=2, quality=30)
    assert gif.read_bytes()[:6] == b"GIF89a"
    assert fig.number in plt.get_fignums()
    plt.close(fig)
