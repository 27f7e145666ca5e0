"""FuncAnimations for the tests of parallel_animate.save, and matplotlib's own render.

Each factory returns ``(fig, anim)``; ``func`` is a closure over the artists, as in most
user code, so "spawn" workers need cloudpickle to get it.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import AbstractMovieWriter, FuncAnimation


def block_animation(n=24, blit=False, init=True, size=(1.6, 1.2), dpi=100, fail_at=None, **kw):
    """A block that moves and the frame data as text: every frame looks different.

    ``fail_at``: func raises ZeroDivisionError at that frame.
    """
    fig = plt.figure(figsize=size, dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 40)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    block = ax.axvspan(0, 4, color="tab:red")
    text = ax.text(20, 0.5, "", ha="center", va="center", fontsize=20)

    def init_func():
        block.set_x(0)
        text.set_text("")
        return [block, text]

    def update(k):
        if k == fail_at:
            raise ZeroDivisionError(f"boom at frame {k} (marker 5e1d)")
        block.set_x((3.0 * k) % 36)
        text.set_text(str(k))
        return [block, text]

    anim = FuncAnimation(
        fig, update, frames=n, init_func=init_func if init else None, blit=blit, **kw
    )
    return fig, anim


def fargs_generator_animation(n=20):
    """frames is a generator function (with save_count), data comes through fargs."""
    fig = plt.figure(figsize=(1.6, 1.2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_axis_off()
    x = np.linspace(0, 1, 50)
    (line,) = ax.plot(x, np.zeros_like(x), lw=4)

    def frames():
        for k in range(n):
            yield {"phase": k / 3, "k": k}

    def update(data, line, scale):
        line.set_ydata(scale * np.sin(2 * np.pi * x * 2 - data["phase"]))
        line.set_color(plt.cm.viridis(data["k"] / n))

    anim = FuncAnimation(fig, update, frames=frames, fargs=(line, 1.0), save_count=n)
    return fig, anim


def pyplot_style_animation(n=12):
    """func draws through pyplot's current figure and axes (plt.cla, plt.plot)."""
    fig = plt.figure(figsize=(1.6, 1.2), dpi=100)

    def update(k):
        plt.cla()
        plt.xlim(0, 40)
        plt.ylim(0, 1)
        plt.axis("off")
        plt.plot([3 * k, 3 * k + 4], [0.5, 0.5], lw=20, color="tab:blue")

    anim = FuncAnimation(fig, update, frames=n)
    return fig, anim


def stateful_animation(n=10):
    """Breaks the rule: adds a line per call, so frame k depends on the calls before."""
    fig = plt.figure(figsize=(1.6, 1.2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 40)
    ax.set_ylim(0, 1)

    def update(k):
        ax.axvline(3 * k + 1)

    anim = FuncAnimation(fig, update, frames=n)
    return fig, anim


class CaptureWriter(AbstractMovieWriter):
    """Keeps the RGB frames Animation.save produces: matplotlib's own serial render."""

    def __init__(self):
        super().__init__(fps=5)
        self.frames = []

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi=dpi)

    def grab_frame(self, **savefig_kwargs):
        buf = io.BytesIO()
        self.fig.savefig(buf, format="rgba", dpi=self.dpi, **savefig_kwargs)
        w, h = self.frame_size
        rgba = np.frombuffer(buf.getvalue(), dtype=np.uint8).reshape(h, w, 4)
        self.frames.append(rgba[..., :3].copy())

    def finish(self):
        pass


def matplotlib_frames(anim, **save_kwargs) -> np.ndarray:
    """What ``anim.save`` renders, frame by frame (then closes the figure)."""
    writer = CaptureWriter()
    anim.save("unused.capture", writer=writer, **save_kwargs)
    plt.close(anim._fig)
    return np.stack(writer.frames)


def counting_animation(log_dir: str, n=60, fail_at=None):
    """``block_animation`` whose func appends each frame to ``updates.txt`` in
    ``log_dir`` and raises at ``fail_at`` while a file ``fail`` is there."""
    import os

    fig, anim = block_animation(n)
    draw = anim._func

    def func(k):
        with open(os.path.join(log_dir, "updates.txt"), "a") as f:
            f.write(f"{k}\n")
        if k == fail_at and os.path.exists(os.path.join(log_dir, "fail")):
            raise ValueError(f"bad data at frame {k}")
        return draw(k)

    anim._func = func
    return fig, anim
