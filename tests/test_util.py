from __future__ import annotations

from fractions import Fraction

import matplotlib
import numpy as np
import pytest

from parallel_animate.encode.options import as_fps
from parallel_animate.util import (
    configure_matplotlib_style,
    exact_fraction,
    get_rendered_frame_ids,
)


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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (30000 / 1001, Fraction(30000, 1001)),
        (24000 / 1001, Fraction(24000, 1001)),
        (60000 / 1001, Fraction(60000, 1001)),
        (1 / 3, Fraction(1, 3)),
        (29.97, Fraction(2997, 100)),
        (0.1, Fraction(1, 10)),
        (np.float32(29.97), Fraction(2997, 100)),
        (np.float32(1 / 3), Fraction(1, 3)),
        (np.float64(25.0), Fraction(25)),
        (-0.1, Fraction(-1, 10)),
        (Fraction(10**20 + 1, 10**20), Fraction(10**20 + 1, 10**20)),  # exact: kept
        (7, Fraction(7)),
    ],
)
def test_exact_fraction_is_the_simplest_fraction_of_the_float(value, expected):
    assert exact_fraction(value) == expected


@pytest.mark.parametrize("value", [0.123456789, 1e-300, 1.7976931348623157e308, 2.0**-1074])
def test_exact_fraction_rounds_back_to_the_same_float(value):
    assert float(exact_fraction(value)) == value


@pytest.mark.parametrize(
    ("fps", "expected"),
    [
        (30000 / 1001, Fraction(30000, 1001)),
        (29.97, Fraction(30000, 1001)),
        (np.float32(29.97), Fraction(30000, 1001)),
        (np.float64(29.97), Fraction(30000, 1001)),
        (23.976, Fraction(24000, 1001)),
        (23.98, Fraction(24000, 1001)),
        (59.94, Fraction(60000, 1001)),
        (119.88, Fraction(120000, 1001)),
        (47.952, Fraction(48000, 1001)),
        (14.985, Fraction(15000, 1001)),
        (239.76, Fraction(240000, 1001)),
        # not an NTSC decimal: as written
        (29.971, Fraction(29971, 1000)),
        (59.9401, Fraction(599401, 10000)),
        (12.5, Fraction(25, 2)),
        (25.0, Fraction(25)),
        (1 / 3, Fraction(1, 3)),
        # exact numbers are kept
        (Fraction(2997, 100), Fraction(2997, 100)),
        (Fraction(30000, 1001), Fraction(30000, 1001)),
        (30, Fraction(30)),
        (np.int64(24), Fraction(24)),
    ],
)
def test_as_fps_reads_ntsc_decimals_and_keeps_exact_numbers(fps, expected):
    assert as_fps(fps) == expected


def test_exact_fraction_keeps_decimals_as_written():
    # as_fps maps the NTSC decimals; exact_fraction itself keeps its contract
    assert exact_fraction(29.97) == Fraction(2997, 100)


def test_as_fps_rejects_non_numbers():
    with pytest.raises(TypeError, match="fps must be a number"):
        as_fps(np.complex128(30))


def test_rendered_frame_ids_with_ntsc_rates():
    # 29.97 fps data (as the float 30000/1001) in a 30000/1001 video at 1x: every frame.
    ids = get_rendered_frame_ids(30000 / 1001, 1, 30000 / 1001, 50)
    assert ids.tolist() == list(range(50))
