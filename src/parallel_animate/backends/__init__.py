"""Where segments run: in this process, in local worker processes (default), or Dask."""

from parallel_animate.backends.base import Backend
from parallel_animate.backends.processes import ProcessBackend, WorkerLostError
from parallel_animate.backends.serial import SerialBackend

__all__ = ["Backend", "ProcessBackend", "SerialBackend", "WorkerLostError"]
