"""H.264 on an NVIDIA GPU (NVENC): the codec spec, the probe, the session limit.

The PyAV wheels carry ``h264_nvenc``; whether it works depends on the machine (a
CUDA driver and an NVENC-capable GPU). :func:`nvenc_error` opens it once on a small
frame, in the main process, before any frame is rendered: ``video_mode="gpu"`` fails
then with FFmpeg's reason, ``"auto"`` falls back to libx264.

Every worker encodes its own segments, so each one holds an NVENC session while it
renders; consumer GeForce drivers allow only a few at once (3, later 5 and 8,
depending on the driver; data-centre GPUs have no such limit). The plan keeps the
workers of a GPU run within :func:`nvenc_sessions` (``docs/formats.md``, "GPU
encoding (NVENC)").
"""

from __future__ import annotations

import functools
import os
from fractions import Fraction

import av
import numpy as np

from parallel_animate.encode.codecs import CODECS, VideoCodec

#: environment variable: the NVENC sessions one run may hold at once
SESSIONS_VARIABLE = "PARALLEL_ANIMATE_NVENC_SESSIONS"
#: the concurrent sessions every GeForce driver has allowed (newer ones allow more)
DEFAULT_SESSIONS = 3
#: NVENC refuses tiny frames (below ~145 pixels wide on some GPUs)
PROBE_SIDE = 256


def _scale(quality: int) -> int:
    """quality 0..100 onto NVENC's constant QP 51..0."""
    return round(51 - 51 * quality / 100)


H264_NVENC = VideoCodec(
    max_size=(4096, 4096),  # H.264 on NVENC, every generation
    name="h264_nvenc",
    pixfmt="yuv420p",
    # parallel-matplotlib-animation 0.1.3+'s GPU settings (constant QP 20)
    defaults={"preset": "p7", "tune": "hq", "rc": "constqp", "qp": "20", "profile": "high"},
    presets={
        "fast": {"preset": "p2"},
        "balanced": {"preset": "p4"},
        "small": {"preset": "p7"},
    },
    quality=lambda q: {"rc": "constqp", "qp": str(_scale(q))},
)
CODECS[H264_NVENC.name] = H264_NVENC


@functools.cache
def nvenc_error() -> str | None:
    """None if an NVENC encoder opens here; else FFmpeg's reason (cached per process)."""
    try:
        ctx = av.codec.CodecContext.create(H264_NVENC.name, "w")
        if not isinstance(ctx, av.video.codeccontext.VideoCodecContext):
            return "h264_nvenc is not a video encoder in this PyAV build"
        ctx.width = ctx.height = PROBE_SIDE
        ctx.pix_fmt = "yuv420p"
        ctx.time_base = Fraction(1, 30)
        ctx.open()
        frame = av.VideoFrame.from_ndarray(
            np.zeros((PROBE_SIDE, PROBE_SIDE, 3), dtype=np.uint8), format="rgb24"
        ).reformat(format="yuv420p")
        frame.pts = 0
        ctx.encode(frame)
        ctx.encode(None)
    except Exception as exc:  # no driver, no device, no free session
        return f"{type(exc).__name__}: {exc}"
    return None


def nvenc_sessions() -> int:
    """The NVENC sessions one run may hold: ``$PARALLEL_ANIMATE_NVENC_SESSIONS`` or 3."""
    value = os.environ.get(SESSIONS_VARIABLE, "")
    if not value:
        return DEFAULT_SESSIONS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{SESSIONS_VARIABLE} must be an integer >= 1, got {value!r}")
    return int(value)
