"""H.264 levels: the lowest one a picture size and frame rate need.

x264 derives its level from its reference frames unless told; players (TVs, phones,
small boards) refuse levels above what they list, so the codec spec asks for this one
(``codecs._x264_level``).
"""

from __future__ import annotations

import math
from fractions import Fraction

#: H.264 levels (Table A-1) the automatic choice takes, from 3.0 up: level_idc, MaxMBPS,
#: MaxFS. Level 4 differs from 4.1 only in bit rate, so it is left out: 4.1 is the one
#: that players list for 1080p.
_H264_LEVELS = (
    (30, 40500, 1620),
    (31, 108000, 3600),
    (32, 216000, 5120),
    (41, 245760, 8192),
    (42, 522240, 8704),
    (50, 589824, 22080),
    (51, 983040, 36864),
    (52, 2073600, 36864),
    (60, 4177920, 139264),
    (61, 8355840, 139264),
    (62, 16711680, 139264),
)


def h264_level(width: int, height: int, fps: Fraction) -> str | None:
    """The lowest H.264 level (3.0 or above) whose frame size and macroblock rate hold
    ``width`` x ``height`` at ``fps``, as x264's ``level`` option spells it; None if
    none does."""
    mb_w, mb_h = -(-width // 16), -(-height // 16)
    mbs = mb_w * mb_h
    for idc, max_mbps, max_fs in _H264_LEVELS:
        side = math.isqrt(8 * max_fs)
        if mbs <= max_fs and mb_w <= side and mb_h <= side and mbs * fps <= max_mbps:
            return f"{idc // 10}.{idc % 10}"
    return None
