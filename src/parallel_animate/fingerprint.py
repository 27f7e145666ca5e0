"""Fingerprints: a digest of everything that decides a segment's bytes.

A finished segment is kept under a key (see ``parts.py``); a later run reuses it only if
its key is the same. The key of a segment is the digest of its frame range, of each
frame's params (their pickled bytes) and of the *run key*: the animator's state and
code, the video settings, the frame style, the blit mode, rcParams and the versions of
parallel_animate, matplotlib, PyAV and NumPy.

Pickles are hashed, never stored: big arrays are hashed in place (pickle protocol 5
hands their buffers over without a copy). A pickle holds memory addresses in a few
places (a matplotlib transform keeps its parents by ``id()``): the fingerprint pickler
leaves those out, so the same figure built by two runs has the same fingerprint. What
cannot be pickled at all has no fingerprint (None): its segments are never kept.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import logging
import os
import pickle
import sys
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cloudpickle

from parallel_animate.shipping import PICKLING_ERRORS

if TYPE_CHECKING:
    from parallel_animate.plan import RunPlan

_logger = logging.getLogger("parallel_animate")

#: Bumped when what a key covers, or how a part is stored, changes.
KEY_SCHEMA = b"parallel-animate parts 1"


class _Digest:
    """SHA-256 over labelled fields, each length-prefixed (no two inputs collide by
    shifting bytes from one field to the next)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(KEY_SCHEMA)

    def add(self, label: str, data: bytes | memoryview) -> None:
        self._hash.update(f"\n{label}:{len(data)}:".encode())
        self._hash.update(data)

    def digest(self) -> bytes:
        return self._hash.digest()

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


#: What matplotlib pickles that says nothing about the pixels and differs between two
#: runs that build the same figure: a transform's parents are keyed by ``id()``, a
#: pyplot figure carries its number.
_NOT_DRAWN = {"TransformNode": "_parents", "Figure": "_number"}


def _canonical(obj: Any, attribute: str) -> Any:
    """``obj``'s reduce value without ``attribute``'s varying part."""
    reduced = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    if isinstance(reduced, tuple) and len(reduced) > 2 and isinstance(reduced[2], dict):
        state = dict(reduced[2])
        value = state.pop(attribute, None)
        if isinstance(value, dict):  # keyed by id(): the values, in their order
            state[attribute] = tuple(value.values())
        return (*reduced[:2], state, *reduced[3:])
    return reduced


@cache
def _varying_attribute(kind: type) -> str | None:
    for base in kind.__mro__:
        attribute = _NOT_DRAWN.get(base.__name__)
        if attribute is not None and base.__module__.startswith("matplotlib."):
            return attribute
    return None


def _override(obj: Any) -> Any:
    """A canonical reduce value for the matplotlib objects of ``_NOT_DRAWN``, or None."""
    attribute = _varying_attribute(obj.__class__)
    return None if attribute is None else _canonical(obj, attribute)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        reduced = _override(obj)
        return NotImplemented if reduced is None else reduced


class _CloudPickler(cloudpickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        reduced = _override(obj)
        return super().reducer_override(obj) if reduced is None else reduced


def _pickle_into(digest: _Digest, label: str, obj: Any, by_value: bool) -> None:
    buffers: list[pickle.PickleBuffer] = []
    out = io.BytesIO()
    kind = _CloudPickler if by_value else _Pickler
    kind(out, protocol=5, buffer_callback=buffers.append).dump(obj)
    digest.add(label, out.getbuffer())
    for i, buffer in enumerate(buffers):
        digest.add(f"{label}[{i}]", buffer.raw())


def fingerprint(obj: Any, by_value: bool = False) -> bytes | None:
    """A digest of ``obj``'s pickle (cloudpickle if plain pickle fails, or always with
    ``by_value``: code by value); None if it cannot be pickled."""
    for cloud in (True,) if by_value else (False, True):
        digest = _Digest()
        try:
            _pickle_into(digest, "obj", obj, cloud)
        except (*PICKLING_ERRORS, ValueError, pickle.PickleError, RecursionError):
            continue
        return digest.digest()
    return None


def _file_digest(path: str) -> bytes:
    """The file's digest, read again only when its size or time changed."""
    stat = os.stat(path)
    return _read_digest(path, stat.st_size, stat.st_mtime_ns)


@cache
def _read_digest(path: str, size: int, mtime_ns: int) -> bytes:
    return hashlib.sha256(Path(path).read_bytes()).digest()


@lru_cache(maxsize=1)
def package_digest() -> bytes:
    """Our own source files: an edited checkout counts as another version."""
    root = Path(__file__).parent
    digest = _Digest()
    for path in sorted(root.rglob("*.py")):
        digest.add(str(path.relative_to(root)), _file_digest(str(path)))
    return digest.digest()


def _ours_or_library(module: str) -> bool:
    top = module.partition(".")[0]
    return top in {"parallel_animate", "builtins", "abc", "typing"} or top in getattr(
        sys, "stdlib_module_names", ()
    )


def code_fingerprint(code_owners: Iterable[Any]) -> bytes:
    """The source of each class or function given and of the module defining it.

    The module's file as it is on disk (an edit anywhere in it counts); where there is
    none (a notebook, ``python -c``), the object's source if ``inspect`` finds it, else
    its code pickled by value. Modules of the standard library and our own are left out
    (versions cover them).
    """
    digest = _Digest()
    for owner in code_owners:
        module_name = getattr(owner, "__module__", None) or ""
        if owner is None or _ours_or_library(module_name):
            continue
        digest.add("owner", getattr(owner, "__qualname__", repr(type(owner))).encode())
        module = sys.modules.get(module_name)
        path = getattr(module, "__file__", None)
        if path and Path(path).is_file():
            digest.add("module", _file_digest(path))
            continue
        try:
            digest.add("source", inspect.getsource(owner).encode())
        except (OSError, TypeError):
            value = fingerprint(owner, by_value=True)
            digest.add("code", value if value is not None else b"?")
    return digest.digest()


def _rc_params() -> bytes:
    """matplotlib's rcParams as the workers start with them (no memory addresses)."""
    import matplotlib

    items = []
    for key, value in sorted(matplotlib.rcParams.items()):
        text = repr(value)
        if " at 0x" not in text:
            items.append(f"{key}={text}")
    return "\n".join(items).encode()


def _versions() -> bytes:
    import av
    import matplotlib
    import numpy

    ours = sys.modules["parallel_animate"].__version__  # imported: we run inside it
    return f"{ours} {matplotlib.__version__} {av.__version__} {numpy.__version__}".encode()


def run_key(plan: RunPlan, first_params: Any = None) -> str | None:
    """The key shared by every segment of ``plan``'s run; None when the animator's
    state cannot be fingerprinted (nothing is kept then). ``first_params``: frame 0's
    params, which decide the crop of a tight bounding box."""
    animator = plan.animator
    state_of = getattr(animator, "_fingerprint_state", None)
    state = state_of() if callable(state_of) else fingerprint(animator)
    if state is None:
        _logger.warning(
            "resume is off for this run: the state of %s cannot be pickled, so a kept "
            "part could not be told apart from a stale one",
            type(animator).__name__,
        )
        return None
    digest = _Digest()
    digest.add("versions", _versions())
    digest.add("package", package_digest())
    digest.add("state", state)
    owners_of = getattr(animator, "_code_owners", None)
    owners = owners_of() if callable(owners_of) else type(animator).__mro__
    digest.add("code", code_fingerprint(owners))
    for label, value in (
        ("video", plan.video),
        ("style", plan.style),
        ("blit", plan.blit),
        ("reuse_figure", plan.reuse_figure),
    ):
        print_ = fingerprint(value)
        if print_ is None:
            return None
        digest.add(label, print_)
    digest.add("rcParams", _rc_params())
    if plan.style.tight:
        first = fingerprint(first_params)
        if first is None:
            return None
        digest.add("tight", first)
    return digest.hexdigest()


def segment_key(run: str, start: int, prints: Iterable[bytes], lead: bytes | None = None) -> str:
    """The key of the segment starting at frame ``start`` whose frames' params have the
    fingerprints ``prints``; ``lead``: that of the frame before it, if the segment has
    one (a GIF segment's first record depends on it)."""
    digest = _Digest()
    digest.add("run", run.encode())
    digest.add("start", str(start).encode())
    if lead is not None:
        digest.add("lead", lead)
    for i, print_ in enumerate(prints):
        digest.add(str(i), print_)
    return digest.hexdigest()
