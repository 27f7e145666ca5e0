"""Run tasks in local worker processes (the default backend).

Each worker is started once with the job and its context (so the animator is shipped
once per worker, under any start method) and then pulls one task at a time over its own
pipe. Pull-based dispatch keeps the load balanced when tasks differ in cost; the pipes'
process sentinels let the parent notice a worker killed by a signal at once.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
import signal
import tempfile
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

from parallel_animate.backends.base import Backend, Job, TaskNotPicklableError, WorkerLostError
from parallel_animate.shipping import PICKLING_ERRORS, dumps, shippable


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "closed its pipe"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (the kernel's out-of-memory killer sends SIGKILL)" if name == "SIGKILL" else ""
        return f"was killed by {name}{hint}"
    return f"exited with code {exitcode}"


class _ContextFile:
    """The pickled context in a file, for the start methods that pickle process args.

    CPython's "spawn" and "forkserver" send a child its arguments through a pipe while
    the child starts; a child that dies at start-up (a script without an
    ``if __name__ == "__main__":`` guard, say) leaves the parent blocked forever on a
    pipe it can no longer fill once the data passes the pipe's 64 KiB. A path is small.
    """

    def __init__(self, context: Any) -> None:
        data = dumps(context, fresh_interpreter=True)
        fd, self.path = tempfile.mkstemp(prefix="parallel-animate-", suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def load(self) -> Any:
        with open(self.path, "rb") as f:
            return pickle.load(f)

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _worker_main(conn: Connection, job: Job, context: Any) -> None:
    """Loop of a worker process: run tasks until told to stop or the parent is gone.

    The parent's death is watched through its sentinel, not only the pipe: under "fork"
    sibling workers inherit copies of each other's pipes, so EOF alone may never come.
    """
    # Ctrl-C reaches the whole process group; the parent decides what stops and how.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(context, _ContextFile):
        context = context.load()
    parent = multiprocessing.parent_process()
    handles: list[Any] = [conn] if parent is None else [conn, parent.sentinel]
    try:
        while True:
            if conn not in wait(handles):
                return  # the parent died
            message = pickle.loads(conn.recv_bytes())
            if message is None:
                return
            key, task = message

            def report(n: int, _key: int = key) -> None:
                if parent is not None and not parent.is_alive():
                    os._exit(1)  # nobody left to render for
                conn.send(("progress", _key, n))

            try:
                result = job(context, task, report)
            except BaseException as exc:  # reported to the parent, which decides
                conn.send(("error", key, shippable(exc)))
            else:
                conn.send(("done", key, result))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the parent went away


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.key: int | None = None  # the task it is running
        self.stopping = False


class ProcessBackend(Backend):
    """``workers`` processes from ``mp_context`` (default: multiprocessing's default)."""

    def __init__(self, workers: int, mp_context: Any = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.slots = workers
        self._mp = mp_context or multiprocessing.get_context()
        self._dumps = functools.partial(
            dumps, fresh_interpreter=self._mp.get_start_method() != "fork"
        )
        self._workers: list[_Worker] = []
        self._queue: deque[tuple[int, bytes]] = deque()  # (key, the pickled message)
        self._on_progress: Callable[[int, int], None] = lambda key, n: None
        self._closed = False
        self._context_file: _ContextFile | None = None

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def start(
        self,
        job: Job,
        context: Any,
        on_progress: Callable[[int, int], None],
        teardown: Callable[[], None] | None = None,
    ) -> None:
        self._on_progress = on_progress
        shipped = context
        if self._mp.get_start_method() != "fork":
            try:
                shipped = self._context_file = _ContextFile(context)
            except PICKLING_ERRORS as exc:
                raise self._not_picklable(exc) from exc
        for i in range(self.slots):
            parent_conn, child_conn = self._mp.Pipe(duplex=True)
            process = self._mp.Process(
                target=_worker_main,
                args=(child_conn, job, shipped),
                name=f"parallel-animate-worker-{i}",
                # Not daemonic: update() may start processes of its own. A worker whose
                # parent died exits by itself (see _worker_main).
            )
            try:
                process.start()
            except PICKLING_ERRORS as exc:
                parent_conn.close()
                child_conn.close()
                self.close(abort=True)
                raise self._not_picklable(exc) from exc
            child_conn.close()
            self._workers.append(_Worker(process, parent_conn))

    def _not_picklable(self, exc: BaseException) -> TypeError:
        return TypeError(
            "the animator and its attributes must be picklable to be sent to "
            f"worker processes (start method {self._mp.get_start_method()!r}): "
            f"{exc}. Keep unpicklable objects out of __init__ (create them in "
            "setup()), or use num_workers=1."
        )

    def submit(self, key: int, task: Any) -> None:
        try:  # now, so that the caller learns it with the task at hand
            message = self._dumps((key, task))
        except PICKLING_ERRORS as exc:
            raise TaskNotPicklableError(f"{type(exc).__name__}: {exc}") from exc
        self._queue.append((key, message))
        self._dispatch()

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._queue:
                return
            if worker.key is None and not worker.stopping:
                key, message = self._queue.popleft()
                worker.key = key
                try:
                    worker.conn.send_bytes(message)
                except OSError:  # BrokenPipeError: it died (at start-up, say)
                    raise self._lost(worker) from None

    def _lost(self, worker: _Worker) -> WorkerLostError:
        worker.process.join(timeout=1.0)
        what = _describe_exit(worker.process.exitcode)
        if worker.process.exitcode == 1 and self._mp.get_start_method() != "fork":
            what += (
                " (with the spawn and forkserver start methods that is often a main "
                'script without an `if __name__ == "__main__":` guard; the worker '
                "printed its own error)"
            )
        doing = f" while running task {worker.key}" if worker.key is not None else ""
        return WorkerLostError(
            f"worker process {worker.process.pid} {what}{doing}",
            worker.key,
            worker.process.exitcode,
        )

    def wait(self) -> list[tuple[int, Any]]:
        if not any(w.key is not None for w in self._workers) and not self._queue:
            raise RuntimeError("wait() called with no task submitted")
        results: list[tuple[int, Any]] = []
        while not results:
            by_handle: dict[Any, _Worker] = {}
            for worker in self._workers:
                by_handle[worker.conn] = worker
                by_handle[worker.process.sentinel] = worker
            for handle in wait(list(by_handle)):
                worker = by_handle[handle]
                while True:
                    try:
                        if not worker.conn.poll():
                            break
                        kind, key, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        raise self._lost(worker) from None
                    if kind == "progress":
                        self._on_progress(key, payload)
                    elif kind == "done":
                        worker.key = None
                        results.append((key, payload))
                    else:  # "error": the job raised
                        raise payload
                if handle is worker.process.sentinel and not worker.process.is_alive():
                    raise self._lost(worker)
            self._dispatch()
        return results

    def close(self, abort: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        if not abort:
            for worker in self._workers:
                try:
                    worker.stopping = True
                    worker.conn.send_bytes(self._dumps(None))
                except (OSError, ValueError):
                    pass
            for worker in self._workers:
                worker.process.join(timeout=10)
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        if self._context_file is not None:
            self._context_file.remove()
