"""Where a running `securecart up` listens, for the other commands (`login`, `assume`, ...).

`securecart up` writes a small JSON file once the landscape is seeded and the gateway in front,
just before its endpoint opens (so that a client that sees `/_securecart/health` answer 200
finds it), and removes it on exit:
`$XDG_RUNTIME_DIR/securecart/up.json`, or `~/.cache/securecart/up.json` where there is no
runtime directory. A file whose process is gone (a crash, kill -9) is stale and read as None.

It holds the endpoints (`endpoint_url` the HTTPS one when served, `http_url` plain HTTP), the CA
bundle that verifies the HTTPS one, whether the enforcing gateway is in front (`gateway`), and
the credentials `securecart assume` starts its chains with (`callers`: root users, service
principals, standing sessions; `harness.identity.callers.Callers.to_json`). Those are secrets
of a local emulator — valid only against this endpoint, for its lifetime — but secrets all
the same: the file is readable by its owner only (0600, in a 0700 folder).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "up.json"


@dataclass(frozen=True, slots=True)
class UpState:
    endpoint_url: str
    landscape_dir: str
    pid: int
    backend: str
    http_url: str | None = None
    ca_bundle: str | None = None
    gateway: bool = False
    """The enforcing gateway decides every request (it, not the client, decides trust)."""
    callers: dict[str, Any] = field(default_factory=dict)

    def serves(self, endpoint_url: str) -> bool:
        """Is `endpoint_url` one of this process's endpoints?"""
        wanted = endpoint_url.rstrip("/")
        return wanted in {url.rstrip("/") for url in (self.endpoint_url, self.http_url) if url}


def state_path() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime else Path.home() / ".cache"
    return base / "securecart" / STATE_FILE


def write_state(state: UpState, path: Path | None = None) -> Path:
    """Write atomically (a reader never sees half a file), readable by the user only
    (mkstemp creates the file 0600)."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".up-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(asdict(state), file, indent=2)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_state(path: Path | None = None) -> UpState | None:
    """The running `securecart up`, or None: no file, an unreadable one, or a dead process."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        callers = data.get("callers") or {}
        if not isinstance(callers, dict):
            raise TypeError("callers is not an object")
        state = UpState(
            endpoint_url=str(data["endpoint_url"]),
            landscape_dir=str(data["landscape_dir"]),
            pid=int(data["pid"]),
            backend=str(data["backend"]),
            http_url=_optional(data.get("http_url")),
            ca_bundle=_optional(data.get("ca_bundle")),
            gateway=data.get("gateway") is True,
            callers=callers,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return state if _alive(state.pid) else None


def clear_state(path: Path | None = None, pid: int | None = None) -> None:
    """Remove the state file; with `pid`, only if that process wrote it (another `up` may have
    started since and written its own)."""
    path = path or state_path()
    if pid is not None:
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") != pid:
                return
        except (OSError, ValueError, AttributeError):
            return
    path.unlink(missing_ok=True)


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
