"""The format registry (encode/formats.py) and the shape of the encode package.

Fast: no worker processes. Every format's encoder and writer are driven by hand here,
three tiny frames in two segments, and the output is decoded with PyAV or Pillow.
"""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

import parallel_animate.encode
from conftest import to_rgb
from parallel_animate.encode import (
    EncodedSegment,
    make_segment_encoder,
    open_writer,
    resolve_video_settings,
)
from parallel_animate.encode.codecs import CODECS, ImageCodec, VideoCodec
from parallel_animate.encode.formats import (
    FORMATS,
    REGISTRY,
    ApngFormat,
    Format,
    GifFormat,
    PngSequenceFormat,
    VideoFormat,
    WebpFormat,
    format_for,
    format_table_markdown,
)
from parallel_animate.encode.images import AnimationWriter, ImageSegmentEncoder, PngSequenceWriter
from parallel_animate.encode.mux import SegmentMuxer
from parallel_animate.encode.nvenc import nvenc_error
from parallel_animate.encode.options import PRESETS
from parallel_animate.encode.records import ApngRecords, GifRecords, PngRecords, WebpRecords
from parallel_animate.encode.segment import SegmentEncoder

ENCODE_DIR = Path(parallel_animate.encode.__file__).parent
SRC_DIR = ENCODE_DIR.parent.parent

#: an output name per row of the registry, and the class of its format
OUTPUTS = {
    "x.mp4": VideoFormat,
    "x.mkv": VideoFormat,
    "x.mov": VideoFormat,
    "x.webm": VideoFormat,
    "x.gif": GifFormat,
    "x.webp": WebpFormat,
    "x.apng": ApngFormat,
    "f_%04d.png": PngSequenceFormat,
}


def _name_of(row: Format) -> str:
    return "f_%04d.png" if isinstance(row, PngSequenceFormat) else f"x{row.suffix}"


def test_every_extension_resolves_to_its_format_class():
    assert sorted(FORMATS) == sorted(Path(name).suffix for name in OUTPUTS)
    assert [row.suffix for row in REGISTRY] == list(FORMATS)
    for name, cls in OUTPUTS.items():
        row = format_for(Path(name))
        assert type(row) is cls
        assert row is FORMATS[Path(name).suffix]
        assert format_for(Path(name.upper().replace("%04D", "%04d"))) is row


def test_every_allowed_codec_has_a_spec():
    for row in REGISTRY:
        assert row.codecs, row
        kind = VideoCodec if isinstance(row, VideoFormat) else ImageCodec
        for codec in row.codecs:
            assert CODECS[codec.name] is codec
            assert isinstance(codec, kind), (row.suffix, codec.name)
            assert set(codec.presets) == set(PRESETS), codec.name
            assert codec.pixfmt in codec.accepted_pixfmts(), codec.name
    used = {codec.name for row in REGISTRY for codec in row.codecs}
    assert used == set(CODECS)  # no spec without a format


@pytest.mark.parametrize(
    ("name", "encoder", "records", "writer"),
    [
        ("x.mp4", SegmentEncoder, None, SegmentMuxer),
        ("x.mkv", SegmentEncoder, None, SegmentMuxer),
        ("x.mov", SegmentEncoder, None, SegmentMuxer),
        ("x.webm", SegmentEncoder, None, SegmentMuxer),
        ("x.gif", ImageSegmentEncoder, GifRecords, AnimationWriter),
        ("x.webp", ImageSegmentEncoder, WebpRecords, AnimationWriter),
        ("x.apng", ImageSegmentEncoder, ApngRecords, AnimationWriter),
        ("f_%04d.png", ImageSegmentEncoder, PngRecords, PngSequenceWriter),
    ],
)
def test_encoder_and_writer_classes(tmp_path, name, encoder, records, writer):
    settings = resolve_video_settings(tmp_path / name, 10)
    assert settings.format is FORMATS[Path(name).suffix]
    made = make_segment_encoder(settings, 0)
    assert type(made) is encoder
    if records is not None:
        assert type(made._frames) is records
    opened = open_writer(settings, tmp_path / name)
    try:
        assert type(opened) is writer
    finally:
        opened.abort()
    assert list(tmp_path.iterdir()) == []


def _frames(n: int, width: int = 64, height: int = 48) -> list[np.ndarray]:
    """Frames that differ from each other: a block moves on a grey ground."""
    frames = []
    for i in range(n):
        rgba = np.full((height, width, 4), 128, np.uint8)
        rgba[..., 3] = 255
        rgba[8 : 8 + 16, 8 * i : 8 * i + 16, :3] = (250, 20, 20)
        frames.append(rgba)
    return frames


def _round_trip(output: Path, codec: str) -> None:
    """Three frames in two segments, (0, 1) and (2,), through encoders and writer."""
    settings = resolve_video_settings(output, 10, codec)
    frames = _frames(3)
    writer = open_writer(settings, output)
    for index, (start, stop) in enumerate([(0, 2), (2, 3)]):
        encoder = make_segment_encoder(settings, start)
        for frame in frames[start:stop]:
            encoder.add(frame)
        width, height = encoder.frame_size
        segment = EncodedSegment(index, start, stop - start, width, height, encoder.finish())
        # What a worker sends back must pickle (processes, Dask).
        writer.add(pickle.loads(pickle.dumps(segment)))
    writer.commit()


@pytest.mark.parametrize(
    ("name", "codec"),
    [(_name_of(row), codec.name) for row in REGISTRY for codec in row.codecs],
)
def test_round_trip_decodes_to_every_frame(tmp_path, name, codec):
    if codec == "h264_nvenc" and nvenc_error() is not None:
        pytest.skip(f"no NVENC here: {nvenc_error()}")
    output = tmp_path / name
    _round_trip(output, codec)
    row = FORMATS[output.suffix]
    if isinstance(row, VideoFormat):
        with av.open(str(output)) as container:
            decoded = [to_rgb(f) for f in container.decode(video=0)]
        assert len(decoded) == 3
        assert decoded[0].shape == (48, 64, 3)
    elif isinstance(row, PngSequenceFormat):
        files = sorted(tmp_path.iterdir())
        assert [f.name for f in files] == ["f_0000.png", "f_0001.png", "f_0002.png"]
        for file, frame in zip(files, _frames(3), strict=True):
            with Image.open(file) as image:
                assert np.array_equal(np.asarray(image), frame[..., :3])
    else:
        with Image.open(output) as image:
            assert image.n_frames == 3
            assert image.size == (64, 48)
        assert [f.name for f in tmp_path.iterdir()] == [name]  # no temporary file left


@pytest.mark.slow
def test_settings_pickle_as_the_registry_row(tmp_path):
    """Workers get the very format object of their own registry, also in a new
    interpreter (spawn, Dask)."""
    settings = resolve_video_settings(tmp_path / "x.webm", 10)
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert pickle.loads(pickle.dumps(settings)).format is settings.format
    script = (
        "import pickle, sys\n"
        "from parallel_animate.encode.formats import FORMATS\n"
        "s = pickle.loads(sys.stdin.buffer.read())\n"
        "assert s.format is FORMATS['.webm'], s.format\n"
        "print(type(s.format).__name__, s.container, s.codec)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=pickle.dumps(settings),
        capture_output=True,
        env=_env(),
        check=True,
    )
    assert done.stdout.decode().split() == ["VideoFormat", "webm", "libvpx-vp9"]


def test_a_format_outside_the_registry_does_not_pickle():
    stray = VideoFormat(suffix=".mp4", container="mp4", codecs=FORMATS[".mp4"].codecs)
    with pytest.raises(pickle.PicklingError, match="not the registry's"):
        pickle.dumps(stray)


def test_format_table_has_one_row_per_format():
    lines = format_table_markdown().splitlines()
    cells = [line.removeprefix("|").removesuffix("|").split("|") for line in lines]
    assert [c.strip() for c in cells[0]] == [
        "output",
        "default codec, pixel format",
        "other codecs",
        "alpha",
        "fully parallel",
    ]
    assert len(lines) == 2 + len(REGISTRY)
    assert all(len(row) == 5 for row in cells)
    assert [c.strip() for c in cells[2]] == [
        "`.mp4`",
        "`libx264`, `yuv420p`",
        "`libx265`, `libsvtav1`, `libvpx-vp9`, `h264_nvenc`",
        "no",
        "yes",
    ]


# --- the shape of the package: no import cycle, no import hidden in a function ---

ENCODE_MODULES = sorted(p.stem for p in ENCODE_DIR.glob("*.py") if p.stem != "__init__")


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(SRC_DIR)}


def _imports(tree: ast.Module, package: str = "parallel_animate.encode") -> list[tuple[str, bool]]:
    """(module of this package imported, at module level?) for every import in ``tree``."""
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == package:  # ``from parallel_animate.encode import base``
                names = [
                    f"{package}.{a.name}" if a.name in ENCODE_MODULES else package
                    for a in node.names
                ]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(n, id(node) in top) for n in names if n.startswith("parallel_animate")]
    return found


def test_encode_modules_import_nothing_inside_functions_and_have_no_cycle():
    graph: dict[str, set[str]] = {}
    for path in sorted(ENCODE_DIR.glob("*.py")):
        name = path.stem
        imports = _imports(ast.parse(path.read_text()))
        hidden = [n for n, top in imports if not top]
        assert hidden == [], f"{name}.py imports {hidden} inside a function or a block"
        graph[name] = {
            "__init__" if n == "parallel_animate.encode" else n.rpartition(".")[2]
            for n, _ in imports
            if n == "parallel_animate.encode" or n.startswith("parallel_animate.encode.")
        }
    # The package's __init__ imports the modules; a module importing it is a cycle.
    assert [name for name, deps in graph.items() if "__init__" in deps] == []
    # Depth-first search for a cycle.
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())


@pytest.mark.slow
def test_each_encode_module_imports_first_in_a_fresh_interpreter():
    """Each module, imported first (its package's ``__init__`` files not run, so no
    other module of ``encode`` is loaded before it), imports cleanly: an import cycle
    would show as an ImportError of a partly initialised module."""
    template = (
        "import sys, types\n"
        "for name, path in [('parallel_animate', {src!r}), "
        "('parallel_animate.encode', {enc!r})]:\n"
        "    package = types.ModuleType(name)\n"
        "    package.__path__ = [path]\n"
        "    sys.modules[name] = package\n"
        "import parallel_animate.encode.{module}\n"
    )
    src, enc = str(SRC_DIR / "parallel_animate"), str(ENCODE_DIR)
    runs = {
        module: subprocess.Popen(
            [sys.executable, "-c", template.format(src=src, enc=enc, module=module)],
            stderr=subprocess.PIPE,
            env=_env(),
        )
        for module in ENCODE_MODULES
    }
    runs["(package)"] = subprocess.Popen(
        [sys.executable, "-c", "import parallel_animate.encode"],
        stderr=subprocess.PIPE,
        env=_env(),
    )
    failed = {}
    for module, run in runs.items():
        _, err = run.communicate(timeout=120)
        if run.returncode:
            failed[module] = err.decode()[-2000:]
    assert failed == {}


def test_docs_format_table_is_the_registrys():
    """docs/formats.md shows the table the registry generates, between its markers."""
    page = (Path(__file__).parents[1] / "docs" / "formats.md").read_text(encoding="utf-8")
    start, end = "<!-- formats-table:start -->\n", "<!-- formats-table:end -->"
    assert page.count(start) == 1 and page.count(end) == 1
    shown = page.split(start)[1].split(end)[0].strip("\n") + "\n"
    assert shown == format_table_markdown(), (
        "docs/formats.md's format table differs from the registry: paste "
        "parallel_animate.encode.formats.format_table_markdown() between its markers"
    )
