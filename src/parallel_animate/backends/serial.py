"""Run every task in the calling process, one after another (``num_workers=1``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from parallel_animate.backends.base import Backend, Job


class SerialBackend(Backend):
    """No processes: useful for debugging (breakpoints work in ``update()``)."""

    slots = 1

    def __init__(self) -> None:
        self._queue: deque[tuple[int, Any]] = deque()
        self._job: Job | None = None
        self._context: Any = None
        self._on_progress: Callable[[int, int], None] = lambda key, n: None
        self._teardown: Callable[[], None] | None = None

    def start(
        self,
        job: Job,
        context: Any,
        on_progress: Callable[[int, int], None],
        teardown: Callable[[], None] | None = None,
    ) -> None:
        self._job, self._context, self._on_progress = job, context, on_progress
        self._teardown = teardown

    def submit(self, key: int, task: Any) -> None:
        self._queue.append((key, task))

    def wait(self) -> list[tuple[int, Any]]:
        if not self._queue:
            raise RuntimeError("wait() called with no task submitted")
        key, task = self._queue.popleft()
        if self._job is None:
            raise RuntimeError("wait() called before start()")
        job = self._job

        def report(n: int) -> None:
            self._on_progress(key, n)

        return [(key, job(self._context, task, report))]

    def close(self, abort: bool = False) -> None:
        self._queue.clear()
        teardown, self._teardown = self._teardown, None
        if teardown is not None:
            teardown()  # this process is the worker: free what the job cached here
