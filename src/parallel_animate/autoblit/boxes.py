"""Boxes in buffer pixels: where an artist may paint, and the tests between boxes.

Every box here holds *at least* the pixels its artist paints (padded for antialiasing,
strokes and Agg's rounding of clip rectangles); a box too small would leave pixels of an
old frame behind, so where an artist cannot be bounded the box is the whole plane.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

#: pixels added around boxes: antialiasing and Agg's rounding reach a pixel out, a
#: glyph's ink may pass its layout box by a little
PAD = 2

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in buffer pixels (rows from the top)
#: the whole plane: for what cannot be bounded
EVERYWHERE: Box = (-(1 << 30), -(1 << 30), 1 << 30, 1 << 30)


class Unsupported(Exception):
    """This frame (or figure) cannot be shown to equal a partial draw: draw it in full."""


def meets(a: Box | None, b: Box) -> bool:
    return a is not None and a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]


def to_box(bbox: Any, height: int, pad: float = PAD) -> Box | None:
    """A display-space Bbox (y up) as buffer pixels (rows from the top), padded out."""
    x0, y0, x1, y1 = (float(v) for v in bbox.extents)
    if not all(map(math.isfinite, (x0, y0, x1, y1))):
        return EVERYWHERE
    if x1 < x0 or y1 < y0:
        return None
    return (
        math.floor(x0 - pad),
        math.floor(height - y1 - pad),
        math.ceil(x1 + pad),
        math.ceil(height - y0 + pad),
    )


def clip_reach(bbox: Any, height: int, past_edge: bool) -> Box | None:
    """The pixels an artist clipped to ``bbox`` (display space) may paint.

    matplotlib's Agg renderer rounds a clip rectangle to whole pixels. Paths, meshes and
    texts stop before its rounded right and bottom edges; markers and images are clipped
    by Agg's inclusive clip box and reach one pixel past them (``past_edge``). The left
    and top edges are floored, which also holds where a text's clip is truncated.
    """
    x0, y0, x1, y1 = (float(v) for v in bbox.extents)
    if not all(map(math.isfinite, (x0, y0, x1, y1))):
        return EVERYWHERE
    if x1 < x0 or y1 < y0:
        return None
    extra = 1 if past_edge else 0
    return (
        math.floor(x0),
        math.floor(height - y1),
        math.floor(x1 + 0.5) + extra,
        math.floor(height - y0 + 0.5) + extra,
    )


def paints_past_clip(artist: Artist) -> bool:
    """Whether Agg may paint the artist one pixel past its clip rectangle's right and
    bottom edges (:func:`clip_reach`): an artist with markers, an image, a collection
    (drawn as markers when its paths are one), anything not known to be a plain path,
    mesh or text."""
    from matplotlib.collections import Collection, QuadMesh
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    if not type(artist).__module__.startswith("matplotlib."):
        return True  # a class of the user's own may draw in any way
    if isinstance(artist, Line2D):
        return bool(private(artist)._marker) and artist.get_markersize() > 0
    if isinstance(artist, Collection) and not isinstance(artist, QuadMesh):
        return not _many_paths(artist)
    return not isinstance(artist, (Patch, QuadMesh, Text))


def _many_paths(collection: Any) -> bool:
    """Whether Collection.draw draws the collection as paths (draw_path_collection),
    not as markers: it does so unless it is one path of one size, one width and one
    colour (a scatter with colour-mapped points, or of several sizes, is paths)."""
    from matplotlib.collections import Collection, _CollectionWithSizes

    draw = type(collection).draw
    if draw is not Collection.draw and draw is not _CollectionWithSizes.draw:
        return False  # a draw of its own: unknown
    try:
        if len(collection.get_paths()) > 1 or len(np.atleast_1d(collection.get_linewidth())) > 1:
            return True
        if isinstance(collection, _CollectionWithSizes) and len(collection.get_sizes()) > 1:
            return True
        array = collection.get_array()
        mapped = private(collection)._face_is_mapped or private(collection)._edge_is_mapped
        colours = max(len(collection.get_facecolor()), len(collection.get_edgecolor()))
        return array is not None and np.size(array) > 1 and bool(mapped) and colours > 1
    except Exception:  # what a collection of another matplotlib does not have
        return False


def clamp(box: Box, width: int, height: int) -> Box:
    """The part of ``box`` on the canvas (slicing with negative bounds would wrap)."""
    x0, y0, x1, y1 = box
    return (
        min(max(x0, 0), width),
        min(max(y0, 0), height),
        max(min(x1, width), 0),
        max(min(y1, height), 0),
    )


def axes_box(ax: Axes, height: int, past_edge: bool = True) -> Box:
    """Where the Axes' clipped artists may paint: its clip rectangle in pixels (as
    :func:`clip_reach` has it), and for an Axes whose patch is not a rectangle (polar),
    the bounds of that patch's path as its clip path is measured."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import TransformedPatchPath

    box = clip_reach(ax.bbox, height, past_edge)
    if box is None:
        return (0, 0, 0, 0)
    if not isinstance(ax.patch, Rectangle):
        path = TransformedPatchPath(ax.patch).get_fully_transformed_path()
        outline = to_box(path_bounds(path), height, PAD)
        if outline is not None:
            box = union([box, outline]) or box
    return box


def window_extent(artist: Artist, renderer: Any) -> Any:
    """The artist's window extent; for a patch, the bounds of its path's points (as
    :func:`path_bounds`: no Bezier extrema, which cost as much as drawing it)."""
    from matplotlib.patches import Patch

    if isinstance(artist, Patch) and type(artist).get_window_extent is Patch.get_window_extent:
        return path_bounds(artist.get_transform().transform_path(artist.get_path()))
    return artist.get_window_extent(renderer)


def path_bounds(path: Any) -> Any:
    """A Bbox holding ``path``: the bounds of its vertices, control points of its curves
    included (a Bezier curve stays inside them), at a fraction of the cost of the tight
    bounds of ``Path.get_extents``."""
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox

    vertices = np.asarray(path.vertices, dtype=float)
    if path.codes is not None:  # a CLOSEPOLY's or STOP's vertex is not drawn
        vertices = vertices[(path.codes != Path.CLOSEPOLY) & (path.codes != Path.STOP)]
    vertices = vertices[np.isfinite(vertices).all(axis=1)]
    if len(vertices) == 0:
        return Bbox.null()
    return Bbox([vertices.min(axis=0), vertices.max(axis=0)])


def clip_bounds(artist: Artist, height: int) -> Box | None:
    """The box the artist is clipped to (its clip rectangle, or the extent of its clip
    path: a polar Axes' circle), or None if it is not clipped."""
    if not artist.get_clip_on():
        return None
    clip_box = artist.get_clip_box()
    if clip_box is not None:
        return clip_reach(clip_box, height, paints_past_clip(artist))
    clip_path = artist.get_clip_path()
    if clip_path is None:
        return None
    try:
        bounds = path_bounds(clip_path.get_fully_transformed_path())  # type: ignore[union-attr]
    except Exception:  # a clip path of an unknown kind
        return None
    return to_box(bounds, height, PAD)


def extent(artist: Artist, renderer: Any, height: int) -> Box | None:
    """Where the artist paints, padded: its window extent, its text box and arrow."""
    from matplotlib.legend import Legend
    from matplotlib.text import Annotation, Text

    if not artist.get_visible():
        return None
    try:
        if isinstance(artist, Text):
            if not artist.get_text() and artist.get_bbox_patch() is None:
                return None
            if isinstance(artist, Annotation):
                artist.update_positions(renderer)
            bboxes = [Text.get_window_extent(artist, renderer)]
            patch = artist.get_bbox_patch()
            if patch is not None:
                bboxes.append(patch.get_window_extent(renderer))
            if isinstance(artist, Annotation) and artist.arrow_patch is not None:
                bboxes.append(arrow_bounds(artist, renderer))
        else:
            bboxes = [window_extent(artist, renderer)]
    except Exception as exc:  # an artist whose extent cannot be computed
        raise Unsupported(f"no extent for a {type(artist).__name__}: {exc}") from None
    from matplotlib.transforms import Bbox

    wide = 0.0  # what may pass the box on the left and right only
    pad: float
    if isinstance(artist, Legend):  # its frame's stroke; a shadow is drawn anywhere
        if artist.shadow:
            return EVERYWHERE
        pad = PAD + 4
    elif isinstance(artist, Text):
        pad = PAD + spacing_px(artist)
        wide = overhang_px(artist)
    else:
        pad = PAD + stroke_px(artist) + marker_px(artist)
    reach = effects_px(artist)
    if not math.isfinite(reach):
        raise Unsupported(f"path effects of an unknown kind on a {type(artist).__name__}")
    return to_box(Bbox.union(bboxes).padded(wide, 0.0), height, pad + reach)


def overhang_px(text: Any) -> float:
    """How far a text's glyphs may ink past its laid-out box on the left and right: the
    tail of a slanted (italic, oblique) f or j, half an em at most; upright glyphs stay
    within the box and its padding."""
    fig = text.get_figure(root=True)
    if text.get_fontstyle() == "normal":
        return 0.0
    return 0.5 * float(text.get_fontsize()) * (fig.dpi if fig is not None else 100.0) / 72.0


def spacing_px(text: Any) -> float:
    """How far a text's ink may pass its laid-out box: a line spacing given as a number
    makes every line's box that many times the font's height, whatever its glyphs
    need, so tall glyphs (an accent, a descender, a formula) spill out of a tight one.
    Glyphs are taken to be at most 1.6 em tall (3 em for mathtext and TeX), the font's
    height at least 0.9 em."""
    spacing = text.get_linespacing()
    if spacing is None or spacing == "normal":
        return 0.0
    fig = text.get_figure(root=True)
    em = float(text.get_fontsize()) * (fig.dpi if fig is not None else 100.0) / 72.0
    tall = 3.0 if text.get_usetex() or "$" in text.get_text() else 1.6
    return max(0.0, tall - 0.9 * float(spacing)) * em / 2 + 1.0


def effects_px(artist: Artist) -> float:
    """How far the artist's path effects paint beyond it, in pixels (a stroke's half
    width, a shadow's offset, a ticked stroke's ticks); inf for effects of other kinds."""
    effects = artist.get_path_effects()
    if not effects:
        return 0.0
    points = 0.0
    for effect in effects:
        if type(effect).__module__ != "matplotlib.patheffects":
            return math.inf
        dx, dy = getattr(effect, "_offset", (0.0, 0.0))
        gc = getattr(effect, "_gc", None) or {}
        width = float(gc.get("linewidth", gc.get("lw", 0.0)) or 0.0)
        patch = getattr(effect, "patch", None)
        if patch is not None:
            width = max(width, float(patch.get_linewidth()))
        length = float(getattr(effect, "_length", 0.0))
        points = max(points, abs(dx) + abs(dy) + width / 2 + length)
    fig = artist.get_figure(root=True)
    dpi = fig.dpi if fig is not None else 100.0
    return points * dpi / 72.0 + 1.0


def arrow_bounds(ann: Any, renderer: Any) -> Any:
    """A box holding an annotation's arrow. A straight arrow (the default connection)
    lies between its two ends, give or take its head; others are measured."""
    from matplotlib.transforms import Bbox

    arrow = ann.arrow_patch
    style = arrow.get_connectionstyle()
    ends = getattr(arrow, "_posA_posB", None)
    if type(style).__name__ != "Arc3" or getattr(style, "rad", 1) != 0 or ends is None:
        return arrow.get_window_extent(renderer)
    head = arrow.get_mutation_scale() * ann.get_figure(root=True).dpi / 72.0
    points = np.array(ends, dtype=float)  # its two ends, in any order: a box of them
    box = Bbox([points.min(axis=0), points.max(axis=0)])
    return box.padded(head + stroke_px(arrow))


def stroke_px(artist: Artist) -> float:
    """How far the artist's strokes reach beyond the extent matplotlib reports (half
    the line width; a marker's edge), in pixels."""
    fig = artist.get_figure(root=True) if hasattr(artist, "get_figure") else None
    dpi = fig.dpi if fig is not None else 100.0
    points = 0.0
    for getter, share in (("get_linewidth", 0.5), ("get_markeredgewidth", 1.0)):
        value = getattr(artist, getter, None)
        if value is not None:
            try:
                points = max(points, share * float(np.max(value())))
            except (TypeError, ValueError):
                pass
    return points * dpi / 72.0 + 1.0


def marker_px(artist: Artist) -> float:
    """What a line's markers reach past the extent matplotlib reports (which pads by half
    a marker: a tick mark runs a whole marker size from its point)."""
    from matplotlib.lines import Line2D

    if not isinstance(artist, Line2D) or not private(artist)._marker:
        return 0.0
    fig = artist.get_figure(root=True)
    dpi = fig.dpi if fig is not None else 100.0
    return 0.5 * float(artist.get_markersize()) * dpi / 72.0


def footprint(artist: Artist, axes: Axes | None, renderer: Any, height: int) -> Box | None:
    """A box holding every pixel the drawable paints (as drawn now), or the whole plane
    where that cannot be bounded."""
    from matplotlib.axes import Axes
    from matplotlib.image import FigureImage
    from matplotlib.legend import Legend

    if not artist.get_visible():
        return None
    if axes is not None and artist is axes.patch:  # its edge is stroked on the box
        return to_box(axes.bbox, height, PAD + stroke_px(artist))
    fig = artist.get_figure(root=True)
    if axes is None and (fig is None or artist is fig.patch):
        return EVERYWHERE
    if isinstance(artist, FigureImage):  # its window extent is empty
        return EVERYWHERE
    clipped = clip_bounds(artist, height)
    if clipped is not None:
        return clipped
    if isinstance(artist, Axes):  # a 3D Axes, drawn as one unit
        boxes = [to_box(artist.get_tightbbox(renderer) or artist.bbox, height, PAD + 2)]
        return union([b for b in [*boxes, axes_box(artist, height)] if b is not None])
    if isinstance(artist, Legend):
        if artist.shadow:  # drawn at an offset of its own choosing
            return EVERYWHERE
        box = to_box(artist.get_window_extent(renderer), height, PAD + 4)
        if private(artist)._loc in (0, "best") and axes is not None:  # moves with the data
            return union([b for b in (box, axes_box(axes, height)) if b is not None])
        return box
    try:
        return extent(artist, renderer, height)
    except Unsupported:
        return EVERYWHERE


def envelope(box: Box) -> Box:
    """Room for a changing text to grow: half its width more on each side (at least
    20 px), a few pixels up and down. A text that outgrows it is learned anew."""
    x0, y0, x1, y1 = box
    grow = max(20, (x1 - x0) // 2)
    return (x0 - grow, y0 - 4, x1 + grow, y1 + 4)


def union(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def private(obj: Any) -> Any:
    """``obj`` for reading matplotlib's private attributes (the draw's own state)."""
    return obj
