"""A box surely holding a plain text, from its font's metrics alone (no layout).

Laying out a changed text to find its extent costs about as much as drawing it. Most
changed texts (a counter, a value) sit well inside their Axes, and for those a bound is
enough: a line of ``n`` ASCII characters is at most ``n`` of the font's widest ASCII
advance wide (plus slack for kerning and hinting, and the widest glyph's overhang), and
at most the font's full height tall, wherever its alignment puts it. Where the bound
does not settle it, the text is laid out as before.
"""

from __future__ import annotations

import functools
import math
import string
from typing import TYPE_CHECKING

from parallel_animate.autoblit.boxes import PAD, Box, effects_px, private, spacing_px

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

#: the characters the bound knows the metrics of
ASCII = string.printable.replace("\t", "").replace("\n", "").replace("\r", "")
ASCII = ASCII.replace("\x0b", "").replace("\x0c", "")
#: kerning and hinting may add to an advance: this much of an em, and a pixel, a glyph
KERN_EM = 0.1


@functools.lru_cache(maxsize=64)
def _font_paths(prop: FontProperties) -> tuple[str, ...]:
    """The font files (the fallback chain) of ``prop``; kept by its properties."""
    from matplotlib.font_manager import fontManager

    return tuple(str(p) for p in private(fontManager)._find_fonts_by_props(prop))


@functools.lru_cache(maxsize=64)
def _font_reach(
    paths: tuple[str, ...], size: float, dpi: float
) -> tuple[float, float, float, float, float]:
    """(widest advance + slack, widest overhang, ascent, descent, line gap), in pixels,
    over the ASCII glyphs and the font-wide metrics of every font of the fallback chain
    at this size."""
    from matplotlib.font_manager import get_font

    size_px = size * dpi / 72.0
    advance = overhang = top = bottom = gap = 0.0
    for path in paths:
        font = get_font([path])
        font.clear()
        font.set_size(size, dpi)
        for char in ASCII:
            glyph = font.load_char(ord(char))
            advance = max(advance, glyph.horiAdvance / 64.0)
            xmin, ymin, xmax, ymax = (v / 64.0 for v in glyph.bbox)
            overhang = max(overhang, -xmin, xmax - glyph.horiAdvance / 64.0)
            top, bottom = max(top, ymax), min(bottom, ymin)
        scale = size_px / font.units_per_EM
        # A line is as tall as its glyphs, or as the font's ascent and descent (the
        # OS/2 typographic ones, else hhea's: matplotlib's layout) where they are taller.
        ascents, descents = [font.ascender], [font.descender]
        for table, up, down, between in (
            ("OS/2", "sTypoAscender", "sTypoDescender", "sTypoLineGap"),
            ("hhea", "ascent", "descent", "lineGap"),
        ):
            found = private(font).get_sfnt_table(table)
            if found:
                ascents.append(found[up])
                descents.append(found[down])
                gap = max(gap, found[between] * scale)
        top = max(top, max(ascents) * scale)
        bottom = min(bottom, min(descents) * scale)
    return advance + KERN_EM * size_px + 1.0, overhang + 1.0, top + 1.0, 1.0 - bottom, gap


def text_bound(text: Text, height: int) -> Box | None:
    """A box holding every pixel ``text`` paints, or None where this cannot bound it
    (rotated, wrapped, mathtext or TeX, non-ASCII, a box around it, a class of its
    own)."""
    from matplotlib.text import Text

    if type(text) is not Text or not text.get_visible():
        return None
    chars = text.get_text()
    if (
        not chars
        or not chars.isascii()
        or any(c in chars for c in "$\r\t")
        or text.get_rotation() % 360
        or text.get_usetex()
        or text.get_wrap()
        or text.get_bbox_patch() is not None
    ):
        return None
    prop = text.get_fontproperties()
    fig = text.get_figure(root=True)
    if fig is None:
        return None
    try:
        advance, overhang, ascent, descent, gap = _font_reach(
            _font_paths(prop.copy()), prop.get_size_in_points(), fig.dpi
        )
    except Exception:  # a font this cannot read: lay the text out instead
        return None
    reach = effects_px(text)
    lines = chars.split("\n")
    wide = max(map(len, lines)) * advance + 2 * overhang  # the widest line at most
    spacing = text.get_linespacing()  # a number pads each line's box to that many
    extra = max(float(spacing), 1.0) * (ascent + descent) / 2 if spacing != "normal" else 0.0
    try:
        x, y = (float(v) for v in private(text)._get_xy_display())
    except Exception:
        return None
    align = text.get_horizontalalignment()
    left = {"left": x, "center": x - wide / 2, "right": x - wide}.get(align)
    if left is None or not all(map(math.isfinite, (x, y, reach))):
        return None
    one = ascent + descent + 2 * extra + gap  # a laid-out line is at most this tall
    tall = one if len(lines) == 1 else len(lines) * one + ascent + descent
    below = {
        "baseline": descent + extra + gap if len(lines) == 1 else tall,
        "top": tall,
        "bottom": 0.0,
        "center": tall / 2,
    }.get(text.get_verticalalignment(), tall)  # center_baseline: either way
    above = tall if text.get_verticalalignment() == "center_baseline" else tall - below
    if len(lines) > 1 and text.get_verticalalignment() == "baseline":
        above = tall
    pad = PAD + reach + spacing_px(text)  # tight lines: ink past the laid-out box
    tail = overhang if text.get_fontstyle() != "normal" else 0.0  # a slanted f's tail
    x0, x1 = left - tail - pad, left + wide + tail + pad
    y0, y1 = y - below - pad, y + above + pad
    return (math.floor(x0), math.floor(height - y1), math.ceil(x1), math.ceil(height - y0))
