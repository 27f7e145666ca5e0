"""Exceptions raised by parallel_animate."""

from __future__ import annotations

import pickle
import traceback
from typing import Any


class RenderError(RuntimeError):
    """User code (``setup()`` or ``update()``) failed, or a worker died, while rendering.

    ``frame_index`` is the frame being rendered when it happened (None when unknown).
    The message carries the worker's original traceback text, because the original
    exception object cannot always cross a process boundary; when it can, it is chained
    as ``__cause__``.
    """

    def __init__(
        self, message: str, frame_index: int | None = None, original: BaseException | None = None
    ) -> None:
        super().__init__(message)
        self.frame_index = frame_index
        if original is not None:
            self.__cause__ = original

    @classmethod
    def from_exception(cls, exc: BaseException, frame_index: int | None, what: str) -> RenderError:
        """Wrap an exception raised by user code, keeping its traceback text."""
        tb_text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        where = f"frame {frame_index}" if frame_index is not None else "an unknown frame"
        message = (
            f"{what} raised {type(exc).__name__} while rendering {where}: {exc}\n\n"
            f"Original traceback (from the worker):\n{tb_text}"
        )
        return cls(message, frame_index, exc)

    def __reduce__(self) -> tuple[Any, ...]:
        # Ship the original exception only if it survives pickling; the traceback text
        # is in the message either way.
        original = self.__cause__
        blob = None
        if original is not None:
            try:
                blob = pickle.dumps(original)
                pickle.loads(blob)
            except Exception:
                blob = None
        return (_rebuild_render_error, (type(self), str(self), self.frame_index, blob))


def _rebuild_render_error(
    cls: type[RenderError], message: str, frame_index: int | None, blob: bytes | None
) -> RenderError:
    original = None
    if blob is not None:
        try:
            original = pickle.loads(blob)
        except Exception:
            original = None
    return cls(message, frame_index, original)
