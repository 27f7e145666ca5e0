"""A ``matplotlib.animation.FuncAnimation`` as an :class:`Animator`, for ``save()``.

:func:`read_parts` reads what ``Animation.save`` would use (matplotlib keeps it in
private attributes); :class:`SavedFuncAnimation` is the animator built from it, which
travels to workers as one pickle of the figure and the animation's functions.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import pickle
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from parallel_animate.animator import Animator
from parallel_animate.fingerprint import fingerprint
from parallel_animate.shipping import dumps_by_value
from parallel_animate.util import exact_fraction

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure


class SavedFuncAnimation(Animator):
    """A FuncAnimation as an Animator; used by :func:`save`, not meant to be subclassed.

    ``setup()`` returns the animation's figure (in a worker: the worker's copy of it)
    after the animation's init step, exactly as ``Animation.save`` starts: ``init_func()``
    or, without one, ``func(first frame)``. ``update(k, data)`` calls
    ``func(data, *fargs)`` and returns what it returns (the changed artists of a blitting
    animation, used by ``blit=True``). Errors in ``init_func`` are reported as errors of
    ``setup()``, errors in ``func`` as errors of ``update()``.

    Under the "fork" start method the workers inherit the figure and the functions.
    Otherwise they are pickled together with cloudpickle (one pickle, so that a closure
    still refers to the artists of the copied figure).
    """

    def __init__(
        self,
        fig: Figure,
        func: Callable[..., Any],
        init_func: Callable[[], Any] | None,
        fargs: tuple[Any, ...],
        first_frame: Any,
        has_first_frame: bool,
    ) -> None:
        self.fig = fig
        self.func = func
        self.init_func = init_func
        self.fargs = tuple(fargs)
        self.first_frame = first_frame
        self.has_first_frame = has_first_frame
        self._payload: bytes | None = None

    def setup(self) -> Figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = self.fig
        # A canvas of our own: frames come from its Agg buffer, no GUI widget is ever
        # touched (not even in a forked worker), and the user's canvas is left alone.
        FigureCanvasAgg(fig)
        # Artists left animated by a blitting animation that ran (or by the user) would
        # be missing from a plain draw; Animation.save draws them too.
        for artist in fig.findobj(lambda a: a.get_animated()):
            artist.set_animated(False)
        if self.init_func is not None:
            self.init_func()
        elif self.has_first_frame:
            self.func(self.first_frame, *self.fargs)
        return fig

    def update(self, frame_idx: int, params: Any) -> Any:
        return self.func(params, *self.fargs)

    # -- what a kept part's key covers (``fingerprint.run_key``) --------------------
    def _fingerprint_state(self) -> bytes | None:
        """The figure and functions as they are now, code by value (not the pid)."""
        parts = (self.fig, self.func, self.init_func, self.fargs, self.first_frame)
        return fingerprint((parts, self.has_first_frame), by_value=True)

    def _code_owners(self) -> list[Any]:
        """Whose modules' source the key covers: the animation's functions'."""
        return [self.func, self.init_func]

    # -- shipping to workers -------------------------------------------------------
    def payload(self) -> bytes:
        """The figure, functions and first frame as one pickle (made once)."""
        if self._payload is None:
            self._payload = _dumps_parts(
                {
                    "the figure": self.fig,
                    "func": self.func,
                    "init_func": self.init_func,
                    "fargs": self.fargs,
                    "the first frame's data": self.first_frame,
                }
            )
        return self._payload

    def __getstate__(self) -> dict[str, Any]:
        # Local spawn/forkserver workers get this through a file, not their start-up
        # pipe (ProcessBackend ships every context that way), so its size is no matter.
        return {
            "has_first_frame": self.has_first_frame,
            "pid": os.getpid(),
            "payload": self.payload(),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["pid"] != os.getpid():
            # A worker draws off-screen: never start a GUI toolkit there (unpickling a
            # figure that pyplot managed gives it a manager of the current backend).
            import matplotlib

            matplotlib.use("Agg")
            # A spawned worker re-runs the script's top level, which may build the
            # FuncAnimation again: it is never shown there, and that is no news.
            warnings.filterwarnings(
                "ignore", message="Animation was deleted without rendering", category=UserWarning
            )
        payload = state["payload"]
        parts = pickle.loads(payload)
        self.fig = parts["the figure"]
        self.func = parts["func"]
        self.init_func = parts["init_func"]
        self.fargs = parts["fargs"]
        self.first_frame = parts["the first frame's data"]
        self.has_first_frame = state["has_first_frame"]
        self._payload = payload


def _dumps_parts(parts: dict[str, Any]) -> bytes:
    """Pickle ``parts`` in one go; a TypeError names the part that cannot be pickled."""
    data, culprit, error = dumps_by_value(parts)
    if data is not None:
        return data
    method = multiprocessing.get_start_method()
    raise TypeError(
        f"{culprit or 'the animation'} of the FuncAnimation cannot be sent to worker "
        f"processes: the {method!r} start method pickles it with cloudpickle "
        f"({type(error).__name__}: {error}). Keep it out of func's variables (and fargs); "
        "or use the 'fork' start method (multiprocessing.set_start_method('fork'), not "
        "on Windows), or num_workers=1."
    ) from error


@dataclass(frozen=True)
class AnimationParts:
    """What save() needs of a FuncAnimation (matplotlib keeps it in private attributes)."""

    fig: Figure
    func: Callable[..., Any]
    init_func: Callable[[], Any] | None
    fargs: tuple[Any, ...]
    save_count: int | None
    interval: float
    endless: bool  # frames=None and no save_count: itertools.count


def read_parts(anim: Any) -> AnimationParts:
    from matplotlib.animation import FuncAnimation

    if not isinstance(anim, FuncAnimation):
        raise TypeError(
            "parallel_animate.save takes a matplotlib.animation.FuncAnimation, got "
            f"{type(anim).__name__}; for your own classes, subclass parallel_animate.Animator"
        )
    private: Any = anim  # what Animation.save reads lives in private attributes
    try:
        return AnimationParts(
            fig=private._fig,
            func=private._func,
            init_func=private._init_func,
            fargs=tuple(private._args or ()),
            save_count=private._save_count,
            interval=getattr(private, "_interval", 200),
            endless=private._iter_gen is itertools.count and private._save_count is None,
        )
    except AttributeError as exc:  # matplotlib moved its internals
        import matplotlib

        raise TypeError(
            f"cannot read this FuncAnimation's settings with matplotlib "
            f"{matplotlib.__version__} ({exc}); please report it"
        ) from None


def animation_frames(
    anim: FuncAnimation, parts: AnimationParts
) -> tuple[Any, bool, Iterable[Any]]:
    """The first frame's data for the init step, and the frames, as Animation.save has them.

    Animation.save first runs the init step (which, without init_func, reads a fresh
    frame sequence for its first item), then saves ``save_count`` items of another
    fresh sequence (all of them when save_count is None).
    """
    first, has_first = None, False
    if parts.init_func is None:
        with contextlib.suppress(StopIteration):
            first, has_first = next(iter(anim.new_frame_seq())), True
    frames: Iterable[Any] = anim.new_frame_seq()
    if parts.save_count is not None:
        frames = list(itertools.islice(frames, parts.save_count))
    return first, has_first, frames


def animation_fps(parts: AnimationParts) -> Fraction:
    """Animation.save's default: one frame per ``interval`` milliseconds (kept exact)."""
    interval = parts.interval
    try:
        value = exact_fraction(interval)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"the animation's interval {interval!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"the animation's interval must be > 0 ms to give an fps, got {interval}")
    return Fraction(1000) / value
