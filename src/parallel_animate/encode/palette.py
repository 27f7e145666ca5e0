"""GIF palettes: one per frame record, exact wherever the colours fit.

A worker sees only its own segment, so no palette can span the animation; each record
gets its own, made from the pixels it writes (a later frame of a segment writes only the
pixels that changed; the others are transparent, so they keep exactly what the viewer
shows). Plots have few colours: when they fit in the palette they are kept exactly.
When they do not, the most common colours (backgrounds, lines, text) are still kept
exactly, the rest get a median-cut or octree palette (Pillow), refined once, and each
colour takes its nearest entry. Everything depends only on the pixels, so the same
colours always give the same palette.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

#: GIF's ``quantizer`` option -> Pillow's quantizer (for the colours beyond the exact ones)
QUANTIZERS = {"mediancut": Image.Quantize.MEDIANCUT, "fastoctree": Image.Quantize.FASTOCTREE}
#: above this many distinct colours (photo-like frames), Pillow maps the pixels itself:
#: the nearest-entry search grows with colours x palette
_MANY = 1 << 15
#: the share of the palette that keeps the most common colours exact when not all fit
_EXACT_SHARE = 8


def _keys(pixels: np.ndarray) -> np.ndarray:
    """Each RGB pixel of ``pixels`` (..., 3) as one 24-bit number."""
    flat = pixels.reshape(-1, 3)
    return (flat[:, 0].astype(np.uint32) << 16) | (flat[:, 1].astype(np.uint32) << 8) | flat[:, 2]


def _rgb(keys: np.ndarray) -> np.ndarray:
    return np.stack([keys >> 16, (keys >> 8) & 255, keys & 255], axis=1).astype(np.uint8)


def _nearest(colors: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Index of the nearest palette entry of each colour (squared RGB distance; exact in
    float32, whose 24-bit mantissa holds every sum of squares of 8-bit differences)."""
    c = colors.astype(np.float32)
    p = palette.astype(np.float32)
    return np.argmin((p * p).sum(axis=1) - 2 * c @ p.T, axis=1)


def _refine(colors: np.ndarray, counts: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """One k-means step: each entry moves to the mean of the colours nearest to it, or to
    the most common of them where that errs less (so a dominant colour becomes exact)."""
    entry = _nearest(colors, palette)
    n = len(palette)
    rgb = colors.astype(np.float64)
    weight = counts.astype(np.float64)
    total = np.bincount(entry, weight, minlength=n)
    mean = np.stack([np.bincount(entry, weight * rgb[:, i], minlength=n) for i in range(3)], 1)
    mean = np.clip(np.round(mean / np.maximum(total, 1)[:, None]), 0, 255)
    order = np.lexsort((-counts, entry))  # by entry, most common first
    first = order[np.r_[True, entry[order][1:] != entry[order][:-1]]]
    mode = palette.astype(np.float64)
    mode[entry[first]] = rgb[first]

    def error(centre: np.ndarray) -> np.ndarray:
        return np.bincount(entry, weight * ((rgb - centre[entry]) ** 2).sum(1), minlength=n)

    better = np.where((error(mode) <= error(mean))[:, None], mode, mean)
    return np.where((total > 0)[:, None], better, palette).astype(np.uint8)


def _pillow_palette(pixels: np.ndarray, n: int, method: Image.Quantize) -> np.ndarray:
    """At most ``n`` colours for ``pixels`` (N, 3), as Pillow's ``method`` chooses them."""
    strip = Image.fromarray(np.ascontiguousarray(pixels.reshape(1, -1, 3)), "RGB")
    paletted = strip.quantize(n, method=method)
    used = int(np.asarray(paletted).max()) + 1
    return np.array(paletted.getpalette() or [], np.uint8).reshape(-1, 3)[:used]


class Quantizer:
    """Palettes and palette indices for GIF frame records (worker side)."""

    def __init__(self, colors: int, method: str, dither: bool) -> None:
        """``colors``: the palette's size (2-256), the transparent entry included."""
        self.colors = colors
        self.method = QUANTIZERS[method]
        self.dither = dither
        self._table: np.ndarray | None = None  # colour key -> palette index, reused

    def quantize(
        self, pixels: np.ndarray, keep: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, int | None]:
        """Palette indices (H, W), the palette (K, 3) and the transparent index (None if
        unused) of ``pixels`` (H, W, 3): pixels outside ``keep`` (H, W bool; None: all)
        are transparent."""
        if keep is not None and keep.all():
            keep = None
        chosen = pixels.reshape(-1, 3) if keep is None else pixels[keep]
        room = self.colors - (0 if keep is None else 1)
        keys = _keys(chosen)
        distinct, counts = np.unique(keys, return_counts=True)
        if keep is not None and len(distinct) == room + 1:
            # One colour too many because of the transparent entry: the whole
            # rectangle, if its colours fit, is exact without one.
            if len(np.unique(_keys(pixels))) <= self.colors:
                return self.quantize(pixels)
        if len(distinct) <= room:
            palette = _rgb(distinct)
            table = self._lookup()
            table[distinct] = np.arange(len(distinct), dtype=np.uint8)
            chosen_indices = table[keys]
        elif self.dither or len(distinct) > _MANY:
            palette = _pillow_palette(chosen, room, self.method)
            chosen_indices = self._pillow_indices(pixels, chosen, palette, keep)
        else:
            palette = self._palette(chosen, keys, distinct, counts, room)
            table = self._lookup()
            table[distinct] = _nearest(_rgb(distinct), palette).astype(np.uint8)
            chosen_indices = table[keys]
        if keep is None:
            return chosen_indices.reshape(pixels.shape[:2]), palette, None
        transparent = len(palette)
        indices = np.full(pixels.shape[:2], transparent, np.uint8)
        indices[keep] = chosen_indices
        return indices, palette, transparent

    def _lookup(self) -> np.ndarray:
        """A table from every 24-bit colour to a palette index (16 MiB, made once, never
        cleared: each frame writes the entries of all the colours it reads)."""
        if self._table is None:
            self._table = np.empty(1 << 24, np.uint8)
        return self._table

    def _palette(
        self,
        chosen: np.ndarray,
        keys: np.ndarray,
        distinct: np.ndarray,
        counts: np.ndarray,
        room: int,
    ) -> np.ndarray:
        """The most common colours exactly, Pillow's palette for the pixels of the others,
        refined once."""
        # Exact colours: a share of the palette, or more when there are not many more
        # colours than entries (at most two colours per entry for the others).
        n_exact = max(room // _EXACT_SHARE, 2 * room - len(distinct))
        common = distinct[np.argsort(-counts, kind="stable")[:n_exact]]
        table = self._lookup()
        table[distinct] = 0
        table[common] = 1
        others = chosen[table[keys] == 0]
        palette = np.concatenate(
            [_rgb(common), _pillow_palette(others, room - len(common), self.method)]
        )
        return _refine(_rgb(distinct), counts, palette)

    def _pillow_indices(
        self,
        pixels: np.ndarray,
        chosen: np.ndarray,
        palette: np.ndarray,
        keep: np.ndarray | None,
    ) -> np.ndarray:
        """Pillow's mapping onto ``palette``: with dithering over the whole rectangle (the
        error spreads over neighbours), else of the chosen pixels alone."""
        reference = Image.new("P", (1, 1))
        reference.putpalette(palette.tobytes())
        if self.dither:
            image = Image.fromarray(np.ascontiguousarray(pixels), "RGB")
            mapped = np.asarray(
                image.quantize(palette=reference, dither=Image.Dither.FLOYDSTEINBERG)
            )
            return mapped.reshape(-1) if keep is None else mapped[keep]
        strip = Image.fromarray(np.ascontiguousarray(chosen.reshape(1, -1, 3)), "RGB")
        return np.asarray(strip.quantize(palette=reference, dither=Image.Dither.NONE)).reshape(-1)
