"""``blit="auto"`` is pixel-exact: every frame equals a full draw (``blit=False``) byte
for byte, on the corpus of tests/blit_corpus.py (issue 11).

Three routes: in process (``FrameRenderer``), end to end (``make_video`` to PNG
sequences at 1 and 2 workers; slow) and FuncAnimations (``parallel_animate.save``).

Until ``"auto"`` is accepted (a TypeError "blit must be True or False" today), the tests
that need it are skipped; they assert as soon as it exists. ``PA_CORPUS_BLIT=False`` (or
``True``) runs the same harness with that mode in place of ``"auto"``, without skipping.

On a failure the message names each differing frame, the number of pixels that differ,
their bounding box (x0, y0, x1, y1 in image pixels, y down, end exclusive) and the
largest channel difference; the first differing frame is written as PNGs (got, want and
a mask of the differing pixels) under the test's tmp_path.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import parallel_animate
from blit_corpus import CASES, FUNC_ANIMATIONS, GROUPS, HISTORY_DEPENDENT, NothingChanges
from parallel_animate.render import FrameRenderer
from parallel_animate.style import FrameStyle

_MODES = {"auto": "auto", "False": False, "True": True}
#: the mode under test, compared with blit=False; "auto" unless PA_CORPUS_BLIT says
BLIT = _MODES[os.environ.get("PA_CORPUS_BLIT", "auto")]


@functools.cache
def auto_rejected() -> str | None:
    """Why ``blit="auto"`` is refused (the TypeError's message), or None if accepted.

    Asked once, through the public entry point: a one-frame PNG sequence in process.
    """
    with tempfile.TemporaryDirectory() as folder:
        try:
            NothingChanges().make_video(
                Path(folder) / "probe_%04d.png",
                [0],
                fps=1,
                num_workers=1,
                disable_progress_bar=True,
                blit="auto",
            )
        except TypeError as exc:
            if "blit" in str(exc):
                return str(exc)
            raise
    return None


@pytest.fixture
def blit_mode():
    """The mode under test; skips the test while ``"auto"`` does not exist yet."""
    if BLIT == "auto":
        reason = auto_rejected()
        if reason is not None:
            pytest.skip(f'blit="auto" is not implemented yet ({reason})')
    return BLIT


# --- comparing frames ------------------------------------------------------------------


def frame_differences(got: np.ndarray, want: np.ndarray) -> str | None:
    """None if the two frames are byte-identical; else what differs."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return f"shape/dtype {got.shape} {got.dtype} != {want.shape} {want.dtype}"
    if np.array_equal(got, want):
        return None
    mask = np.any(got != want, axis=-1) if got.ndim == 3 else got != want
    ys, xs = np.nonzero(mask)
    biggest = int(np.abs(got.astype(np.int16) - want.astype(np.int16)).max())
    return (
        f"{int(mask.sum())} pixels differ, bbox (x0, y0, x1, y1) = "
        f"({xs.min()}, {ys.min()}, {xs.max() + 1}, {ys.max() + 1}), "
        f"max channel difference {biggest}"
    )


def assert_frames_equal(got, want, label: str, save_dir: Path | None = None) -> None:
    """Every frame of ``got`` byte-identical to the same frame of ``want``."""
    assert len(got) == len(want), f"{label}: {len(got)} frames, want {len(want)}"
    problems = []
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        why = frame_differences(g, w)
        if why is None:
            continue
        if not problems and save_dir is not None and g.shape == w.shape:
            stem = save_dir / f"{label.replace('/', '_')}_frame{i}"
            Image.fromarray(g).save(f"{stem}_got.png")
            Image.fromarray(w).save(f"{stem}_want.png")
            mask = np.any(g != w, axis=-1) if g.ndim == 3 else g != w
            Image.fromarray((mask * 255).astype(np.uint8)).save(f"{stem}_diff.png")
            why += f" (written to {stem}_*.png)"
        problems.append(f"frame {i}: {why}")
    assert not problems, f"{label}: {len(problems)} of {len(want)} frames differ:\n" + "\n".join(
        problems
    )


def test_the_comparison_reports_frame_count_and_box(tmp_path):
    """The harness fails on one changed byte, and says where."""
    frames = np.zeros((3, 10, 12, 4), np.uint8)
    wrong = frames.copy()
    wrong[2, 4:6, 7, 1] = 9
    assert_frames_equal(frames, frames.copy(), "same")
    with pytest.raises(AssertionError) as info:
        assert_frames_equal(wrong, frames, "wrong", save_dir=tmp_path)
    message = str(info.value)
    assert "1 of 3 frames differ" in message
    assert "frame 2: 2 pixels differ, bbox (x0, y0, x1, y1) = (7, 4, 8, 6)" in message
    assert "max channel difference 9" in message
    assert (tmp_path / "wrong_frame2_diff.png").exists()
    with pytest.raises(AssertionError, match="shape"):
        assert_frames_equal(wrong[:, :9], frames, "cropped")


# --- in process ------------------------------------------------------------------------

#: extra frame styles, for the cases where they matter most: (id, FrameStyle)
STYLED = {
    "transparent": (
        FrameStyle(transparent=True),
        [
            "alpha_overlap",
            "legend_over_line",
            "zorder_change",
            "clip_off_outside",
            "titles_growing",
            "subfigures",
            "facecolors",
            "artist_visible_toggle",
        ],
    ),
    "dpi50": (FrameStyle(dpi=50), ["dashboard_3x3", "thick_lines", "markers_near_edge"]),
}
IN_PROCESS = [pytest.param(name, "", id=f"{GROUPS[name]}-{name}") for name in CASES] + [
    pytest.param(
        name, style_id, id=f"{GROUPS[name]}-{name}-{style_id}", marks=pytest.mark.slow
    )  # the styled variants: the slow layer, so the fast one stays well under a minute
    for style_id, (_, names) in STYLED.items()
    for name in names
]


def _style(style_id: str) -> FrameStyle:
    return STYLED[style_id][0] if style_id else FrameStyle()


def render_frames(name: str, style_id: str, blit, order=None) -> np.ndarray:
    """The frames of a case rendered in one FrameRenderer, in ``order`` (default: in
    order), returned in frame order."""
    animator = CASES[name]()
    params = animator.params()
    order = range(len(params)) if order is None else order
    renderer = FrameRenderer(animator, _style(style_id), blit=blit)
    frames = {}
    try:
        for i in order:
            frames[i] = renderer.render(i, params[i]).copy()
    finally:
        renderer.close()
    return np.stack([frames[i] for i in sorted(frames)])


@functools.cache
def reference(name: str, style_id: str, order: tuple[int, ...] | None = None) -> np.ndarray:
    """The case's frames drawn in full (blit=False) in ``order``; computed once."""
    frames = render_frames(name, style_id, False, order)
    frames.setflags(write=False)
    return frames


def jump_order(n: int) -> list[int]:
    """Frames out of order, as a worker that gets several segments draws them, and a
    frame drawn again at the end: n=8 gives 0 1 2 5 6 7 3 4 0."""
    third = n // 3
    return [*range(third), *range(n - third, n), *range(third, n - third), 0]


@pytest.mark.parametrize(("name", "style_id"), IN_PROCESS)
def test_in_process_frames_equal_full_draw(name, style_id, blit_mode, tmp_path):
    got = render_frames(name, style_id, blit_mode)
    assert_frames_equal(got, reference(name, style_id), f"{name}/{blit_mode}", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(n, id=f"{GROUPS[n]}-{n}") for n in CASES])
def test_in_process_out_of_order_equals_full_draw(name, blit_mode, tmp_path):
    """Frames drawn out of order (a worker's later segments) and one frame twice,
    against full draws in that same order."""
    order = tuple(jump_order(len(CASES[name]().params())))
    got = render_frames(name, "", blit_mode, order=order)
    want = reference(name, "", order)
    assert_frames_equal(got, want, f"{name}/{blit_mode}/jumps", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", [pytest.param(n, id=f"{GROUPS[n]}-{n}") for n in CASES if n not in HISTORY_DEPENDENT]
)
def test_corpus_is_deterministic(name, tmp_path):
    """The corpus keeps its rule: a full draw of frame k is the same whatever was drawn
    before it, so frames can be compared across renderers, orders and workers (except
    the HISTORY_DEPENDENT cases, compared in process only, in the same order)."""
    order = tuple(jump_order(len(CASES[name]().params())))
    got = reference(name, "", order)
    assert_frames_equal(got, reference(name, ""), f"{name}/False/jumps", tmp_path)


# --- end to end: make_video to PNG sequences -------------------------------------------


def read_png_sequence(folder: Path, prefix: str) -> np.ndarray:
    files = sorted(folder.glob(f"{prefix}_*.png"))
    assert files, f"no {prefix}_*.png in {folder}"
    return np.stack([np.asarray(Image.open(f)) for f in files])


#: (case, savefig_params) rendered end to end
END_TO_END = [
    ("legend_over_line", None),
    ("fill_between_recreated", None),
    ("titles_growing", None),
    ("constrained_data", None),
    ("dashboard_3x3", None),
    ("alpha_overlap", {"transparent": True}),
    ("clip_off_outside", {"bbox_inches": "tight", "dpi": 60}),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "savefig"),
    [pytest.param(n, s, id=n + ("-" + "-".join(s) if s else "")) for n, s in END_TO_END],
)
def test_png_sequence_equals_full_draw(name, savefig, blit_mode, tmp_path):
    check_png_sequence(name, savefig, blit_mode, tmp_path)


def check_png_sequence(name: str, savefig, blit_mode, tmp_path: Path) -> None:
    """The case made into PNG sequences at 1 and 2 workers with ``blit_mode`` equals its
    full draws in one process, byte for byte."""
    assert name not in HISTORY_DEPENDENT  # frames differ across workers even in full
    animator = CASES[name]()
    params = animator.params()
    # 2 fps: several segments of a second or more, so 2 workers share them out of order
    common = {"fps": 2, "disable_progress_bar": True, "savefig_params": savefig}
    animator.make_video(tmp_path / "full_%04d.png", params, num_workers=1, blit=False, **common)
    want = read_png_sequence(tmp_path, "full")
    assert len(want) == len(params)
    assert want.shape[-1] == (4 if savefig and savefig.get("transparent") else 3)
    for workers in (1, 2):
        prefix = f"w{workers}"
        animator.make_video(
            tmp_path / f"{prefix}_%04d.png",
            params,
            num_workers=workers,
            blit=blit_mode,
            **common,
        )
        got = read_png_sequence(tmp_path, prefix)
        assert_frames_equal(got, want, f"{name}/{blit_mode}/{workers} workers", tmp_path)


# --- the FuncAnimation route -----------------------------------------------------------


@pytest.mark.parametrize(
    "workers", [1, pytest.param(2, marks=pytest.mark.slow)], ids=["1worker", "2workers"]
)
@pytest.mark.parametrize("factory", list(FUNC_ANIMATIONS))
def test_funcanimation_save_equals_full_draw(factory, workers, blit_mode, tmp_path):
    fig, anim = FUNC_ANIMATIONS[factory]()
    try:
        common = {"disable_progress_bar": True, "fps": 10}
        parallel_animate.save(
            anim, tmp_path / "full_%04d.png", num_workers=1, blit=False, **common
        )
        parallel_animate.save(
            anim, tmp_path / "got_%04d.png", num_workers=workers, blit=blit_mode, **common
        )
    finally:
        plt.close(fig)
    want = read_png_sequence(tmp_path, "full")
    assert len(want) == 8
    got = read_png_sequence(tmp_path, "got")
    assert_frames_equal(got, want, f"{factory}/{blit_mode}/{workers} workers", tmp_path)
