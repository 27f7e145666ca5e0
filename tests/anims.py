"""Animators used by the tests; a module of its own so that "spawn" workers can import it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from parallel_animate import Animator


class BlockAnimator(Animator):
    """A block that moves one step per frame and the frame number as text.

    Every frame looks clearly different, so decoded frames can be matched to their index.
    ``log_dir``: each setup() call appends this process's pid to ``setups.txt`` there.
    """

    def __init__(self, size=(1.6, 1.2), dpi=100, log_dir: str | None = None):
        self.size = size
        self.dpi = dpi
        self.log_dir = log_dir

    def setup(self):
        if self.log_dir is not None:
            with open(Path(self.log_dir) / "setups.txt", "a") as f:
                f.write(f"{os.getpid()}\n")
        self.fig = plt.figure(figsize=self.size, dpi=self.dpi)
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, 40)
        self.ax.set_ylim(0, 1)
        self.ax.set_axis_off()
        self.block = self.ax.axvspan(0, 4, color="tab:red")
        self.text = self.ax.text(20, 0.5, "", ha="center", va="center", fontsize=20)
        return self.fig

    def update(self, frame_idx, params):
        x = params["x"] if isinstance(params, dict) else float(params)
        self.block.set_x(x % 36)
        self.text.set_text(str(frame_idx))


def block_params(n: int) -> list[dict]:
    return [{"x": 3.0 * i} for i in range(n)]


def reference_frames(animator: Animator, params: list, dpi=None) -> np.ndarray:
    """Serial, in-process render of each frame's RGB pixels: what the video must show."""
    fig = animator.setup()
    if dpi is not None:
        fig.set_dpi(dpi)
    frames = []
    for i, p in enumerate(params):
        animator.update(i, p)
        fig.canvas.draw()
        frames.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].copy())
    plt.close(fig)
    return np.stack(frames)


class FailingAnimator(BlockAnimator):
    """Raises in update() at ``fail_at``."""

    def __init__(self, fail_at: int, **kw):
        super().__init__(**kw)
        self.fail_at = fail_at

    def update(self, frame_idx, params):
        if frame_idx == self.fail_at:
            if self.log_dir is not None:  # one line per attempt
                with open(Path(self.log_dir) / "failures.txt", "a") as f:
                    f.write(f"{os.getpid()}\n")
            raise ZeroDivisionError(f"boom at frame {frame_idx} (marker 7f3a)")
        super().update(frame_idx, params)


class UnpicklableError(Exception):
    def __init__(self, a, b):  # two required args: pickling round trip fails
        super().__init__(f"{a}/{b}")
        self.lock = __import__("threading").Lock()


class UnpicklableFailingAnimator(BlockAnimator):
    def update(self, frame_idx, params):
        if frame_idx == 3:
            raise UnpicklableError("odd", "error")
        super().update(frame_idx, params)


class SetupFailingAnimator(BlockAnimator):
    def setup(self):
        raise OSError("cannot open the data file (marker 91bc)")


class NotAFigureAnimator(BlockAnimator):
    def setup(self):
        super().setup()
        return self.ax


class SuicideAnimator(BlockAnimator):
    """Kills its own worker process with SIGKILL at ``die_at`` (never the test process)."""

    def __init__(self, die_at: int, main_pid: int, **kw):
        super().__init__(**kw)
        self.die_at = die_at
        self.main_pid = main_pid

    def update(self, frame_idx, params):
        if frame_idx == self.die_at and os.getpid() != self.main_pid:
            os.kill(os.getpid(), signal.SIGKILL)
        super().update(frame_idx, params)


class SlowAnimator(BlockAnimator):
    def update(self, frame_idx, params):
        import time

        time.sleep(0.2)
        super().update(frame_idx, params)


class ExitingAnimator(BlockAnimator):
    """Calls sys.exit() in update(): must not end the calling process."""

    def update(self, frame_idx, params):
        if frame_idx == 2:
            raise SystemExit(3)
        super().update(frame_idx, params)


class InterruptingAnimator(BlockAnimator):
    """Raises KeyboardInterrupt in update() (user code, not a Ctrl-C)."""

    def update(self, frame_idx, params):
        if frame_idx == 2:
            raise KeyboardInterrupt("raised by update()")
        super().update(frame_idx, params)


class DiesOnceAnimator(BlockAnimator):
    """SIGKILLs its own worker process at ``die_at``, the first time only (``marker``)."""

    def __init__(self, die_at: int, main_pid: int, marker: str, **kw):
        super().__init__(**kw)
        self.die_at = die_at
        self.main_pid = main_pid
        self.marker = marker

    def update(self, frame_idx, params):
        if frame_idx == self.die_at and os.getpid() != self.main_pid:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass  # died once already: render as usual
            else:
                os.write(fd, f"{os.getpid()}\n".encode())
                os.close(fd)
                os.kill(os.getpid(), signal.SIGKILL)
        super().update(frame_idx, params)


class PickleCounter:
    """A context that appends this process's pid to ``path`` each time it is unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __setstate__(self, state):
        self.__dict__.update(state)
        with open(self.path, "a") as f:
            f.write(f"{os.getpid()}\n")


def counting_job(context: PickleCounter, units: int, report) -> tuple[int, int]:
    """A backend job: ``units`` steps of 20 ms, each reported; returns (pid, units)."""
    import time

    for _ in range(units):
        time.sleep(0.02)
        report(1)
    return os.getpid(), units


def append_pid(path: str) -> None:
    """A teardown: record which process ran it."""
    with open(path, "a") as f:
        f.write(f"{os.getpid()}\n")


class PanelsAnimator(Animator):
    """Four panels (line, image, scatter, bars + text), returning what update() changed.

    ``layout``: "constrained" or "tight". ``relimit_at``: frame that changes an axis
    limit (something blitting alone would miss).
    """

    def __init__(self, layout="constrained", relimit_at=None):
        self.layout = layout
        self.relimit_at = relimit_at

    def setup(self):
        kw = {"layout": "constrained"} if self.layout == "constrained" else {}
        self.fig, axes = plt.subplots(2, 2, figsize=(4, 3), dpi=80, **kw)
        (a, b), (c, d) = axes
        self.axes = axes
        self.x = np.linspace(0, 2 * np.pi, 100)
        (self.line,) = a.plot(self.x, np.sin(self.x))
        a.set_title("line")
        self.img = b.imshow(np.zeros((20, 30)), vmin=-1, vmax=1, cmap="viridis")
        b.set_title("image")
        self.pts = np.random.default_rng(1).random((40, 2))
        self.scatter = c.scatter(self.pts[:, 0], self.pts[:, 1], s=10)
        c.set_xlim(-0.5, 1.5)
        c.set_ylim(-0.5, 1.5)
        self.bars = d.bar(range(5), np.ones(5))
        d.set_ylim(0, 2)
        self.label = d.text(0.5, 0.9, "", transform=d.transAxes, ha="center")
        if self.layout == "tight":
            self.fig.tight_layout()
        return self.fig

    def update(self, frame_idx, params):
        phase = params["phase"]
        self.line.set_ydata(np.sin(self.x + phase))
        yy, xx = np.mgrid[0:20, 0:30]
        self.img.set_data(np.sin(xx / 5 + phase) * np.cos(yy / 4))
        self.scatter.set_offsets(self.pts + 0.2 * np.sin(phase + self.pts[:, ::-1] * 6))
        for i, bar in enumerate(self.bars):
            bar.set_height(1 + 0.8 * np.sin(phase + i))
        self.label.set_text(f"frame {frame_idx}")
        if self.relimit_at is not None and frame_idx >= self.relimit_at:
            self.axes[0, 0].set_xlim(0, 4)
        return [self.line, self.img, self.scatter, *self.bars, self.label]


def phase_params(n: int) -> list[dict]:
    return [{"phase": 0.3 * i} for i in range(n)]


class MarkingAnimator(BlockAnimator):
    """Writes ``updated.txt`` into ``log_dir`` when ``update()`` runs (a frame was
    rendered); the setup() log of BlockAnimator as well."""

    def update(self, frame_idx, params):
        with open(Path(self.log_dir) / "updated.txt", "a") as f:
            f.write(f"{frame_idx}\n")
        super().update(frame_idx, params)


class CountingAnimator(BlockAnimator):
    """Appends each frame it renders to ``updates.txt`` in ``log_dir``; fails at
    ``fail_at`` while a file ``fail`` is in ``log_dir`` (the animator's state is the same
    either way, so a second run may reuse what the failed one kept)."""

    def __init__(self, log_dir: str, fail_at: int | None = None, **kw):
        super().__init__(log_dir=log_dir, **kw)
        self.fail_at = fail_at

    def update(self, frame_idx, params):
        assert self.log_dir is not None
        with open(Path(self.log_dir) / "updates.txt", "a") as f:
            f.write(f"{frame_idx}\n")
        if frame_idx == self.fail_at and (Path(self.log_dir) / "fail").exists():
            raise ValueError(f"bad data at frame {frame_idx}")
        super().update(frame_idx, params)


def rendered_frames(log_dir: Path) -> list[int]:
    """The frames CountingAnimator rendered since the last call (the log is emptied)."""
    log = Path(log_dir) / "updates.txt"
    if not log.exists():
        return []
    frames = sorted(int(line) for line in log.read_text().split())
    log.unlink()
    return frames
