"""SIGTERM and SIGHUP during a run, handled like Ctrl-C.

``timeout``, SLURM's ``scancel`` and ``docker stop`` send SIGTERM; closing a terminal
sends SIGHUP. While a run is in progress (and only on the main thread, where Python
can handle signals), :func:`signals_as_exceptions` turns them into
:class:`Terminated`, which unwinds the run through its usual cleanup: workers stopped,
temporary files removed, the target untouched. The previous handlers are then
restored and the signal delivered again, so the process ends as the sender expects
(killed by it, or whatever the program's own handler does).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

SIGNALS = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None
)


class Terminated(BaseException):
    """The run was stopped by a signal (not an Exception: ``except Exception`` in user
    code does not swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


@contextlib.contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (once); after
    it, the previous handlers are back and a caught signal is delivered again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    caught: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if not caught:  # a second signal must not break the cleanup of the first
            caught.append(signum)
            raise Terminated(signum)

    for signum in SIGNALS:
        old = signal.getsignal(signum)
        if old is signal.SIG_IGN or old is None:  # nohup, or not ours to replace
            continue
        previous[signum] = old
        signal.signal(signum, handler)
    try:
        yield
    except Terminated:
        pass
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        if caught:  # as if the run had not caught it: the default action kills us
            signal.raise_signal(caught[0])
            raise SystemExit(128 + caught[0])  # the program's own handler returned
