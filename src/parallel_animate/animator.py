"""The seed-compatible entry point: subclass :class:`Animator`, call ``make_video``."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from parallel_animate.pipeline import run
from parallel_animate.plan import RunOptions, build_plan
from parallel_animate.render import BlitMode

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Animator(ABC):
    """A matplotlib figure updated frame by frame, rendered to video in parallel.

    Subclass it and define ``setup()`` (build the figure, keep the artists on
    ``self``) and ``update()`` (change them for one frame). Each worker process gets
    its own copy of the animator and calls ``setup()`` once, so ``__init__`` should
    only store data (it must be picklable for the "spawn" and "forkserver" start
    methods). ``Animator.__init__`` does nothing, so subclasses need not call it.
    """

    @abstractmethod
    def setup(self) -> Figure:
        """Build the figure and its artists; return the Figure (once per worker)."""

    @abstractmethod
    def update(self, frame_idx: int, params: Any) -> Any:
        """Change the artists for frame ``frame_idx``, described by ``params``.

        With ``make_video(..., blit=True)``, return the artists changed (an iterable).
        """

    def make_video(
        self,
        output_file: str | os.PathLike[str],
        param_by_frame: Iterable[Any],
        fps: float,
        n_frames: int | None = None,
        num_workers: int = -1,
        disable_progress_bar: bool | None = None,
        plotting_log_interval: int | None = None,
        saving_log_interval: int | None = None,
        savefig_params: dict[str, Any] | None = None,
        video_codec: str | None = None,
        video_pixfmt: str | None = None,
        video_params: dict[str, Any] | None = None,
        reuse_figure_object: bool = True,
        preload_factor: int = 8,
        *,
        quality: int | None = None,
        preset: str | None = None,
        blit: BlitMode = "auto",
        backend: Any = None,
        resume: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        frame_timeout: float | None = None,
        video_mode: Literal["auto", "gpu", "cpu"] | None = None,
        video_quality: int | None = None,
        video_preset: str | None = None,
        video_extra_ffmpeg_params: list[str] | None = None,
    ) -> Path:
        """Render every frame and write the video; return the output path.

        Args:
            output_file: the video to write; its extension picks the format: .mp4,
                .mkv, .mov, .webm, .gif, .webp, .apng, or a pattern such as
                ``frames/f_%04d.png`` for a PNG sequence (one file per frame, numbered
                from 0; its folder is created if missing). Written to temporary files
                beside it and moved into place on success, so a failed run leaves
                whatever was there untouched.
            param_by_frame: one item per frame, passed to ``update()``; any iterable,
                read lazily (generators work). Items may be
                ``IndexedFrameParams(frame_id, params)`` to give frames out of order.
            fps: frames per second of the video (> 0). An int or Fraction is exact; a
                float is the simplest fraction it stands for (12.5 is 25/2, 30000/1001
                is 30000/1001), except the NTSC decimals: 29.97, 23.976 (or 23.98),
                59.94, 119.88, 47.952, 14.985, 239.76 are N*1000/1001 (29.97 is
                30000/1001); give ``Fraction(2997, 100)`` for 29.97 itself.
            n_frames: render only this many frames of ``param_by_frame``.
            num_workers: 1 renders in this process; -1 uses all cores, -2 all but one.
            disable_progress_bar: True hides the bar; None shows it on a terminal.
            plotting_log_interval: log every N frames rendered (logger
                ``parallel_animate``).
            saving_log_interval: log every N frames written to the file.
            savefig_params: ``dpi``, ``facecolor``, ``edgecolor``, ``bbox_inches``
                ("tight"), ``pad_inches`` and ``transparent``, as for
                ``Figure.savefig``. Transparency (``transparent=True`` or a facecolor
                such as "none") needs a format with alpha: .webm, .mov (ProRes 4444),
                .mkv, .gif, .webp, .apng, PNG sequences.
            video_codec: the encoder; None takes the format's default (.mp4: libx264).
            video_pixfmt: the encoder's pixel format; None takes the codec's default
                (libx264: yuv420p).
            video_params: the encoder's options; None takes the codec's defaults
                (libx264: ``{"crf": "23", "preset": "slow"}``). They win over
                ``quality`` and ``preset``.
            reuse_figure_object: False calls ``setup()`` for every frame (slow; for
                animators whose figure cannot be reused).
            preload_factor: frames whose params are read ahead of the workers, per
                worker (the rest of ``param_by_frame`` is read as the workers need it;
                params read early for a later segment wait in a temporary file).
            quality: 0 (smallest) to 100 (best), mapped onto the codec's own scale
                (crf, qscale, WebP quality, GIF palette size); None: the codec's default.
            preset: "fast", "balanced" or "small": encoding speed against file size,
                mapped onto the codec's own presets; None: the codec's default.
            blit: ``"auto"`` (the default) redraws only what changed since the last
                frame, found through matplotlib's own change tracking, and every frame
                is byte for byte what a full draw gives; frames it cannot bound (a
                figure-level text that changes, new limits, a 3D view) are drawn in
                full. ``True`` draws only the artists ``update()`` returns (as for
                FuncAnimation's func) over a background drawn once per worker, with
                matplotlib's rule (animated artists on top). ``False`` draws every
                frame in full.
            backend: None renders in local processes (``num_workers``); a
                ``dask.distributed.Client`` or a scheduler address such as
                ``"tcp://10.0.0.5:8786"`` renders on that Dask cluster, which decides
                the number of workers (``num_workers`` is not used). Needs the ``dask``
                extra: ``pip install parallel-animate[dask]``.
            resume: True (the default) keeps each finished segment, as it arrives, in
                a hidden folder beside the output (``.<name>.parts/``): a run that
                fails or is killed leaves it, and the same call again renders only
                the segments not in it; success removes it. False deletes what an
                earlier run left there, renders everything and keeps nothing (with
                ``cache_dir``: ignores what is in it, and refreshes it).
            cache_dir: a folder where finished segments are kept after success too, so
                that a later run renders only the segments whose inputs changed (the
                params of their frames, the animator's state or code, the settings).
                Runs and processes may share it at once. See the guide's "Resuming
                and caching" for what a part's key covers.
            frame_timeout: seconds a frame may take (``update()``, the draw and its
                encoding); a frame that takes longer stops every worker and raises
                RenderError. None (the default): no limit. With ``num_workers=1`` it
                is enforced with SIGALRM on the main thread of a POSIX process (else
                not, with a warning); on Dask, from a segment's first progress report.
            video_mode: parallel-matplotlib-animation 0.1.3+'s encoder choice, kept so
                its users' calls run: "cpu" is libx264, "gpu" NVENC (``h264_nvenc``; a
                ValueError before any frame is rendered if it does not open here), "auto"
                NVENC when it opens and the workers fit in the GPU's sessions, else
                libx264. Not with ``video_codec`` (the 0.1.2 spelling). None: "auto" if
                another 0.1.3+ keyword is given, else the format's default codec.
            video_quality: 0.1.3+'s quality, H.264's quantiser scale 0-51, lower is
                better (libx264/libx265 crf, NVENC constant qp); other codecs map it as
                ``quality`` would. None: 20 with ``video_mode``. Not with ``quality`` or
                ``video_params``.
            video_preset: the encoder's own preset ("ultrafast"... "placebo" for
                libx264, "p1"... "p7" for NVENC). Not with ``preset`` or ``video_params``.
            video_extra_ffmpeg_params: raw FFmpeg arguments such as ``["-g", "10"]``:
                encoder options, ``-pix_fmt``, ``-movflags +faststart``; anything else is
                a ValueError naming it. Not with ``video_params``.

        Raises:
            ValueError, TypeError: bad arguments, before any frame is rendered (frame-id
                errors of a lazy iterable as soon as they are seen).
            RenderError: ``setup()`` or ``update()`` failed, a frame outlasted
                ``frame_timeout``, or a worker died (on Dask: more often than the
                scheduler's ``allowed-failures`` for one segment).
            ImportError: a Dask ``backend`` without Dask installed.

        A run that fails after keeping finished segments says so in its error (how
        many frames were kept, and that running it again resumes).
        """
        options = RunOptions(
            n_frames=n_frames,
            num_workers=num_workers,
            disable_progress_bar=disable_progress_bar,
            plotting_log_interval=plotting_log_interval,
            saving_log_interval=saving_log_interval,
            savefig_params=savefig_params,
            video_codec=video_codec,
            video_pixfmt=video_pixfmt,
            video_params=video_params,
            reuse_figure_object=reuse_figure_object,
            preload_factor=preload_factor,
            quality=quality,
            preset=preset,
            blit=blit,
            backend=backend,
            resume=resume,
            cache_dir=cache_dir,
            frame_timeout=frame_timeout,
            video_mode=video_mode,
            video_quality=video_quality,
            video_preset=video_preset,
            video_extra_ffmpeg_params=video_extra_ffmpeg_params,
        )
        return run(build_plan(self, output_file, param_by_frame, fps, options))
