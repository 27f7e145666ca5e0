from __future__ import annotations

from fractions import Fraction

import matplotlib
import numpy as np
import pytest

from parallel_animate.util import configure_matplotlib_style, get_rendered_frame_ids


def test_stride_from_play_speed_is_exact():
    # 330 fps at 0.1x in a 30 fps video: stride 1.1 exactly.
    ids = get_rendered_frame_ids(330, 0.1, 30, 100)
    assert len(ids) == 90  # int(100 / 1.1)
    assert ids[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]
    assert ids[-1] == 97
    assert ids.dtype.kind == "i"


def test_integer_stride_and_fraction_inputs():
    assert get_rendered_frame_ids(60, 1, 30, 10).tolist() == [0, 2, 4, 6, 8]
    ids = get_rendered_frame_ids(Fraction(30000, 1001), 1.0, Fraction(30000, 1001), 5)
    assert ids.tolist() == [0, 1, 2, 3, 4]


def test_no_data_gives_empty_array():
    ids = get_rendered_frame_ids(30, 1, 30, 0)
    assert ids.shape == (0,) and ids.dtype.kind == "i"


def test_stride_below_one_repeats_frames_with_a_warning():
    with pytest.warns(UserWarning, match="repeat"):
        ids = get_rendered_frame_ids(10, 0.5, 30, 4)
    # stride 1/6: 24 video frames, each data frame 6 times, clipped to the data
    assert len(ids) == 24
    assert ids.tolist() == np.repeat(np.arange(4), 6).tolist()


def test_at_least_one_frame():
    assert get_rendered_frame_ids(300, 1, 30, 3).tolist() == [0]


def test_configure_matplotlib_style_falls_back_without_arial():
    with matplotlib.rc_context():
        configure_matplotlib_style()
        assert matplotlib.rcParams["pdf.fonttype"] == 42
        assert matplotlib.rcParams["font.family"][-1] == "sans-serif"
