"""Runs LocalStack in its own virtualenv, with two routes of the harness's: state snapshot and
restore, for scenario isolation.

    <localstack venv>/bin/python localstack_launcher.py      # then LocalStack's own main

This file is executed by the LocalStack virtualenv's Python, where the harness is not
installed: it imports only the standard library and LocalStack. LocalStack community 4.13 has
no state endpoints (saving and loading state is a Pro feature), but every service exposes its
state containers to a `StateVisitor` — moto's BackendDicts and LocalStack's own
AccountRegionBundles — which is what LocalStack's own persistence pickles. Here they are
pickled in memory:

    POST /_securecart/state/snapshot   remember the current state of every loaded service
    POST /_securecart/state/restore    back to it (services loaded since are emptied)
    POST /_securecart/state/reset      empty every loaded service, forget the snapshot
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import uuid
from typing import Any, cast

LOG = logging.getLogger("securecart.localstack")
_LOCK = threading.Lock()


class _Collector:
    """A StateVisitor that collects the state containers a service shows it."""

    def __init__(self) -> None:
        self.containers: list[Any] = []

    def visit(self, state_container: Any) -> None:
        self.containers.append(state_container)


def _containers() -> list[tuple[str, Any]]:
    from localstack.services.plugins import SERVICE_PLUGINS

    found: list[tuple[str, Any]] = []
    for name in sorted(SERVICE_PLUGINS.list_loaded_services()):
        service = SERVICE_PLUGINS.get_service(name)
        if service is None:
            continue
        collector = _Collector()
        service.accept_state_visitor(cast(Any, collector))
        found += [(name, container) for container in collector.containers
                  if isinstance(container, dict)]
    return found


class _Snapshot:
    def __init__(self) -> None:
        self.saved: list[tuple[Any, bytes]] | None = None

    def save(self) -> dict[str, Any]:
        from localstack.state import pickle

        started = time.perf_counter()
        saved = []
        for _, container in _containers():
            # Items and attributes together, so that what the items share with the container
            # (an AccountRegionBundle's cross-account dict) stays shared after a restore.
            saved.append((container, pickle.dumps((dict(container), _attributes(container)))))
        self.saved = saved
        return {"containers": len(saved), "bytes": sum(len(data) for _, data in saved),
                "seconds": round(time.perf_counter() - started, 3)}

    def restore(self) -> dict[str, Any]:
        from localstack.state import pickle

        if self.saved is None:
            raise LookupError("no snapshot was taken")
        started = time.perf_counter()
        kept = {id(container) for container, _ in self.saved}
        for name, container in _containers():
            if id(container) not in kept:
                _empty(name, container)
        for container, data in self.saved:
            items, attributes = pickle.loads(data)
            container.clear()
            container.update(items)
            vars(container).update(attributes)
        return {"containers": len(self.saved),
                "seconds": round(time.perf_counter() - started, 3)}

    def reset(self) -> dict[str, Any]:
        for name, container in _containers():
            _empty(name, container)
        self.saved = None
        return {"reset": True}


def _attributes(container: Any) -> dict[str, Any]:
    # Locks are the container's own; everything else is state.
    return {key: value for key, value in vars(container).items() if key != "lock"}


def _empty(name: str, container: Any) -> None:
    reset = getattr(container, "reset", None)
    if callable(reset):
        try:
            reset()
            return
        except Exception:  # a backend whose reset needs more than it has: clear it
            LOG.warning("resetting %s's state failed; clearing it", name, exc_info=True)
    container.clear()


SNAPSHOT = _Snapshot()


def _fresh_locks() -> None:
    """Locks are pickled as new, unlocked locks: dill's own RLock pickling gives back one that
    no thread can acquire (seen with dill 0.3 under LocalStack 4.13.1), which hangs the first
    request that touches a restored S3 or SQS store."""
    from localstack.state import pickle

    def fresh(factory: Any) -> Any:
        def reduce(pickler: Any, obj: Any) -> None:
            pickler.save_reduce(factory, (), obj=obj)

        return reduce

    pickle.add_dispatch_entry(type(threading.Lock()), fresh(threading.Lock))
    pickle.add_dispatch_entry(type(threading.RLock()), fresh(threading.RLock))


def _uuid5_of_bytes() -> None:
    """On Python 3.11, uuid5 of a bytes name, as Python 3.12 has it.

    LocalStack 4.13.1 declares Python >=3.10 but names a KMS key's material with
    `uuid.uuid5(key_id, key_material)`, a bytes name, which Python 3.11's uuid5 cannot take
    (`bytes(name, "utf-8")`): every CreateKey answers 500. Python 3.12's uuid5 accepts bytes
    and gives for a str what 3.11 gives, so this changes no other result.
    https://docs.python.org/3.12/library/uuid.html#uuid.uuid5
    """
    if sys.version_info >= (3, 12):
        return
    original = uuid.uuid5

    def uuid5(namespace: uuid.UUID, name: str | bytes) -> uuid.UUID:
        if isinstance(name, str):
            return original(namespace, name)
        from hashlib import sha1

        digest = sha1(namespace.bytes + name, usedforsecurity=False).digest()
        return uuid.UUID(bytes=digest[:16], version=5)

    uuid.uuid5 = uuid5


def _resource() -> Any:
    from localstack.http import Request, Response

    class StateResource:
        def on_post(self, request: Request, action: str) -> Response:
            operations = {"snapshot": SNAPSHOT.save, "restore": SNAPSHOT.restore,
                          "reset": SNAPSHOT.reset}
            operation = operations.get(action)
            if operation is None:
                return Response(json.dumps({"error": f"unknown action {action!r}"}), 404,
                                mimetype="application/json")
            try:
                with _LOCK:
                    answer = operation()
            except LookupError as error:
                return Response(json.dumps({"error": str(error)}), 409,
                                mimetype="application/json")
            except Exception as error:
                LOG.exception("state %s failed", action)
                return Response(json.dumps({"error": f"{type(error).__name__}: {error}"}), 500,
                                mimetype="application/json")
            return Response(json.dumps(answer), 200, mimetype="application/json")

    return StateResource()


def _exit_with_parent() -> None:
    """The harness starts LocalStack in a session of its own (so that stopping it stops what it
    started); if the harness dies without stopping it, LocalStack must not outlive it."""
    parent = int(os.environ.get("SECURECART_PARENT_PID", "0") or 0)
    if parent <= 0:
        return

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                LOG.warning("the harness (pid %s) is gone: stopping", parent)
                os._exit(0)
            except PermissionError:
                pass  # it exists (another user's pid cannot be ours, but do not guess)

    threading.Thread(target=watch, name="securecart-parent-watch", daemon=True).start()


def main() -> None:
    from localstack.http import Resource
    from localstack.runtime import main as runtime
    from localstack.services.internal import get_internal_apis

    _exit_with_parent()
    _fresh_locks()
    _uuid5_of_bytes()
    get_internal_apis().add(Resource("/_securecart/state/<action>", _resource()))
    runtime.main()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main()
