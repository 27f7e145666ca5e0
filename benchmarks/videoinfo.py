"""What a case actually wrote, read back with PyAV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av


def inspect_video(path: Path) -> dict[str, Any]:
    """Frame count and size of what was written, to catch a run that cheated or broke."""
    if not path.exists():
        return {"output_exists": False}
    info: dict[str, Any] = {"output_exists": True, "output_bytes": path.stat().st_size}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        info["output_codec"] = stream.codec_context.name
        info["output_size_px"] = [stream.codec_context.width, stream.codec_context.height]
        info["output_pix_fmt"] = stream.codec_context.pix_fmt
        info["output_frames"] = sum(1 for pkt in container.demux(stream) if pkt.size > 0)
    return info
