"""The record a running `securecart up` leaves for the other commands."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from harness.backends.state import UpState, clear_state, read_state, state_path, write_state


def up_state(pid: int | None = None) -> UpState:
    return UpState("http://127.0.0.1:4566", "/landscapes/securecart", pid or os.getpid(), "moto")


def test_the_path_is_under_the_runtime_directory_else_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert state_path() == tmp_path / "securecart" / "up.json"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert state_path() == tmp_path / ".cache" / "securecart" / "up.json"


def test_written_state_reads_back_while_its_process_lives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = write_state(up_state())
    assert path == state_path()
    assert read_state() == up_state()
    assert json.loads(path.read_text())["endpoint_url"] == "http://127.0.0.1:4566"
    assert list(path.parent.iterdir()) == [path]  # no temporary file left


def test_state_of_a_dead_process_is_ignored(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    path = tmp_path / "up.json"
    write_state(up_state(int(finished.stdout)), path)
    assert read_state(path) is None


@pytest.mark.parametrize("content", ["", "{", "[]", '{"endpoint_url": "x"}', '{"pid": "a"}'])
def test_unreadable_state_is_none(tmp_path: Path, content: str) -> None:
    path = tmp_path / "up.json"
    path.write_text(content)
    assert read_state(path) is None
    assert read_state(tmp_path / "missing.json") is None


def test_clear_removes_only_its_own_state(tmp_path: Path) -> None:
    path = tmp_path / "up.json"
    write_state(up_state(), path)
    clear_state(path, pid=os.getpid() + 1)  # another process's `up` exiting
    assert path.exists()
    clear_state(path, pid=os.getpid())
    assert not path.exists()
    clear_state(path)  # nothing to remove: fine
    write_state(up_state(), path)
    clear_state(path)
    assert not path.exists()


def test_the_gateway_fields_round_trip_owner_only(tmp_path: Path) -> None:
    """`securecart up` records its endpoints, CA bundle, gateway and the credentials chains
    start from (secrets: readable by the owner only)."""
    state = UpState(
        "https://127.0.0.1:4567",
        "/landscapes/securecart",
        os.getpid(),
        "moto",
        http_url="http://127.0.0.1:4566",
        ca_bundle="/cache/securecart/tls/ca.pem",
        gateway=True,
        callers={"roots": {"111111111111": {"AccessKeyId": "AKIA", "SecretAccessKey": "s",
                                             "Arn": "arn:aws:iam::111111111111:root"}}},
    )
    path = write_state(state, tmp_path / "securecart" / "up.json")
    assert read_state(path) == state
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert state.serves("https://127.0.0.1:4567/") and state.serves("http://127.0.0.1:4566")
    assert not state.serves("http://127.0.0.1:4567")


def test_a_state_without_the_gateway_fields_reads_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "up.json"
    path.write_text(json.dumps({"endpoint_url": "http://127.0.0.1:4566", "landscape_dir": "/l",
                                "pid": os.getpid(), "backend": "moto"}))
    assert read_state(path) == UpState("http://127.0.0.1:4566", "/l", os.getpid(), "moto")
    path.write_text(json.dumps({"endpoint_url": "x", "landscape_dir": "/l", "pid": os.getpid(),
                                "backend": "moto", "callers": ["not", "an", "object"]}))
    assert read_state(path) is None
