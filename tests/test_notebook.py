"""parallel_animate.show: what Jupyter displays for a video or an animated image."""

from __future__ import annotations

import base64
import re

import pytest

import parallel_animate
from anims import BlockAnimator, block_params


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("show") / "v.mp4"
    return BlockAnimator().make_video(path, block_params(4), fps=4, num_workers=1)


def _embedded(html: str, mime: str) -> bytes:
    match = re.search(rf'src="data:{re.escape(mime)};base64,([A-Za-z0-9+/=]+)"', html)
    assert match, html[:200]
    return base64.b64decode(match.group(1))


def test_video_is_an_html5_video_with_the_file_embedded(video):
    shown = parallel_animate.show(video, width=320)
    html = shown._repr_html_()
    assert html.startswith("<video") and 'width="320"' in html
    assert all(flag in html for flag in (" controls", " autoplay", " muted", " loop"))
    assert _embedded(html, "video/mp4") == video.read_bytes()
    bundle = shown._repr_mimebundle_()
    assert bundle["text/html"] == html and "v.mp4" in bundle["text/plain"]
    html = parallel_animate.show(video, autoplay=False, loop=False, controls=False)._repr_html_()
    assert not any(flag in html for flag in (" controls", " autoplay", " muted", " loop"))


@pytest.mark.parametrize(("suffix", "mime"), [(".gif", "image/gif"), (".webp", "image/webp")])
def test_animated_images_are_img_tags(tmp_path, suffix, mime):
    path = tmp_path / f"a{suffix}"
    path.write_bytes(b"GIF89a-not-really")
    shown = parallel_animate.show(path)
    html = shown._repr_html_()
    assert html.startswith("<img")
    assert _embedded(html, mime) == path.read_bytes()
    bundle = shown._repr_mimebundle_()
    if mime == "image/gif":  # front ends render it without HTML too
        assert base64.b64decode(bundle["image/gif"]) == path.read_bytes()


def test_linked_instead_of_embedded(video):
    html = parallel_animate.show(video, embed=False)._repr_html_()
    assert "base64" not in html and f'src="{video.as_posix()}"' in html


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        parallel_animate.show(tmp_path / "missing.mp4")
    (tmp_path / "x.txt").write_text("")
    with pytest.raises(ValueError, match="unknown extension"):
        parallel_animate.show(tmp_path / "x.txt")
    with pytest.raises(TypeError):
        parallel_animate.show(3)
