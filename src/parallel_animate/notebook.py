"""Show a rendered video or animated image inline in Jupyter, without IPython.

``parallel_animate.show("wave.mp4")`` as the last line of a cell displays the video:
the returned object has ``_repr_html_`` and ``_repr_mimebundle_``, which Jupyter (and
VS Code, Colab...) call to display it.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

#: Extension -> MIME type, for formats shown with <video>.
VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
}
#: Extension -> MIME type, for formats shown with <img>.
IMAGE_TYPES = {
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".apng": "image/apng",
    ".png": "image/png",
}
# Image types that notebook front ends render from a mime bundle without HTML.
_BUNDLE_IMAGE_TYPES = ("image/gif", "image/png")


class Media:
    """A video or animated image file, displayed inline by Jupyter.

    The file is read, base64-encoded and embedded each time the object is displayed
    (``embed=False`` links to the path instead: smaller notebooks, but the file must stay
    reachable from the notebook's folder).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        width: int | None = None,
        autoplay: bool = True,
        loop: bool = True,
        controls: bool = True,
        embed: bool = True,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or Path, got {type(path).__name__}")
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix in VIDEO_TYPES:
            self.kind, self.mime = "video", VIDEO_TYPES[suffix]
        elif suffix in IMAGE_TYPES:
            self.kind, self.mime = "image", IMAGE_TYPES[suffix]
        else:
            known = ", ".join(sorted({*VIDEO_TYPES, *IMAGE_TYPES}))
            raise ValueError(f"cannot show {self.path.name}: unknown extension; known: {known}")
        if not self.path.is_file():
            raise FileNotFoundError(f"no such file: {self.path}")
        if width is not None and (isinstance(width, bool) or not isinstance(width, int)):
            raise TypeError("width must be an int (pixels) or None")
        self.width = width
        self.autoplay = autoplay
        self.loop = loop
        self.controls = controls
        self.embed = embed

    def _src(self) -> str:
        if not self.embed:
            return html.escape(self.path.as_posix(), quote=True)
        data = base64.b64encode(self.path.read_bytes()).decode("ascii")
        return f"data:{self.mime};base64,{data}"

    def _repr_html_(self) -> str:
        width = f' width="{self.width}"' if self.width is not None else ""
        if self.kind == "image":
            alt = html.escape(self.path.name, quote=True)
            return f'<img src="{self._src()}"{width} alt="{alt}">'
        flags = "".join(
            f" {name}"
            for name, on in (
                ("controls", self.controls),
                ("autoplay", self.autoplay),
                ("muted", self.autoplay),  # browsers autoplay muted videos only
                ("loop", self.loop),
                ("playsinline", True),
            )
            if on
        )
        return (
            f'<video{width}{flags}><source src="{self._src()}" type="{self.mime}">'
            "Your browser cannot play this video.</video>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        bundle = {"text/html": self._repr_html_(), "text/plain": repr(self)}
        if self.kind == "image" and self.mime in _BUNDLE_IMAGE_TYPES and self.embed:
            bundle[self.mime] = base64.b64encode(self.path.read_bytes()).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return f"<parallel_animate.show: {self.kind} {str(self.path)!r}>"


def show(
    path: str | os.PathLike[str],
    *,
    width: int | None = None,
    autoplay: bool = True,
    loop: bool = True,
    controls: bool = True,
    embed: bool = True,
) -> Media:
    """Return an object that Jupyter displays inline: ``<video>`` for .mp4 .webm .mov
    .mkv, ``<img>`` for .gif .webp .apng .png.

    Make it the last expression of a cell (or pass it to ``IPython.display.display``).
    The file is embedded as base64 data (``embed=False``: linked by its path). ``width``
    is in CSS pixels. Videos autoplay muted and loop by default.

    Raises:
        ValueError: an extension that cannot be shown.
        FileNotFoundError: no such file.
    """
    return Media(path, width=width, autoplay=autoplay, loop=loop, controls=controls, embed=embed)
