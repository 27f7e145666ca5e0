"""What a run tells the person waiting: the bar, the interval logs, the callback.

The bar counts frames rendered (not frames queued); the logs count frames rendered and
frames written. A :class:`Progress` only listens: the scheduler tells it what happened.
"""

from __future__ import annotations

import logging

from tqdm.auto import tqdm

from parallel_animate.plan import ProgressCallback

_logger = logging.getLogger("parallel_animate")


class _Bar(tqdm):
    """tqdm without its monitor thread. A disabled tqdm (the default off a terminal)
    starts that thread and never stops it, and the next run would fork a process with a
    thread running: unsafe, and a DeprecationWarning from Python 3.12 on."""

    monitor_interval = 0


def _crossed(before: int, after: int, every: int | None) -> bool:
    """Whether counting from ``before`` to ``after`` passed a multiple of ``every``."""
    return every is not None and every > 0 and after // every > before // every


class Progress:
    """The bar (frames rendered), the interval logs and the callback of one run."""

    def __init__(
        self,
        description: str,
        total: int | None,
        *,
        disable: bool | None = None,
        plot_every: int | None = None,
        save_every: int | None = None,
        callback: ProgressCallback | None = None,
    ) -> None:
        self.total = total
        self.bar: _Bar | None = None
        self._bar_args = {
            "total": total,
            "disable": disable,
            "unit": "frame",
            "desc": description,
            "dynamic_ncols": True,
        }
        self.plot_every = plot_every
        self.save_every = save_every
        self.callback = callback
        self.rendered = 0
        self.saved = 0

    def show(self) -> None:
        """Open the bar (once), from the frames counted so far: after the workers are
        started, since tqdm may start a thread and forking a process with threads is
        unsafe."""
        if self.bar is None:
            self.bar = _Bar(**self._bar_args, initial=self.rendered)

    def on_rendered(self, n: int) -> None:
        """``n`` more frames were rendered (and handed to their encoder)."""
        before = self.rendered
        self.rendered += n
        if self.bar is not None:
            self.bar.update(n)
        if self.callback is not None:
            for i in range(before, self.rendered):
                self.callback(i, self.total)
        if _crossed(before, self.rendered, self.plot_every):
            _logger.info("Rendered %d/%s frames", self.rendered, self.total or "?")

    def on_saved(self, n: int) -> None:
        """``n`` more frames were written to the output."""
        before = self.saved
        self.saved += n
        if _crossed(before, self.saved, self.save_every):
            _logger.info("Saved %d/%s frames", self.saved, self.total or "?")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
