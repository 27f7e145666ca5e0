"""Where segments run: in this process, in local worker processes (default), or Dask."""

from __future__ import annotations

from typing import Any

from parallel_animate.backends.base import (
    BACKEND_CHOICES,
    Backend,
    TaskNotPicklableError,
    TaskTimeoutError,
    WorkerLostError,
)
from parallel_animate.backends.processes import ProcessBackend
from parallel_animate.backends.serial import SerialBackend

__all__ = [
    "Backend",
    "ProcessBackend",
    "SerialBackend",
    "TaskNotPicklableError",
    "TaskTimeoutError",
    "WorkerLostError",
    "check_backend",
]

DASK_EXTRA_HINT = "pip install 'parallel-animate[dask]'"


def check_backend(backend: Any) -> None:
    """Validate ``make_video(backend=...)`` before any work.

    None means local processes; a ``dask.distributed.Client`` or a scheduler address
    string means Dask, which must be installed (the ``dask`` extra).
    """
    if backend is None:
        return
    try:
        from parallel_animate.backends import dask as dask_backend
    except ImportError as exc:
        if not isinstance(backend, str):
            raise TypeError(
                f"backend must be {BACKEND_CHOICES}, got {type(backend).__name__}"
            ) from exc
        raise ImportError(
            f"backend={backend!r} runs on a Dask cluster, which needs dask.distributed: "
            f"{DASK_EXTRA_HINT} ({exc})"
        ) from exc
    dask_backend.check_backend(backend)
