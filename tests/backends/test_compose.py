"""docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here or in
CI): images pinned, ports on loopback only, health checks (the harness's: its health route, 200
only when ready), and every `securecart` command in them parsed by the real command line."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shlex
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
import yaml

from harness.commands.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

LOCALSTACK = "localstack"
HARNESS_BACKENDS = {"harness-moto": "moto", "harness-localstack": "localstack"}
LOOPBACK = "127.0.0.1"


# ---------------------------------------------------------------- reading the files


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "docker-compose.yml is not a mapping"
    return document


def _services() -> dict[str, dict[str, Any]]:
    services = _compose().get("services")
    assert isinstance(services, dict) and services, "docker-compose.yml defines no services"
    return services


def _command(service: dict[str, Any]) -> list[str]:
    """A service's command as argv: compose takes a list, or a string it splits like a shell."""
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    assert isinstance(command, list), f"command is neither a string nor a list: {command!r}"
    return [str(part) for part in command]


def _parse_securecart(argv: list[str]) -> argparse.Namespace:
    """Parse `securecart …` with the real parser; a usage error fails the test with argparse's
    message (instead of a bare SystemExit)."""
    assert argv and argv[0] == "securecart", f"not a securecart command: {argv!r}"
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            return build_parser().parse_args(argv[1:])
    except SystemExit:
        pytest.fail(f"`{shlex.join(argv)}` does not parse:\n{errors.getvalue()}")


def _split_image(image: str) -> tuple[str, str | None, str | None]:
    """`registry:port/name:tag@digest` → (name, tag, digest)."""
    image, _, digest = image.partition("@")
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon + 1 :], digest or None
    return image, None, digest or None


def _pinned(image: str) -> bool:
    """An exact version: a digest, or a tag naming a whole version (`4.13.1`,
    `3.11.7-slim-bookworm`) — not `latest`, no tag at all, nor a moving `3.11-slim` or `4`."""
    _, tag, digest = _split_image(image)
    if digest is not None:
        return re.fullmatch(r"sha256:[0-9a-f]{64}", digest) is not None
    return tag is not None and re.match(r"v?\d+\.\d+\.\d+", tag) is not None


class Published(NamedTuple):
    host: str | None
    """the host address it is bound to; None: every interface"""
    container_port: str
    entry: str
    """as written in the file"""


def _published_ports(service: dict[str, Any]) -> list[Published]:
    ports: list[Published] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):  # the long form
            host_ip = entry.get("host_ip")
            target = str(entry.get("target"))
            ports.append(Published(str(host_ip) if host_ip else None, target, repr(entry)))
            continue
        text = str(entry)  # "C", "H:C", "IP:H:C", "[::1]:H:C", each maybe with /protocol
        match = re.fullmatch(r"(?:(?:\[[^\]]+\]|[^:]+):)?(?:[^:]+:)?([^:/]+)(?:/\w+)?", text)
        assert match is not None, f"unreadable port {text!r}"
        host = text.rsplit(":", 2)[0] if text.count(":") >= 2 else None
        ports.append(Published(host, match.group(1), text))
    return ports


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: comments dropped, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = pending + stripped
        pending = ""
        keyword, _, arguments = text.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends in a continuation line"
    return instructions


def _last(keyword: str) -> str:
    found = [arguments for name, arguments in _dockerfile_instructions() if name == keyword]
    assert found, f"the Dockerfile has no {keyword}"
    return found[-1]


def _exec_form(keyword: str) -> list[str]:
    arguments = _last(keyword)
    try:
        value = json.loads(arguments)
    except ValueError:
        pytest.fail(f"{keyword} is not in exec (JSON array) form: {arguments}")
    assert isinstance(value, list) and all(isinstance(part, str) for part in value), (
        f"{keyword} is not a JSON array of strings: {arguments}"
    )
    return value


# ---------------------------------------------------------------- the compose file


def test_the_stack_has_localstack_and_both_harness_services() -> None:
    assert set(_services()) >= {LOCALSTACK, *HARNESS_BACKENDS}


def test_every_image_is_pinned_to_an_exact_version() -> None:
    images = {}
    for name, service in _services().items():
        if "image" not in service:
            assert "build" in service, f"{name} has neither an image nor a build"
            continue
        images[name] = str(service["image"])
    assert images, "no service names an image"
    unpinned = {name: image for name, image in images.items() if not _pinned(image)}
    assert not unpinned, f"images not pinned to an exact version: {unpinned}"


def test_localstack_is_the_community_image_that_needs_no_auth_token() -> None:
    assert _services()[LOCALSTACK]["image"] == "localstack/localstack:4.13.1"


def test_localstack_runs_the_harness_launcher() -> None:
    """The state routes that reset a LocalStack between scenarios come from the launcher; the
    compose LocalStack runs it as the Docker-SDK backend does (harness.backends.localstack)."""
    from harness.backends.localstack import IMAGE, IMAGE_PYTHON

    localstack = _services()["localstack"]
    assert localstack["image"] == IMAGE
    mounted = "/opt/securecart/localstack_launcher.py"
    assert localstack["entrypoint"] == [IMAGE_PYTHON, "-P", mounted]
    source, target, mode = localstack["volumes"][0].split(":")
    assert (ROOT / source).resolve() == ROOT / "harness" / "backends" / "localstack_launcher.py"
    assert (target, mode) == (mounted, "ro")


def test_every_published_port_is_bound_to_loopback() -> None:
    services = _services()
    exposed = {
        name: port.entry
        for name, service in services.items()
        for port in _published_ports(service)
        if port.host != LOOPBACK
    }
    assert not exposed, f"ports published beyond 127.0.0.1: {exposed}"
    on_host_network = [
        name for name, service in services.items() if service.get("network_mode") == "host"
    ]
    assert not on_host_network, f"services on the host's network: {on_host_network}"
    assert all(_published_ports(services[name]) for name in (LOCALSTACK, *HARNESS_BACKENDS))


def test_every_service_has_a_healthcheck() -> None:
    missing = [
        name
        for name, service in _services().items()
        if not isinstance(service.get("healthcheck"), dict)
        or service["healthcheck"].get("disable")
        or not service["healthcheck"].get("test")
        or service["healthcheck"]["test"] in (["NONE"], "NONE")
    ]
    assert not missing, f"services without a health check: {missing}"


@pytest.mark.parametrize(("name", "backend"), sorted(HARNESS_BACKENDS.items()))
def test_harness_command_parses_with_the_real_cli(name: str, backend: str) -> None:
    service = _services()[name]
    assert "build" in service, f"{name} is not built from the repository's Dockerfile"
    args = _parse_securecart(_command(service))
    assert args.command == "up"
    assert callable(getattr(args, "func", None)), "the parsed command has no func"
    assert args.backend == backend, f"{name} runs --backend {args.backend}"
    # Inside the container it listens on all interfaces; the host publishes loopback only.
    assert args.host == "0.0.0.0"
    published = {port.container_port for port in _published_ports(service)}
    assert {str(args.port), str(args.tls_port)} <= published, (
        f"{name} serves on {args.port} and {args.tls_port}, publishes {sorted(published)}"
    )


def test_harness_localstack_points_at_the_localstack_service() -> None:
    services = _services()
    args = _parse_securecart(_command(services["harness-localstack"]))
    url = urlsplit(str(args.localstack_url))
    assert url.scheme == "http", args.localstack_url
    assert url.hostname == LOCALSTACK, f"{args.localstack_url} is not the {LOCALSTACK} service"
    container_ports = {port.container_port for port in _published_ports(services[LOCALSTACK])}
    assert str(url.port) in container_ports, f"{url.port} is not one of {sorted(container_ports)}"


def _health_url(name: str) -> str:
    args = _parse_securecart(_command(_services()[name]))
    return f"http://127.0.0.1:{args.port}/_securecart/health"


@pytest.mark.parametrize("name", sorted(HARNESS_BACKENDS))
def test_harness_healthcheck_asks_the_health_route_of_the_port_it_serves(name: str) -> None:
    probe = " ".join(str(part) for part in _services()[name]["healthcheck"]["test"])
    assert _health_url(name) in probe, probe


class _Health(BaseHTTPRequestHandler):
    """Answers every GET with the server's `status` (a stand-in for `securecart up`)."""

    def do_GET(self) -> None:
        status: int = self.server.status  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("name", sorted(HARNESS_BACKENDS))
def test_harness_healthcheck_passes_only_when_ready(
        name: str, health_server: ThreadingHTTPServer) -> None:
    """The probe itself, run here against a stand-in on another port: healthy on 200 only —
    not on the 503 that `up` answers while seeding, nor when nothing listens."""
    test = [str(part) for part in _services()[name]["healthcheck"]["test"]]
    assert test[:2] == ["CMD", "python"], test

    def healthy(port: int) -> bool:
        url = f"http://127.0.0.1:{port}/_securecart/health"
        argv = [sys.executable, *(part.replace(_health_url(name), url) for part in test[2:])]
        return subprocess.run(argv, capture_output=True, timeout=30, check=False).returncode == 0

    port = health_server.server_address[1]
    health_server.status = 503  # type: ignore[attr-defined]
    assert not healthy(port)
    health_server.status = 200  # type: ignore[attr-defined]
    assert healthy(port)
    with socket.socket() as unused:  # bound, not listening: the connection is refused
        unused.bind(("127.0.0.1", 0))
        assert not healthy(unused.getsockname()[1])


def test_harness_localstack_waits_for_localstack_to_be_healthy() -> None:
    depends_on = _services()["harness-localstack"].get("depends_on")
    assert isinstance(depends_on, dict), (
        f"depends_on must be the long form, with a condition: {depends_on!r}"
    )
    condition = (depends_on.get(LOCALSTACK) or {}).get("condition")
    assert condition == "service_healthy", f"harness-localstack waits for {condition!r}"


# ---------------------------------------------------------------- the Dockerfile


def test_dockerfile_base_image_is_pinned() -> None:
    instructions = _dockerfile_instructions()
    bases = [arguments.split()[0] for name, arguments in instructions if name == "FROM"]
    assert bases, "the Dockerfile has no FROM"
    unpinned = [base for base in bases if not _pinned(base)]
    assert not unpinned, f"base images not pinned: {unpinned}"
    name, tag, _ = _split_image(bases[-1])
    assert name == "python" and (tag or "").startswith("3.11."), f"the image is {bases[-1]}"


def test_dockerfile_installs_the_package_from_the_repository() -> None:
    installs = _pip_installs()
    assert installs, "the Dockerfile runs no pip install"
    from_repository = [words for words in installs if "." in words]
    assert from_repository, f"no `pip install .` among {installs}"
    editable = [words for words in from_repository if {"-e", "--editable"} & set(words)]
    assert not editable, f"the package is installed editable: {editable}"


def _pip_installs() -> list[list[str]]:
    installs = []
    for name, arguments in _dockerfile_instructions():
        for command in re.split(r"&&|;", arguments) if name == "RUN" else []:
            words = shlex.split(command)
            if "pip" in words and "install" in words[words.index("pip") :]:
                installs.append(words)
    return installs


def test_dockerfile_installs_the_lock_and_nothing_outside_it() -> None:
    """The image holds the packages CI tested: the lock, hash-checked, before the code is
    copied (its own layer); then the project without dependencies, its build backend pinned."""
    lock, project = _pip_installs()
    assert {"--require-hashes", "-r", "requirements/harness.txt"} <= set(lock), lock
    assert {"--no-deps", "--build-constraint", "requirements/build.txt", "."} <= set(project)
    copies = [arguments for name, arguments in _dockerfile_instructions() if name == "COPY"]
    assert copies[0].split()[-1] == "requirements/"
    assert "requirements/harness.txt" in copies[0].split()
    assert copies[1] == ". ."


def test_dockerfile_runs_as_an_unprivileged_user() -> None:
    user = _last("USER").split(":")[0]
    assert user not in ("root", "0"), f"the image runs as {user}"


def test_dockerfile_command_is_securecart_up() -> None:
    assert _exec_form("ENTRYPOINT") == []
    command = _exec_form("CMD")
    assert command[:2] == ["securecart", "up"], command
    args = _parse_securecart(command)
    assert callable(getattr(args, "func", None))


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    patterns = {
        line.strip().removeprefix("**/").rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    wanted = {
        ".venv", ".git", "reports", "__pycache__",
        ".mypy_cache", ".ruff_cache", ".pytest_cache", ".securecart",
    }
    assert wanted <= patterns, f"missing from .dockerignore: {sorted(wanted - patterns)}"
