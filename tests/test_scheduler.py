"""The scheduler on its own: fake segments, the serial backend and scripted backends."""

from __future__ import annotations

import threading

import pytest

from parallel_animate import RenderError
from parallel_animate.backends import Backend, SerialBackend, WorkerLostError
from parallel_animate.frames import Segment, iter_segments
from parallel_animate.scheduler import Scheduler, window_bounds


def segments(n_frames: int, length: int) -> list[Segment]:
    return list(iter_segments(list(range(n_frames)), None, length))


def fake_job(context, segment, report):
    """Stands in for render_segment: reports each frame, returns what it rendered."""
    for _ in segment.params:
        report(1)
    return (context, segment.start, segment.params)


class ScriptedBackend(Backend):
    """Runs nothing: returns the submitted segments in the order ``pick`` chooses, and
    records what was in flight at every submit."""

    def __init__(self, slots=2, pick=max, fail=None):
        self.slots = slots
        self.pick = pick  # which pending key finishes next
        self.fail = fail  # (key, frames done, exception) raised when key is picked
        self.pending = {}
        self.submitted = []
        self.in_flight_at_submit = []
        self.on_progress = None

    def start(self, job, context, on_progress, teardown=None):
        self.on_progress = on_progress

    def submit(self, key, task):
        self.pending[key] = task
        self.submitted.append(key)
        self.in_flight_at_submit.append(len(self.pending))

    def wait(self):
        key = self.pick(self.pending)
        task = self.pending.pop(key)
        if self.fail is not None and self.fail[0] == key:
            self.on_progress(key, self.fail[1])
            raise self.fail[2]
        self.on_progress(key, len(task.params))
        return [(key, (None, task.start, task.params))]

    def close(self, abort=False):
        pass


def run_scheduler(backend, source, *, length, preload_factor=1, job=fake_job):
    committed, rendered = [], []
    scheduler = Scheduler(
        iter(source),
        backend,
        committed.append,
        segment_length=length,
        preload_factor=preload_factor,
        on_rendered=rendered.append,
    )
    backend.start(job, "ctx", scheduler.on_progress)
    scheduler.run()
    return scheduler, committed, rendered


def test_serial_backend_commits_every_segment_in_order():
    source = segments(23, 5)
    scheduler, committed, rendered = run_scheduler(SerialBackend(), source, length=5)
    assert [c[1] for c in committed] == [0, 5, 10, 15, 20]
    assert [p for c in committed for p in c[2]] == list(range(23))
    assert all(c[0] == "ctx" for c in committed)  # the context reached the job
    assert sum(rendered) == 23
    assert scheduler.in_flight == {} and scheduler.finished == {}
    assert scheduler.next_to_commit == 5


def test_results_in_reverse_order_are_reordered():
    backend = ScriptedBackend(slots=3, pick=max)  # the newest segment always finishes first
    _, committed, _ = run_scheduler(backend, segments(40, 4), length=4)
    assert [c[1] for c in committed] == list(range(0, 40, 4))


def test_window_bounds_segments_in_flight_and_read_ahead():
    max_in_flight, max_ahead = window_bounds(slots=2, preload_factor=1, segment_length=4)
    assert (max_in_flight, max_ahead) == (3, 6)
    # Segment 0 finishes last among those in flight: the others wait, finished, for it.
    backend = ScriptedBackend(slots=2, pick=max)
    source = segments(60, 4)
    taken = []

    def lazy():
        for s in source:
            taken.append(s.index)
            yield s

    committed = []
    scheduler = Scheduler(lazy(), backend, committed.append, segment_length=4, preload_factor=1)
    backend.start(fake_job, None, scheduler.on_progress)
    scheduler.fill_window()
    assert backend.submitted == [0, 1, 2]  # max_in_flight, no more
    assert taken == [0, 1, 2]  # the source is read only as far as segments are submitted
    for key, result in scheduler.take_results():
        scheduler.reorder(key, result)
    scheduler.commit_ready()
    assert committed == [] and list(scheduler.finished) == [2]
    scheduler.run()
    assert max(backend.in_flight_at_submit) <= max_in_flight
    assert [c[1] for c in committed] == list(range(0, 60, 4))


def test_nothing_is_submitted_past_max_ahead_of_the_next_to_commit():
    # Segment 0 never finishes before the others: submission must stop max_ahead past it.
    backend = ScriptedBackend(slots=2, pick=max)
    _, max_ahead = window_bounds(2, 1, 4)
    seen_ahead = []

    def commit(result):
        seen_ahead.append(max(backend.submitted) - result[1] // 4)

    scheduler = Scheduler(
        iter(segments(200, 4)), backend, commit, segment_length=4, preload_factor=1
    )
    backend.start(fake_job, None, scheduler.on_progress)
    scheduler.run()
    assert sorted(backend.submitted) == list(range(50))
    assert max(seen_ahead) == max_ahead - 1  # the window was used, and not overrun


def test_lost_worker_names_the_frame_it_was_rendering():
    lost = WorkerLostError("worker process 123 was killed by SIGKILL", key=2, exitcode=-9)
    backend = ScriptedBackend(slots=2, pick=min, fail=(2, 3, lost))
    with pytest.raises(RenderError, match="SIGKILL; it was rendering frame 13") as info:
        run_scheduler(backend, segments(30, 5), length=5)
    assert info.value.frame_index == 13  # segment 2 starts at 10, 3 frames were done
    assert info.value.__cause__ is lost


def test_lost_worker_without_a_task_has_no_frame():
    lost = WorkerLostError("worker process 9 exited with code 1", key=None, exitcode=1)
    backend = ScriptedBackend(slots=2, pick=min, fail=(0, 0, lost))
    with pytest.raises(RenderError) as info:
        run_scheduler(backend, segments(10, 5), length=5)
    assert info.value.frame_index is None
    assert "rendering frame" not in str(info.value)


def test_params_that_cannot_be_pickled_name_their_frames():
    from parallel_animate.backends import TaskNotPicklableError

    class Refusing(ScriptedBackend):
        def submit(self, key, task):
            if key == 1:
                raise TaskNotPicklableError("TypeError: cannot pickle '_thread.lock' object")
            super().submit(key, task)

    source = list(iter_segments([1, 2, threading.Lock(), 4], None, 2))
    with pytest.raises(TypeError, match=r"params of frames 2-3 cannot be sent .*_thread\.lock"):
        run_scheduler(Refusing(), source, length=2)


def test_a_segment_returned_twice_is_an_error():
    class Twice(ScriptedBackend):
        def wait(self):
            results = super().wait()
            return results + results

    with pytest.raises(RuntimeError, match="came back twice"):
        run_scheduler(Twice(slots=1), segments(4, 2), length=2)
