"""Issue 14, items 2-4: bounded read-ahead, signals to the main process, frame timeouts."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from anims import BlockAnimator, block_params, reference_frames
from conftest import (
    assert_matches_reference,
    assert_untouched,
    decode,
    setup_pids,
    wait_gone,
    worker_children,
)
from parallel_animate import RenderError
from parallel_animate.backends import Backend, SerialBackend
from parallel_animate.frames import Segment, iter_segments
from parallel_animate.plan import RunOptions, build_plan
from parallel_animate.readahead import FrameStore, lazy_segments
from parallel_animate.scheduler import Scheduler
from parallel_animate.termination import Terminated, signals_as_exceptions
from robust_anims import ArrayParamsAnimator, HangingAnimator, StoppingAnimator, big_params

TESTS = Path(__file__).parent


# -- read-ahead: the frame store and the scheduler's feed, on their own ----------------------
def test_frame_store_holds_at_most_its_memory_and_spills_the_rest():
    read = []

    def source():
        for i in range(50):
            read.append(i)
            yield {"i": i}

    store = FrameStore(source(), None, segment_length=20, memory_frames=3)
    segments = lazy_segments(store, 20)
    first = next(segments)
    second = next(segments)  # frame 20 read: frames 0-19 of the first are held
    assert read[-1] == 20
    assert len(store._held) <= 3 + 1  # + frame 20, peeked to know the segment exists
    assert sum(len(s.where) for s in store._spills.values()) == 20 - 3  # frames 0-19, 3 kept
    third = next(segments)
    got = [p["i"] for p in first.params] + [p["i"] for p in second.params]
    got += [p["i"] for p in third.params]
    assert got == list(range(50))
    assert store._spills == {} and store._held == {}  # spill files closed once read back
    assert list(segments) == []


@pytest.mark.parametrize("memory", [1, 50])
@pytest.mark.parametrize("taken_first", [False, True])
def test_each_lazy_segment_gets_the_frame_before_it_as_its_lead(memory, taken_first):
    store = FrameStore(({"i": i} for i in range(23)), None, 5, memory_frames=memory)
    segments = lazy_segments(store, 5)
    leads, got = [], []
    for segment in segments:
        if taken_first:  # the segment's frames taken before the next one asks
            got += [p["i"] for p in segment.params]
        leads.append(segment.lead)
        if not taken_first:
            got += [p["i"] for p in segment.params]
    assert leads == [None, ({"i": 4},), ({"i": 9},), ({"i": 14},), ({"i": 19},)]
    assert got == list(range(23))
    assert store._leads == {} and store._held == {} and store._spills == {}
    plain = iter_segments([{"i": i} for i in range(12)], None, 5)
    assert [s.lead for s in plain] == [None, ({"i": 4},), ({"i": 9},)]
    none = FrameStore(range(12), None, 5, memory_frames=2, leads=False)
    assert [s.lead for s in lazy_segments(none, 5) if list(s.params)] == [None] * 3
    assert none._leads == {}


def test_frame_store_keeps_frame_id_checks():
    store = FrameStore([1, 2, 3], 5, segment_length=2, memory_frames=1)
    with pytest.raises(ValueError, match="ended without frame ids 3, 4"):
        [list(s.params) for s in lazy_segments(store, 2)]


class FeedingBackend(Backend):
    """Scripted: renders one fed frame per wait() round-robin; records how far ahead
    of its rendering each segment was fed."""

    feeds = True

    def __init__(self, slots=2):
        self.slots = slots
        self.tasks = {}  # key -> [header, params received, rendered, ended]
        self.max_ahead = 0

    def start(self, job, context, on_progress, teardown=None):
        self.on_progress = on_progress

    def submit(self, key, task, fed=False):
        assert fed and list(task.params) == []
        self.tasks[key] = [task, [], 0, False]

    def feed(self, key, chunk, last):
        t = self.tasks[key]
        t[1].extend(chunk)
        t[3] = t[3] or last
        self.max_ahead = max(self.max_ahead, len(t[1]) - t[2])

    def wait(self, timeout=None):
        for key, t in list(self.tasks.items()):
            if t[2] < len(t[1]):
                t[2] += 1
                self.on_progress(key, 1)
            if t[3] and t[2] == len(t[1]):
                del self.tasks[key]
                return [(key, (t[0].start, t[1]))]
        return []

    def close(self, abort=False):
        pass


@pytest.mark.parametrize("preload", [1, 2, 8])
def test_scheduler_feeds_at_most_preload_factor_frames_ahead(preload):
    store = FrameStore(iter(range(95)), None, segment_length=30, memory_frames=preload)
    backend = FeedingBackend()
    committed = []
    scheduler = Scheduler(
        lazy_segments(store, 30),
        backend,
        committed.append,
        segment_length=30,
        preload_factor=preload,
    )
    backend.start(None, None, scheduler.on_progress)
    scheduler.run()
    assert [p for _, params in committed for p in params] == list(range(95))
    assert [start for start, _ in committed] == [0, 30, 60, 90]
    assert backend.max_ahead <= preload


def test_serial_runs_one_lazy_segment_at_a_time():
    read = []

    def source():
        for i in range(40):
            read.append(i)
            yield i

    store = FrameStore(source(), None, segment_length=10, memory_frames=2)
    committed = []

    def job(context, segment, report):
        out = []
        for p in segment.params:
            out.append(p)
            assert read[-1] <= p + 1  # nothing read far ahead of the frame rendered
            report(1)
        return out

    backend = SerialBackend()
    scheduler = Scheduler(
        lazy_segments(store, 10), backend, committed.append, segment_length=10, preload_factor=2
    )
    backend.start(job, None, scheduler.on_progress)
    scheduler.run()
    assert [p for c in committed for p in c] == list(range(40))
    assert store._spills == {}


# -- frame_timeout: the option ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "exc"),
    [
        (0, ValueError),
        (-1, ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        ("3", TypeError),
        (True, TypeError),
    ],
)
def test_frame_timeout_is_checked(tmp_path, value, exc):
    with pytest.raises(exc, match="frame_timeout"):
        build_plan(BlockAnimator(), tmp_path / "a.mp4", [1], 10, RunOptions(frame_timeout=value))


def test_frame_timeout_reaches_the_plan(tmp_path):
    plan = build_plan(BlockAnimator(), tmp_path / "a.mp4", [1], 10, RunOptions(frame_timeout=2))
    assert plan.frame_timeout == 2.0
    assert build_plan(BlockAnimator(), tmp_path / "a.mp4", [1], 10).frame_timeout is None


def test_frame_timeout_in_this_process_uses_sigalrm(target):
    """num_workers=1: update() stuck at frame 3 is interrupted by SIGALRM."""
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"frame 3 took longer than frame_timeout=0.5 s") as info:
        HangingAnimator(3).make_video(
            target,
            block_params(8),
            fps=8,
            num_workers=1,
            frame_timeout=0.5,
            disable_progress_bar=True,
        )
    assert info.value.frame_index == 3
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert_untouched(target)


def test_frame_timeout_in_this_process_off_the_main_thread_warns(tmp_path):
    caught = []

    def render():
        with pytest.warns(RuntimeWarning, match="frame_timeout is not enforced"):
            caught.append(
                BlockAnimator().make_video(
                    tmp_path / "a.mp4",
                    block_params(2),
                    fps=2,
                    num_workers=1,
                    frame_timeout=5,
                    disable_progress_bar=True,
                )
            )

    thread = threading.Thread(target=render)
    thread.start()
    thread.join(60)
    assert caught and caught[0].exists()


# -- SIGTERM / SIGHUP in this process ---------------------------------------------------------
def test_signals_as_exceptions_restores_handlers_and_redelivers():
    seen = []

    def mine(signum, frame):
        seen.append(signum)

    old = signal.signal(signal.SIGTERM, mine)
    try:
        with pytest.raises(SystemExit) as info, signals_as_exceptions():
            assert signal.getsignal(signal.SIGTERM) is not mine
            with pytest.raises(Terminated):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            raise Terminated(signal.SIGTERM)
        assert info.value.code == 128 + signal.SIGTERM
        assert seen == [signal.SIGTERM]  # delivered again to the previous handler
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, old)


def test_ignored_sighup_stays_ignored():
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with signals_as_exceptions():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, old)


# -- the real thing: processes ----------------------------------------------------------------
@pytest.fixture(params=["fork", "spawn"])
def method(request):
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(request.param, force=True)
    yield request.param
    multiprocessing.set_start_method(before, force=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("animator", "frame"),
    [(HangingAnimator, 7), (StoppingAnimator, 13)],  # update() never returns; SIGSTOP
    ids=["hung-frame", "stopped-worker"],
)
def test_a_frame_that_never_ends_is_a_timeout_naming_it(target, method, animator, frame):
    started = time.monotonic()
    message = rf"frame {frame} took longer than frame_timeout=1 s"
    with pytest.raises(RenderError, match=message) as info:
        animator(frame).make_video(
            target,
            block_params(20),
            fps=10,
            num_workers=2,
            frame_timeout=1,
            disable_progress_bar=True,
        )
    assert info.value.frame_index == frame
    assert time.monotonic() - started < 30
    assert_untouched(target)
    assert worker_children() == []


def _start_render(tmp_path, method, output, animator="SlowAnimator()", env=None):
    """A subprocess rendering with 2 workers, once both have called setup()."""
    script = textwrap.dedent(
        f"""
        import multiprocessing, sys
        sys.path.insert(0, {str(TESTS)!r})
        from anims import SlowAnimator, block_params
        from robust_anims import HangingAnimator
        if __name__ == "__main__":
            multiprocessing.set_start_method({method!r})
            animator = {animator}
            animator.log_dir = {str(tmp_path)!r}
            animator.make_video({str(output)!r}, block_params(200), fps=10, num_workers=2,
                                disable_progress_bar=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, **(env or {})),
    )
    return proc, setup_pids(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "output"),
    [(signal.SIGTERM, "c.mp4"), (signal.SIGHUP, "frames/f_%04d.png"), (signal.SIGTERM, "c.gif")],
)
def test_sigterm_and_sighup_clean_up_like_ctrl_c(tmp_path, method, signum, output):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    proc, worker_pids = _start_render(tmp_path, method, out / output, env={"TMPDIR": str(tmpdir)})
    assert any(out.rglob("*")), "the run should be writing its temporary file by now"
    proc.send_signal(signum)
    proc.communicate(timeout=60)
    assert proc.returncode == -signum  # killed by the signal, as `timeout` expects
    assert wait_gone(worker_pids, 5)
    assert [p for p in out.rglob("*") if p.name != "frames"] == []  # no .partial left
    assert [p.name for p in tmpdir.iterdir() if p.name.startswith("parallel-animate")] == []


@pytest.mark.slow
def test_workers_stuck_in_update_exit_when_the_parent_is_killed(tmp_path, method):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc, worker_pids = _start_render(
        tmp_path,
        method,
        tmp_path / "k.mp4",
        animator="HangingAnimator(1)",
        env={"TMPDIR": str(tmpdir)},
    )
    hung = tmp_path / "hung.txt"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        hung.exists() and len(hung.read_text().split()) >= 1
    ):
        time.sleep(0.1)
    assert hung.exists()
    proc.kill()
    proc.communicate(timeout=30)
    assert wait_gone(worker_pids, 5), "workers outlived their SIGKILLed parent"
    assert [p.name for p in tmpdir.iterdir() if p.name.startswith("parallel-animate")] == []


# -- memory: the process tree's peak RSS with 4 MB params -------------------------------------
def _tree_rss() -> int:
    total = 0
    me = psutil.Process()
    for proc in [me, *me.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _peak_rss_growth(run) -> tuple[int, object]:
    base = _tree_rss()
    peak = base
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = run()
    finally:
        done.set()
        sampler.join()
    return peak - base, result


@pytest.mark.slow
def test_read_ahead_of_big_params_stays_within_preload_factor(tmp_path, method):
    n, workers, preload = 300, 2, 4
    frame_mb = 1080 * 1920 * 2 / 2**20

    def render(shape, name):
        return ArrayParamsAnimator(size=(1.6, 1.2), dpi=50).make_video(
            tmp_path / name,
            big_params(n, shape),
            fps=30,
            n_frames=n,
            num_workers=workers,
            preload_factor=preload,
            disable_progress_bar=True,
        )

    small, _ = _peak_rss_growth(lambda: render((1, 1, 1), "small.mp4"))
    big, out = _peak_rss_growth(lambda: render((1080, 1920, 2), "big.mp4"))
    extra_mb = (big - small) / 2**20
    bound_mb = 2 * (workers + 1) * preload * frame_mb + 60  # pickled copies, slack
    print(
        f"peak RSS growth: {big / 2**20:.0f} MB with 4 MB params, {small / 2**20:.0f} MB "
        f"with tiny ones: {extra_mb:.0f} MB for the params (bound {bound_mb:.0f} MB; "
        f"all of them: {n * frame_mb:.0f} MB)"
    )
    assert extra_mb < bound_mb
    decoded, _, _ = decode(out)
    reference = reference_frames(
        ArrayParamsAnimator(size=(1.6, 1.2), dpi=50), list(big_params(n, (1, 1, 1)))
    )
    assert_matches_reference(decoded, reference)


def collect_params(context, segment, report):
    out = []
    for p in segment.params:
        out.append(p)
        report(1)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("chunks", [[[1, 2], [3], []], [[1, 2, 3]], [[]]])
def test_process_backend_feeds_a_running_task(method, chunks):
    """Params sent after the task started, the end sent on its own or with the last frames."""
    from parallel_animate.backends import ProcessBackend

    with ProcessBackend(1) as backend:
        backend.start(collect_params, None, lambda key, n: None)
        backend.submit(0, Segment(0, 0, ()), fed=True)
        for i, chunk in enumerate(chunks):
            backend.feed(0, chunk, last=i == len(chunks) - 1)
        assert backend.wait(timeout=30) == [(0, [p for c in chunks for p in c])]


def test_frame_timeout_from_the_command_line_and_save(tmp_path, monkeypatch, capsys):
    import json

    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    import parallel_animate
    from parallel_animate import cli, funcanimation

    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(block_params(4)))
    plans = []

    def fake_run(plan):
        plans.append(plan)
        return plan.output

    monkeypatch.setattr(cli, "run", fake_run)
    base = ["render", "anims:BlockAnimator", "o.mp4", "--params", "p.json", "--no-progress"]
    assert cli.main([*base, "--frame-timeout", "2.5"]) == 0
    assert plans[-1].frame_timeout == 2.5
    assert cli.main(base) == 0
    assert plans[-1].frame_timeout is None
    assert cli.main([*base, "--frame-timeout", "0"]) == 2
    assert "frame_timeout" in capsys.readouterr().err

    monkeypatch.setattr(funcanimation, "run", fake_run)
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: [line], frames=3, blit=False)
    try:
        parallel_animate.save(anim, tmp_path / "s.mp4", fps=3, num_workers=1, frame_timeout=4)
    finally:
        plt.close(fig)
    assert plans[-1].frame_timeout == 4.0


def test_spilled_params_may_hold_lambdas():
    """Frames read early and spilled to disk go as workers get them: a lambda in the
    params (which plain pickle refuses) comes back and works."""
    from parallel_animate.readahead import _Spill

    spill = _Spill()
    spill.put(3, {"f": lambda x: x + 1, "n": 7})
    spill.put(4, [1, 2])
    back = spill.pop(3)
    assert back["f"](1) == 2 and back["n"] == 7
    assert spill.pop(4) == [1, 2]
