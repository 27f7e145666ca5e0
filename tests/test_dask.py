"""The Dask backend on a LocalCluster of 2 worker processes, started and closed here."""

from __future__ import annotations

import os
import pickle
import re
import sys
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

import parallel_animate.backends
from anims import (
    BlockAnimator,
    DiesOnceAnimator,
    FailingAnimator,
    PickleCounter,
    SuicideAnimator,
    UnpicklableError,
    UnpicklableFailingAnimator,
    append_pid,
    block_params,
    counting_job,
    reference_frames,
)
from conftest import assert_matches_reference, assert_untouched, decode, to_rgb, worker_children
from parallel_animate import RenderError, worker
from parallel_animate.backends.dask import DaskBackend
from parallel_animate.frames import Segment
from parallel_animate.shipping import shippable
from parallel_animate.style import FrameStyle

#: every test here runs on a LocalCluster of worker processes
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        yield cluster
    finally:
        cluster.close()
    deadline = time.monotonic() + 10
    while worker_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker_children() == []


@pytest.fixture(scope="module")
def module_client(cluster):
    with Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture
def client(module_client):
    """The module's client, with both workers up (a test may have killed one)."""
    module_client.wait_for_workers(2, timeout=60)
    return module_client


def _cached_figures(client: Client) -> list[int]:
    """How many figures each worker holds in parallel_animate's cache."""
    return list(
        client.run(lambda: len(__import__("parallel_animate.worker").worker._renderers)).values()
    )


def test_client_renders_same_frames_with_progress_and_logs(client, tmp_path, capsys, caplog):
    caplog.set_level("INFO", logger="parallel_animate")
    n = 40
    params = block_params(n)
    out = BlockAnimator(log_dir=str(tmp_path)).make_video(
        tmp_path / "d.mp4",
        params,
        fps=10,  # four segments of a second
        num_workers=1,  # not used: the cluster decides
        backend=client,
        disable_progress_bar=False,
        plotting_log_interval=10,
        saving_log_interval=20,
    )
    frames, pts, _ = decode(out)
    assert len(pts) == n and len(set(pts)) == n
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))
    # setup() ran in the workers, at most once in each.
    pids = (tmp_path / "setups.txt").read_text().split()
    assert 1 <= len(pids) <= 2 and len(set(pids)) == len(pids)
    assert str(os.getpid()) not in pids
    assert "40/40" in capsys.readouterr().err
    messages = [r.message for r in caplog.records]
    assert "2 worker(s)" in messages[0]
    rendered = [m for m in messages if m.startswith("Rendered ")]
    assert rendered[-1] == "Rendered 40/40 frames" and len(rendered) >= 2
    assert "Saved 40/40 frames" in messages
    assert _cached_figures(client) == [0, 0]  # freed when the run ended
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.mp4", "setups.txt"]


def test_address_string_connects_and_closes_its_own_client(client, cluster, tmp_path):
    clients_before = set(cluster.scheduler.clients)
    params = block_params(12)
    out = BlockAnimator().make_video(
        tmp_path / "a.mp4", params, fps=12, backend=cluster.scheduler_address
    )
    frames, _, _ = decode(out)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))
    deadline = time.monotonic() + 5
    while set(cluster.scheduler.clients) != clients_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(cluster.scheduler.clients) == clients_before
    assert _cached_figures(client) == [0, 0]


def test_backend_ships_context_once_per_worker_and_counts_progress(client, tmp_path):
    """8 tasks on 2 workers: the context is unpickled once per worker, not per task;
    progress per task adds up to exactly what each task reported; teardown runs on
    every worker."""
    unpickled = tmp_path / "unpickled.txt"
    torn_down = tmp_path / "teardown.txt"
    progress: dict[int, int] = {}

    def on_progress(key, n):
        progress[key] = progress.get(key, 0) + n

    units = {key: 6 + key for key in range(8)}
    backend = DaskBackend(client)
    assert backend.slots == 2
    with backend:
        backend.start(
            counting_job,
            PickleCounter(str(unpickled)),
            on_progress,
            teardown=partial(append_pid, str(torn_down)),
        )
        for key, n in units.items():
            backend.submit(key, n)
        results = {}
        while len(results) < len(units):
            results.update(backend.wait())
    assert {key: r[1] for key, r in results.items()} == units
    assert progress == units
    task_pids = {str(r[0]) for r in results.values()}
    shipped = unpickled.read_text().split()
    assert len(shipped) == len(set(shipped)) <= 2  # at most once per worker process
    assert task_pids <= set(shipped)
    assert sorted(torn_down.read_text().split()) == sorted(
        map(str, client.run(os.getpid).values())
    )


def test_worker_killed_mid_run_segment_is_rerun(client, tmp_path, caplog):
    caplog.set_level("INFO", logger="parallel_animate")
    n = 40
    params = block_params(n)
    marker = tmp_path / "died.txt"
    anim = DiesOnceAnimator(die_at=27, main_pid=os.getpid(), marker=str(marker))
    out = anim.make_video(
        tmp_path / "k.mp4", params, fps=20, backend=client, plotting_log_interval=1
    )
    assert marker.read_text().strip() not in ("", str(os.getpid()))  # a worker did die
    frames, _, _ = decode(out)
    assert_matches_reference(frames, reference_frames(BlockAnimator(), params))
    counts = [
        int(m.group(1)) for r in caplog.records if (m := re.match(r"Rendered (\d+)/", r.message))
    ]
    assert counts == sorted(counts) and counts[-1] == n  # rerun frames not counted twice


def test_scheduler_giving_up_on_a_segment_is_render_error(client, cluster, target, monkeypatch):
    monkeypatch.setattr(cluster.scheduler, "allowed_failures", 0)
    anim = SuicideAnimator(die_at=27, main_pid=os.getpid())
    with pytest.raises(RenderError) as info:
        anim.make_video(target, block_params(40), fps=20, backend=client)
    err = info.value
    assert "lost too many Dask workers" in str(err) and "died" in str(err)
    assert "it was rendering frame" in str(err)
    assert 20 <= err.frame_index <= 27  # the segment of frames 20..39
    assert_untouched(target)


def test_update_error_fails_the_run_at_once(client, target):
    with pytest.raises(RenderError) as info:
        FailingAnimator(fail_at=5, log_dir=str(target.parent)).make_video(
            target, block_params(40), fps=10, backend=client
        )
    err = info.value
    assert err.frame_index == 5
    assert "FailingAnimator.update()" in str(err)
    assert "ZeroDivisionError: boom at frame 5 (marker 7f3a)" in str(err)
    assert "in update" in str(err)  # the worker's traceback
    assert isinstance(err.__cause__, ZeroDivisionError)
    # Not retried: update() failed once.
    assert len((target.parent / "failures.txt").read_text().split()) == 1
    assert_untouched(target, ["failures.txt", "setups.txt"])
    assert _cached_figures(client) == [0, 0]


def test_unpicklable_user_exception_still_render_error(client, target):
    with pytest.raises(RenderError) as info:
        UnpicklableFailingAnimator().make_video(target, block_params(10), fps=10, backend=client)
    assert info.value.frame_index == 3
    assert "UnpicklableError: odd/error" in str(info.value)
    assert_untouched(target)


def test_error_with_unpicklable_cause_is_shippable_under_tblib():
    """dask.distributed installs tblib's pickling for every exception class, which
    pickles __cause__ and __context__ too; a worker's RenderError must still cross."""
    import tblib.pickling_support

    try:
        try:
            raise UnpicklableError("odd", "error")
        except UnpicklableError as exc:
            raise RenderError.from_exception(exc, 3, "update()") from exc
    except RenderError as err:
        tblib.pickling_support.install(err)  # as distributed does before sending it
        shipped = shippable(err)
    assert isinstance(shipped, RenderError)
    back = pickle.loads(pickle.dumps(shipped))
    assert isinstance(back, RenderError) and back.frame_index == 3
    assert "UnpicklableError: odd/error" in str(back)


def test_unpicklable_animator_is_type_error(client, target):
    anim = BlockAnimator()
    anim.lock = threading.Lock()
    with pytest.raises(TypeError, match="picklable"):
        anim.make_video(target, block_params(6), fps=6, backend=client)
    assert_untouched(target)


@pytest.mark.parametrize(
    ("backend", "error", "match"),
    [
        (42, TypeError, "backend must be None"),
        ("not an address", ValueError, "not a Dask scheduler address"),
        ("", ValueError, "not a Dask scheduler address"),
    ],
)
def test_bad_backend_rejected_before_any_work(tmp_path, target, backend, error, match):
    anim = BlockAnimator(log_dir=str(tmp_path))
    with pytest.raises(error, match=match):
        anim.make_video(target, block_params(6), fps=6, backend=backend)
    assert_untouched(target)
    assert not (tmp_path / "setups.txt").exists()


def test_cluster_object_gets_a_hint(cluster, target):
    with pytest.raises(TypeError, match="scheduler_address"):
        BlockAnimator().make_video(target, block_params(6), fps=6, backend=cluster)
    assert_untouched(target)


def test_without_dask_the_error_names_the_extra(target, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    monkeypatch.delitem(sys.modules, "parallel_animate.backends.dask", raising=False)
    monkeypatch.delattr(parallel_animate.backends, "dask", raising=False)
    with pytest.raises(ImportError, match=re.escape("pip install 'parallel-animate[dask]'")):
        BlockAnimator().make_video(target, block_params(6), fps=6, backend="tcp://h:8786")
    with pytest.raises(TypeError, match="backend must be None"):
        BlockAnimator().make_video(target, block_params(6), fps=6, backend=object())
    assert_untouched(target)


def test_threads_of_one_worker_take_turns_on_its_figure():
    """A Dask worker with several threads runs segments side by side on one figure (and
    one animator, which holds its artists): every frame must still be its own."""
    import io

    import av
    import numpy as np

    from parallel_animate.encode import resolve_video_settings

    n = 30
    params = block_params(2 * n)
    context = worker.RenderContext(
        token="threads-test",
        animator=BlockAnimator(),
        style=FrameStyle.from_savefig_params(None),
        reuse_figure=True,
        video=resolve_video_settings(Path("x.mp4"), 10, None, None, None),
    )
    barrier = threading.Barrier(2)
    encoded = {}

    def render(index):
        segment = Segment(index, index * n, tuple(params[index * n : (index + 1) * n]))
        barrier.wait()
        encoded[index] = worker.render_segment(context, segment, lambda units: None)

    threads = [threading.Thread(target=render, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert list(worker._renderers) == ["threads-test"]  # one figure in this process
    worker.release("threads-test")
    assert worker._renderers == {}
    reference = reference_frames(BlockAnimator(), params)
    for index, segment in encoded.items():
        with av.open(io.BytesIO(segment.data)) as container:
            frames = np.stack([to_rgb(f) for f in container.decode(video=0)])
        assert_matches_reference(frames, reference[index * n : (index + 1) * n])


def test_a_failed_dask_run_resumes_from_the_parts_the_client_kept(client, tmp_path):
    from anims import CountingAnimator, rendered_frames

    n, out, log = 60, tmp_path / "r.mp4", tmp_path / "log"
    log.mkdir()
    (log / "fail").touch()
    animator = CountingAnimator(str(log), fail_at=55)
    with pytest.raises(RenderError, match="bad data at frame 55"):
        animator.make_video(out, block_params(n), fps=10, backend=client)
    parts = tmp_path / ".r.mp4.parts"
    kept = sorted(int(p.name.split("-")[1]) for p in parts.glob("[!.]*.part"))
    assert kept and 50 not in kept
    rendered_frames(log)
    (log / "fail").unlink()
    out = animator.make_video(out, block_params(n), fps=10, backend=client)
    done = {f for s in kept for f in range(s, s + 10)}
    assert rendered_frames(log) == sorted(set(range(n)) - done)
    assert_matches_reference(decode(out)[0], reference_frames(BlockAnimator(), block_params(n)))
    assert not parts.exists()
