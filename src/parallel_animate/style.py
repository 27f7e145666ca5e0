"""The frame style: the savefig_params that change how a frame is drawn, validated once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

#: the largest frame a worker draws: its RGBA buffer (width x height x 4 bytes) at most
#: 1 GiB (Agg's buffer, and the encoder's copy besides, live in every worker)
MAX_FRAME_BYTES = 1 << 30


class FrameSizeError(ValueError):
    """The figure, at its dpi, makes frames the encoder cannot take or a worker cannot
    hold; raised after ``setup()``, before anything is drawn."""


#: savefig_params keys that apply to frames of a video.
SUPPORTED_SAVEFIG_KEYS = (
    "dpi",
    "facecolor",
    "edgecolor",
    "bbox_inches",
    "pad_inches",
    "transparent",
)


@dataclass(frozen=True)
class FrameStyle:
    """The savefig_params that change how a frame is drawn, validated."""

    dpi: float | None = None
    facecolor: Any = None
    edgecolor: Any = None
    tight: bool = False
    pad_inches: float | None = None
    transparent: bool = False
    #: the largest frame (width, height) the codec and container take (the plan sets it)
    max_size: tuple[int, int] | None = None
    #: the codec and format that set ``max_size``, for the message
    encoder: str = ""

    def check_frame_size(self, width: float, height: float, dpi: float) -> None:
        """A :class:`FrameSizeError` unless a ``width`` x ``height`` pixel frame (the
        figure at ``dpi``) can be drawn and encoded."""
        size = f"{width:g}x{height:g} pixels (the figure at dpi {dpi:g})"
        if not (math.isfinite(width) and math.isfinite(height)):
            raise FrameSizeError(f"the frame size is not finite: {size}")
        w, h = int(width), int(height)
        if w < 1 or h < 1:
            raise FrameSizeError(f"the frame is {size}: less than one pixel; raise the dpi")
        if self.max_size is not None and (w > self.max_size[0] or h > self.max_size[1]):
            mw, mh = self.max_size
            raise FrameSizeError(
                f"the frame is {size}, larger than {self.encoder or 'the encoder'} takes: "
                f"at most {mw}x{mh}; lower the dpi or the figure size"
            )
        if w * h * 4 > MAX_FRAME_BYTES:
            raise FrameSizeError(
                f"the frame is {size}: {w * h * 4 / 2**30:.1f} GiB of RGBA per frame, more "
                f"than the limit of {MAX_FRAME_BYTES / 2**30:g} GiB; lower the dpi or the "
                f"figure size"
            )

    @property
    def wants_alpha(self) -> bool:
        """The frames are meant to be see-through: ``transparent`` or a facecolor with
        alpha below 1 (``"none"``). The output format must then keep the alpha."""
        if self.transparent:
            return True
        if self.facecolor in (None, "auto"):
            return False
        from matplotlib.colors import to_rgba

        return to_rgba(self.facecolor)[3] < 1

    @classmethod
    def from_savefig_params(cls, params: dict[str, Any] | None) -> FrameStyle:
        if params is None:
            return cls()
        if not isinstance(params, dict):
            raise TypeError(f"savefig_params must be a dict or None, got {type(params).__name__}")
        unknown = sorted(set(params) - set(SUPPORTED_SAVEFIG_KEYS))
        if unknown:
            raise ValueError(
                f"unsupported savefig_params key(s): {', '.join(unknown)}; "
                f"supported: {', '.join(SUPPORTED_SAVEFIG_KEYS)}"
            )
        dpi = params.get("dpi")
        if dpi == "figure":
            dpi = None
        if dpi is not None:
            if (
                isinstance(dpi, bool)
                or not isinstance(dpi, (int, float))
                or not math.isfinite(dpi)
                or not dpi > 0
            ):
                raise ValueError(f"savefig_params['dpi'] must be a finite number > 0, got {dpi!r}")
            dpi = float(dpi)
        bbox = params.get("bbox_inches")
        if bbox not in (None, "tight"):
            raise ValueError(
                f"savefig_params['bbox_inches'] must be None or 'tight', got {bbox!r}"
            )
        pad = params.get("pad_inches")
        if pad is not None:
            if isinstance(pad, bool) or not isinstance(pad, (int, float)) or pad < 0:
                raise ValueError(
                    f"savefig_params['pad_inches'] must be a number >= 0, got {pad!r}"
                )
            pad = float(pad)
        transparent = params.get("transparent", False)
        if not isinstance(transparent, bool):
            raise ValueError(
                f"savefig_params['transparent'] must be True or False, got {transparent!r}"
            )
        from matplotlib.colors import to_rgba

        for key in ("facecolor", "edgecolor"):
            value = params.get(key)
            if value is not None and value != "auto":
                try:
                    to_rgba(value)
                except ValueError:
                    raise ValueError(
                        f"savefig_params[{key!r}] is not a matplotlib color: {value!r}"
                    ) from None
        return cls(
            dpi=dpi,
            facecolor=params.get("facecolor"),
            edgecolor=params.get("edgecolor"),
            tight=bbox == "tight",
            pad_inches=pad,
            transparent=transparent,
        )
