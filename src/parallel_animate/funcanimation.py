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
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parallel_animate.pipeline import run
from parallel_animate.plan import RunOptions, RunPlan, build_plan
from parallel_animate.render import background_patches, draw_to_array
from parallel_animate.saved_animation import (
    SavedFuncAnimation,
    animation_fps,
    animation_frames,
    read_parts,
)

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
_SET_BY_SAVE = ("self", "output_file", "param_by_frame")


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
    rc = matplotlib.rcParams
    for key, value in (
        ("facecolor", rc["savefig.facecolor"]),
        ("edgecolor", rc["savefig.edgecolor"]),
    ):
        if key not in params and value != "auto":
            params[key] = value
    return params


def _run_options(
    options: dict[str, Any], num_workers: Any, codec: Any, savefig_params: dict[str, Any]
) -> RunOptions:
    """make_video's options from save()'s ``**options`` and its own arguments."""
    for name, instead in _ANIMATION_SAVE_ONLY.items():
        if name in options:
            raise TypeError(f"parallel_animate.save() does not take {name}=: {instead}")
    accepted = [n for n in RunOptions.names() if n not in _SET_BY_SAVE]
    for name in options:
        if name in _SET_BY_SAVE:
            raise TypeError(f"parallel_animate.save() sets {name}= itself")
        if name not in accepted:
            raise TypeError(
                f"parallel_animate.save() got an unexpected keyword argument {name!r}; "
                f"it passes on those of Animator.make_video: {', '.join(sorted(accepted))}"
            )
    if codec is not None and "video_codec" in options:
        raise TypeError("give the encoder as codec= or video_codec=, not both")
    values = dict(options, num_workers=num_workers, savefig_params=savefig_params)
    if codec is not None:
        values["video_codec"] = codec
    return RunOptions(**values)


@contextlib.contextmanager
def _lent(anim: FuncAnimation, fig: Figure) -> Iterator[None]:
    """Draw on the animation's own figure in this process, as Animation.save does,
    and leave it as it was found, save for what ``func`` changed.

    While inside, the animation does not start when the figure is first drawn
    (matplotlib starts it from a "draw_event" callback, which Animation.save silences
    too). Afterwards its canvas, dpi, background colours and the animated flags of its
    artists are restored.
    """
    private: Any = anim  # matplotlib keeps the start callback in private attributes
    canvas = fig.canvas
    dpi = fig.dpi
    backgrounds = [(p, p.get_facecolor(), p.get_edgecolor()) for p in background_patches(fig)]
    animated = {id(a) for a in fig.findobj(lambda a: a.get_animated())}
    callbacks = fig.canvas.callbacks
    start_id = getattr(private, "_first_draw_id", None)
    connected = getattr(callbacks, "callbacks", {}).get("draw_event", {})
    started = start_id is None or start_id not in connected
    if start_id is not None and not started:
        callbacks.disconnect(start_id)
    try:
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
            private._first_draw_id = callbacks.connect("draw_event", private._start)
        fig.stale = True


def _check_frames(job: SavedFuncAnimation, frames: list[Any]) -> None:
    """Draw ``frames`` in order then in reverse order, each after the init step; raise
    ValueError if any frame differs: func then depends on the frames drawn before."""
    import numpy as np

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


def _is_pickled(plan: RunPlan) -> bool:
    """Whether the job reaches its workers pickled: not in this process, nor in forked
    workers that inherit it; yes for spawn/forkserver workers and other backends."""
    if plan.backend is not None:
        return True
    return plan.workers > 1 and multiprocessing.get_start_method() != "fork"


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
            ``num_workers=1`` or ``check=True``; it is left as ``Animation.save``
            leaves it (showing what func last drew), never closed.
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
            ``video_params``, ``n_frames``, ``disable_progress_bar``, ``blit``
            (``"auto"`` by default: only what changed is redrawn, each frame the
            bytes of a full draw; ``True``: only the artists func returns, as a
            blitting FuncAnimation's func does; ``False``: full draws).

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
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "parallel_animate.save() was called while a worker process was starting: "
            "'spawn' and 'forkserver' workers import the main script again, so the code "
            'that saves must be under `if __name__ == "__main__":`'
        )
    parts = read_parts(anim)
    if "savefig_params" in options:
        if savefig_kwargs is not None:
            raise TypeError("give savefig_kwargs= or savefig_params=, not both")
        savefig_kwargs = options.pop("savefig_params")
    savefig_params = _savefig_params(parts.fig, dpi, savefig_kwargs)
    run_options = _run_options(options, num_workers, codec, savefig_params)
    if not isinstance(check, bool):
        raise TypeError("check must be True or False")
    if parts.endless and run_options.n_frames is None:
        raise ValueError(
            "the animation never ends (frames=None without save_count): give the "
            "FuncAnimation frames= or save_count=, or save(..., n_frames=N)"
        )
    first, has_first, frames = animation_frames(anim, parts)
    head: list[Any] = []
    if check:  # the frames drawn twice by the check, read now; the run gets them too
        if isinstance(frames, list):
            head = frames[:CHECK_FRAMES]
        else:
            head = list(itertools.islice(frames, CHECK_FRAMES))
            frames = itertools.chain(head, frames)
    # Disable matplotlib's "Animation was deleted without rendering anything" warning,
    # as Animation.save does.
    anim._draw_was_started = True  # type: ignore[attr-defined]
    job = SavedFuncAnimation(parts.fig, parts.func, parts.init_func, parts.fargs, first, has_first)
    plan = build_plan(
        job,
        filename,
        frames,
        animation_fps(parts) if fps is None else fps,
        run_options,
        progress_callback=progress_callback,
        lent_figure=parts.fig,
    )
    with _lent(anim, parts.fig):
        if _is_pickled(plan):
            job.payload()  # a clear TypeError now rather than from a worker start
        if check:
            _check_frames(job, head)
        return run(plan)
