"""What a plan is made of: the regions a frame's changes paint, and the learned plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from parallel_animate.autoblit.boxes import Box


@dataclass
class Plan:
    """What was learned: the set H, the background, and the boxes H was closed over."""

    hidden: set[int]  # id() of the members of H
    background: np.ndarray
    #: the boxes H was closed over: id(Axes) -> its box, for the Axes whose changes stay
    #: inside it; id(Text) -> an envelope, for a text that changes outside its Axes
    regions: dict[int, Box]
    footprints: dict[int, Box | None] = field(default_factory=dict)
    #: region key -> positions in the draw order of the members of H that reach it
    redraw: dict[int, list[int]] = field(default_factory=dict)
    #: id(artist) -> the key of the region a changing artist stays in
    keys: dict[int, int] = field(default_factory=dict)
    spill: Any = None  # pixels.Spill: what a partial draw may touch outside the regions
    frames: int = 0  # frames drawn in part with it


@dataclass(frozen=True)
class Region:
    """Where the changes of one frame paint, under one key (an Axes, or a text)."""

    box: Box | None  # None: a text that paints nothing now (it was emptied or hidden)
    key: int
    members: tuple[int, ...]  # id() of the changed drawables in it
    text: bool = False  # a text outside its Axes: its box must stay in its envelope
