"""Run every task in the calling process, one after another (``num_workers=1``)."""

from __future__ import annotations

import contextlib
import signal
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from parallel_animate.backends.base import Backend, Job, TaskTimeoutError


class _FrameTimedOut(BaseException):
    """Raised by SIGALRM inside the job; not an Exception, so user code passes it on."""


class SerialBackend(Backend):
    """No processes: useful for debugging (breakpoints work in ``update()``).

    ``frame_timeout`` is enforced with SIGALRM (``setitimer``), re-armed at every
    progress report, when the run is on the main thread of a POSIX process and no
    SIGALRM handler or timer is in use already; otherwise it is not (with a warning).
    """

    slots = 1
    in_process = True

    def __init__(self, frame_timeout: float | None = None) -> None:
        self._queue: deque[tuple[int, Any]] = deque()
        self._job: Job | None = None
        self._context: Any = None
        self._on_progress: Callable[[int, int], None] = lambda key, n: None
        self._teardown: Callable[[], None] | None = None
        self._frame_timeout = frame_timeout

    def start(
        self,
        job: Job,
        context: Any,
        on_progress: Callable[[int, int], None],
        teardown: Callable[[], None] | None = None,
    ) -> None:
        self._job, self._context, self._on_progress = job, context, on_progress
        self._teardown = teardown

    def submit(self, key: int, task: Any, fed: bool = False) -> None:
        self._queue.append((key, task))

    def wait(self, timeout: float | None = None) -> list[tuple[int, Any]]:
        if not self._queue:
            raise RuntimeError("wait() called with no task submitted")
        key, task = self._queue.popleft()
        if self._job is None:
            raise RuntimeError("wait() called before start()")
        job = self._job
        with self._alarm() as arm:

            def report(n: int) -> None:
                arm()
                self._on_progress(key, n)

            try:
                return [(key, job(self._context, task, report))]
            except _FrameTimedOut:
                raise TaskTimeoutError(key) from None

    @contextlib.contextmanager
    def _alarm(self) -> Iterator[Callable[[], None]]:
        """Yield ``arm()``, which (re)starts the frame timer, if one can be used."""
        seconds = self._frame_timeout
        if seconds is None:
            yield lambda: None
            return
        usable = hasattr(signal, "setitimer") and threading.current_thread() is (
            threading.main_thread()
        )
        if usable:
            previous = signal.getsignal(signal.SIGALRM)
            usable = previous in (signal.SIG_DFL, None) and signal.getitimer(
                signal.ITIMER_REAL
            ) == (0.0, 0.0)
        if not usable:
            warnings.warn(
                "frame_timeout is not enforced with num_workers=1 here (it needs the main "
                "thread of a POSIX process with SIGALRM free); use num_workers >= 2",
                RuntimeWarning,
                stacklevel=2,
            )
            yield lambda: None
            return

        def expired(signum: int, frame: Any) -> None:
            raise _FrameTimedOut

        def arm() -> None:
            signal.setitimer(signal.ITIMER_REAL, seconds)

        signal.signal(signal.SIGALRM, expired)
        try:
            arm()
            yield arm
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)

    def close(self, abort: bool = False) -> None:
        self._queue.clear()
        teardown, self._teardown = self._teardown, None
        if teardown is not None:
            teardown()  # this process is the worker: free what the job cached here
