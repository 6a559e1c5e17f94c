"""moto's state, snapshotted and restored for fast scenario isolation: `capture` pickles moto's
backend dictionaries, `restore` refills those very dictionaries from a snapshot (about 0.2 s),
`empty` empties them. moto's state lives in the process: these act on every MotoServer in it.

This reaches into moto's internals (its registry of backend dictionaries, its lock) because no
API of moto's offers a snapshot; its reset endpoint only empties.
"""

from __future__ import annotations

import contextlib
import gc
import io
import pickle
import threading
import types
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Snapshot:
    """moto's state: the backend dictionaries in use and their pickled contents."""

    dicts: tuple[Any, ...]
    data: bytes
    shared: tuple[Any, ...]


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _treatment(kind: type) -> str:
    """How a snapshot takes objects of one type: "value" (pickled); "backend-dict" (by
    reference: moto's code looks its backend dictionaries up as module globals, so a restore
    must refill those very objects); "lock" (a fresh lock); "weak-values" (rebuilt from its
    items); "shared" (the very object, kept beside the bytes: immutable things pickle cannot
    take, such as cryptography keys); "function" (by name, as pickle does, but lambdas and
    local functions, which have none, shared)."""
    from moto.core.base_backend import BackendDict

    if issubclass(kind, BackendDict):
        return "backend-dict"
    if kind in _LOCK_TYPES:
        return "lock"
    if kind is weakref.WeakValueDictionary:
        return "weak-values"
    if kind is types.FunctionType:
        return "function"
    if kind.__module__.startswith("cryptography"):
        return "shared"
    return "value"


class _Pickler(pickle.Pickler):
    """Pickles moto's state, taking a few kinds of object specially (see `_treatment`)."""

    def __init__(self, file: io.BytesIO, dicts: tuple[Any, ...]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._dicts = {id(backend_dict): index for index, backend_dict in enumerate(dicts)}
        self._treatments: dict[type, str] = {}
        self.shared: list[Any] = []

    def reducer_override(self, obj: Any) -> Any:
        # Called for every object but plain strings, numbers and containers: one dict lookup
        # in the common case (a persistent_id would be called for those too, five times as
        # often).
        kind = type(obj)
        treatment = self._treatments.get(kind)
        if treatment is None:
            treatment = self._treatments[kind] = _treatment(kind)
        if treatment == "value":
            return NotImplemented
        if treatment == "backend-dict":
            index = self._dicts.get(id(obj))
            return NotImplemented if index is None else (_from_snapshot, ("dicts", index))
        if treatment == "lock":
            return (threading.RLock if kind is _LOCK_TYPES[1] else threading.Lock, ())
        if treatment == "weak-values":
            return (weakref.WeakValueDictionary, (dict(obj),))
        if treatment == "function" and "<" not in obj.__qualname__:
            return NotImplemented  # importable: <lambda> and <locals> are not
        self.shared.append(obj)
        return (_from_snapshot, ("shared", len(self.shared) - 1))


_restoring = threading.local()
"""The snapshot being unpickled in this thread, for `_from_snapshot`."""


def _from_snapshot(part: str, index: int) -> Any:
    """An object a snapshot holds by reference (called by pickle while restoring)."""
    snapshot: Snapshot = _restoring.snapshot
    return (snapshot.dicts if part == "dicts" else snapshot.shared)[index]


def capture() -> Snapshot:
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock, gc_paused():
        dicts = tuple(_in_use(BackendDict))
        buffer = io.BytesIO()
        # Contents as plain dicts, so that the top level is pickled by value; attributes too
        # (OrganizationsBackendDict.master_accounts, S3's bucket_accounts, ...).
        pickler = _Pickler(buffer, dicts)
        pickler.dump([(dict(d), dict(vars(d))) for d in dicts])
        return Snapshot(dicts, buffer.getvalue(), tuple(pickler.shared))


def restore(snapshot: Snapshot) -> None:
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import reset_model_data

    with backend_lock, gc_paused():
        _restoring.snapshot = snapshot
        try:
            contents = pickle.loads(snapshot.data)
        finally:
            _restoring.snapshot = None
        in_use = _in_use(BackendDict)
        for backend_dict in in_use:
            if all(backend_dict is not kept for kept in snapshot.dicts):
                _empty_dict(backend_dict)
        for backend_dict, (items, attributes) in zip(snapshot.dicts, contents, strict=True):
            backend_dict.clear()
            backend_dict.update(items)
            vars(backend_dict).update(attributes)
        in_use[:] = snapshot.dicts
        reset_model_data()
        _after_restore(snapshot)


FROZEN_GARBAGE_BUDGET = 256 * 2**20
"""How many bytes of replaced moto states may wait, frozen, for one full collection."""
_STATE_BYTES_PER_PICKLED_BYTE = 3
"""A restored state takes about three times its pickle's size in memory (measured: 8.6 MB of
pickle, ~21 MB of objects for the SecureCart landscape)."""
_waiting = 0


def _after_restore(snapshot: Snapshot) -> None:
    """A restore replaces moto's state: ~10^5 new objects, and the old ones become garbage in
    reference cycles, which only the cyclic collector frees, by walking every object it tracks
    (up to 3 s per full collection in a suite: a third of its time). So the new state is frozen
    at once (gc.freeze: no collection walks it, nor anything else alive now), and the old states
    wait, frozen too, until FROZEN_GARBAGE_BUDGET of them is reached; then one full collection
    takes them all. https://docs.python.org/3/library/gc.html#gc.freeze"""
    global _waiting
    _waiting += _STATE_BYTES_PER_PICKLED_BYTE * len(snapshot.data)
    if _waiting > FROZEN_GARBAGE_BUDGET:
        gc.unfreeze()
        gc.collect()
        _waiting = 0
    gc.freeze()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pickling moto's state makes ~10^5 objects; the cyclic garbage collector would walk the
    whole heap several times meanwhile, for nothing (nothing becomes garbage in between)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _in_use(backend_dict_class: Any) -> list[Any]:
    """moto's registry of the backend dictionaries holding state (`BackendDict._instances`)."""
    in_use: list[Any] = backend_dict_class._instances
    return in_use


def _empty_dict(backend_dict: Any) -> None:
    """Drop a backend dictionary's backends; moto makes new, empty ones on the next lookup.
    moto's own reset re-initialises every region's backend in place first, only to drop it
    (loading the AWS managed policies and thousands of AMIs again: seconds at the end of a
    run); here only backends with a reset of their own run it, for what they release (S3's
    temporary files and global bucket names, Batch's threads). Nothing else holds a backend:
    moto 5.2.5 looks them up in their dictionary on every request."""
    from moto.core.base_backend import BaseBackend

    for account_backends in backend_dict.values():
        for backend in account_backends.values():
            if type(backend).reset is not BaseBackend.reset:
                backend.reset()
    backend_dict.clear()


def empty() -> None:
    """Everything gone, as after moto's `POST /moto-api/reset` — and what that reset misses:
    moto 5.2.5 keeps Organizations' member → management map on the backend dict itself, so an
    account that was once a member could never create or join another organisation."""
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.moto_api._internal.models import moto_api_backend
    from moto.organizations.models import organizations_backends

    with backend_lock:
        for backend_dict in _in_use(BackendDict):
            _empty_dict(backend_dict)
    moto_api_backend.reset()  # the rest of moto's reset (its own state, the model registry)
    organizations_backends.master_accounts.clear()
