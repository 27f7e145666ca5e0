"""Videos that look right and play everywhere (issue 13): BT.709 colours and tags,
faststart MP4/MOV, HEVC tagged hvc1, H.264 levels from the picture size and rate.

Fast: no worker processes. Segments are encoded and joined by hand, then read back by
their colour tags (``conftest.to_rgb``), by walking the MP4 boxes, and by parsing the
H.264 sequence parameter set.
"""

from __future__ import annotations

import struct
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.reformatter import ColorRange, Colorspace

from conftest import to_rgb
from parallel_animate.encode import (
    EncodedSegment,
    make_segment_encoder,
    open_writer,
    resolve_video_settings,
)

#: flat colours of a figure: tab:red, pure green, tab:blue, white, black, grey
COLOURS = [(214, 39, 40), (0, 255, 0), (31, 119, 180), (255, 255, 255), (0, 0, 0), (128,) * 3]
BAR = 32  # pixels per colour bar

#: (output, video_codec, pixel format, alpha): every codec in every video container
CASES = [
    ("v.mp4", "libx264", "yuv420p", False),
    ("v.mp4", "libx265", "yuv420p", False),
    ("v.mp4", "libsvtav1", "yuv420p", False),
    ("v.mp4", "libvpx-vp9", "yuv420p", False),
    ("v.mkv", "libx264", "yuv420p", False),
    ("v.mkv", "libx265", "yuv420p", False),
    ("v.mkv", "libsvtav1", "yuv420p", False),
    ("v.mkv", "libvpx-vp9", "yuv420p", False),
    ("v.mkv", "prores_ks", "yuv422p10le", False),
    ("v.mov", "libx264", "yuv420p", False),
    ("v.mov", "prores_ks", "yuv422p10le", False),
    ("v.mov", "prores_ks", "yuva444p10le", True),
    ("v.webm", "libvpx-vp9", "yuv420p", False),
    ("v.webm", "libvpx-vp9", "yuva420p", True),
    ("v.webm", "libsvtav1", "yuv420p", False),
]
IDS = [f"{name}-{codec}-{pixfmt}" for name, codec, pixfmt, _ in CASES]
BT709 = 1  # AVCOL_PRI_BT709, AVCOL_TRC_BT709, AVCOL_SPC_BT709


def _bars(width: int = BAR * len(COLOURS), height: int = 64) -> np.ndarray:
    rgba = np.full((height, width, 4), 255, np.uint8)
    for k, colour in enumerate(COLOURS):
        rgba[:, k * BAR : (k + 1) * BAR, :3] = colour
    return rgba


def _write(output: Path, frames: list[np.ndarray], fps=10, **kwargs) -> None:
    """The frames in two segments through encoders and writer, as a run does."""
    settings = resolve_video_settings(output, fps, **kwargs)
    writer = open_writer(settings, output)
    half = (len(frames) + 1) // 2
    for index, start in enumerate((0, half)):
        encoder = make_segment_encoder(settings, start)
        for frame in frames[start : start + half]:
            encoder.add(frame)
        width, height = encoder.frame_size
        data = encoder.finish()
        writer.add(
            EncodedSegment(index, start, len(frames[start : start + half]), width, height, data)
        )
    writer.commit()


def _bitstream_tags(path: Path) -> set[tuple[int, int, int, int]]:
    """(matrix, range, primaries, transfer) of the decoded frames with the container's
    tags left out: a bare decoder that only sees the codec's own headers."""
    tags = set()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        context = av.CodecContext.create(stream.codec_context.name, "r")
        if stream.codec_context.extradata:
            context.extradata = stream.codec_context.extradata
        for packet in container.demux(stream):
            for f in context.decode(packet):
                tags.add((f.colorspace, f.color_range, f.color_primaries, f.color_trc))
    return tags


@pytest.mark.parametrize(("name", "codec", "pixfmt", "alpha"), CASES, ids=IDS)
def test_flat_colours_come_back_by_the_bt709_tags(tmp_path, name, codec, pixfmt, alpha):
    output = tmp_path / name
    bars = _bars()
    kwargs = {"alpha": True} if alpha else {}
    _write(output, [bars] * 4, video_codec=codec, video_pixfmt=pixfmt, preset="fast", **kwargs)
    with av.open(str(output)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        tags = (context.colorspace, context.color_range, context.color_primaries)
        assert (*tags, context.color_trc) == (BT709, ColorRange.MPEG, BT709, BT709)
        frames = list(container.decode(stream))
    assert len(frames) == 4
    for frame in frames:
        assert (frame.colorspace, frame.color_range) == (BT709, ColorRange.MPEG)
        assert (frame.color_primaries, frame.color_trc) == (BT709, BT709)
    rgb = to_rgb(frames[-1]).astype(int)
    centres = [rgb[32, k * BAR + BAR // 2] for k in range(len(COLOURS))]
    for got, colour in zip(centres, COLOURS, strict=True):
        assert np.abs(got - colour).max() <= 4, f"{colour} came back as {tuple(got)}"
    # The same pixels read with BT.601 are far off: the tags are what makes them right.
    wrong = frames[-1].to_ndarray(
        format="rgb24", src_colorspace=Colorspace.ITU601, src_color_range=ColorRange.MPEG
    )
    off = [
        np.abs(wrong[32, k * BAR + BAR // 2].astype(int) - c).max() for k, c in enumerate(COLOURS)
    ]
    assert max(off) > 15, off
    # The codec's own headers carry the tags too (VP9's: the matrix and range only, the
    # container holds the rest).
    matrix_and_range = {t[:2] for t in _bitstream_tags(output)}
    assert matrix_and_range == {(BT709, ColorRange.MPEG)}
    if codec != "libvpx-vp9":
        assert {t[2:] for t in _bitstream_tags(output)} == {(BT709, BT709)}


def test_720p_tab_red_plays_as_tab_red(tmp_path):
    """The issue's case: a 1280x720 figure's tab:red, decoded by the tags."""
    rgba = np.full((720, 1280, 4), 255, np.uint8)
    rgba[..., :3] = (214, 39, 40)
    _write(tmp_path / "v.mp4", [rgba] * 2)
    with av.open(str(tmp_path / "v.mp4")) as container:
        frame = next(container.decode(video=0))
    assert np.abs(to_rgb(frame)[360, 640].astype(int) - (214, 39, 40)).max() <= 2


# MP4 boxes --------------------------------------------------------------------------


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """(type, start of the payload, end) of the boxes in ``data[start:end]``."""
    end = len(data) if end is None else end
    boxes = []
    while start + 8 <= end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[start + 8 : start + 16])[0]
            header = 16
        elif size == 0:
            size = end - start
        assert size >= header, "a broken box"
        boxes.append((kind.decode("latin-1"), start + header, start + size))
        start += size
    return boxes


def _child(data: bytes, path: list[str]) -> tuple[int, int]:
    """The payload span of the first box along ``path`` (moov/trak/...)."""
    start, end = 0, len(data)
    for name in path:
        start, end = next((s, e) for k, s, e in _boxes(data, start, end) if k == name)
    return start, end


def _sample_entry(data: bytes) -> tuple[str, dict[str, bytes]]:
    """The video sample entry's type and its child boxes' payloads."""
    start, end = _child(data, ["moov", "trak", "mdia", "minf", "stbl", "stsd"])
    [(kind, s, e)] = _boxes(data, start + 8, end)  # after version, flags, entry count
    # A visual sample entry has 78 bytes of fields before its child boxes.
    return kind, {k: data[cs:ce] for k, cs, ce in _boxes(data, s + 78, e)}


@pytest.mark.parametrize(
    ("name", "codec", "entry"),
    [
        ("v.mp4", "libx264", "avc1"),
        ("v.mp4", "libx265", "hvc1"),
        ("v.mp4", "libsvtav1", "av01"),
        ("v.mp4", "libvpx-vp9", "vp09"),
        ("v.mov", "libx264", "avc1"),
        ("v.mov", "prores_ks", "apch"),
    ],
)
def test_mp4_and_mov_start_with_their_index(tmp_path, name, codec, entry):
    output = tmp_path / name
    _write(output, [_bars()] * 4, video_codec=codec, preset="fast")
    data = output.read_bytes()
    top = [kind for kind, _, _ in _boxes(data)]
    assert top.index("moov") < top.index("mdat"), top  # faststart
    assert top[0] == "ftyp"
    kind, children = _sample_entry(data)
    assert kind == entry  # hvc1, not hev1, for HEVC
    colr = children["colr"]
    if name.endswith(".mp4"):  # nclx: primaries, transfer, matrix, full-range flag
        assert colr[:4] == b"nclx"
        assert struct.unpack(">HHHB", colr[4:11]) == (BT709, BT709, BT709, 0)
    else:  # QuickTime's nclc: no range
        assert colr[:4] == b"nclc"
        assert struct.unpack(">HHH", colr[4:10]) == (BT709, BT709, BT709)
    with av.open(str(output)) as container:  # and every frame still decodes
        assert len(list(container.decode(video=0))) == 4
        if codec == "libx265":
            assert container.streams.video[0].codec_context.codec_tag == "hvc1"
