"""The benchmark's own machinery: scenes fit for blitting, ratios, plan, plot, peer case."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import sysconfig
import textwrap
import time
import venv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks import fidelity, report
from benchmarks.__main__ import main, median_run, parse_args, plan
from benchmarks._case import RUNNERS, capturing_draw_counts
from benchmarks.methods import METHODS, PEER_DIST, PEER_VERSION
from benchmarks.plot import write_scaling_plot
from benchmarks.runner import SCENES_DIR, CaseSpec, _descendant_pids, run_case
from benchmarks.scenes import SCENES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n == "panels16" else n for n in SCENES],
)
def test_scene_returns_every_artist_it_changes(name):
    # A missed artist (a title whose text changes, say) leaves the figure stale after
    # update(), so the blit renderer would draw every frame in full.
    res = fidelity.check_scene(SCENES[name], n_frames=3, samples=3)
    assert res["frames_compared"] == 3
    assert res["blit_full_draws"] == 1
    assert res["within_limits"], res
    # the frames do change: a blit that froze the first frame would differ here
    assert res["per_frame"][-1]["frame"] == 2


def test_compare_frames_counts_levels_and_pixels():
    a = np.zeros((10, 10, 4), np.uint8)
    b = a.copy()
    b[0, :5, 0] = 200  # 5 of 100 pixels, one channel
    got = fidelity.compare_frames(a, b)
    assert got["pct_pixels_differing"] == pytest.approx(5.0)
    assert got["mean_abs_diff"] == pytest.approx(5 * 200 / 300)
    assert got["max_abs_diff"] == 200
    assert fidelity.frame_ids(120, 4) == [0, 40, 79, 119]
    assert fidelity.frame_ids(2, 8) == [0, 1]


@pytest.mark.slow
def test_scenes_package_loads_without_our_packages():
    # The peer case loads the scenes by path in a venv where parallel_animate is the peer.
    code = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location(
            "bench_scenes",
            {str(SCENES_DIR / "__init__.py")!r},
            submodule_search_locations=[{str(SCENES_DIR)!r}],
        )
        mod = importlib.util.module_from_spec(spec)
        sys.modules["bench_scenes"] = mod
        spec.loader.exec_module(mod)
        assert sorted(mod.SCENES) == ["imshow1080", "panels16", "simple"], mod.SCENES
        fig, state = mod.SCENES["simple"].build()
        artists = mod.SCENES["simple"].draw(state, 0, mod.SCENES["simple"].params(1)[0])
        assert artists, artists
        ours = [m for m in sys.modules if m.split(".")[0] in ("parallel_animate", "benchmarks")]
        assert not ours, ours
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=False
    )
    assert out.stdout.strip() == "ok", out.stderr


def _result(scene, method, wall, workers=1, frames=10):
    return {
        "scene": scene,
        "method": method,
        "label": METHODS[method].label_for(workers),
        "workers": workers,
        "frames": frames,
        "ok": True,
        "wall_s": wall,
        "self_cpu_s": 1.0,
        "children_cpu_s": 1.0,
        "output_frames": frames,
    }


def test_rows_compare_blit_with_full_redraw_and_peer_at_the_same_workers():
    results = [
        _result("s", "funcanimation", 8.0),
        _result("s", "floor", 4.0),
        _result("s", "floor-blit", 1.0),
        _result("s", "ours", 2.5, workers=2),
        _result("s", "ours-blit", 0.5, workers=2),
        _result("s", "peer", 5.0, workers=2),
        _result("s", "peer", 9.0, workers=1),
    ]
    rows = {r["method"]: r for r in report.build_rows(results)}
    blit = rows["make_video W=2 blit"]
    assert blit["x_vs_full_redraw"] == pytest.approx(5.0)
    assert blit["x_vs_peer"] == pytest.approx(10.0)
    assert blit["x_vs_funcanimation"] == pytest.approx(16.0)
    assert blit["wall_over_floor"] == pytest.approx(0.5 / (1.0 / 2))  # the blit floor
    assert rows["make_video W=2"]["wall_over_floor"] == pytest.approx(2.5 / (4.0 / 2))
    assert rows["floor (blit, 1 proc)"]["x_vs_full_redraw"] == pytest.approx(4.0)
    assert "x_vs_peer" not in rows[f"{PEER_DIST} W=2"]
    assert rows[f"{PEER_DIST} W=2"]["wall_over_floor"] == pytest.approx(5.0 / 2.0)
    assert "x vs peer" in report.format_text(list(rows.values()))


def test_auto_row_compares_with_full_redraw_peer_and_the_full_floor():
    results = [
        _result("s", "floor", 4.0),
        _result("s", "floor-blit", 1.0),
        _result("s", "ours", 3.0, workers=1),
        _result("s", "ours", 2.5, workers=2),
        _result("s", "ours-auto", 1.25, workers=2),
        _result("s", "peer", 5.0, workers=2),
    ]
    rows = {r["method"]: r for r in report.build_rows(results)}
    auto = rows["make_video W=2 auto"]
    assert auto["method_id"] == "ours-auto"
    assert auto["x_vs_full_redraw"] == pytest.approx(2.5 / 1.25)  # ours at W=2, not W=1
    assert auto["x_vs_peer"] == pytest.approx(5.0 / 1.25)
    assert auto["wall_over_floor"] == pytest.approx(1.25 / (4.0 / 2))  # the full floor
    assert METHODS["ours-auto"].blit_mode == "auto" and not METHODS["ours-auto"].blit
    assert METHODS["ours-auto"].series_label == "make_video auto"
    # blit="auto" is not the blit=True the fidelity check compares
    assert [m for m in METHODS.values() if m.blit] == [METHODS["floor-blit"], METHODS["ours-blit"]]
    assert RUNNERS["ours-auto"].keywords == {"blit": "auto"}
    assert RUNNERS["ours"].keywords == {"blit": False}
    assert RUNNERS["ours-blit"].keywords == {"blit": True}


def test_draw_counts_are_a_column_of_the_make_video_rows_only():
    results = [
        _result("s", "floor", 4.0),
        {**_result("s", "ours", 2.0, 2), "draws": {"full": 10, "part": 0, "unchanged": 0}},
        {
            **_result("s", "ours-auto", 1.0, 2),
            "draws": {"full": 2, "part": 7, "unchanged": 1, "blit": "'auto'"},
        },
    ]
    rows = report.build_rows(results)
    assert "draws" not in rows[0]
    assert rows[2]["draws"] == {"full": 2, "part": 7, "unchanged": 1}
    lines = report.format_markdown(rows).splitlines()
    assert lines[0].endswith("| draws full/part/same |")
    assert lines[2].endswith("|  |")  # the floor: blank
    assert lines[3].endswith("| 10/0/0 |")
    assert lines[4].endswith("| 2/7/1 |")
    assert report.format_text(rows).splitlines()[-1].endswith("  2/7/1")
    assert report.warnings_for(results) == []
    # without any counts the column is left out
    header = report.format_markdown(report.build_rows(results[:1])).splitlines()[0]
    assert "draws" not in header


def test_draw_counts_that_are_missing_or_all_full_are_warned_about():
    results = [
        _result("s", "ours", 2.0, 2),  # no "Frames drawn" line
        {**_result("s", "ours-auto", 2.0, 2), "draws": {"full": 10, "part": 0, "unchanged": 0}},
        {**_result("s", "ours-auto", 2.0, 1), "draws": {"full": 1, "part": 5, "unchanged": 0}},
        # blit=True: the library counts only full draws, so no sum check
        {**_result("s", "ours-blit", 1.0, 2), "draws": {"full": 2, "part": 0, "unchanged": 0}},
    ]
    warnings = report.warnings_for(results)
    assert warnings == [
        's / make_video W=2: no "Frames drawn" line from the library: draw counts unknown',
        "s / make_video W=2 auto: blit='auto' drew every frame in full, so this row "
        "measures full redraws",
        "s / make_video W=1 auto: the draw counts add up to 6 frames, not 10",
    ]


def test_draw_counts_are_parsed_from_the_library_debug_line_during_the_run_only():
    logger = logging.getLogger("parallel_animate")
    level, handlers = logger.level, list(logger.handlers)
    with capturing_draw_counts() as handler:
        assert logger.isEnabledFor(logging.DEBUG)
        logger.debug("auto blit: full draw (%s)", "new limits")
        logger.info("Wrote %d frames to %s", 12, "x.mp4")  # not DEBUG: not kept
        logger.debug(
            "Frames drawn: %d in full, %d in part, %d unchanged (blit=%r)", 3, 8, 1, "auto"
        )
        logger.debug("Auto blit bookkeeping: %.3f ms per frame drawn in part or unchanged", 0.25)
    assert (logger.level, logger.handlers) == (level, handlers)
    logger.debug("Frames drawn: %d in full, %d in part, %d unchanged (blit=%r)", 9, 9, 9, False)
    assert handler.result() == {
        "draws": {"full": 3, "part": 8, "unchanged": 1, "blit": "'auto'"},
        "bookkeeping_ms": 0.25,
        "debug_lines": [{"message": "auto blit: full draw (new limits)", "count": 1}],
    }


@pytest.mark.slow
def test_auto_blit_row_end_to_end_draws_in_part(tmp_path, monkeypatch):
    monkeypatch.delenv("PARALLEL_ANIMATE_PEER_PYTHON", raising=False)
    argv = ["--scenes", "simple", "--frames-scale", "0.02", "--methods", "ours,ours-auto"]
    argv += ["--workers", "1", "--fidelity-frames", "0", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = json.loads((tmp_path / "results.json").read_text())
    cases = {r["method"]: r for r in out["cases"]}
    assert cases["ours"]["frames"] == 6  # 300 x 0.02
    assert cases["ours"]["draws"] == {"full": 6, "part": 0, "unchanged": 0, "blit": "False"}
    auto = cases["ours-auto"]["draws"]
    assert auto["blit"] == "'auto'"
    assert auto["part"] > 0 and auto["full"] >= 1
    assert auto["full"] + auto["part"] + auto["unchanged"] == 6
    rows = {r["method_id"]: r for r in out["rows"]}
    assert rows["ours-auto"]["method"] == "make_video W=1 auto"
    assert rows["ours-auto"]["x_vs_full_redraw"] > 0
    assert rows["ours-auto"]["draws"] == {k: auto[k] for k in ("full", "part", "unchanged")}
    assert cases["ours"]["bookkeeping_ms"] is None  # nothing decided without auto
    assert 0 < cases["ours-auto"]["bookkeeping_ms"] < 50
    md = (tmp_path / "results.md").read_text()
    assert "draws full/part/same" in md and "| 6/0/0 |" in md
    assert "auto bookkeeping ms/frame" in md
    assert f"| {auto['full']}/{auto['part']}/{auto['unchanged']} |" in md
    assert "Warnings:" not in md


def test_ratio_columns_without_values_are_left_out():
    rows = report.build_rows([_result("s", "floor", 4.0), _result("s", "ours", 2.0, 2)])
    header = report.format_markdown(rows).splitlines()[0]
    assert "x vs peer" not in header and "x vs full redraw" not in header
    assert "x vs FuncAnim" not in header
    assert "wall/floor" in header


def test_repeated_case_reports_its_median_run_and_spread():
    runs = [
        {**_result("s", "ours", wall, 2), "peak_tree_rss_bytes": rss << 20, "self_cpu_s": wall}
        for wall, rss in [(3.0, 500), (2.0, 700), (2.5, 600), (9.0, 400)]
    ]
    chosen = median_run(runs)
    assert chosen["wall_s"] == 2.5  # the lower middle of four
    assert chosen["self_cpu_s"] == 2.5  # every number from that same run...
    assert chosen["peak_tree_rss_bytes"] == 700 << 20  # ...but the worst memory of all
    assert chosen["wall_s_runs"] == [3.0, 2.0, 2.5, 9.0]
    (row,) = report.build_rows([chosen])
    assert row["spread_pct"] == pytest.approx(100 * 7.0 / 2.5)
    assert "spread %" in report.format_markdown([row]).splitlines()[0]
    failed = {**runs[1], "ok": False, "error": "boom"}
    assert median_run([runs[0], failed])["error"] == "boom"
    single = report.build_rows([median_run(runs[:1])])
    assert "spread %" not in report.format_markdown(single).splitlines()[0]


@pytest.mark.slow
def test_repeat_runs_each_case_in_rounds_end_to_end(tmp_path, monkeypatch):
    monkeypatch.delenv("PARALLEL_ANIMATE_PEER_PYTHON", raising=False)
    argv = ["--scenes", "simple", "--frames-scale", "0.01", "--methods", "floor,ours"]
    argv += ["--workers", "1", "--repeat", "2", "--fidelity-frames", "0", "--out", str(tmp_path)]
    assert main(argv) == 0
    results = json.loads((tmp_path / "results.json").read_text())["cases"]
    assert [(r["method"], len(r["wall_s_runs"])) for r in results] == [("floor", 2), ("ours", 2)]
    for r in results:  # the case process's own peak is part of the tree's
        assert 0 < r["peak_rss_main_bytes"] <= r["peak_tree_rss_bytes"]
    assert "spread %" in (tmp_path / "results.md").read_text()


@pytest.mark.slow
def test_sampler_finds_grandchildren_as_psutil_does():
    """Workers of workers count too (a Dask nanny's worker, ffmpeg under a case)."""
    import psutil

    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
    code += "'import time; time.sleep(30)']); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        root = psutil.Process(child.pid)
        for _ in range(100):
            expected = sorted(p.pid for p in root.children(recursive=True))
            if expected:
                break
            time.sleep(0.05)
        assert len(expected) == 1
        assert sorted(_descendant_pids(root)) == expected
    finally:
        for proc in psutil.Process(child.pid).children(recursive=True):
            proc.kill()
        child.kill()
        child.wait()


@pytest.mark.slow
def test_side_by_side_floor_splits_the_frames_between_processes(tmp_path):
    spec = CaseSpec("simple", "floor-side-by-side", frames=7, workers=2)
    res = run_case(spec, tmp_path / "videos", tmp_path / "logs")
    assert res["ok"], res.get("log_tail")
    assert res["parts"] == [0, 4, 7]  # contiguous, as even as the count allows
    assert res["output_frames"] == 7 and res["output_size_px"] == [640, 480]
    assert res["max_tree_procs"] >= 3 and res["children_cpu_s"] > 0
    assert sorted(p.name for p in (tmp_path / "videos").iterdir()) == []  # parts removed


@pytest.mark.slow
def test_without_the_bench_extra_a_run_says_what_to_install_not_the_import(tmp_path):
    """Importing the benchmark (and so its --help) needs no extra; a run checks first."""
    out = tmp_path / "out"
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["psutil"] = sys.modules["imageio_ffmpeg"] = None  # as if not installed
        from benchmarks.__main__ import main
        print("imported")
        sys.exit(main(["--scenes", "simple", "--out", {str(out)!r}]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == "imported\n"
    assert result.stderr.splitlines() == [
        "python -m benchmarks: error: missing psutil, imageio-ffmpeg: from the repository "
        "root, install the extra: pip install -e '.[bench]'"
    ]
    assert not out.exists()


def test_a_run_checks_only_what_its_methods_need(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PARALLEL_ANIMATE_PEER_PYTHON", raising=False)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    argv = ["--scenes", "simple", "--dask", "--methods", "ours,dask", "--out", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "missing dask[distributed]: from the repository root, install the "
        "extra: pip install -e '.[dask]'\n"
    )
    assert "imageio" not in err  # no FuncAnimation row in this run
    assert list(tmp_path.iterdir()) == []


def test_failed_case_stays_in_the_table():
    bad = {**_result("s", "ours-blit", 0.0, 2), "ok": False, "error": "RenderError: boom"}
    rows = report.build_rows([_result("s", "ours", 2.0, 2), bad])
    assert rows[1]["error"] == "RenderError: boom"
    assert "FAILED" in report.format_text(rows).splitlines()[-1]


def test_plan_puts_methods_side_by_side_per_worker_count(monkeypatch):
    monkeypatch.delenv("PARALLEL_ANIMATE_PEER_PYTHON", raising=False)
    args = parse_args(["--scenes", "simple", "--frames-scale", "0.05", "--workers", "1,2"])
    assert "peer" not in args.methods  # no peer interpreter: no peer rows
    assert [(c.method, c.workers) for c in plan(args)] == [
        ("funcanimation", 1),
        ("floor", 1),
        ("floor-blit", 1),
        ("floor-side-by-side", 1),
        ("ours", 1),
        ("ours-auto", 1),
        ("ours-blit", 1),
        ("floor-side-by-side", 2),
        ("ours", 2),
        ("ours-auto", 2),
        ("ours-blit", 2),
    ]
    monkeypatch.setenv("PARALLEL_ANIMATE_PEER_PYTHON", "/some/python")
    args = parse_args(["--methods", "ours,peer", "--workers", "2", "--scenes", "simple"])
    assert [c.label for c in plan(args)] == ["make_video W=2", f"{PEER_DIST} W=2"]
    assert args.peer_python == "/some/python"


def test_resume_cost_flags_have_their_own_defaults_and_need_the_mode(monkeypatch, capsys):
    monkeypatch.setenv("PARALLEL_ANIMATE_PEER_PYTHON", "/some/python")

    def settings(args):
        return args.scenes, args.frames, args.workers, args.rounds, args.save

    args = parse_args(["--resume-cost"])
    assert settings(args) == (["panels16"], 120, [2], 3, False)
    assert args.methods == [] and args.peer_python is None  # no table case, no peer probe
    argv = ["--resume-cost", "--scenes", "simple", "--frames", "40", "--workers", "1"]
    args = parse_args([*argv, "--rounds", "1", "--save"])
    assert settings(args) == (["simple"], 40, [1], 1, True)
    assert parse_args(["--resume-cost", "--frames-scale", "0.5"]).frames == 60
    assert parse_args([]).scenes == list(SCENES)  # the table's defaults are unchanged
    assert parse_args([]).workers == [1, 2]
    for bad in (
        ["--rounds", "2"],
        ["--save"],
        ["--frames", "40"],
        ["--resume-cost", "--rounds", "0"],
        ["--resume-cost", "--workers", "1,2"],
        ["--resume-cost", "--scenes", "simple,panels16"],
        ["--resume-cost", "--rss-check"],
    ):
        with pytest.raises(SystemExit):
            parse_args(bad)
    assert "--rounds only go with --resume-cost" in capsys.readouterr().err


def test_resume_cost_judges_the_5_percent_on_the_bookkeeping_line():
    from types import SimpleNamespace

    from benchmarks import resume_cost
    from benchmarks._resume_case import ResumeLinesHandler
    from parallel_animate.pipeline import _log_resume

    lines = ResumeLinesHandler()
    with capturing_draw_counts():  # the library's logger at DEBUG, as in the case
        logging.getLogger("parallel_animate").addHandler(lines)
        try:  # the library's own line, from its own format string
            resumer = SimpleNamespace(found_frames=0, seconds=0.25, kept_frames=40)
            _log_resume(resumer, SimpleNamespace(fingerprint_seconds=0.125))
        finally:
            logging.getLogger("parallel_animate").removeHandler(lines)
    assert lines.bookkeeping == {
        "bookkeeping_s": 0.375,
        "fingerprints_s": 0.125,
        "parts_s": 0.25,
        "kept_frames": 40,
    }
    ok = {"ok": True, "process_wall_s": 12.0, "self_cpu_s": 1.0, "setup_calls": 2}
    book = {"a": None, "b": 0.1, "c": 0.9, "d": 0.01}  # c: 0.9 / 10 s, over 5 %
    walls = {"a": 10.0, "b": 11.0, "c": 10.0, "d": 0.5}  # c/a 1.0: wall says nothing
    runs = [
        {**ok, "round": 1, "variant": v, "wall_s": walls[v], "bookkeeping_s": book[v]}
        for v in "abcd"
    ]
    rows = resume_cost.summarize(runs, frames=40)
    assert [r["bookkeeping"] for r in rows] == ["-", "0.100", "0.900", "0.010"]
    got = {r["ratio"]: (r["value"], r["result"]) for r in resume_cost.ratios(rows, runs)}
    assert got == {
        "b: bookkeeping / call": ("0.0091", "-"),
        "c: bookkeeping / call": ("0.0900", "FAIL"),
        "d/c": ("0.050", "PASS"),
        "b/a (wall, noisy)": ("1.100", "-"),
        "c/a (wall, noisy)": ("1.000", "-"),
        "c_i/a_i (wall, noisy)": ("1.000", "-"),
    }


def test_examples_table_has_each_example_and_mode_with_the_auto_ratio(capsys):
    from benchmarks import examples_cost

    args = parse_args(["--examples"])
    assert (args.frames, args.workers, args.rounds, args.methods) == (120, [2], 3, [])
    args = parse_args(["--examples", "--frames", "6", "--rounds", "1", "--save"])
    assert (args.frames, args.rounds, args.save) == (6, 1, True)
    for bad in (["--examples", "--resume-cost"], ["--examples", "--scenes", "simple"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
    capsys.readouterr()

    def run(rnd, example, mode, wall, draws, ms=None, ok=True):
        full, part, same = draws
        return {
            "ok": ok,
            "round": rnd,
            "example": example,
            "mode": mode,
            "wall_s": wall,
            "process_wall_s": wall + 1,
            "output_frames": 10,
            "draws": {"full": full, "part": part, "unchanged": same, "blit": repr(mode)},
            "bookkeeping_ms": ms,
        }

    runs = []
    for rnd, (f, a) in enumerate([(4.0, 2.0), (6.0, 3.0), (5.0, 4.0)], 1):
        runs += [
            run(rnd, "very_complex", "False", f, (10, 0, 0)),
            run(rnd, "very_complex", "auto", a, (2, 8, 0) if rnd < 3 else (3, 7, 0), 1.5 * rnd),
            run(rnd, "multi_panel", "False", 2.0, (10, 0, 0)),
            run(rnd, "multi_panel", "auto", 1.0, (2, 6, 2), 2.0),
        ]
    runs[-1] = {**runs[-1], "ok": False, "error": "boom"}  # multi_panel auto, round 3
    rows = examples_cost.summarize(runs, frames=10)
    cells = [
        (
            r["example"],
            r["blit"],
            r["runs"],
            r["wall"],
            r["ratio"],
            r["draw_counts"],
            r["bookkeeping"],
        )
        for r in rows
    ]
    assert cells == [
        ("VeryComplexAnimation", "False", "3", "5.00 (4.00)", "-", "10/0/0", "-"),
        ("VeryComplexAnimation", "auto", "3", "3.00 (2.00)", "0.600", "2/8/0, 3/7/0", "3.00"),
        ("MultiPanelAnimation", "False", "3", "2.00 (2.00)", "-", "10/0/0", "-"),
        ("MultiPanelAnimation", "auto", "2 of 3", "1.00 (1.00)", "0.500", "2/6/2", "2.00"),
    ]
    text = report.format_text(rows, examples_cost.COLUMNS)
    assert "auto bookkeeping ms/frame" in text and "2/8/0, 3/7/0" in text
    found, warned = examples_cost.problems(runs, frames=10)
    assert found == ["round 3 (multi_panel, blit=auto): FAILED: boom (log: None)"]
    assert warned == []
    bad = [
        run(1, "multi_panel", "False", 1.0, (8, 2, 0)),
        run(1, "multi_panel", "auto", 1.0, (10, 0, 0)),
    ]
    found, warned = examples_cost.problems(bad, frames=10)
    assert found == [
        "round 1 (multi_panel, blit=False): blit=False drew 8/2/0, not every frame in full"
    ]
    assert warned == ["round 1 (multi_panel, blit=auto): blit='auto' drew every frame in full"]


@pytest.mark.slow
def test_examples_end_to_end_both_examples_both_modes(tmp_path):
    assert main(["--examples", "--frames", "6", "--rounds", "1", "--out", str(tmp_path)]) == 0
    out = json.loads((tmp_path / "examples.json").read_text())
    assert out["problems"] == []
    got = {(r["example"], r["mode"]): r for r in out["runs"]}
    assert sorted(got) == [
        (e, m) for e in ("multi_panel", "very_complex") for m in ("False", "auto")
    ]
    for (_, mode), r in got.items():
        assert r["ok"] and r["output_frames"] == 6 and r["workers"] == 2
        assert sum(r["draws"][k] for k in report.DRAW_KEYS) == 6
        if mode == "False":
            assert r["draws"]["full"] == 6 and r["bookkeeping_ms"] is None
        else:
            assert r["draws"]["part"] > 0 and r["bookkeeping_ms"] > 0
    rows = {(r["example_id"], r["blit"]): r for r in out["rows"]}
    assert rows["very_complex", "auto"]["ratio_num"] > 0
    md = (tmp_path / "examples.md").read_text()
    assert "| VeryComplexAnimation | auto |" in md and "| MultiPanelAnimation | False |" in md


def test_peer_method_needs_an_interpreter(monkeypatch, capsys):
    monkeypatch.delenv("PARALLEL_ANIMATE_PEER_PYTHON", raising=False)
    with pytest.raises(SystemExit):
        parse_args(["--methods", "peer"])
    assert "needs --peer-python" in capsys.readouterr().err


def test_scaling_plot_has_a_panel_per_scene(tmp_path):
    results = [_result("a", "floor", 4.0), _result("b", "floor", 4.0)]
    for scene in ("a", "b"):
        results += [_result(scene, "ours", 4.0 / w, w) for w in (1, 2, 3)]
        results += [_result(scene, "ours-blit", 1.0 / w, w) for w in (1, 2, 3)]
    path = write_scaling_plot(report.build_rows(results), tmp_path / "scaling.png")
    with Image.open(path) as img:
        assert img.size == (1000, 420)
    assert write_scaling_plot(report.build_rows(results[:2]), tmp_path / "x.png") is None
    assert not (tmp_path / "x.png").exists()


FAKE_PEER = '''
"""A stand-in for the peer's package: same import name, serial, no torch."""
import sys

import av
import numpy as np


class Animator:
    def make_video(self, output_file, param_by_frame, fps, num_workers=-1):
        leaked = [m for m in sys.modules if m.split(".")[0] == "benchmarks"]
        assert not leaked, f"our package leaked in: {leaked}"
        fig = self.setup()
        with av.open(output_file, "w") as out:
            stream = out.add_stream("libx264", rate=fps)
            stream.width, stream.height = fig.canvas.get_width_height()
            stream.pix_fmt = "yuv420p"
            for i, params in enumerate(param_by_frame):
                self.update(i, params)
                fig.canvas.draw()
                rgba = np.asarray(fig.canvas.buffer_rgba())
                out.mux(stream.encode(av.VideoFrame.from_ndarray(rgba, format="rgba")))
            out.mux(stream.encode(None))
'''


@pytest.mark.slow
def test_peer_case_runs_in_the_peer_interpreter_without_our_package(tmp_path):
    env_dir = tmp_path / "peer-venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # matplotlib & co. from the interpreter running the tests, which may itself be a venv
    # (system_site_packages would show the base interpreter's, often none). A directory
    # listed in a .pth is only added to sys.path: our editable install, itself a .pth
    # there, stays invisible, as it is to a real peer venv.
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "outer-site.pth").write_text("\n".join(sorted(ours)) + "\n")
    pkg = Path(site) / "parallel_animate"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(FAKE_PEER)
    dist = pkg.parent / f"parallel_matplotlib_animation-{PEER_VERSION}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {PEER_DIST}\nVersion: {PEER_VERSION}\n"
    )

    spec = CaseSpec("simple", "peer", frames=3, workers=2)
    res = run_case(spec, tmp_path / "videos", tmp_path / "logs", peer_python=str(python))
    assert res["ok"], res.get("log_tail")
    assert res["peer_version"] == PEER_VERSION
    assert res["output_frames"] == 3  # read back by this interpreter
    assert res["output_size_px"] == [640, 480]
    assert res["label"] == f"{PEER_DIST} W=2"
