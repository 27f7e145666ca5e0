"""Encoding: output formats, per-segment encoders (workers) and writers (main).

Modules, each importing only those listed before it:

- ``options``: fps, quality, preset and the PNG-sequence file pattern (no format).
- ``codecs``: codec specs, video (FFmpeg) and image (Pillow): defaults, presets,
  ``quality``, pixel formats, option layering.
- ``base``: the seam: ``VideoSettings``, ``EncodedSegment``, the encoder and writer
  interfaces, ``make_segment_encoder`` and ``open_writer``.
- ``writer``, ``segment``, ``mux``: one-file writers; the video segment encoder and muxer.
- ``limits``: the frame rates each output can hold (imports no module of the package).
- ``palette``: GIF palettes, one per frame record (imports no module of the package).
- ``records``, ``images``: image formats' frame records, their encoder and writers.
- ``formats``: the registry, one row per extension, one class per format.
- ``settings``: ``resolve_video_settings``, the up-front validation.
"""

from parallel_animate.encode.base import (
    EncodedSegment,
    SegmentWriter,
    VideoSettings,
    make_segment_encoder,
    open_writer,
)
from parallel_animate.encode.settings import resolve_video_settings

__all__ = [
    "EncodedSegment",
    "SegmentWriter",
    "VideoSettings",
    "make_segment_encoder",
    "open_writer",
    "resolve_video_settings",
]
