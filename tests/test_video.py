"""End to end: render with workers, decode the file, compare with a serial reference."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from fractions import Fraction

import av
import numpy as np
import pytest

from anims import BlockAnimator, block_params, reference_frames
from conftest import assert_matches_reference, decode, worker_children
from parallel_animate import IndexedFrameParams


def _check_timing(pts, stream, n, fps):
    assert len(pts) == n
    steps = set(np.diff(pts).tolist())
    assert len(steps) == 1, f"uneven pts steps {steps}"
    assert Fraction(steps.pop()) * stream.time_base == 1 / Fraction(fps)
    assert stream.average_rate == Fraction(fps)


@pytest.mark.slow
def test_two_workers_match_serial_reference_under_each_start_method(tmp_path, start_method):
    n = 40
    params = block_params(n)
    anim = BlockAnimator(log_dir=str(tmp_path))
    out = anim.make_video(tmp_path / "out.mp4", params, fps=10, num_workers=2)
    assert out == tmp_path / "out.mp4"
    frames, pts, stream = decode(out)
    _check_timing(pts, stream, n, 10)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))
    # setup() ran once per worker, in two processes that are not this one, now gone.
    pids = (tmp_path / "setups.txt").read_text().split()
    assert len(pids) == 2 and len(set(pids)) == 2
    assert str(os.getpid()) not in pids
    assert worker_children() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "setups.txt"]


# A notebook, as "spawn"/"forkserver" children see it: __main__ has no file to re-import.
_MAIN_WITHOUT_FILE = """
import dataclasses, multiprocessing, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from parallel_animate import Animator

@dataclasses.dataclass
class Level:  # a params type of __main__ too
    grey: int

class Fill(Animator):
    def setup(self):
        self.fig = plt.figure(figsize=(0.64, 0.48), dpi=100)
        return self.fig

    def update(self, frame_idx, params):
        self.fig.patch.set_facecolor(str(params.grey / 255))

multiprocessing.set_start_method(sys.argv[1], force=True)
Fill().make_video(sys.argv[2], [Level(g) for g in (0, 60, 120, 180, 240, 30)], fps=6,
                  num_workers=2, disable_progress_bar=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_classes_of_a_main_without_file_reach_fresh_workers(tmp_path, method):
    """Animator and params classes defined in a notebook (here ``python -c``) do not
    exist by name in a spawned worker: they travel by value."""
    out = tmp_path / "out.mp4"
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_MAIN_WITHOUT_FILE), method, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    frames, _, _ = decode(out)
    greys = frames.mean(axis=(1, 2, 3))
    assert np.abs(greys - [0, 60, 120, 180, 240, 30]).max() < 3, greys


_SCRIPT_WITH_UNPICKLABLE_GLOBAL = """
import multiprocessing, sys, threading
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from parallel_animate import Animator

LOCK = threading.Lock()  # cannot go by value: the class must go by name

class Fill(Animator):
    def setup(self):
        self.fig = plt.figure(figsize=(0.64, 0.48), dpi=100)
        return self.fig

    def update(self, frame_idx, params):
        with LOCK:
            self.fig.patch.set_facecolor(str(params / 255))

if __name__ == "__main__":
    multiprocessing.set_start_method(sys.argv[1], force=True)
    Fill().make_video(sys.argv[2], [0, 120, 240, 60], fps=4, num_workers=2,
                      disable_progress_bar=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_script_classes_with_unpicklable_globals_go_by_name(tmp_path, method):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(_SCRIPT_WITH_UNPICKLABLE_GLOBAL))
    out = tmp_path / "out.mp4"
    proc = subprocess.run(
        [sys.executable, str(script), method, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    frames, _, _ = decode(out)
    assert np.abs(frames.mean(axis=(1, 2, 3)) - [0, 120, 240, 60]).max() < 3


def test_serial_renders_in_this_process(tmp_path):
    params = block_params(12)
    anim = BlockAnimator(log_dir=str(tmp_path))
    out = anim.make_video(tmp_path / "s.mp4", params, fps=10, num_workers=1)
    frames, pts, stream = decode(out)
    _check_timing(pts, stream, 12, 10)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))
    assert (tmp_path / "setups.txt").read_text().split() == [str(os.getpid())]


@pytest.mark.slow
def test_near_lossless_pixels(tmp_path):
    """With a lossless encode the only difference left is RGB<->YUV rounding."""
    params = block_params(10)
    out = BlockAnimator().make_video(
        tmp_path / "l.mp4",
        params,
        fps=10,
        num_workers=2,
        video_pixfmt="yuv444p",
        video_params={"crf": "0", "preset": "fast"},
    )
    frames, _, _ = decode(out)
    ref = reference_frames(BlockAnimator(), params).astype(int)
    assert np.abs(frames.astype(int) - ref).mean() < 1.0


@pytest.mark.slow
def test_out_of_order_indexed_params_and_generator(tmp_path):
    n = 30
    params = block_params(n)
    order = list(range(n))
    rng = np.random.default_rng(0)
    rng.shuffle(order)

    def loader():
        for i in order:
            yield IndexedFrameParams(i, params[i])

    out = BlockAnimator().make_video(tmp_path / "o.mp4", loader(), fps=30, num_workers=2)
    frames, pts, stream = decode(out)
    _check_timing(pts, stream, n, 30)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))


@pytest.mark.slow
def test_infinite_generator_cut_by_n_frames_is_read_lazily(tmp_path):
    consumed = []

    def endless():
        for i in itertools.count():
            consumed.append(i)
            yield {"x": 3.0 * i}

    out = BlockAnimator().make_video(
        tmp_path / "g.mp4", endless(), fps=20, n_frames=25, num_workers=2
    )
    frames, pts, stream = decode(out)
    _check_timing(pts, stream, 25, 20)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), block_params(25)))
    assert len(consumed) == 25


@pytest.mark.slow
def test_odd_size_is_padded_not_resized(tmp_path):
    params = block_params(8)
    anim = BlockAnimator(size=(1.61, 1.21))  # 161 x 121 pixels
    out = anim.make_video(tmp_path / "odd.mp4", params, fps=8, num_workers=2)
    frames, _, _ = decode(out)
    ref = reference_frames(BlockAnimator(size=(1.61, 1.21)), params)
    assert ref.shape[1:3] == (121, 161)
    assert frames.shape[1:3] == (122, 162)
    assert_matches_reference(frames, ref)


@pytest.mark.slow
def test_non_integer_fps_is_exact(tmp_path):
    fps = Fraction(30000, 1001)
    out = BlockAnimator().make_video(tmp_path / "ntsc.mp4", block_params(20), fps=fps)
    _, pts, stream = decode(out)
    _check_timing(pts, stream, 20, fps)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fps", "exact"),
    [
        (30000 / 1001, Fraction(30000, 1001)),
        (24000 / 1001, Fraction(24000, 1001)),
        (1 / 3, Fraction(1, 3)),
        # the NTSC decimals mean N*1000/1001; a Fraction is kept exact
        (29.97, Fraction(30000, 1001)),
        (Fraction(30000, 1001), Fraction(30000, 1001)),
        (np.float32(29.97), Fraction(30000, 1001)),
        (23.976, Fraction(24000, 1001)),
        (59.94, Fraction(60000, 1001)),
        (Fraction(2997, 100), Fraction(2997, 100)),
    ],
)
def test_float_fps_is_the_fraction_it_stands_for(tmp_path, fps, exact):
    # The float's binary value (a ~1e14 denominator) used to overflow the encoder.
    out = BlockAnimator().make_video(tmp_path / "f.mp4", block_params(6), fps=fps, num_workers=2)
    _, pts, stream = decode(out)
    _check_timing(pts, stream, 6, exact)


@pytest.mark.slow
@pytest.mark.parametrize("fps", [30, Fraction(30000, 1001), Fraction(25, 2)])
@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("v.mp4", "libvpx-vp9"),
        ("v.mp4", "libx264"),
        ("v.mp4", "libsvtav1"),
        ("v.mov", "prores_ks"),
    ],
)
def test_mp4_and_mov_timescale_holds_every_frame(tmp_path, name, codec, fps):
    # vp9's segments are WebM (ms): the MP4 muxer made a 16000 timescale of that, with
    # frames of 533 and 534 ticks.
    out = BlockAnimator().make_video(
        tmp_path / name, block_params(8), fps=fps, num_workers=2, video_codec=codec
    )
    _, pts, stream = decode(out)
    _check_timing(pts, stream, 8, fps)
    assert (1 / (stream.time_base * Fraction(fps))).denominator == 1  # ticks per frame


@pytest.mark.slow
def test_savefig_dpi_facecolor_and_tight_bbox(tmp_path):
    params = block_params(6)
    out = BlockAnimator().make_video(
        tmp_path / "dpi.mp4",
        params,
        fps=6,
        num_workers=2,
        savefig_params={"dpi": 50, "facecolor": "yellow"},
    )
    frames, _, _ = decode(out)
    assert frames.shape[1:3] == (60, 80)

    class Margins(BlockAnimator):
        def setup(self):
            fig = super().setup()
            self.ax.set_position((0.25, 0.25, 0.5, 0.5))
            self.ax.set_axis_on()
            fig.patch.set_facecolor("white")
            return fig

    out = Margins(size=(4, 3)).make_video(
        tmp_path / "tight.mp4",
        params,
        fps=6,
        num_workers=1,
        savefig_params={"bbox_inches": "tight", "pad_inches": 0.0},
    )
    frames, _, _ = decode(out)
    # The axes span half the figure; with labels the tight box is a bit bigger.
    h, w = frames.shape[1:3]
    assert 150 <= w < 300 and 110 <= h < 225


@pytest.mark.slow
def test_size_close_to_one_stream_encode(tmp_path):
    """Extra keyframes at segment starts cost less than 10 % of the file."""
    n = 120
    params = block_params(n)
    parallel = BlockAnimator().make_video(tmp_path / "p.mp4", params, fps=30, num_workers=2)
    ref = reference_frames(BlockAnimator(), params)
    with av.open(str(tmp_path / "one.mp4"), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.options = {"crf": "23", "preset": "slow"}
        for frame in ref:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    ratio = parallel.stat().st_size / (tmp_path / "one.mp4").stat().st_size
    assert ratio < 1.10, ratio


@pytest.mark.slow
def test_progress_bar_and_logs(tmp_path, capsys, caplog):
    caplog.set_level("INFO", logger="parallel_animate")
    BlockAnimator().make_video(
        tmp_path / "p.mp4",
        block_params(20),
        fps=10,
        num_workers=2,
        disable_progress_bar=False,
        plotting_log_interval=5,
        saving_log_interval=10,
    )
    err = capsys.readouterr().err
    assert "20/20" in err
    rendered = [r.message for r in caplog.records if r.message.startswith("Rendered ")]
    saved = [r.message for r in caplog.records if r.message.startswith("Saved ")]
    assert rendered[-1] == "Rendered 20/20 frames" and len(rendered) >= 3
    assert saved[-1] == "Saved 20/20 frames"


@pytest.mark.slow
def test_no_thread_is_left_running_after_a_run(tmp_path):
    """The next run forks: a leftover thread (tqdm's monitor, started even for a
    disabled bar) would make that unsafe."""
    code = textwrap.dedent(
        f"""
        import sys, threading
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from anims import BlockAnimator, block_params
        for disable in (None, True, False):  # None: off, since stderr is not a terminal
            BlockAnimator().make_video({str(tmp_path / "t.mp4")!r}, block_params(4), fps=4,
                                       num_workers=2, disable_progress_bar=disable)
        print([t.name for t in threading.enumerate()])
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "['MainThread']"


def test_reuse_figure_object_false_calls_setup_every_frame(tmp_path):
    params = block_params(6)
    BlockAnimator(log_dir=str(tmp_path)).make_video(
        tmp_path / "r.mp4", params, fps=6, num_workers=1, reuse_figure_object=False
    )
    assert len((tmp_path / "setups.txt").read_text().split()) == 6
    frames, _, _ = decode(tmp_path / "r.mp4")
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))


def test_existing_output_is_replaced_on_success(tmp_path):
    target = tmp_path / "v.mp4"
    target.write_bytes(b"old")
    BlockAnimator().make_video(target, block_params(5), fps=5, num_workers=1)
    assert decode(target)[0].shape[0] == 5
    # the same permissions as any file this process creates (not mkstemp's 0600)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2])
def test_many_segments_in_order(tmp_path, workers):
    """Enough frames for several segments per worker, and a bounded number in flight."""
    n = 150
    params = block_params(n)
    out = BlockAnimator().make_video(
        tmp_path / "m.mp4", iter(params), fps=10, num_workers=workers, preload_factor=1
    )
    frames, pts, stream = decode(out)
    _check_timing(pts, stream, n, 10)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))
