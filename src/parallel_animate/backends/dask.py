"""Run tasks on a Dask cluster (``make_video(..., backend=client_or_address)``).

The context is scattered to every worker once (``broadcast=True``); each task carries
only its own task (a segment and its params) and returns the job's result (the encoded
segment). Progress travels as worker events on one topic that the client subscribes
to: counts per task, at most ten events a second per task, topped up exactly when the
task's result arrives.

Losing a worker is the scheduler's business: it reruns that worker's tasks elsewhere
(its ``allowed-failures`` setting) and only gives up with ``KilledWorker``. Task
``retries`` are never used, so an exception raised by the job fails the run at once.
"""

from __future__ import annotations

import functools
import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from distributed import Client, Future, KilledWorker, get_worker

from parallel_animate.backends.base import BACKEND_CHOICES, Backend, Job, WorkerLostError
from parallel_animate.shipping import PICKLING_ERRORS, shippable

_logger = logging.getLogger("parallel_animate")

#: The worker-event topic of progress messages ``[run_id, key, units_done]``.
PROGRESS_TOPIC = "parallel-animate-progress"
#: Seconds between two progress events of one task (the bar refreshes about as often).
PROGRESS_INTERVAL = 0.1
#: Seconds a reading of the cluster's thread count is reused.
SLOTS_TTL = 1.0
#: scheme://location, or host:port (Dask's default scheme is tcp).
_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+|[^\s:/]+:\d+")
#: Seconds ``wait()`` blocks before it checks that the client is still connected.
POLL_S = 1.0


def check_backend(backend: Any) -> None:
    """Raise TypeError/ValueError unless ``backend`` is a usable Client or an address."""
    if isinstance(backend, Client):
        if backend.asynchronous:
            raise TypeError(
                "backend: an asynchronous dask Client cannot be used, since make_video "
                "blocks; pass a synchronous Client (Client(address))"
            )
        if backend.status not in ("running", "connecting", "newly-created"):
            raise ValueError(f"backend: the dask Client is {backend.status}, not running")
        return
    if isinstance(backend, str):
        if not _ADDRESS.fullmatch(backend):
            raise ValueError(
                f"backend={backend!r} is not a Dask scheduler address; expected "
                "'tcp://host:port' (or host:port, or another scheme://location)"
            )
        return
    hint = ""
    if hasattr(backend, "scheduler_address"):  # a LocalCluster, a SLURMCluster...
        hint = "; for a cluster object pass Client(cluster) or cluster.scheduler_address"
    raise TypeError(f"backend must be {BACKEND_CHOICES}, got {type(backend).__name__}{hint}")


def _run_task(job: Job, context: Any, key: int, task: Any, run_id: str) -> tuple[Any, int]:
    """In a Dask worker: run the job and return its result with the units it reported.

    Progress is sent as cumulative counts, so the client can tell a rerun of a task
    (after a lost worker) from new work and never counts a frame twice.
    """
    worker = get_worker()
    done = 0
    last_sent = time.monotonic()

    def report(n: int) -> None:
        nonlocal done, last_sent
        done += n
        now = time.monotonic()
        if now - last_sent >= PROGRESS_INTERVAL:
            worker.log_event(PROGRESS_TOPIC, [run_id, key, done])
            last_sent = now

    try:
        result = job(context, task, report)
    except BaseException as exc:  # SystemExit must not reach the worker's thread pool
        shipped = shippable(exc)
        if shipped is exc:
            raise
        raise shipped from None
    return result, done


class _ProgressRouter:
    """One subscription to the progress topic per client, shared by its runs.

    A client holds one handler per topic, so concurrent runs on one client share it;
    the router hands each message to the queue of the run it names.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, queue.SimpleQueue[tuple[Any, ...]]] = {}
        self._runs_by_client: dict[str, int] = {}

    def add(self, client: Client, run_id: str, inbox: queue.SimpleQueue[tuple[Any, ...]]) -> None:
        with self._lock:
            self._queues[run_id] = inbox
            runs = self._runs_by_client.get(client.id, 0)
            if runs == 0:
                client.subscribe_topic(PROGRESS_TOPIC, self._route)
            self._runs_by_client[client.id] = runs + 1

    def remove(self, client: Client, run_id: str) -> None:
        with self._lock:
            if self._queues.pop(run_id, None) is None:
                return
            runs = self._runs_by_client.pop(client.id, 1) - 1
            if runs > 0:
                self._runs_by_client[client.id] = runs
            elif client.status == "running":
                client.unsubscribe_topic(PROGRESS_TOPIC)

    def _route(self, event: tuple[float, Any]) -> None:
        _, message = event
        try:
            run_id, key, done = message
        except (TypeError, ValueError):
            return  # not ours
        inbox = self._queues.get(run_id)
        if inbox is not None:
            inbox.put(("progress", key, done))


_router = _ProgressRouter()


class DaskBackend(Backend):
    """Tasks on a Dask cluster: a ``Client`` you own, or an address (our own client).

    ``slots`` is the cluster's total number of worker threads, read again at most once
    a second, so a cluster that grows during a run gets more segments in flight.
    """

    def __init__(self, client_or_address: Client | str) -> None:
        check_backend(client_or_address)
        self._own_client = isinstance(client_or_address, str)
        if isinstance(client_or_address, str):
            self._client = Client(client_or_address, set_as_default=False)
        else:
            self._client = client_or_address
        self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._futures: dict[int, Future] = {}
        self._reported: dict[int, int] = {}  # units passed to on_progress, per task
        self._on_progress: Callable[[int, int], None] = lambda key, n: None
        self._teardown: Callable[[], None] | None = None
        self._job: Job | None = None
        self._context: Future | None = None
        self._run_id = uuid.uuid4().hex
        self._subscribed = False
        self._closed = False
        self._slots = 0
        self._slots_read_at = -SLOTS_TTL
        try:
            if self._total_threads() == 0:
                _logger.info("Waiting for the first Dask worker to join the cluster")
                self._client.wait_for_workers(1)
                self._slots_read_at = -SLOTS_TTL
        except BaseException:
            self.close(abort=True)
            raise

    def _total_threads(self) -> int:
        now = time.monotonic()
        if now - self._slots_read_at >= SLOTS_TTL:
            self._slots = sum(self._client.nthreads().values())
            self._slots_read_at = now
        return self._slots

    @property
    def slots(self) -> int:  # type: ignore[override]
        """Worker threads in the cluster now (at least 1: tasks wait for a worker)."""
        return max(1, self._total_threads())

    def start(
        self,
        job: Job,
        context: Any,
        on_progress: Callable[[int, int], None],
        teardown: Callable[[], None] | None = None,
    ) -> None:
        self._job, self._on_progress, self._teardown = job, on_progress, teardown
        _router.add(self._client, self._run_id, self._inbox)
        self._subscribed = True
        try:
            # hash=False: no need to tokenize (pickle) a large animator a second time.
            [self._context] = self._client.scatter([context], broadcast=True, hash=False)
        except PICKLING_ERRORS as exc:
            raise TypeError(
                "the animator and its attributes must be picklable to be sent to Dask "
                f"workers: {exc}. Keep unpicklable objects out of __init__ (create them "
                "in setup())."
            ) from exc

    def submit(self, key: int, task: Any, fed: bool = False) -> None:
        if fed:
            raise NotImplementedError("the Dask backend takes whole segments")
        if self._job is None or self._context is None:
            raise RuntimeError("submit() called before start()")
        future = self._client.submit(
            _run_task,
            self._job,
            self._context,
            key,
            task,
            self._run_id,
            key=f"parallel-animate-segment-{self._run_id}-{key}",
            pure=False,
        )
        self._futures[key] = future
        future.add_done_callback(functools.partial(self._on_done, key))

    def _on_done(self, key: int, future: Future) -> None:
        self._inbox.put(("done", key, future))  # in a Dask callback thread

    def wait(self, timeout: float | None = None) -> list[tuple[int, Any]]:
        if not self._futures:
            raise RuntimeError("wait() called with no task submitted")
        deadline = None if timeout is None else time.monotonic() + timeout
        results: list[tuple[int, Any]] = []
        while True:
            poll = POLL_S
            if deadline is not None:
                poll = min(poll, max(0.0, deadline - time.monotonic()))
            try:
                message = self._inbox.get(block=not results, timeout=poll)
            except queue.Empty:
                if results or (deadline is not None and time.monotonic() >= deadline):
                    return results
                if self._client.status in ("closing", "closed"):
                    raise RuntimeError("the Dask client was closed during the run") from None
                continue
            kind, key, payload = message
            if kind == "progress":
                self._progress(key, payload)
            else:
                result = self._collect(key, payload)
                if result is not None:
                    results.append(result)

    def _progress(self, key: int, done: int) -> None:
        """Pass on what is new in a task's cumulative count (reruns start from 0)."""
        if key not in self._futures:
            return  # finished already, or not this run's
        new = done - self._reported.get(key, 0)
        if new > 0:
            self._reported[key] = done
            self._on_progress(key, new)

    def _collect(self, key: int, future: Future) -> tuple[int, Any] | None:
        if self._futures.get(key) is not future:
            return None  # a stale callback
        try:
            result, done = future.result()
        except KilledWorker as exc:
            raise WorkerLostError(
                f"task {key} lost too many Dask workers: {exc}", key, None
            ) from exc
        del self._futures[key]
        new = done - self._reported.pop(key, 0)  # what events had not told yet
        if new > 0:
            self._on_progress(key, new)
        return key, result

    def close(self, abort: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        client = self._client
        futures = list(self._futures.values())
        self._futures.clear()
        try:
            if client.status == "running":
                if futures:
                    client.cancel(futures, force=True)
                if self._context is not None:
                    self._context.release()
                if self._teardown is not None:
                    client.run(self._teardown)
        except Exception as exc:  # a worker being restarted, a lost scheduler...
            _logger.warning("Could not clean up the Dask workers after the run: %s", exc)
        finally:
            self._context = None
            if self._subscribed:
                _router.remove(client, self._run_id)
            if self._own_client:
                client.close()
