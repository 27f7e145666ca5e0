"""Encoding: output formats, per-segment encoders (workers) and writers (main)."""

from parallel_animate.encode.options import VideoSettings, resolve_video_settings
from parallel_animate.encode.segment import EncodedSegment, make_segment_encoder
from parallel_animate.encode.writer import SegmentWriter, open_writer

__all__ = [
    "EncodedSegment",
    "SegmentWriter",
    "VideoSettings",
    "make_segment_encoder",
    "open_writer",
    "resolve_video_settings",
]
