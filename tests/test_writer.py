"""Temporary files beside the output: names within NAME_MAX, one descriptor (no symlink
followed), and leftovers of a killed run removed by the next run to the same target."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from anims import BlockAnimator, block_params
from conftest import decode
from parallel_animate.encode.writer import open_temp_beside


def test_a_250_character_file_name_is_written(tmp_path):
    out = tmp_path / ("v" * 246 + ".mp4")  # 250 characters: valid, the temp is longer
    BlockAnimator().make_video(out, block_params(3), fps=3, num_workers=1)
    frames, _, _ = decode(out)
    assert len(frames) == 3
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_long_names_of_two_targets_get_different_temporaries(tmp_path):
    a, b = tmp_path / ("x" * 250 + "a.gif"), tmp_path / ("x" * 250 + "b.gif")
    (ta, fa), (tb, fb) = open_temp_beside(a), open_temp_beside(b)
    for t, fd in ((ta, fa), (tb, fb)):
        assert len(os.fsencode(t.name)) <= 255
        os.close(fd)
    assert ta.name.split("~")[1][:8] != tb.name.split("~")[1][:8]


def test_temporary_is_written_through_one_descriptor_not_a_swapped_symlink(tmp_path):
    # Swap the temporary for a symlink to a victim file right after it is created: the
    # run must write its own file (the descriptor), never the victim.
    import parallel_animate.encode.writer as writer

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    real = writer.open_temp_beside

    def swapped(output: Path):
        path, fd = real(output)
        os.unlink(path)
        os.symlink(victim, path)
        return path, fd

    writer.open_temp_beside = swapped
    try:
        for name in ("out.gif", "out.mp4"):  # the image writer and the muxer
            BlockAnimator().make_video(tmp_path / name, block_params(3), fps=3, num_workers=1)
    finally:
        writer.open_temp_beside = real
    assert victim.read_text() == "keep me"


def test_create_refuses_an_existing_symlink(tmp_path, monkeypatch):
    import parallel_animate.encode.writer as writer

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    names = iter(["aaaaaaaa" + "0" * 24, "bbbbbbbb" + "0" * 24])
    monkeypatch.setattr(writer.uuid, "uuid4", lambda: type("U", (), {"hex": next(names)})())
    os.symlink(victim, tmp_path / ".out.aaaaaaaa.partial.gif")  # planted before the run
    path, fd = open_temp_beside(tmp_path / "out.gif")
    os.close(fd)
    assert path.name == ".out.bbbbbbbb.partial.gif"  # the link was not followed
    assert victim.read_text() == "keep me"


def test_leftovers_of_a_killed_run_to_the_same_target_are_removed(tmp_path):
    out = tmp_path / "out.mp4"
    stale = tmp_path / ".out.0123abcd.partial.mp4"  # no lock: its run is gone
    stale.write_bytes(b"x" * 100)
    live = tmp_path / ".out.4567cdef.partial.mp4"  # locked: a run still writing it
    live.write_bytes(b"y")
    live_fd = os.open(live, os.O_RDONLY)
    fcntl.flock(live_fd, fcntl.LOCK_EX)
    other = tmp_path / ".other.0123abcd.partial.mp4"  # another target's
    other.write_bytes(b"z")
    png_stale = tmp_path / ".frames.partial-abcd1234"
    png_stale.mkdir()
    (png_stale / "0").write_bytes(b"p")
    try:
        BlockAnimator().make_video(out, block_params(3), fps=3, num_workers=1)
        assert not stale.exists()
        assert live.exists() and other.exists() and png_stale.exists()
        BlockAnimator().make_video(
            tmp_path / "frames" / "f_%02d.png", block_params(2), fps=3, num_workers=1
        )
        assert not png_stale.exists()
    finally:
        os.close(live_fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.mp4", live.name, other.name, "frames"]
    )
