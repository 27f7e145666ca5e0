"""The "imshow1080" scene: 1920x1080, one big image; big frames, heavy encode."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from ._common import FPS, Params, State, frame_rng, new_figure

_IMG_H, _IMG_W = 540, 960


def params(n_frames: int) -> list[Params]:
    """Time in seconds of the simulated field."""
    return [{"t": i / FPS} for i in range(n_frames)]


def build() -> tuple[Figure, State]:
    """1920x1080, one big image with colorbar: pixel-heavy draw, heavy encode."""
    fig = new_figure(19.2, 10.8, 100)
    fig.subplots_adjust(left=0.04, right=0.98, bottom=0.06, top=0.95)
    ax = fig.add_subplot()
    yy, xx = np.mgrid[0:_IMG_H, 0:_IMG_W].astype(np.float32)
    st: State = {"xx": xx / _IMG_W * 16.0, "yy": yy / _IMG_H * 9.0}
    st["img"] = ax.imshow(
        np.zeros((_IMG_H, _IMG_W), dtype=np.float32),
        cmap="turbo",
        vmin=-2.5,
        vmax=2.5,
        origin="lower",
        extent=(0.0, 16.0, 0.0, 9.0),
    )
    fig.colorbar(st["img"], ax=ax, label="amplitude", fraction=0.05, pad=0.02)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    st["title"] = ax.set_title("")
    return fig, st


def draw(st: State, frame_idx: int, params: Params) -> list[Artist]:
    """Two travelling waves plus an orbiting blob and a little seeded noise."""
    t = params["t"]
    xx, yy = st["xx"], st["yy"]
    cx = 8.0 + 5.0 * math.cos(0.7 * t)
    cy = 4.5 + 3.0 * math.sin(0.7 * t)
    field = (
        np.sin(1.3 * xx - 2.0 * t)
        + np.cos(1.1 * yy + 1.5 * t)
        + 1.5 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 2.0)
    )
    noise = frame_rng(frame_idx).normal(scale=0.05, size=field.shape)
    st["img"].set_data(field + noise.astype(np.float32))
    st["title"].set_text(f"t = {t:6.3f} s   frame {frame_idx}")
    return [st["img"], st["title"]]
