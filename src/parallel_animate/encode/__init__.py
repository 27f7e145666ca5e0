"""Encoding: output formats, per-segment encoders (workers) and the muxer (main)."""

from parallel_animate.encode.mux import SegmentMuxer
from parallel_animate.encode.options import VideoSettings, resolve_video_settings
from parallel_animate.encode.segment import EncodedSegment, SegmentEncoder

__all__ = [
    "EncodedSegment",
    "SegmentEncoder",
    "SegmentMuxer",
    "VideoSettings",
    "resolve_video_settings",
]
