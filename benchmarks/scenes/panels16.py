"""The "panels16" scene: 1600x900, 4x4 mixed panels that all change; render-bound."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import AutoMinorLocator

from ._common import SEED, Params, State, frame_rng, new_figure

_P16_N_LINE = 3000
_P16_N_SCATTER = 1000
_P16_N_BARS = 48
_P16_IMG = 160


def params(n_frames: int) -> list[Params]:
    """A phase advancing 1/50 of a period per frame."""
    return [{"phase": 2.0 * math.pi * i / 50.0} for i in range(n_frames)]


def build() -> tuple[Figure, State]:
    """1600x900, 4x4 mixed panels: a dashboard whose full redraw is expensive."""
    fig = new_figure(16.0, 9.0, 100)
    axes = fig.subplots(4, 4).ravel()
    fig.subplots_adjust(left=0.04, right=0.99, bottom=0.04, top=0.93, wspace=0.25, hspace=0.45)
    fig.suptitle("panels16")
    rng = np.random.default_rng(SEED)
    st: State = {}

    x = np.linspace(0.0, 6.0 * math.pi, _P16_N_LINE)
    st["x"] = x

    # 0: three long lines with a legend
    ax = axes[0]
    st["lines0"] = [ax.plot(x, np.sin(x + k), lw=1, label=f"k={k}")[0] for k in range(3)]
    ax.set_ylim(-2.5, 2.5)
    ax.legend(loc="upper right", fontsize=7)
    ax.set_title("lines")
    ax.grid(True)

    # 1: scatter with per-point colours
    ax = axes[1]
    st["sc_base"] = rng.normal(size=(_P16_N_SCATTER, 2))
    st["scatter1"] = ax.scatter(
        st["sc_base"][:, 0],
        st["sc_base"][:, 1],
        c=rng.random(_P16_N_SCATTER),
        s=8,
        cmap="viridis",
    )
    ax.set_xlim(-4, 4)
    ax.set_ylim(-4, 4)
    ax.set_title("scatter")

    # 2: vertical bars
    ax = axes[2]
    st["bars2"] = ax.bar(np.arange(_P16_N_BARS), np.ones(_P16_N_BARS), color="C1")
    ax.set_ylim(0, 2.2)
    ax.set_title("bars")

    # 3: image
    ax = axes[3]
    g = np.linspace(-3.0, 3.0, _P16_IMG)
    st["gx"], st["gy"] = np.meshgrid(g, g)
    st["img3"] = ax.imshow(
        np.zeros((_P16_IMG, _P16_IMG)), cmap="magma", vmin=-1, vmax=1, origin="lower"
    )
    fig.colorbar(st["img3"], ax=ax)
    ax.set_title("imshow")

    # 4: filled area under a moving curve
    ax = axes[4]
    st["fill4"] = ax.add_patch(Polygon(np.zeros((2 * 400, 2)), alpha=0.5, color="C2"))
    (st["line4"],) = ax.plot([], [], color="C2")
    st["xf"] = np.linspace(0.0, 2.0 * math.pi, 400)
    ax.set_xlim(0, 2.0 * math.pi)
    ax.set_ylim(-1.5, 1.5)
    ax.set_title("fill")

    # 5: a text panel
    ax = axes[5]
    ax.set_axis_off()
    st["texts5"] = [
        ax.text(0.02, 0.9 - 0.12 * r, "", fontsize=9, family="monospace") for r in range(4)
    ]
    ax.set_title("text")

    # 6: random walk with markers
    ax = axes[6]
    (st["line6"],) = ax.plot(np.arange(300), np.zeros(300), "o-", ms=3, lw=0.8)
    ax.set_ylim(-40, 40)
    ax.set_title("markers")
    ax.grid(True)

    # 7: scatter with varying sizes
    ax = axes[7]
    n7 = _P16_N_SCATTER // 2
    st["sc7_base"] = rng.random((n7, 2))
    st["scatter7"] = ax.scatter(
        st["sc7_base"][:, 0], st["sc7_base"][:, 1], s=4, alpha=0.5, color="C3"
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("sizes")

    # 8: horizontal bars with labels
    ax = axes[8]
    st["bars8"] = ax.barh(np.arange(16), np.ones(16), color="C4")
    ax.set_yticks(np.arange(16), [f"item {i}" for i in range(16)], fontsize=6)
    ax.set_xlim(0, 2.2)
    ax.set_title("barh")

    # 9: second image
    ax = axes[9]
    st["img9"] = ax.imshow(np.zeros((_P16_IMG, _P16_IMG)), cmap="coolwarm", vmin=-1, vmax=1)
    ax.set_title("imshow 2")

    # 10: step plot
    ax = axes[10]
    (st["line10"],) = ax.step(np.arange(120), np.zeros(120), where="mid")
    ax.set_ylim(-3, 3)
    ax.set_title("step")
    ax.grid(True)

    # 11: two bands
    ax = axes[11]
    st["fill11"] = [
        ax.add_patch(Polygon(np.zeros((2 * 300, 2)), alpha=0.4, color=f"C{k}")) for k in (5, 6)
    ]
    st["xb"] = np.linspace(0.0, 10.0, 300)
    ax.set_xlim(0, 10)
    ax.set_ylim(-3, 3)
    ax.set_title("bands")

    # 12: histogram bars, recomputed per frame
    ax = axes[12]
    st["hist_edges"] = np.linspace(-4, 4, 41)
    st["bars12"] = ax.bar(st["hist_edges"][:-1], np.zeros(40), width=0.2, align="edge", color="C7")
    ax.set_ylim(0, 0.6)
    ax.set_title("histogram")

    # 13: pcolormesh
    ax = axes[13]
    st["mesh13"] = ax.pcolormesh(
        np.zeros((40, 60)), cmap="viridis", vmin=-1, vmax=1, shading="flat"
    )
    ax.set_title("pcolormesh")

    # 14: many thin lines
    ax = axes[14]
    st["lines14"] = [ax.plot(x, np.zeros_like(x), lw=0.6)[0] for _ in range(8)]
    ax.set_ylim(-9, 9)
    ax.set_title("many lines")

    # 15: annotated line
    ax = axes[15]
    (st["line15"],) = ax.plot(x, np.zeros_like(x), color="k", lw=1)
    st["ann15"] = ax.annotate(
        "",
        xy=(0, 0),
        xytext=(0.5, 0.85),
        textcoords="axes fraction",
        arrowprops={"arrowstyle": "->"},
    )
    ax.set_ylim(-1.5, 1.5)
    ax.set_title("annotation")

    # Static detail that a dashboard carries and every full redraw pays for again.
    for ax in axes:
        if ax.axison:
            ax.xaxis.set_minor_locator(AutoMinorLocator())
            ax.tick_params(labelsize=8)

    return fig, st


def _band(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Polygon vertices of the area between two curves."""
    return np.concatenate([np.column_stack([x, hi]), np.column_stack([x[::-1], lo[::-1]])])


def draw(st: State, frame_idx: int, params: Params) -> list[Artist]:
    """Change every panel, so a full redraw is always needed (without blitting)."""
    ph = params["phase"]
    rng = frame_rng(frame_idx)
    x = st["x"]

    for k, line in enumerate(st["lines0"]):
        line.set_ydata(np.sin(x + k + ph) + 0.5 * np.sin(3.0 * x - ph))

    jitter = 0.3 * np.array([math.cos(ph), math.sin(ph)])
    st["scatter1"].set_offsets(st["sc_base"] + jitter)

    heights = 1.0 + np.sin(np.arange(_P16_N_BARS) * 0.3 + ph)
    for bar, h in zip(st["bars2"], heights, strict=True):
        bar.set_height(h)

    gx, gy = st["gx"], st["gy"]
    st["img3"].set_data(np.sin(gx * 2.0 + ph) * np.cos(gy * 2.0 - ph))

    xf = st["xf"]
    yf = np.sin(xf + ph)
    st["fill4"].set_xy(_band(xf, np.full_like(xf, -1.5), yf))
    st["line4"].set_data(xf, yf)

    vals = rng.normal(size=len(st["texts5"]))
    for r, (text, v) in enumerate(zip(st["texts5"], vals, strict=True)):
        text.set_text(f"metric {r}: {v:+.4f}  frame {frame_idx}")

    walk = np.cumsum(rng.normal(size=300))
    st["line6"].set_ydata(walk - walk.mean())

    st["scatter7"].set_sizes(1.0 + 15.0 * rng.random(len(st["sc7_base"])))

    for bar, w in zip(st["bars8"], 1.0 + np.cos(np.arange(16) * 0.5 + ph), strict=True):
        bar.set_width(w)

    st["img9"].set_data(np.cos(np.hypot(gx, gy) * 3.0 - ph))

    st["line10"].set_ydata(np.sin(np.arange(120) * 0.15 + ph) * 2.0)

    xb = st["xb"]
    mid = np.sin(xb + ph)
    for k, patch in enumerate(st["fill11"]):
        off = 0.8 * k
        patch.set_xy(_band(xb, mid - 1.0 + off, mid + 0.5 + off))

    counts, _ = np.histogram(rng.normal(size=2000), bins=st["hist_edges"], density=True)
    for bar, c in zip(st["bars12"], counts, strict=True):
        bar.set_height(c)

    yy, xx = np.mgrid[0:40, 0:60]
    st["mesh13"].set_array(np.sin(xx * 0.2 + ph) * np.cos(yy * 0.2 + ph))

    for k, line in enumerate(st["lines14"]):
        line.set_ydata(np.sin(x * (1.0 + 0.1 * k) + ph) + (k - 3.5) * 2.0)

    y15 = np.sin(x * 0.5 + ph)
    st["line15"].set_ydata(y15)
    i_max = int(np.argmax(y15))
    st["ann15"].xy = (x[i_max], y15[i_max])
    st["ann15"].set_text(f"max at x={x[i_max]:.2f}")

    return [
        *st["lines0"],
        st["scatter1"],
        *st["bars2"],
        st["img3"],
        st["fill4"],
        st["line4"],
        *st["texts5"],
        st["line6"],
        st["scatter7"],
        *st["bars8"],
        st["img9"],
        st["line10"],
        *st["fill11"],
        *st["bars12"],
        st["mesh13"],
        *st["lines14"],
        st["line15"],
        st["ann15"],
    ]
