"""Animators of the robustness tests (hangs, stops, big params); importable by spawn workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np

from anims import BlockAnimator


class HangingAnimator(BlockAnimator):
    """update() never returns at frame ``hang_at`` (writes its pid to ``hung.txt`` first)."""

    def __init__(self, hang_at: int, log_dir: str | None = None, **kw):
        super().__init__(log_dir=log_dir, **kw)
        self.hang_at = hang_at

    def update(self, frame_idx, params):
        if frame_idx == self.hang_at:
            if self.log_dir is not None:
                with open(Path(self.log_dir) / "hung.txt", "a") as f:
                    f.write(f"{os.getpid()}\n")
            time.sleep(3600)
        super().update(frame_idx, params)


class StoppingAnimator(BlockAnimator):
    """The worker stops itself with SIGSTOP at frame ``stop_at`` (a hung NFS read)."""

    def __init__(self, stop_at: int, **kw):
        super().__init__(**kw)
        self.stop_at = stop_at

    def update(self, frame_idx, params):
        if frame_idx == self.stop_at:
            os.kill(os.getpid(), signal.SIGSTOP)
        super().update(frame_idx, params)


class ArrayParamsAnimator(BlockAnimator):
    """Params are big arrays whose value is the block's position."""

    def update(self, frame_idx, params):
        super().update(frame_idx, float(params[0, 0, 0]))


def big_params(n: int, shape=(1080, 1920, 2)):
    """A generator of ``n`` fresh ~4 MB arrays (a 1080p image each), x = 3 * i."""
    for i in range(n):
        yield np.full(shape, (3 * i) % 256, dtype=np.uint8)
