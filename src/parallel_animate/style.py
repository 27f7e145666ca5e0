"""The frame style: the savefig_params that change how a frame is drawn, validated once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
            if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
                raise ValueError(f"savefig_params['dpi'] must be a number > 0, got {dpi!r}")
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
