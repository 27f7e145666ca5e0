"""Save an existing ``matplotlib.animation.FuncAnimation`` in parallel.

``parallel_animate.save(anim, "out.mp4")`` renders the frames that ``anim.save`` would
render, on every core, through the same pipeline as :meth:`Animator.make_video`: the
animation becomes an :class:`Animator` whose ``setup()`` is the animation's figure after
its init step and whose ``update()`` calls ``func``.

The one rule: ``func`` must draw frame ``k`` the same whatever frames were drawn before
it. Each worker starts from the init step at some frame ``k``, not at frame 0.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import multiprocessing
import os
import pickle
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parallel_animate.animator import Animator

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

#: Frames drawn twice by ``check=True``: in order, then in reverse order.
CHECK_FRAMES = 3

# Arguments of Animation.save that have no meaning here, with what to do instead.
_ANIMATION_SAVE_ONLY = {
    "writer": "the encoder is PyAV's own; the file extension picks the format and "
    "codec=/video_params= the encoder",
    "bitrate": "set the quality with video_params (e.g. {'crf': '18'} for libx264)",
    "extra_args": "pass encoder options as video_params={...}",
    "metadata": "metadata is not written",
    "extra_anim": "save one animation at a time",
}
# make_video arguments that save() fills in itself.
_SET_BY_SAVE = ("self", "output_file", "param_by_frame", "fps", "num_workers")


class SavedFuncAnimation(Animator):
    """A FuncAnimation as an Animator; used by :func:`save`, not meant to be subclassed.

    ``setup()`` returns the animation's figure (in a worker: the worker's copy of it)
    after the animation's init step, exactly as ``Animation.save`` starts: ``init_func()``
    or, without one, ``func(first frame)``. ``update(k, data)`` calls
    ``func(data, *fargs)`` and returns what it returns (the changed artists of a blitting
    animation, used by ``blit=True``). Errors in ``init_func`` are reported as errors of
    ``setup()``, errors in ``func`` as errors of ``update()``.

    Under the "fork" start method the workers inherit the figure and the functions.
    Otherwise they are pickled together (one pickle, so that a closure still refers to
    the artists of the copied figure), with cloudpickle when it is installed.
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

    # -- shipping to workers -------------------------------------------------------
    def __deepcopy__(self, memo: dict[int, Any]) -> SavedFuncAnimation:
        # A deep copy of a figure would not carry func along (functions are not copied):
        # in this process, the run draws on the animation's own figure, as
        # Animation.save does.
        return self

    def payload(self) -> bytes:
        """The figure, functions and first frame as one pickle (made once)."""
        if self._payload is None:
            self._payload = _dumps(
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


def _dumps(parts: dict[str, Any]) -> bytes:
    """Pickle ``parts`` in one go; a TypeError names the part that cannot be pickled."""
    try:
        import cloudpickle
    except ImportError:
        cloudpickle = None
    dumps = cloudpickle.dumps if cloudpickle is not None else pickle.dumps
    try:
        return dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        culprit, error = "the animation", exc
        for name, value in parts.items():
            try:
                dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as part_exc:
                culprit, error = name, part_exc
                break
        method = multiprocessing.get_start_method()
        if cloudpickle is None:
            hint = (
                "Install cloudpickle (pip install cloudpickle) to send closures, lambdas "
                "and functions of a script or notebook; or "
            )
        else:
            hint = "Keep it out of func's variables (and fargs); or "
        raise TypeError(
            f"{culprit} of the FuncAnimation cannot be sent to worker processes: the "
            f"{method!r} start method pickles it"
            f"{' with cloudpickle' if cloudpickle is not None else ''} "
            f"({type(error).__name__}: {error}). {hint}use the 'fork' start method "
            "(multiprocessing.set_start_method('fork'), not on Windows), or num_workers=1."
        ) from exc


@dataclass(frozen=True)
class _Parts:
    """What save() needs of a FuncAnimation (matplotlib keeps it in private attributes)."""

    fig: Figure
    func: Callable[..., Any]
    init_func: Callable[[], Any] | None
    fargs: tuple[Any, ...]
    save_count: int | None
    interval: float
    endless: bool  # frames=None and no save_count: itertools.count


def _parts(anim: Any) -> _Parts:
    from matplotlib.animation import FuncAnimation

    if not isinstance(anim, FuncAnimation):
        raise TypeError(
            "parallel_animate.save takes a matplotlib.animation.FuncAnimation, got "
            f"{type(anim).__name__}; for your own classes, subclass parallel_animate.Animator"
        )
    try:
        return _Parts(
            fig=anim._fig,
            func=anim._func,
            init_func=anim._init_func,
            fargs=tuple(anim._args or ()),
            save_count=anim._save_count,
            interval=getattr(anim, "_interval", 200),
            endless=anim._iter_gen is itertools.count and anim._save_count is None,
        )
    except AttributeError as exc:  # matplotlib moved its internals
        import matplotlib

        raise TypeError(
            f"cannot read this FuncAnimation's settings with matplotlib "
            f"{matplotlib.__version__} ({exc}); please report it"
        ) from None


def _frames(anim: FuncAnimation, parts: _Parts) -> tuple[Any, bool, Iterable[Any]]:
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


def _fps(parts: _Parts) -> Fraction:
    """Animation.save's default: one frame per ``interval`` milliseconds (kept exact)."""
    interval = parts.interval
    try:
        value = Fraction(repr(interval)) if isinstance(interval, float) else Fraction(interval)
    except (TypeError, ValueError):
        raise ValueError(f"the animation's interval {interval!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"the animation's interval must be > 0 ms to give an fps, got {interval}")
    return Fraction(1000) / value


def _savefig_params(
    fig: Figure, dpi: Any, savefig_kwargs: dict[str, Any] | None
) -> dict[str, Any]:
    """savefig_kwargs plus dpi, with Animation.save's defaults from rcParams."""
    import matplotlib

    if savefig_kwargs is not None and not isinstance(savefig_kwargs, dict):
        raise TypeError(
            f"savefig_kwargs must be a dict or None, got {type(savefig_kwargs).__name__}"
        )
    params = dict(savefig_kwargs or {})
    if dpi is None:
        dpi = params.get("dpi", matplotlib.rcParams["savefig.dpi"])
    if dpi == "figure":
        dpi = fig.dpi
    params["dpi"] = dpi
    for key in ("facecolor", "edgecolor"):
        rc = matplotlib.rcParams[f"savefig.{key}"]
        if key not in params and rc != "auto":
            params[key] = rc
    return params


def _make_video_options(options: dict[str, Any]) -> dict[str, Any]:
    """Check ``options`` against make_video's signature (whatever it has today)."""
    for name, instead in _ANIMATION_SAVE_ONLY.items():
        if name in options:
            raise TypeError(f"parallel_animate.save() does not take {name}=: {instead}")
    accepted = set(inspect.signature(Animator.make_video).parameters) - set(_SET_BY_SAVE)
    for name in options:
        if name not in accepted:
            if name in _SET_BY_SAVE:
                raise TypeError(f"parallel_animate.save() sets {name}= itself")
            raise TypeError(
                f"parallel_animate.save() got an unexpected keyword argument {name!r}; "
                f"it passes on those of Animator.make_video: {', '.join(sorted(accepted))}"
            )
    return dict(options)


def _background_patches(fig: Any) -> list[Any]:
    """The background patches of the figure, its subfigures and all their Axes: what
    savefig_params' facecolor, edgecolor and transparent change."""
    patches = [fig.patch]
    for subfig in fig.subfigs:
        patches += _background_patches(subfig)
    stack = list(fig.axes)
    while stack:
        ax = stack.pop()
        patches.append(ax.patch)
        stack.extend(ax.child_axes)
    return patches


@contextlib.contextmanager
def _lent(anim: FuncAnimation, fig: Figure) -> Iterator[None]:
    """Draw on the animation's own figure in this process, as Animation.save does,
    and leave it as it was found, save for what ``func`` changed.

    While inside: the figure is never closed by the pipeline, and the animation does not
    start when the figure is first drawn (matplotlib starts it from a "draw_event"
    callback, which Animation.save silences too). Afterwards its canvas, dpi, background
    colours and the animated flags of its artists are restored.
    """
    from parallel_animate.render import lent_figure

    canvas = fig.canvas
    dpi = fig.dpi
    backgrounds = [(p, p.get_facecolor(), p.get_edgecolor()) for p in _background_patches(fig)]
    animated = {id(a) for a in fig.findobj(lambda a: a.get_animated())}
    callbacks = fig.canvas.callbacks
    start_id = getattr(anim, "_first_draw_id", None)
    connected = getattr(callbacks, "callbacks", {}).get("draw_event", {})
    started = start_id is None or start_id not in connected
    if not started:
        callbacks.disconnect(start_id)
    try:
        with lent_figure(fig):
            yield
    finally:
        if fig.dpi != dpi:
            fig.dpi = dpi  # before the canvas is back: no GUI window is resized
        if fig.canvas is not canvas:
            fig.set_canvas(canvas)
        for patch, facecolor, edgecolor in backgrounds:
            if patch.get_facecolor() != facecolor:
                patch.set_facecolor(facecolor)
            if patch.get_edgecolor() != edgecolor:
                patch.set_edgecolor(edgecolor)
        for artist in fig.findobj():
            if artist.get_animated() != (id(artist) in animated):
                artist.set_animated(id(artist) in animated)
        if not started:
            anim._first_draw_id = callbacks.connect("draw_event", anim._start)
        fig.stale = True


def _check_frames(job: SavedFuncAnimation, frames: list[Any]) -> None:
    """Draw ``frames`` in order then in reverse order, each after the init step; raise
    ValueError if any frame differs: func then depends on the frames drawn before."""
    import numpy as np

    from parallel_animate.render import draw_to_array

    def draw_all(order: Iterable[int]) -> dict[int, np.ndarray]:
        fig = job.setup()
        out = {}
        for i in order:
            job.update(i, frames[i])
            out[i] = draw_to_array(fig)[..., :3].copy()
        return out

    forward = draw_all(range(len(frames)))
    backward = draw_all(reversed(range(len(frames))))
    for i in range(len(frames)):
        if not np.array_equal(forward[i], backward[i]):
            changed = int(np.any(forward[i] != backward[i], axis=-1).sum())
            raise ValueError(
                f"check failed: frame {i} of the animation is drawn differently when other "
                f"frames were drawn before it ({changed} pixels differ between drawing "
                f"frames {list(range(len(frames)))} in order and in reverse order). "
                "Worker processes start at different frames, each after the init step, "
                "so func must draw frame k the same whatever frames came before: set "
                "every artist it changes from the frame data alone (func and init_func "
                "must not add artists or accumulate state on each call; seed any "
                "randomness from the frame). num_workers=1 renders in order, as "
                "Animation.save does."
            )


def _is_pickled(num_workers: Any, options: dict[str, Any]) -> bool:
    """Whether the job reaches its workers pickled: not in this process, nor in forked
    workers that inherit it; yes for spawn/forkserver workers and other backends."""
    from parallel_animate.pipeline import resolve_workers

    if options.get("backend") is not None:
        return True
    return resolve_workers(num_workers) > 1 and multiprocessing.get_start_method() != "fork"


def save(
    anim: FuncAnimation,
    filename: str | os.PathLike[str],
    fps: float | None = None,
    dpi: float | str | None = None,
    num_workers: int = -1,
    *,
    codec: str | None = None,
    savefig_kwargs: dict[str, Any] | None = None,
    progress_callback: Callable[[int, int | None], Any] | None = None,
    check: bool = False,
    **options: Any,
) -> Path:
    """Save a ``matplotlib.animation.FuncAnimation`` to ``filename``, rendering in parallel.

    Renders the frames ``anim.save(filename)`` would (its ``frames`` / ``save_count``,
    each after the animation's ``init_func``) with ``Animator.make_video``'s
    pipeline, on ``num_workers`` processes.

    The one rule: ``func`` must draw frame ``k`` the same whatever frames were drawn
    before it, because each worker starts from the init step at some frame ``k``. An
    animation that accumulates state across frames (appends points to a list, adds an
    artist per call) must be rewritten to derive everything from the frame data, or be
    saved with ``num_workers=1`` (in order, like ``Animation.save``).

    Args:
        anim: the animation. Its figure is drawn on in this process only with
            ``num_workers=1``, ``check=True`` or ``bbox_inches="tight"``; it is left as
            ``Animation.save`` leaves it (showing what func last drew), never closed.
        filename: the output; its extension picks the format.
        fps: frames per second; default ``1000 / interval``, as ``Animation.save``.
        dpi: default ``rcParams["savefig.dpi"]`` ("figure": the figure's dpi).
        num_workers: 1 renders in this process, -1 on all cores, -2 all but one.
        codec: the encoder (``video_codec`` of make_video).
        savefig_kwargs: ``dpi``, ``facecolor``, ``edgecolor``, ``bbox_inches="tight"``,
            ``pad_inches`` (``savefig_params`` of make_video).
        progress_callback: ``progress_callback(i, n)`` once per frame rendered, in this
            process: ``i`` counts from 0, ``n`` is the frame count (None if unknown).
        check: first draw a few frames in order and in reverse order, in this process,
            and raise ValueError if they differ (func breaks the rule above).
        **options: any other argument of ``Animator.make_video``, e.g.
            ``video_params``, ``n_frames``, ``disable_progress_bar``, ``blit=True``
            (draw only the artists func returns, as a blitting FuncAnimation's func
            does, over a background cached once per worker).

    Returns:
        The path of the file written.

    Raises:
        TypeError: ``anim`` is not a FuncAnimation, an unknown argument, or what the
            workers need cannot be pickled (start methods other than "fork").
        ValueError: bad arguments (as make_video), an endless animation without
            ``n_frames``, or ``check=True`` found frames that depend on the frames
            before them.
        RenderError: ``init_func`` or ``func`` raised, or a worker died.
    """
    from parallel_animate.pipeline import frame_callback

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "parallel_animate.save() was called while a worker process was starting: "
            "'spawn' and 'forkserver' workers import the main script again, so the code "
            'that saves must be under `if __name__ == "__main__":`'
        )
    parts = _parts(anim)
    kwargs = _make_video_options(options)
    if codec is not None:
        if "video_codec" in kwargs:
            raise TypeError("give the encoder as codec= or video_codec=, not both")
        kwargs["video_codec"] = codec
    if "savefig_params" in kwargs:
        if savefig_kwargs is not None:
            raise TypeError("give savefig_kwargs= or savefig_params=, not both")
        savefig_kwargs = kwargs.pop("savefig_params")
    kwargs["savefig_params"] = _savefig_params(parts.fig, dpi, savefig_kwargs)
    if progress_callback is not None and not callable(progress_callback):
        raise TypeError("progress_callback must be callable, as progress_callback(i, n)")
    if not isinstance(check, bool):
        raise TypeError("check must be True or False")
    if parts.endless and kwargs.get("n_frames") is None:
        raise ValueError(
            "the animation never ends (frames=None without save_count): give the "
            "FuncAnimation frames= or save_count=, or save(..., n_frames=N)"
        )
    if fps is None:
        fps = _fps(parts)

    first, has_first, frames = _frames(anim, parts)
    # Disable matplotlib's "Animation was deleted without rendering anything" warning,
    # as Animation.save does.
    anim._draw_was_started = True
    job = SavedFuncAnimation(parts.fig, parts.func, parts.init_func, parts.fargs, first, has_first)
    with _lent(anim, parts.fig):
        if _is_pickled(num_workers, kwargs):
            job.payload()  # a clear TypeError now rather than from a worker start
        if check:
            if isinstance(frames, list):
                head = frames[:CHECK_FRAMES]
            else:
                head = list(itertools.islice(frames, CHECK_FRAMES))
                frames = itertools.chain(head, frames)
            _check_frames(job, head)
        token = frame_callback.set(progress_callback)
        try:
            return job.make_video(filename, frames, fps, num_workers=num_workers, **kwargs)
        finally:
            frame_callback.reset(token)
