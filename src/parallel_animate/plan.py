"""Options in, a validated :class:`RunPlan` out: the one gate every entry point passes.

``Animator.make_video``, ``parallel_animate.save`` and the command line all describe a
run as :class:`RunOptions` (make_video's options, as given) and call
:func:`build_plan`, which checks every one of them before any frame is rendered and
returns the plan the pipeline carries out. Nothing about a run travels any other way.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from parallel_animate.backends import check_backend
from parallel_animate.encode import VideoSettings, resolve_video_settings
from parallel_animate.encode.nvenc import SESSIONS_VARIABLE
from parallel_animate.encode.options import is_frame_pattern
from parallel_animate.render import BlitMode, FrameStyle
from parallel_animate.upstream import resolve_upstream

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from parallel_animate.animator import Animator

_logger = logging.getLogger("parallel_animate")

#: ``callback(i, n)`` once per frame rendered, ``i`` from 0, ``n`` the frame count
#: (None when unknown); called in the process that runs the pipeline.
ProgressCallback = Callable[[int, int | None], Any]


@dataclass(frozen=True)
class RunOptions:
    """The options of ``Animator.make_video`` after its first three arguments, as given
    (checked by :func:`build_plan`). One list for make_video, ``save()`` and the CLI."""

    n_frames: int | None = None
    num_workers: int = -1
    disable_progress_bar: bool | None = None
    plotting_log_interval: int | None = None
    saving_log_interval: int | None = None
    savefig_params: dict[str, Any] | None = None
    video_codec: str | None = None
    video_pixfmt: str | None = None
    video_params: dict[str, Any] | None = None
    reuse_figure_object: bool = True
    preload_factor: int = 8
    quality: int | None = None
    preset: str | None = None
    blit: BlitMode = "auto"
    backend: Any = None
    resume: bool = True
    cache_dir: str | os.PathLike[str] | None = None
    frame_timeout: float | None = None
    # parallel-matplotlib-animation 0.1.3+'s spelling (``upstream.py``)
    video_mode: Literal["auto", "gpu", "cpu"] | None = None
    video_quality: int | None = None
    video_preset: str | None = None
    video_extra_ffmpeg_params: list[str] | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class RunPlan:
    """A validated run: everything decided before the first frame is rendered."""

    animator: Animator
    output: Path
    param_by_frame: Iterable[Any]
    n_frames: int | None
    workers: int
    video: VideoSettings
    style: FrameStyle
    reuse_figure: bool
    blit: BlitMode
    preload_factor: int
    disable_progress_bar: bool | None
    plotting_log_interval: int | None
    saving_log_interval: int | None
    backend: Any = None  # None: local processes; a dask Client or scheduler address
    progress_callback: ProgressCallback | None = None
    #: a figure that belongs to the caller (``save()`` draws on the animation's own
    #: figure when it renders in this process): never closed by the run
    lent_figure: Figure | None = None
    #: seconds a frame may take (None: no limit)
    frame_timeout: float | None = None
    #: reuse the parts a failed run left (or those in ``cache_dir``)
    resume: bool = True
    #: a folder where finished segments are kept after success too
    cache_dir: Path | None = None


def cpu_count() -> int:
    """CPUs this process may run on (respects affinity masks and cgroup pinning)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def resolve_workers(num_workers: int) -> int:
    """1 = this process, -1 = all cores, -k = all but k - 1; 0 is an error."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int):
        raise TypeError(f"num_workers must be an int, got {type(num_workers).__name__}")
    if num_workers == 0:
        raise ValueError("num_workers must not be 0: use 1 for this process, -1 for all cores")
    if num_workers > 0:
        return num_workers
    return max(1, cpu_count() + num_workers + 1)


def _optional_positive_int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value


def _check_timeout(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"frame_timeout must be a number of seconds or None, got {type(value).__name__}"
        )
    seconds = float(value)
    if not 0 < seconds < float("inf"):
        raise ValueError(f"frame_timeout must be a number of seconds > 0, got {value}")
    return seconds


def _check_bool(name: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True{', False or None' if allow_none else ' or False'}")


def output_path(output_file: str | os.PathLike[str]) -> Path:
    """The output as a Path whose folder exists (a PNG pattern's folder may be made)."""
    if not isinstance(output_file, (str, os.PathLike)):
        raise TypeError(f"output_file must be a str or Path, got {type(output_file).__name__}")
    output = Path(output_file).expanduser()
    if output.is_dir():
        raise ValueError(f"output_file {output} is a directory; give a file name")
    folder = output.parent
    if is_frame_pattern(output):  # a PNG sequence: its folder is made if missing
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"the folder of the frame pattern is a file: {folder}")
        folder = folder if folder.is_dir() else folder.parent
    if not folder.is_dir():
        raise ValueError(f"the folder of output_file does not exist: {folder}")
    return output


def _cache_dir(value: Any) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"cache_dir must be a str, a Path or None, got {type(value).__name__}")
    folder = Path(value).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"cache_dir {folder} exists and is not a folder")
    return folder


def build_plan(
    animator: Animator,
    output_file: str | os.PathLike[str],
    param_by_frame: Iterable[Any],
    fps: Any,
    options: RunOptions | None = None,
    *,
    progress_callback: ProgressCallback | None = None,
    lent_figure: Figure | None = None,
) -> RunPlan:
    """Check every option and return the run's plan; ValueError/TypeError otherwise.

    Nothing is rendered and nothing is written: a mistake costs milliseconds. The
    codec is opened once on a tiny frame, so bad codec options fail here too.
    """
    o = options if options is not None else RunOptions()
    output = output_path(output_file)
    style = FrameStyle.from_savefig_params(o.savefig_params)
    workers = resolve_workers(o.num_workers)
    codec, pixfmt, params = o.video_codec, o.video_pixfmt, o.video_params
    given = {name: getattr(o, name) for name in RunOptions.names()}
    upstream = resolve_upstream(output, given, workers, o.backend)
    if upstream is not None:
        codec, pixfmt, params = upstream.video_codec, upstream.video_pixfmt, upstream.video_params
        if upstream.max_workers is not None and workers > upstream.max_workers:
            _logger.warning(
                "NVENC: %d workers, not %d: each holds an NVENC session (set %s to allow more)",
                upstream.max_workers,
                workers,
                SESSIONS_VARIABLE,
            )
            workers = upstream.max_workers
    video = resolve_video_settings(
        output,
        fps,
        codec,
        pixfmt,
        params,
        quality=o.quality,
        preset=o.preset,
        alpha=style.wants_alpha,
    )
    # the frame size is known only after setup(), in a worker: it checks it there
    style = replace(style, max_size=video.max_size, encoder=f"{video.codec} in {output.suffix}")
    n_frames = _optional_positive_int("n_frames", o.n_frames)
    preload = _optional_positive_int("preload_factor", o.preload_factor)
    if preload is None:
        raise TypeError("preload_factor must be an int >= 1, not None")
    _check_bool("disable_progress_bar", o.disable_progress_bar, allow_none=True)
    _check_bool("reuse_figure_object", o.reuse_figure_object)
    _check_bool("resume", o.resume)
    if o.blit not in (True, False, "auto") or not isinstance(o.blit, (bool, str)):
        raise TypeError(f"blit must be True, False or 'auto', got {o.blit!r}")
    if isinstance(param_by_frame, (str, bytes)) or not isinstance(param_by_frame, Iterable):
        raise TypeError(
            f"param_by_frame must be an iterable of per-frame params, "
            f"got {type(param_by_frame).__name__}"
        )
    check_backend(o.backend)
    if progress_callback is not None and not callable(progress_callback):
        raise TypeError("progress_callback must be callable, as progress_callback(i, n)")
    return RunPlan(
        animator=animator,
        output=output,
        param_by_frame=param_by_frame,
        n_frames=n_frames,
        workers=workers,
        video=video,
        style=style,
        reuse_figure=o.reuse_figure_object,
        blit=o.blit,
        preload_factor=preload,
        disable_progress_bar=o.disable_progress_bar,
        plotting_log_interval=_optional_positive_int(
            "plotting_log_interval", o.plotting_log_interval
        ),
        saving_log_interval=_optional_positive_int("saving_log_interval", o.saving_log_interval),
        backend=o.backend,
        progress_callback=progress_callback,
        lent_figure=lent_figure,
        frame_timeout=_check_timeout(o.frame_timeout),
        resume=o.resume,
        cache_dir=_cache_dir(o.cache_dir),
    )
