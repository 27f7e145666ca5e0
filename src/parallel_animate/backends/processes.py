"""Run tasks in local worker processes (the default backend).

Each worker is started once with the job and its context (so the animator is shipped
once per worker, under any start method) and then pulls one task at a time over its own
pipe. Pull-based dispatch keeps the load balanced when tasks differ in cost; the pipes'
process sentinels let the parent notice a worker killed by a signal at once.

A fed task's params arrive on the same pipe while it runs. In each worker a reader
thread (started in the worker, never before a fork) takes every message off the pipe
at once, so the parent never blocks on a busy worker, and watches the parent: when it
is gone (even killed by SIGKILL) the worker exits within ``WATCH_S`` seconds, even if
its main thread is stuck in ``update()``.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
import queue
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from parallel_animate.backends.base import Backend, Job, TaskNotPicklableError, WorkerLostError
from parallel_animate.shipping import PICKLING_ERRORS, dumps, shippable

#: Seconds between two checks, in a worker, that its parent is still alive.
WATCH_S = 0.5
_PREFIX = "parallel-animate-"


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

    The file's name carries the parent's pid: a worker that outlives its parent
    removes it, and so does the next run if nobody could (see :func:`_sweep`).
    """

    def __init__(self, context: Any) -> None:
        data = dumps(context, fresh_interpreter=True)
        _sweep()
        fd, self.path = tempfile.mkstemp(prefix=f"{_PREFIX}{os.getpid()}-", suffix=".pickle")
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def load(self) -> Any:
        with open(self.path, "rb") as f:
            return pickle.load(f)

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _sweep() -> None:
    """Remove context files left by processes that no longer exist (SIGKILL)."""
    for path in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*.pickle"):
        pid = path.name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                path.unlink()
        except OSError:
            pass  # alive (another user's) or unknown


class _Stop(BaseException):
    """The parent told this worker to stop, or went away, while a task ran."""


class _Inbox:
    """The worker's reader thread: every message off the pipe into a queue (None:
    the pipe closed), and the parent watched; an orphan exits at once."""

    def __init__(self, conn: Connection, context_path: str | None) -> None:
        self._conn = conn
        self._context_path = context_path
        self._ppid = os.getppid()
        parent = multiprocessing.parent_process()
        self._sentinel = None if parent is None else parent.sentinel
        self.messages: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(target=self._read, name="parallel-animate-inbox", daemon=True).start()

    def _orphaned(self) -> None:
        if self._context_path is not None:  # nobody else will remove it
            with contextlib.suppress(OSError):
                os.unlink(self._context_path)
        os._exit(1)

    def _read(self) -> None:
        handles: list[Any] = [self._conn]
        if self._sentinel is not None:
            handles.append(self._sentinel)
        try:
            while True:
                ready = wait(handles, timeout=WATCH_S)
                if os.getppid() != self._ppid or (
                    self._sentinel is not None and self._sentinel in ready
                ):
                    self._orphaned()
                if self._conn in ready:
                    self.messages.put(self._conn.recv_bytes())
        except (EOFError, OSError):
            self.messages.put(None)

    def get(self) -> Any:
        """The next message, unpickled; :class:`_Stop` when told to stop."""
        data = self.messages.get()
        message = None if data is None else pickle.loads(data)
        if message is None:
            raise _Stop
        return message

    def params(self) -> Iterator[Any]:
        """A fed task's params, as the parent sends them."""
        while True:
            _, chunk, last = self.get()
            yield from chunk
            if last:
                return


def _worker_main(conn: Connection, job: Job, context: Any) -> None:
    """Loop of a worker process: run tasks until told to stop or the parent is gone."""
    # Ctrl-C reaches the whole process group; the parent decides what stops and how.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:  # not the parent's handlers (inherited under fork)
            signal.signal(signum, signal.SIG_DFL)
    context_path = None
    if isinstance(context, _ContextFile):
        context_path = context.path
        context = context.load()
    inbox = _Inbox(conn, context_path)
    try:
        while True:
            message = inbox.get()
            if message[0] == "params":
                continue  # fed to a task that failed: the parent is stopping the run
            key, task, fed = message
            if fed:
                task = task.with_params(inbox.params())

            def report(n: int, _key: int = key) -> None:
                conn.send(("progress", _key, n))

            report(0)  # started: the parent's frame timeout counts from here
            try:
                result = job(context, task, report)
            except _Stop:
                raise
            except BaseException as exc:  # reported to the parent, which decides
                conn.send(("error", key, shippable(exc)))
            else:
                conn.send(("done", key, result))
    except (_Stop, EOFError, BrokenPipeError, ConnectionResetError):
        return  # told to stop, or the parent went away


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.key: int | None = None  # the task it is running
        self.stopping = False


class ProcessBackend(Backend):
    """``workers`` processes from ``mp_context`` (default: multiprocessing's default)."""

    feeds = True

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
        self._early: dict[int, list[bytes]] = {}  # params fed to queued tasks
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

    def submit(self, key: int, task: Any, fed: bool = False) -> None:
        try:  # now, so that the caller learns it with the task at hand
            message = self._dumps((key, task, fed))
        except PICKLING_ERRORS as exc:
            raise TaskNotPicklableError(f"{type(exc).__name__}: {exc}") from exc
        self._queue.append((key, message))
        self._dispatch()

    def feed(self, key: int, chunk: Sequence[Any], last: bool) -> None:
        """One message per frame: a worker holds its params pickled until it needs
        them, and never two copies of a whole chunk."""
        target = next((w for w in self._workers if w.key == key), None)
        n = len(chunk)
        for i, params in enumerate(chunk if n else [None]):
            try:
                end = last and i == max(n - 1, 0)
                message = self._dumps(("params", [params] if n else [], end))
            except PICKLING_ERRORS as exc:
                raise TaskNotPicklableError(f"{type(exc).__name__}: {exc}") from exc
            if target is None:
                self._early.setdefault(key, []).append(message)  # still queued
            else:
                self._send(target, message)

    def _send(self, worker: _Worker, message: bytes) -> None:
        try:
            worker.conn.send_bytes(message)
        except OSError:  # BrokenPipeError: it died. wait() says so once it has read the
            pass  # progress it sent before (to name the frame it died on)

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._queue:
                return
            if worker.key is None and not worker.stopping:
                key, message = self._queue.popleft()
                worker.key = key
                self._send(worker, message)
                for params in self._early.pop(key, []):
                    self._send(worker, params)

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

    def wait(self, timeout: float | None = None) -> list[tuple[int, Any]]:
        if not any(w.key is not None for w in self._workers) and not self._queue:
            raise RuntimeError("wait() called with no task submitted")
        deadline = None if timeout is None else time.monotonic() + timeout
        results: list[tuple[int, Any]] = []
        while not results:
            by_handle: dict[Any, _Worker] = {}
            for worker in self._workers:
                by_handle[worker.conn] = worker
                by_handle[worker.process.sentinel] = worker
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = wait(list(by_handle), timeout=left)
            if not ready and deadline is not None and time.monotonic() >= deadline:
                return results
            for handle in ready:
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
        self._early.clear()
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
                if worker.process.pid is not None and hasattr(signal, "SIGCONT"):
                    with contextlib.suppress(OSError):  # a stopped one (SIGSTOP) too
                        os.kill(worker.process.pid, signal.SIGCONT)
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        if self._context_file is not None:
            self._context_file.remove()
