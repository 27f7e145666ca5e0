"""The backend seam: run jobs somewhere, like an executor, and hand back results.

A backend knows nothing of figures or codecs. It receives a *job* (a picklable
module-level function ``job(context, task, report_progress)``), a *context* shipped once
per worker, and tasks keyed by an int. The pipeline submits tasks and waits for results;
progress reported by a job reaches ``on_progress`` in the calling process.

A backend that ``feeds`` takes a task's params while the task runs: ``submit(key,
header, fed=True)`` starts the job on ``header.with_params(params)``, where ``params``
is an iterator in the worker that blocks until :meth:`Backend.feed` sends the next
chunk, and ends after the chunk sent with ``last=True``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

#: What ``backend=`` may be, for error messages.
BACKEND_CHOICES = "None (local processes), a dask.distributed.Client or a scheduler address"

Job = Callable[[Any, Any, Callable[[int], None]], Any]


class TaskNotPicklableError(TypeError):
    """``submit`` got a task that cannot be pickled to be sent to a worker."""


class TaskTimeoutError(RuntimeError):
    """Task ``key`` made no progress within the frame timeout (a backend that enforces
    it itself, as the serial one does with SIGALRM)."""

    def __init__(self, key: int) -> None:
        super().__init__(f"task {key} timed out")
        self.key = key


class WorkerLostError(RuntimeError):
    """A worker died (killed by a signal, out of memory, ``os._exit``, a lost Dask
    worker...) while running task ``key`` (None when unknown)."""

    def __init__(self, message: str, key: int | None, exitcode: int | None) -> None:
        super().__init__(message)
        self.key = key
        self.exitcode = exitcode


class Backend(ABC):
    """Runs tasks of one job; subclasses decide where."""

    #: How many tasks can run at the same time.
    slots: int = 1
    #: Whether :meth:`feed` works (params sent to a running task as it needs them).
    feeds: bool = False
    #: Whether tasks run in this process (their params may be a lazy iterator).
    in_process: bool = False

    @abstractmethod
    def start(
        self,
        job: Job,
        context: Any,
        on_progress: Callable[[int, int], None],
        teardown: Callable[[], None] | None = None,
    ) -> None:
        """Get workers ready to run ``job`` with ``context``.

        ``on_progress(key, n)`` is called in this process when task ``key`` reports ``n``
        more units done. ``teardown`` (picklable, no arguments) is run in every worker
        process that outlives the run, when the backend is closed; backends whose
        workers exit with the run may ignore it.
        """

    @abstractmethod
    def submit(self, key: int, task: Any, fed: bool = False) -> None:
        """Queue a task; returns at once. :class:`TaskNotPicklableError` if the task
        cannot travel to where it would run. ``fed``: its params follow by
        :meth:`feed` (only if :attr:`feeds`)."""

    def feed(self, key: int, chunk: Sequence[Any], last: bool) -> None:
        """Send the next params of the fed task ``key`` (``last``: there are no more).
        :class:`TaskNotPicklableError` if they cannot travel."""
        raise NotImplementedError(f"{type(self).__name__} does not feed params")

    @abstractmethod
    def wait(self, timeout: float | None = None) -> list[tuple[int, Any]]:
        """Block until at least one task finished; return ``(key, result)`` pairs, or
        an empty list after ``timeout`` seconds.

        An exception raised by the job is raised here, in the caller.
        """

    @abstractmethod
    def close(self, abort: bool = False) -> None:
        """Stop all workers (at once when ``abort``); safe to call more than once."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.close(abort=exc_type is not None)
