"""LocalStack as a backend, without a LocalStack (harness.backends.localstack): which one is
chosen, the container's settings and cleanup (with a fake Docker client), the virtualenv's
install and marker, a host process that dies while starting, and the state routes' errors."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.backends import localstack
from harness.backends.localstack import (
    ENDPOINT_VARIABLE,
    IMAGE,
    LAUNCHER,
    LOCK,
    LOG_NAME,
    Container,
    Endpoint,
    HostProcess,
    LocalStackError,
    LocalStackOptions,
    StateUnavailable,
    choose,
    install,
    installed,
    lock_digest,
)

# --------------------------------------------------------------------------- a tiny LocalStack


class FakeLocalStackHandler(BaseHTTPRequestHandler):
    """/_localstack/health answers 200; POST /_securecart/state/<action> answers the server's
    `state_status` (with a JSON body); the paths asked are kept in the server's `asked`."""

    server: FakeLocalStack

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.asked.append(f"GET {self.path}")
        if self.path == "/_localstack/health":
            self._answer(200, b'{"services": {}}')
        else:
            self._answer(404, b"{}")

    def do_POST(self) -> None:
        self.server.asked.append(f"POST {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status = self.server.state_status
        body = {200: {"containers": 3}, 500: {"error": "PicklingError: cannot pickle"}}
        self._answer(status, json.dumps(body.get(status, {"error": "no"})).encode())


class FakeLocalStack(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeLocalStackHandler)
        self.state_status = 200
        self.asked: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


@pytest.fixture
def fake_localstack() -> Iterator[FakeLocalStack]:
    server = FakeLocalStack()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENDPOINT_VARIABLE, raising=False)


# --------------------------------------------------------------------------- choosing


def no_docker() -> None:
    return None


def test_a_given_url_is_an_endpoint(no_endpoint: None, tmp_path: Path) -> None:
    chosen = choose(LocalStackOptions(url="http://127.0.0.1:4566/"), tmp_path)
    assert isinstance(chosen, Endpoint)
    assert chosen.url == "http://127.0.0.1:4566"


def test_the_environment_variable_is_an_endpoint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENDPOINT_VARIABLE, "http://127.0.0.1:4599")
    monkeypatch.setattr(localstack, "docker_client", no_docker)
    chosen = choose(LocalStackOptions(), tmp_path)
    assert isinstance(chosen, Endpoint)
    assert chosen.url == "http://127.0.0.1:4599"
    # A given url wins over the variable.
    given = choose(LocalStackOptions(url="http://127.0.0.1:4600"), tmp_path)
    assert isinstance(given, Endpoint) and given.url == "http://127.0.0.1:4600"


def test_docker_without_an_engine_is_an_error(
    no_endpoint: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(localstack, "docker_client", no_docker)
    with pytest.raises(LocalStackError, match="--localstack-via docker: no Docker engine"):
        choose(LocalStackOptions(via="docker"), tmp_path)


def test_no_engine_answers_at_a_missing_socket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    started = time.monotonic()
    assert localstack.docker_client() is None
    assert time.monotonic() - started < 10


def test_without_an_engine_or_endpoint_it_is_a_host_process(
    no_endpoint: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(localstack, "docker_client", no_docker)
    for options in (LocalStackOptions(), LocalStackOptions(via="process")):
        chosen = choose(options, tmp_path)
        assert isinstance(chosen, HostProcess)
        assert chosen.log_path == tmp_path / LOG_NAME
        assert chosen.url == f"http://127.0.0.1:{chosen.port}"
        assert chosen._process is None  # chosen, not started


def test_via_process_ignores_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENDPOINT_VARIABLE, "http://127.0.0.1:4599")
    monkeypatch.setattr(localstack, "docker_client", lambda: object())
    assert isinstance(choose(LocalStackOptions(via="process"), tmp_path), HostProcess)


def test_via_endpoint_needs_a_url(no_endpoint: None, tmp_path: Path) -> None:
    with pytest.raises(LocalStackError, match="--localstack-url"):
        choose(LocalStackOptions(via="endpoint"), tmp_path)


def test_an_unknown_via_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LocalStackError, match="--localstack-via podman: choose one of"):
        choose(LocalStackOptions(via="podman"), tmp_path)


@pytest.mark.parametrize("via", [None, "docker"])
def test_an_engine_makes_a_container(
    no_endpoint: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, via: str | None
) -> None:
    client = FakeDocker()
    monkeypatch.setattr(localstack, "docker_client", lambda: client)
    chosen = choose(LocalStackOptions(via=via), tmp_path)
    assert isinstance(chosen, Container)
    assert chosen.client is client
    assert chosen.log_path == tmp_path / LOG_NAME
    assert client.containers.runs == []  # chosen, not started


# --------------------------------------------------------------------------- the container


class FakeContainer:
    def __init__(self, statuses: list[str]) -> None:
        self._statuses = statuses
        self.status = "created"
        self.calls: list[str] = []

    def reload(self) -> None:
        self.calls.append("reload")
        if self._statuses:
            self.status = self._statuses.pop(0)

    def logs(self) -> bytes:
        self.calls.append("logs")
        return b"LocalStack version: 4.13.1\nReady.\n"

    def stop(self, timeout: int) -> None:
        self.calls.append(f"stop {timeout}")

    def remove(self, force: bool = False) -> None:
        self.calls.append(f"remove force={force}")


class FakeContainers:
    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.runs: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.made: list[FakeContainer] = []

    def run(self, *args: Any, **kwargs: Any) -> FakeContainer:
        self.runs.append((args, kwargs))
        self.made.append(FakeContainer(list(self.statuses)))
        return self.made[-1]


class FakeDocker:
    def __init__(self, statuses: list[str] | None = None) -> None:
        self.containers = FakeContainers(statuses or ["running"])


def test_the_container_runs_the_pinned_image_on_loopback(
    fake_localstack: FakeLocalStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(localstack, "_free_port", lambda: fake_localstack.server_port)
    client = FakeDocker()
    container = Container(client, tmp_path / "logs")
    container.start()
    try:
        assert fake_localstack.asked == ["GET /_localstack/health"]
        [(args, kwargs)] = client.containers.runs
        image = args[0] if args else kwargs["image"]
        assert image == IMAGE == "localstack/localstack:4.13.1"
        assert kwargs["ports"] == {"4566/tcp": ("127.0.0.1", fake_localstack.server_port)}
        assert kwargs["volumes"] == {str(LAUNCHER): {
            "bind": "/opt/securecart/localstack_launcher.py", "mode": "ro"}}
        assert kwargs["entrypoint"][-1] == "/opt/securecart/localstack_launcher.py"
        assert kwargs["detach"] is True
        assert container.url == fake_localstack.url
    finally:
        container.stop()
    made = client.containers.made[0]
    assert made.calls[-3:] == ["logs", "stop 15", "remove force=True"]
    assert (tmp_path / "logs" / LOG_NAME).read_bytes() == b"LocalStack version: 4.13.1\nReady.\n"
    container.stop()  # a second stop does nothing
    assert made.calls.count("remove force=True") == 1


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["running", "exited"], "stopped while starting"),
        (["running"], "did not become healthy"),
    ],
    ids=["exits", "never-healthy"],
)
def test_a_container_that_does_not_start_is_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, statuses: list[str], expected: str
) -> None:
    monkeypatch.setattr(localstack, "START_SECONDS", 1.5)
    client = FakeDocker(statuses)
    container = Container(client, tmp_path)  # nothing listens on its port
    started = time.monotonic()
    with pytest.raises(LocalStackError, match=expected) as raised:
        container.start()
    assert time.monotonic() - started < 10
    assert f"its log: {tmp_path / LOG_NAME}" in str(raised.value)
    made = client.containers.made[0]
    assert made.calls[-1] == "remove force=True"
    assert (tmp_path / LOG_NAME).read_bytes().startswith(b"LocalStack version")
    assert container._container is None


# --------------------------------------------------------------------------- the virtualenv


def make_installed(venv: Path, python: str = "#!/bin/sh\nexit 0\n",
                   digest: str | None = None) -> Path:
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "securecart-lock.sha256").write_text(lock_digest() if digest is None else digest)
    executable = venv / "bin" / "python"
    executable.write_text(python)
    executable.chmod(0o755)
    return venv


@pytest.mark.parametrize("existing", [False, True], ids=["new", "half-made"])
def test_a_failed_install_leaves_nothing_behind(tmp_path: Path, existing: bool) -> None:
    venv = tmp_path / "cache" / "localstack-venv"
    if existing:
        make_installed(venv, digest="0" * 64)
    with pytest.raises(LocalStackError) as raised:
        install(venv, python="/bin/false")
    assert f"installing LocalStack 4.13.1 into {venv} failed" in str(raised.value)
    assert "/bin/false -m venv" in str(raised.value)
    assert not venv.exists()


def test_the_venv_installs_the_lock_and_nothing_else(tmp_path: Path) -> None:
    """`python -m venv VENV` is faked by a script that makes VENV/bin/python record its
    arguments: the install is pip in hash-checking mode, reading the packaged lock."""
    venv = tmp_path / "venv"
    record = tmp_path / "pip-args"
    fake_python = tmp_path / "python3.11"
    fake_python.write_text(
        "#!/bin/sh\n"  # called as: python3.11 -m venv VENV
        'mkdir -p "$3/bin"\n'
        f'printf \'#!/bin/sh\\necho "$@" > {record}\\n\' > "$3/bin/python"\n'
        'chmod +x "$3/bin/python"\n')
    fake_python.chmod(0o755)
    assert install(venv, python=str(fake_python)) == venv
    assert record.read_text().split() == [
        "-m", "pip", "install", "--quiet", "--require-hashes", "--requirement", str(LOCK)]
    assert installed(venv)
    assert LOCK.parent == Path(localstack.__file__).parent  # shipped inside the package


def test_an_installed_venv_is_not_reinstalled(tmp_path: Path) -> None:
    venv = make_installed(tmp_path / "venv")
    assert install(venv, python="/bin/false") == venv
    assert installed(venv)


def test_installed_needs_the_marker_with_the_lock_and_a_python(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    assert not installed(venv)  # missing
    venv.mkdir()
    (venv / "bin").mkdir()
    (venv / "bin" / "python").write_text("")
    assert not installed(venv)  # no marker
    marker = venv / "securecart-lock.sha256"
    for wrong in ("", "0" * 64, lock_digest()[:-1], lock_digest() + "\n"):
        marker.write_text(wrong)
        assert not installed(venv), wrong
    marker.write_text(lock_digest())
    assert installed(venv)
    (venv / "bin" / "python").unlink()
    assert not installed(venv)  # a marker without a python


def test_installed_defaults_to_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert localstack.cache_dir() == tmp_path / "securecart" / "localstack-4.13.1"
    assert not installed()
    make_installed(localstack.cache_dir())
    assert installed()


# --------------------------------------------------------------------------- a host process


def test_starting_a_host_process_that_is_not_installed_installs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[Path] = []

    def failing_install(venv: Path) -> Path:
        asked.append(venv)
        raise LocalStackError(f"installing LocalStack into {venv} failed: no network")

    monkeypatch.setattr(localstack, "install", failing_install)
    host = HostProcess(tmp_path / "logs", venv=tmp_path / "nothing")
    with pytest.raises(LocalStackError, match="failed: no network"):
        host.start()
    assert asked == [tmp_path / "nothing"]
    assert host._process is None
    assert not (tmp_path / "logs").exists()


def test_a_host_process_that_exits_while_starting_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "must-not-reach-localstack")
    record = tmp_path / "record"
    script = (f"#!/bin/sh\necho $$ > {record}/pid\necho \"$@\" > {record}/args\n"
              f"env > {record}/env\necho 'python: cannot start' >&2\nexit 3\n")
    record.mkdir()
    venv = make_installed(tmp_path / "venv", python=script)
    host = HostProcess(tmp_path / "logs", venv=venv)
    started = time.monotonic()
    with pytest.raises(LocalStackError) as raised:
        host.start()
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert message.endswith("stopped while starting")
    assert f"its log: {tmp_path / 'logs' / LOG_NAME}" in message
    assert "exited with status 3" in message
    assert "python: cannot start" in (tmp_path / "logs" / LOG_NAME).read_text()
    # What it was started with.
    assert (record / "args").read_text().split() == ["-P", str(LAUNCHER)]
    environment = dict(line.split("=", 1) for line in (record / "env").read_text().splitlines()
                       if "=" in line)
    assert environment["GATEWAY_LISTEN"] == f"127.0.0.1:{host.port}"
    assert environment["SECURECART_PARENT_PID"] == str(os.getpid())
    assert environment["DNS_ADDRESS"] == "0"
    assert not any(name.startswith(("AWS_", "PYTEST_")) for name in environment)
    # Nothing left: stopped, reaped.
    assert host._process is None
    with pytest.raises(ProcessLookupError):
        os.kill(int((record / "pid").read_text()), 0)
    host.stop()  # harmless


# --------------------------------------------------------------------------- state routes


@pytest.mark.parametrize(("method", "action"),
                         [("snapshot", "snapshot"), ("restore", "restore"), ("clear", "reset")])
def test_state_routes_are_posted(fake_localstack: FakeLocalStack, method: str,
                                 action: str) -> None:
    endpoint = Endpoint(fake_localstack.url)
    getattr(endpoint, method)()
    assert fake_localstack.asked == [f"POST /_securecart/state/{action}"]
    assert endpoint._state(action) == {"containers": 3}


def test_no_state_routes_is_state_unavailable(fake_localstack: FakeLocalStack) -> None:
    fake_localstack.state_status = 404
    with pytest.raises(StateUnavailable) as raised:
        Endpoint(fake_localstack.url).snapshot()
    message = str(raised.value)
    assert "/_securecart/state" in message
    assert fake_localstack.url in message
    assert "--localstack-via process or docker" in message


@pytest.mark.parametrize("status", [500, 409])
def test_a_failing_state_route_is_a_localstack_error(fake_localstack: FakeLocalStack,
                                                     status: int) -> None:
    fake_localstack.state_status = status
    with pytest.raises(LocalStackError) as raised:
        Endpoint(fake_localstack.url).restore()
    assert not isinstance(raised.value, StateUnavailable)
    message = str(raised.value)
    assert f"state restore failed ({status})" in message
    assert fake_localstack.url in message
    if status == 500:
        assert "PicklingError: cannot pickle" in message


def test_an_unreachable_state_route_is_a_localstack_error() -> None:
    endpoint = Endpoint(f"http://127.0.0.1:{localstack._free_port()}")
    with pytest.raises(LocalStackError, match="state snapshot failed") as raised:
        endpoint.snapshot()
    assert not isinstance(raised.value, StateUnavailable)


def test_an_endpoint_is_checked_not_started(fake_localstack: FakeLocalStack) -> None:
    endpoint = Endpoint(fake_localstack.url + "/")
    endpoint.start()
    endpoint.stop()
    assert fake_localstack.asked == ["GET /_localstack/health"]


def test_waiting_for_health_is_bounded() -> None:
    endpoint = Endpoint(f"http://127.0.0.1:{localstack._free_port()}")
    started = time.monotonic()
    with pytest.raises(LocalStackError, match="did not become healthy"):
        endpoint.wait_healthy(0.5)
    assert time.monotonic() - started < 5


def test_the_launcher_imports_no_harness_module() -> None:
    """It runs in LocalStack's virtualenv, where the harness is not installed."""
    imported = {line.split()[1].split(".")[0] for line in LAUNCHER.read_text().splitlines()
                if line.strip().startswith(("import ", "from "))}
    assert "localstack" in imported
    assert "harness" not in imported


def test_what_an_exited_host_process_started_is_stopped_too(tmp_path: Path) -> None:
    """LocalStack may exit and leave a child behind in its process group: stop() ends it."""
    record = tmp_path / "record"
    record.mkdir()
    script = f"#!/bin/sh\nsleep 60 &\necho $! > {record}/child\nexit 3\n"
    host = HostProcess(tmp_path / "logs", venv=make_installed(tmp_path / "venv", python=script))
    with pytest.raises(LocalStackError, match="stopped while starting"):
        host.start()
    child = int((record / "child").read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
    assert not (tmp_path / "logs" / "localstack-volume").exists()


def test_the_launcher_gives_python_3_11_the_uuid5_of_bytes_python_3_12_has() -> None:
    """LocalStack names a KMS key's material with uuid5 of bytes: without this, CreateKey
    answers 500 on Python 3.11."""
    import hashlib
    import uuid

    from harness.backends import localstack_launcher

    original = uuid.uuid5
    try:
        localstack_launcher._uuid5_of_bytes()
        namespace = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        digest = hashlib.sha1(namespace.bytes + b"\x00material").digest()
        assert uuid.uuid5(namespace, b"\x00material") == uuid.UUID(bytes=digest[:16], version=5)
        assert uuid.uuid5(namespace, "orders") == original(namespace, "orders")
    finally:
        uuid.uuid5 = original
