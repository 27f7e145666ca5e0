"""Work on a frame's pixels: where a drawable really paints, and what a partial draw may
touch outside the regions it redraws.

A drawable drawn alone over transparent pixels leaves a non-zero alpha exactly where it
paints: Agg blends a colour of alpha ``a`` with coverage ``c`` into a transparent pixel as
alpha ``a * c``, and a blend of alpha zero leaves the pixel as it was. So the box of the
non-zero alpha of such a draw is where the drawable paints, to the pixel (a tick mark
next to an Axes, say, paints nothing inside it), where a box computed from its extent
must be padded for antialiasing and rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from parallel_animate.autoblit.boxes import Box, clamp, meets

if TYPE_CHECKING:
    from matplotlib.artist import Artist


def measure(artist: Artist, box: Box, buffer: np.ndarray, renderer: Any) -> Box | None:
    """Where ``artist`` paints, measured by drawing it alone inside ``box`` (a box known
    to hold all it paints); None if it paints nothing. The pixels in ``box`` are lost.

    Ink on the edge of ``box`` (not the canvas') means the box may have cut some off:
    then the whole canvas is measured.
    """
    height, width = buffer.shape[:2]
    x0, y0, x1, y1 = clamp(box, width, height)
    if x1 <= x0 or y1 <= y0:
        return None
    area = buffer[y0:y1, x0:x1]
    area[...] = 0
    artist.draw(renderer)
    alpha = area[..., 3]
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha.any(axis=0))
    top, bottom = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
    left, right = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
    if (
        (top == y0 and y0 > 0)
        or (left == x0 and x0 > 0)
        or (bottom == y1 and y1 < height)
        or (right == x1 and x1 < width)
    ):
        return measure(artist, (0, 0, width, height), buffer, renderer)
    return (left, top, right, bottom)


def strips(outer: Box, inner: Box) -> list[Box]:
    """``outer`` less ``inner``, as up to four boxes (above, below, left, right)."""
    ox0, oy0, ox1, oy1 = outer
    ix0, iy0 = max(inner[0], ox0), max(inner[1], oy0)
    ix1, iy1 = min(inner[2], ox1), min(inner[3], oy1)
    if ix1 <= ix0 or iy1 <= iy0:
        return [outer]
    found = [
        (ox0, oy0, ox1, iy0),
        (ox0, iy1, ox1, oy1),
        (ox0, iy0, ix0, iy1),
        (ix1, iy0, ox1, iy1),
    ]
    return [b for b in found if b[2] > b[0] and b[3] > b[1]]


class Spill:
    """What a partial draw of a plan's regions may paint outside them, kept and put back.

    The members of H redrawn for a region may reach out of it (a spine's stroke, a tick
    label half inside); outside the regions of a frame the frame is the last one. Where
    those stray pixels fall is known per region: the strips between the region and the
    footprints of what is redrawn for it. If no strip meets another region, only the
    strips are kept; else the whole last frame is.
    """

    def __init__(
        self, regions: dict[int, Box], reach: dict[int, Box | None], width: int, height: int
    ) -> None:
        self.width, self.height = width, height
        self.strips: dict[int, list[Box]] = {}
        for key, box in regions.items():
            spill = reach.get(key)
            if spill is None:
                self.strips[key] = []
                continue
            inner = clamp(box, width, height)
            self.strips[key] = strips(clamp(spill, width, height), inner)
        self.simple = not any(
            meets(strip, box)
            for key, found in self.strips.items()
            for strip in found
            for other, box in regions.items()
            if other != key
        )

    def keep(self, buffer: np.ndarray, keys: list[int]) -> list[tuple[Box, np.ndarray]]:
        """The pixels a partial draw of these regions may stray into, before it."""
        if not self.simple:
            return [((0, 0, self.width, self.height), buffer.copy())]
        return [
            (b, buffer[b[1] : b[3], b[0] : b[2]].copy()) for key in keys for b in self.strips[key]
        ]

    def put_back(
        self, buffer: np.ndarray, kept: list[tuple[Box, np.ndarray]], boxes: list[Box]
    ) -> None:
        """After the draw: the kept pixels back, the regions' new pixels kept."""
        if not self.simple:  # kept: the whole last frame
            keep_inside(buffer, kept[0][1], boxes)
            return
        for (x0, y0, x1, y1), pixels in kept:
            buffer[y0:y1, x0:x1] = pixels


def keep_inside(buffer: np.ndarray, last: np.ndarray, boxes: list[Box]) -> None:
    """Keep what was drawn inside ``boxes`` and ``last`` elsewhere: outside the regions
    of a frame's changes, the frame is the last one (redrawn artists may reach out)."""
    height, width = buffer.shape[:2]
    clamped = [clamp(box, width, height) for box in boxes]
    kept = [buffer[y0:y1, x0:x1].copy() for x0, y0, x1, y1 in clamped]
    buffer[...] = last
    for (x0, y0, x1, y1), pixels in zip(clamped, kept, strict=True):
        buffer[y0:y1, x0:x1] = pixels
