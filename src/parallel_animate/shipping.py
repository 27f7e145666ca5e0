"""How objects travel to and from worker processes: the one pickling policy.

Animators, params and FuncAnimation parts go to workers; results and errors come back.
Plain pickle where it works (fast, and code goes by name, as usual); cloudpickle where
code cannot be found by name in the worker (lambdas, closures, classes of a notebook,
of ``python -c`` or of a script's guarded block, under "spawn" and "forkserver").
Errors coming back are made picklable, so a worker never dies of its own traceback.
"""

from __future__ import annotations

import pickle
import traceback
from typing import Any

import cloudpickle

#: What ``pickle.dumps`` raises for an object that cannot be pickled.
PICKLING_ERRORS = (pickle.PicklingError, TypeError, AttributeError)


def dumps(obj: object, fresh_interpreter: bool) -> bytes:
    """Pickle ``obj`` for a worker: plain pickle, else cloudpickle, which sends
    lambdas, closures and classes of ``__main__`` by value.

    A ``fresh_interpreter`` ("spawn"/"forkserver") starts without the parent's
    ``__main__``: classes and functions of a notebook, of ``python -c`` or of a
    script's guarded block would not be found there by name, so anything that refers
    to ``__main__`` goes by value. Under "fork" the child has them all, as they are.
    Code whose globals cannot go by value (a lock at the top of a script, say) still
    goes by name: the child finds it if it re-imports the script.
    """
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except PICKLING_ERRORS:
        data = None
    if data is not None and not (fresh_interpreter and b"__main__" in data):
        return data
    try:
        return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except PICKLING_ERRORS:
        if data is None:
            raise
        return data


def dumps_by_value(parts: dict[str, Any]) -> tuple[bytes | None, str, Exception | None]:
    """Pickle ``parts`` in one go with cloudpickle (code always by value).

    One pickle keeps the references between the parts (a closure still refers to the
    artists of the figure it travels with). Returns ``(data, "", None)``, or
    ``(None, name, error)`` naming the first part that cannot be pickled.
    """
    try:
        return cloudpickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL), "", None
    except Exception as exc:
        for name, value in parts.items():
            try:
                cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as part_exc:
                return None, name, part_exc
        return None, "", exc


def _roundtrips(obj: object) -> bool:
    try:
        pickle.loads(pickle.dumps(obj))
    except Exception:
        return False
    return True


def _cut_unpicklable_links(exc: BaseException, seen: set[int]) -> None:
    """Drop ``__cause__``/``__context__`` links to exceptions that cannot be pickled.

    Plain pickling ignores those links, but tblib's pickling support, which
    dask.distributed installs for every exception class when imported, pickles the
    whole chain: one unpicklable original would make the error unpicklable too.
    """
    seen.add(id(exc))
    for attr in ("__cause__", "__context__"):
        linked = getattr(exc, attr)
        if linked is None or id(linked) in seen:
            continue
        if _roundtrips(linked):
            _cut_unpicklable_links(linked, seen)
        else:
            setattr(exc, attr, None)


def shippable(exc: BaseException) -> Exception:
    """The exception if it survives pickling, else a RuntimeError with its traceback.

    SystemExit and other non-Exception errors in a worker become RuntimeError too: they
    must not exit or interrupt the parent. Linked exceptions that cannot be pickled are
    dropped (their traceback text is in the message of a RenderError).
    """
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if not isinstance(exc, Exception):
        return RuntimeError(f"{type(exc).__name__} raised in a worker process:\n{text}")
    _cut_unpicklable_links(exc, set())
    if _roundtrips(exc):
        return exc
    return RuntimeError(f"{type(exc).__name__} in worker (not picklable):\n{text}")
