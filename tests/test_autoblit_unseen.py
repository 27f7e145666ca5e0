"""``blit="auto"`` on figures it has not seen: the adversarial cases of
tests/blit_corpus_unseen.py, each aimed at one way a partial redraw could go wrong
(nested children changing, ticks and spines at the edges, fractional pixel positions,
clip boxes and paths, artists painting past their extent, containers, figure-level
artists, flags and transforms, Axes-level pieces).

In process (no processes started): every frame drawn with ``blit="auto"`` in one
FrameRenderer must equal the full draw (``blit=False``) byte for byte, in order (the
fast layer) and in the jump order a worker with several segments draws (slow). A few
cases also end to end, as PNG sequences at 1 and 2 workers (slow). The harness is
test_autoblit.py's.
"""

from __future__ import annotations

import pytest

from blit_corpus import CASES, GROUPS
from blit_corpus_unseen import UNSEEN
from test_autoblit import (
    assert_frames_equal,
    blit_mode,
    check_png_sequence,
    jump_order,
    reference,
    render_frames,
)

__all__ = ["blit_mode"]  # the fixture, imported to be found by pytest

PARAMS = [pytest.param(name, id=f"{GROUPS[name]}-{name}") for name in UNSEEN]


def test_the_unseen_cases_are_registered():
    assert len(UNSEEN) >= 20
    assert all(GROUPS[name].startswith("unseen-") for name in UNSEEN)
    assert all(6 <= CASES[name].n_frames <= 12 for name in UNSEEN)


@pytest.mark.parametrize("name", PARAMS)
def test_unseen_frames_equal_full_draw(name, blit_mode, tmp_path):
    got = render_frames(name, "", blit_mode)
    assert_frames_equal(got, reference(name, ""), f"{name}/{blit_mode}", tmp_path)


@pytest.mark.slow  # the in-order test above is the fast layer's
@pytest.mark.parametrize("name", PARAMS)
def test_unseen_out_of_order_equals_full_draw(name, blit_mode, tmp_path):
    """Frames out of order and one drawn twice, against the full draws in order: the
    cases keep the corpus's rule (a full draw of frame k is the same whatever came before
    it), so one reference serves both, and the file stays fast."""
    order = jump_order(len(CASES[name]().params()))
    got = render_frames(name, "", blit_mode, order=order)
    want = reference(name, "")
    assert_frames_equal(got, want, f"{name}/{blit_mode}/jumps", tmp_path)


#: unseen cases rendered end to end, by make_video at 1 and 2 workers
END_TO_END = ["text_out_and_back_in", "offset_image_inplace", "legend_text_and_line"]


@pytest.mark.slow
@pytest.mark.parametrize("name", END_TO_END)
def test_unseen_png_sequence_equals_full_draw(name, blit_mode, tmp_path):
    check_png_sequence(name, None, blit_mode, tmp_path)
