"""Boxes in buffer pixels: where an artist may paint, and the tests between boxes.

Every box here holds *at least* the pixels its artist paints (padded for antialiasing,
strokes and Agg's rounding of clip rectangles); a box too small would leave pixels of an
old frame behind, so where an artist cannot be bounded the box is the whole plane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

#: pixels added around boxes: antialiasing and Agg's rounding reach a pixel out; a clip
#: rectangle is rounded to whole pixels (half a pixel at most), a glyph's ink may pass
#: its layout box by a little
PAD = 2
CLIP_PAD = 1

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
    x0, y0, x1, y1 = bbox.x0, bbox.y0, bbox.x1, bbox.y1
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        return EVERYWHERE
    if x1 < x0 or y1 < y0:
        return None
    return (
        int(np.floor(x0 - pad)),
        int(np.floor(height - y1 - pad)),
        int(np.ceil(x1 + pad)),
        int(np.ceil(height - y0 + pad)),
    )


def clamp(box: Box, width: int, height: int) -> Box:
    """The part of ``box`` on the canvas (slicing with negative bounds would wrap)."""
    x0, y0, x1, y1 = box
    return (
        min(max(x0, 0), width),
        min(max(y0, 0), height),
        max(min(x1, width), 0),
        max(min(y1, height), 0),
    )


def axes_box(ax: Axes, height: int) -> Box:
    """Where the Axes' clipped artists may paint: its clip rectangle in pixels, and for
    an Axes whose patch is not a rectangle (polar), the bounds of that patch's path as
    its clip path is measured."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import TransformedPatchPath

    box = to_box(ax.bbox, height, CLIP_PAD)
    assert box is not None
    if not isinstance(ax.patch, Rectangle):
        path = TransformedPatchPath(ax.patch).get_fully_transformed_path()
        outline = to_box(path.get_extents(), height, PAD)
        if outline is not None:
            box = union([box, outline]) or box
    return box


def clip_bounds(artist: Artist, height: int) -> Box | None:
    """The box the artist is clipped to (its clip rectangle, or the extent of its clip
    path: a polar Axes' circle), or None if it is not clipped."""
    if not artist.get_clip_on():
        return None
    clip_box = artist.get_clip_box()
    if clip_box is not None:
        return to_box(clip_box, height, CLIP_PAD)
    clip_path = artist.get_clip_path()
    if clip_path is None:
        return None
    try:
        bounds = clip_path.get_fully_transformed_path().get_extents()  # type: ignore[union-attr]
    except Exception:  # a clip path of an unknown kind
        return None
    return to_box(bounds, height, PAD)


def clipped_inside(artist: Artist, box: Box, height: int) -> bool:
    """Whether the artist is clipped to a region inside ``box``."""
    clipped = clip_bounds(artist, height)
    return clipped is not None and inside(clipped, box)


def extent(artist: Artist, renderer: Any, height: int) -> Box | None:
    """Where the artist paints, padded: its window extent, its text box and arrow."""
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
            bboxes = [artist.get_window_extent(renderer)]
    except Exception as exc:  # an artist whose extent cannot be computed
        raise Unsupported(f"no extent for a {type(artist).__name__}: {exc}") from None
    from matplotlib.transforms import Bbox

    pad = PAD if isinstance(artist, Text) else PAD + stroke_px(artist)
    return to_box(Bbox.union(bboxes), height, pad)


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
    return Bbox(np.array(ends, dtype=float)).padded(head + stroke_px(arrow))


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


def footprint(artist: Artist, axes: Axes | None, renderer: Any, height: int) -> Box | None:
    """A box holding every pixel the drawable paints (as drawn now), or the whole plane
    where that cannot be bounded."""
    from matplotlib.axes import Axes
    from matplotlib.legend import Legend

    if not artist.get_visible():
        return None
    if axes is not None and artist is axes.patch:  # its edge is stroked on the box
        return to_box(axes.bbox, height, PAD + stroke_px(artist))
    if axes is None and artist is private(artist).get_figure(root=True).patch:
        return EVERYWHERE
    clipped = clip_bounds(artist, height)
    if clipped is not None:
        return clipped
    if isinstance(artist, Axes):  # a 3D Axes, drawn as one unit
        boxes = [to_box(artist.get_tightbbox(renderer) or artist.bbox, height, PAD + 2)]
        return union([b for b in [*boxes, axes_box(artist, height)] if b is not None])
    if isinstance(artist, Legend):
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
