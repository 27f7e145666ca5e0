from __future__ import annotations

import multiprocessing
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import psutil
import pytest
from av.video.reformatter import ColorRange, Colorspace

sys.path.insert(0, str(Path(__file__).parent))


@dataclass(frozen=True)
class StreamInfo:
    """What the tests read of a decoded stream, copied before its container closes (a
    PyAV stream must not be used after that: its memory is freed)."""

    time_base: Fraction
    average_rate: Fraction | None
    codec_name: str


#: FFmpeg's AVColorSpace tags -> swscale's matrices (PyAV's Colorspace)
MATRICES = {1: Colorspace.ITU709, 5: Colorspace.ITU601, 6: Colorspace.SMPTE170M}


def to_rgb(frame: av.VideoFrame, format: str = "rgb24") -> np.ndarray:
    """A decoded frame as RGB(A), converted with the matrix and range its tags name, as a
    player does; never by a default (swscale's is BT.601): a YUV frame without its tags
    fails the test."""
    if frame.format.is_rgb or len(frame.format.components) < 3 or frame.format.has_palette:
        return frame.to_ndarray(format=format)
    assert frame.colorspace in MATRICES, f"untagged colour matrix ({frame.colorspace})"
    assert frame.color_range in (ColorRange.MPEG, ColorRange.JPEG), "untagged range"
    return frame.to_ndarray(
        format=format,
        src_colorspace=MATRICES[frame.colorspace],
        src_color_range=frame.color_range,
        dst_color_range=ColorRange.JPEG,
    )


def decode(path) -> tuple[np.ndarray, list[int], StreamInfo]:
    """All frames of a video as RGB arrays (by their colour tags), their pts, and the
    stream's properties."""
    frames, pts = [], []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            frames.append(to_rgb(frame))
            pts.append(frame.pts)
        info = StreamInfo(stream.time_base, stream.average_rate, stream.codec_context.name)
    return np.stack(frames), pts, info


def assert_matches_reference(decoded: np.ndarray, reference: np.ndarray, tol: float = 4.0):
    """Same count, and each decoded frame is closest to the reference frame of its index."""
    assert len(decoded) == len(reference)
    h, w = reference.shape[1:3]
    decoded = decoded[:, :h, :w].astype(np.int16)
    ref = reference.astype(np.int16)
    for i, frame in enumerate(decoded):
        mad = np.abs(ref - frame).mean(axis=(1, 2, 3))
        assert int(np.argmin(mad)) == i, f"decoded frame {i} looks like reference {np.argmin(mad)}"
        assert mad[i] < tol, f"frame {i} differs by {mad[i]:.2f} levels on average"


@pytest.fixture
def target(tmp_path):
    """A file already where the video goes: a failed run must leave it as it was."""
    path = tmp_path / "video.mp4"
    path.write_bytes(b"precious")
    return path


def assert_untouched(target, others=()):
    """``target`` still holds what the fixture wrote; nothing but ``others`` beside it,
    and the hidden folder of the parts kept to resume (whole parts only, if any)."""
    assert target.read_bytes() == b"precious"
    parts = target.with_name(f".{target.name}.parts")
    beside = [p.name for p in target.parent.iterdir() if p != parts]
    assert sorted(beside) == sorted([target.name, *others])
    if parts.exists():
        assert all(p.name.endswith(".part") and p.name[0] != "." for p in parts.iterdir())


def worker_children() -> list[psutil.Process]:
    """Live child processes of this test process, less Python's own helper processes."""
    out = []
    for child in psutil.Process().children(recursive=True):
        try:
            cmd = " ".join(child.cmdline())
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
        except psutil.NoSuchProcess:
            continue
        if "forkserver" in cmd or "resource_tracker" in cmd:
            continue
        out.append(child)
    return out


@pytest.fixture(params=["fork", "forkserver", "spawn"])
def start_method(request):
    """Run the test under each multiprocessing start method, then restore the default."""
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(request.param, force=True)
    yield request.param
    multiprocessing.set_start_method(before, force=True)


def setup_pids(log_dir: Path, workers: int = 2, seconds: float = 60) -> list[int]:
    """The pids an animator with ``log_dir`` wrote to ``setups.txt``, once ``workers``
    of them have called setup() (and half a second more, to be inside a frame)."""
    setups = Path(log_dir) / "setups.txt"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if setups.exists() and len(setups.read_text().split()) == workers:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    return [int(p) for p in setups.read_text().split()]


def process_gone(pid: int) -> bool:
    """The process has exited (or is a zombie waiting to be reaped)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_gone(pids, seconds: float) -> bool:
    """Whether every process of ``pids`` is gone within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(process_gone(p) for p in pids):
            return True
        time.sleep(0.05)
    return False
