"""What each format's output holds, as the playback table of docs/formats.md states it:
container, codec, profile, sample entry tag, pixel format, colour tags, index first.
What players do with it follows from these (the table says which player takes what)."""

from __future__ import annotations

import struct

import av
import pytest

from anims import BlockAnimator, block_params

pytestmark = pytest.mark.slow

# (output, video_codec): (codec, profile, tag in MP4/MOV or "", pixel format)
PRODUCED = {
    ("v.mp4", None): ("h264", "High", "avc1", "yuv420p"),
    ("v.mp4", "libx265"): ("hevc", "Main", "hvc1", "yuv420p"),
    ("v.mp4", "libsvtav1"): ("av1", "Main", "av01", "yuv420p"),
    ("v.mp4", "libvpx-vp9"): ("vp9", "Profile 0", "vp09", "yuv420p"),
    ("v.mov", None): ("h264", "High", "avc1", "yuv420p"),
    ("v.mov", "prores_ks"): ("prores", "HQ", "apch", "yuv422p10le"),
    ("v.mkv", None): ("h264", "High", "", "yuv420p"),
    ("v.webm", None): ("vp9", "Profile 0", "", "yuv420p"),
    ("v.webm", "libsvtav1"): ("av1", "Main", "", "yuv420p"),
}


def _top_level_boxes(data: bytes) -> list[str]:
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size < 8:
            break
        offset += size
    return boxes


@pytest.mark.parametrize(("name", "codec"), list(PRODUCED), ids=[f"{n}-{c}" for n, c in PRODUCED])
def test_each_video_output_holds_what_the_playback_table_says(tmp_path, name, codec):
    out = BlockAnimator().make_video(
        tmp_path / name, block_params(6), 6, num_workers=1, video_codec=codec, resume=False
    )
    want_codec, profile, tag, pixfmt = PRODUCED[(name, codec)]
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        assert context.codec.name.replace("libdav1d", "av1") == want_codec
        assert context.profile == profile
        assert context.pix_fmt == pixfmt
        if tag:
            assert stream.codec_tag == tag
        frame = next(container.decode(stream))
    # BT.709 matrix, primaries and transfer (1), limited range (1: MPEG/"tv")
    assert (frame.colorspace, frame.color_range) == (1, 1)
    assert (context.color_primaries, context.color_trc) == (1, 1)
    if name.endswith((".mp4", ".mov")):
        boxes = _top_level_boxes(out.read_bytes())
        assert boxes.index("moov") < boxes.index("mdat")  # plays while it downloads
