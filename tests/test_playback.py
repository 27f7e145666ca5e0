"""Videos that look right and play everywhere (issue 13): BT.709 colours and tags,
faststart MP4/MOV, HEVC tagged hvc1, H.264 levels from the picture size and rate.

Fast: no worker processes. Segments are encoded and joined by hand, then read back by
their colour tags (``conftest.to_rgb``), by walking the MP4 boxes, and by parsing the
H.264 sequence parameter set.
"""

from __future__ import annotations

import struct
from fractions import Fraction
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
from parallel_animate.encode.levels import h264_level

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


# H.264 levels -----------------------------------------------------------------------


class _Bits:
    """Reads an H.264 RBSP bit by bit (u(n), ue(v))."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]
            value = (value << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
        return (1 << zeros) - 1 + self.u(zeros)


def _sps(path: Path) -> dict[str, int]:
    """profile_idc, level_idc and max_num_ref_frames of the first SPS in the avcC."""
    with av.open(str(path)) as container:
        avcc = container.streams.video[0].codec_context.extradata
    size = int.from_bytes(avcc[6:8], "big")
    nal = avcc[8 : 8 + size].replace(b"\x00\x00\x03", b"\x00\x00")  # emulation bytes
    bits = _Bits(nal[1:])
    profile, _, level = bits.u(8), bits.u(8), bits.u(8)
    bits.ue()  # seq_parameter_set_id
    if profile in (100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135):
        if bits.ue() == 3:  # chroma_format_idc
            bits.u(1)
        bits.ue(), bits.ue(), bits.u(1)  # bit depths, qpprime_y_zero_transform_bypass
        assert bits.u(1) == 0  # no scaling matrices (x264's default)
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    assert poc_type in (0, 2)  # x264's
    if poc_type == 0:
        bits.ue()
    return {"profile": profile, "level": level, "refs": bits.ue()}


@pytest.mark.parametrize(
    ("width", "height", "fps", "level"),
    [
        (320, 240, 10, "3.0"),
        (1280, 720, 30, "3.1"),
        (1280, 720, 60, "3.2"),
        (1920, 1080, 30, "4.1"),
        (1920, 1080, Fraction(30000, 1001), "4.1"),
        (1920, 1080, 60, "4.2"),
        (3840, 2160, 30, "5.1"),
        (3840, 2160, 60, "5.2"),
        (8192, 4320, 120, "6.2"),
        (8192, 4320, 240, None),  # beyond every level: x264 decides
    ],
)
def test_h264_level_from_size_and_rate(width, height, fps, level):
    assert h264_level(width, height, Fraction(fps)) == level


def _picture(width: int, height: int) -> list[np.ndarray]:
    rgba = np.full((height, width, 4), 255, np.uint8)
    rgba[height // 3 : height // 2, width // 4 : width // 2, :3] = (31, 119, 180)
    return [rgba, rgba]


@pytest.mark.parametrize(
    ("params", "level", "max_refs"),
    [
        (None, 41, 4),  # preset slow alone gives level 5.0 (5 reference frames)
        ({"level": "5.1"}, 51, 16),  # the user's own level wins
        ({"refs": "6"}, 50, 16),  # the user's reference frames: x264's own level
        ({"x264-params": "ref=6"}, 50, 16),
    ],
)
def test_1080p30_h264_level(tmp_path, params, level, max_refs):
    output = tmp_path / "v.mp4"
    _write(output, _picture(1920, 1080), fps=30, video_params=params)
    sps = _sps(output)
    assert (sps["profile"], sps["level"]) == (100, level)
    assert sps["refs"] <= max_refs
    with av.open(str(output)) as container:
        assert container.streams.video[0].codec_context.level == level
