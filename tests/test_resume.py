"""Resuming and caching end to end: failures, kills, changed inputs, damaged parts,
shared caches; counting the frames each run renders and decoding what it writes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from anims import BlockAnimator, CountingAnimator, block_params, reference_frames, rendered_frames
from conftest import assert_matches_reference, decode, wait_gone, worker_children
from parallel_animate import RenderError

pytestmark = pytest.mark.slow

TESTS = Path(__file__).parent
N, FPS = 60, 10  # six segments of ten frames
SEGMENTS = [set(range(s, s + 10)) for s in range(0, N, 10)]


def _kept_starts(folder: Path) -> list[int]:
    """The first frames of the whole parts in ``folder`` (not a temporary being written,
    nor one a killed run left)."""
    parts = [p for p in folder.glob("*.part") if not p.name.startswith(".")]
    return sorted(int(p.name.split("-")[1]) for p in parts)


def _frames_of(starts) -> list[int]:
    return sorted(f for s in starts for f in range(s, s + 10))


@pytest.fixture
def log(tmp_path):
    folder = tmp_path / "log"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def clean_frames():
    """What every frame must show (x264's bytes vary a little from run to run, even for
    the same frames and settings, so two clean runs are compared this way too)."""
    return reference_frames(BlockAnimator(), block_params(N))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_run_resumes_where_it_stopped(tmp_path, log, clean_frames, workers):
    out = tmp_path / "v.mp4"
    (log / "fail").touch()
    with pytest.raises(RenderError, match="bad data at frame 55") as info:
        CountingAnimator(str(log), fail_at=55).make_video(
            out, block_params(N), fps=FPS, num_workers=workers
        )
    kept = _kept_starts(tmp_path / ".v.mp4.parts")
    assert 0 in kept and 50 not in kept
    note = "\n".join(getattr(info.value, "__notes__", []))
    if sys.version_info >= (3, 11):
        assert f"{10 * len(kept)} of {N} frames are kept in {tmp_path / '.v.mp4.parts'}" in note
        assert "run the same call again" in note
    assert not out.exists() and worker_children() == []
    rendered_frames(log)

    (log / "fail").unlink()
    CountingAnimator(str(log), fail_at=55).make_video(
        out, block_params(N), fps=FPS, num_workers=workers
    )
    assert rendered_frames(log) == sorted(set(range(N)) - set(_frames_of(kept)))
    assert_matches_reference(decode(out)[0], clean_frames)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log", "v.mp4"]  # no parts left


def test_resume_false_starts_over_and_keeps_nothing(tmp_path, log):
    out = tmp_path / "v.mp4"
    (log / "fail").touch()
    with pytest.raises(RenderError):
        CountingAnimator(str(log), fail_at=35).make_video(
            out, block_params(N), fps=FPS, num_workers=2
        )
    assert _kept_starts(tmp_path / ".v.mp4.parts")
    rendered_frames(log)
    with pytest.raises(RenderError) as info:  # still failing: nothing of it is kept
        CountingAnimator(str(log), fail_at=35).make_video(
            out, block_params(N), fps=FPS, num_workers=2, resume=False
        )
    assert not (tmp_path / ".v.mp4.parts").exists()
    assert not getattr(info.value, "__notes__", None)
    assert 30 in rendered_frames(log)
    (log / "fail").unlink()
    CountingAnimator(str(log), fail_at=35).make_video(
        out, block_params(N), fps=FPS, num_workers=2, resume=False
    )
    assert rendered_frames(log) == list(range(N))


def test_cache_dir_renders_only_what_changed(tmp_path, log):
    cache, out = tmp_path / "cache", tmp_path / "v.mp4"
    params = block_params(N)

    def render(animator=None, params=params, **options):
        animator = animator or CountingAnimator(str(log))
        animator.make_video(out, params, fps=FPS, num_workers=2, cache_dir=cache, **options)
        return rendered_frames(log)

    assert render() == list(range(N))
    first = out.read_bytes()
    (log / "setups.txt").unlink()
    # Everything found: no worker, no setup(), not one frame drawn; the same file.
    assert render() == []
    assert not (log / "setups.txt").exists()
    assert out.read_bytes() == first
    # One frame's params changed: only its segment.
    changed = [dict(p) for p in params]
    changed[33]["x"] += 1.0
    assert render(params=changed) == _frames_of([30])
    # The animator's state, the settings, the blit mode: everything again.
    assert render(CountingAnimator(str(log), dpi=90)) == list(range(N))
    assert render(quality=90) == list(range(N))
    assert render(blit=False) == list(range(N))
    assert render() == []  # the first set is still there
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "log", "v.mp4"]
    assert not list(cache.glob(".tmp-*"))


def test_editing_the_animator_renders_again(tmp_path, log):
    module = tmp_path / "edited_anim.py"
    script = tmp_path / "render.py"
    module.write_text(
        "from anims import CountingAnimator\n\nclass Edited(CountingAnimator):\n    pass  # v1\n"
    )
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path[:0] = [{str(TESTS)!r}, {str(tmp_path)!r}]
            from anims import block_params
            from edited_anim import Edited
            if __name__ == "__main__":
                Edited({str(log)!r}).make_video({str(tmp_path / "v.mp4")!r},
                    block_params(30), fps=10, num_workers=2, cache_dir={str(tmp_path / "c")!r},
                    disable_progress_bar=True)
            """
        )
    )

    def render():
        subprocess.run([sys.executable, str(script)], check=True, timeout=120)
        return rendered_frames(log)

    assert render() == list(range(30))
    assert render() == []
    module.write_text(module.read_text().replace("v1", "v2: edited"))
    assert render() == list(range(30))


def test_a_damaged_part_is_rendered_again_with_a_warning(tmp_path, log, clean_frames, caplog):
    out = tmp_path / "v.mp4"
    (log / "fail").touch()
    with pytest.raises(RenderError):
        CountingAnimator(str(log), fail_at=55).make_video(
            out, block_params(N), fps=FPS, num_workers=2
        )
    parts = sorted((tmp_path / ".v.mp4.parts").glob("*.part"), key=lambda p: p.stat().st_mtime)
    assert len(parts) >= 2
    truncated, flipped = parts[0], parts[1]
    truncated.write_bytes(truncated.read_bytes()[:-100])
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x10
    flipped.write_bytes(bytes(data))
    damaged = [int(p.name.split("-")[1]) for p in (truncated, flipped)]
    kept = set(_kept_starts(tmp_path / ".v.mp4.parts")) - set(damaged)
    (log / "fail").unlink()
    rendered_frames(log)
    with caplog.at_level(logging.WARNING, "parallel_animate"):
        CountingAnimator(str(log), fail_at=55).make_video(
            out, block_params(N), fps=FPS, num_workers=2
        )
    assert caplog.text.count("is damaged") == 2
    assert rendered_frames(log) == sorted(set(range(N)) - set(_frames_of(kept)))
    assert_matches_reference(decode(out)[0], clean_frames)


def _script(tmp_path: Path, out: Path | None, n: int, extra: str = "", slow: float = 0.0) -> Path:
    """A script rendering ``n`` frames to ``out`` (None: to its first argument)."""
    script = tmp_path / "render.py"
    target = "sys.argv[1]" if out is None else repr(str(out))
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path.insert(0, {str(TESTS)!r})
            from anims import CountingAnimator, block_params

            class Slow(CountingAnimator):
                def update(self, frame_idx, params):
                    time.sleep({slow})
                    super().update(frame_idx, params)

            if __name__ == "__main__":
                Slow({str(tmp_path / "log")!r}).make_video({target}, block_params({n}),
                    fps=10, num_workers=2, disable_progress_bar=True{extra})
            """
        )
    )
    return script


def test_sigkill_of_the_main_process_leaves_no_worker_and_the_rerun_renders_the_rest(
    tmp_path, log
):
    n = 120  # twelve segments
    out = tmp_path / "v.mp4"
    script = _script(tmp_path, out, n, slow=0.05)
    proc = subprocess.Popen([sys.executable, str(script)])
    parts = tmp_path / ".v.mp4.parts"
    deadline = time.monotonic() + 120
    while len(_kept_starts(parts)) < 9 and time.monotonic() < deadline:  # ~75 %
        time.sleep(0.05)
    assert proc.poll() is None, "the render ended before it could be killed"
    workers = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert wait_gone(workers, seconds=10)  # they notice their parent is gone
    kept = _kept_starts(parts)
    assert len(kept) >= 9 and not out.exists()
    rendered_frames(log)
    subprocess.run([sys.executable, str(script)], check=True, timeout=120)
    assert rendered_frames(log) == sorted(set(range(n)) - set(_frames_of(kept)))
    assert len(decode(out)[0]) == n
    assert not parts.exists()


def test_two_processes_share_a_cache_dir(tmp_path, log, clean_frames):
    cache = tmp_path / "cache"
    outs = [tmp_path / "a.mp4", tmp_path / "b.mp4"]
    # One script (its source is part of the key), each process its own output.
    script = _script(tmp_path, None, N, extra=f", cache_dir={str(cache)!r}")
    procs = [subprocess.Popen([sys.executable, str(script), str(o)]) for o in outs]
    assert [p.wait(timeout=180) for p in procs] == [0, 0]
    for out in outs:
        assert_matches_reference(decode(out)[0], clean_frames)
    assert len(_kept_starts(cache)) == N // 10  # one part per segment, whole
    assert not list(cache.glob(".tmp-*"))
    rendered_frames(log)
    subprocess.run([sys.executable, str(script), str(outs[0])], check=True, timeout=120)
    assert rendered_frames(log) == []


def test_save_of_a_funcanimation_resumes(tmp_path, log):
    import matplotlib.pyplot as plt

    from funcanims import counting_animation
    from parallel_animate import save

    out = tmp_path / "f.mp4"
    (log / "fail").touch()
    _, anim = counting_animation(str(log), N, fail_at=55)
    with pytest.raises(RenderError, match="bad data at frame 55"):
        save(anim, out, fps=FPS, num_workers=2)
    kept = _kept_starts(tmp_path / ".f.mp4.parts")
    assert kept
    rendered_frames(log)
    (log / "fail").unlink()
    plt.close("all")
    _, anim = counting_animation(str(log), N, fail_at=55)  # built again, as a rerun does
    save(anim, out, fps=FPS, num_workers=2)
    done = rendered_frames(log)
    assert done == sorted(set(range(N)) - set(_frames_of(kept)))
    assert len(decode(out)[0]) == N and not (tmp_path / ".f.mp4.parts").exists()
    plt.close("all")


def _image_frames(path: Path) -> list:
    """Every frame of a GIF, WebP or APNG, or of a PNG sequence's files, as RGBA."""
    from PIL import Image, ImageSequence

    if "%" in path.name:
        files = sorted(path.parent.glob("f_*.png"))
        return [np.asarray(Image.open(f).convert("RGBA")) for f in files]
    with Image.open(path) as image:
        return [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(image)]


@pytest.mark.parametrize("name", ["v.gif", "v.webp", "seq/f_%03d.png", "v.mkv"])
def test_every_format_resumes_to_the_file_of_a_clean_run(tmp_path, log, name):
    clean = tmp_path / "clean" / name
    clean.parent.mkdir(parents=True)
    CountingAnimator(str(log)).make_video(
        clean, block_params(30), fps=FPS, num_workers=2, resume=False
    )
    out = tmp_path / "run" / name
    out.parent.mkdir(parents=True)
    (log / "fail").touch()
    with pytest.raises(RenderError):
        CountingAnimator(str(log), fail_at=25).make_video(
            out, block_params(30), fps=FPS, num_workers=2
        )
    assert _kept_starts(out.with_name(f".{out.name}.parts"))
    (log / "fail").unlink()
    rendered_frames(log)
    CountingAnimator(str(log), fail_at=25).make_video(
        out, block_params(30), fps=FPS, num_workers=2
    )
    assert 0 < len(rendered_frames(log)) < 30
    if name.endswith(".mkv"):  # x264: compared as any two clean runs are
        assert_matches_reference(
            decode(out)[0], reference_frames(BlockAnimator(), block_params(30))
        )
    else:  # lossless or palette formats: the very same frames
        resumed, expected = _image_frames(out), _image_frames(clean)
        assert len(resumed) == len(expected) == 30
        assert all(np.array_equal(a, b) for a, b in zip(resumed, expected, strict=True))
    assert sorted(p.name for p in out.parent.iterdir() if not p.name.startswith("f_")) == (
        [] if "%" in name else [name]
    )
