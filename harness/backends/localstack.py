"""LocalStack as a backend: where one comes from, and its state.

Three ways to get a LocalStack, in this order unless the user names one (`via`):
1. `endpoint`: a LocalStack the user runs, at LOCALSTACK_ENDPOINT / --localstack-url;
2. `docker`: a container of the pinned community image, started through the Docker SDK when a
   Docker engine answers;
3. `process`: a host process from a virtualenv the harness creates and caches
   (`securecart localstack install`, from its lock), started, health-checked
   and stopped by the harness, its log kept in the run's report folder.

The container and the host process run LocalStack through `localstack_launcher.py`, which adds
state snapshot and restore routes (LocalStack community has none): that is how each scenario
starts from the seeded state. A LocalStack the user runs without them can serve `securecart
up`, but not isolated scenarios (`StateUnavailable` says so).

Every wait is bounded; a LocalStack that fails to start, dies or answers 5xx is reported with
what it is and where its log is (`describe()`); `stop()` leaves no process or container behind.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCALSTACK_VERSION = "4.13.1"
LOCK = Path(__file__).with_name("localstack-requirements.txt")
"""What the host-process virtualenv holds: every package pinned, with hashes, compiled from
pyproject.toml's `localstack` dependency group by requirements/lock.py (docs/dependencies.md)."""
IMAGE = f"localstack/localstack:{LOCALSTACK_VERSION}"
"""The community image, pinned: images published after 2026-03 need an auth token."""
IMAGE_PYTHON = "/opt/code/localstack/.venv/bin/python"
LAUNCHER = Path(__file__).with_name("localstack_launcher.py")
ENDPOINT_VARIABLE = "LOCALSTACK_ENDPOINT"
VIA = ("endpoint", "docker", "process")
START_SECONDS = 120.0
ENDPOINT_SECONDS = 10.0
STOP_SECONDS = 15.0
TERM_SECONDS = 3.0
"""LocalStack's own shutdown can hang (seen: "Stopping all services" and nothing more): its
state is in memory and worth nothing once stopped, so it gets this long before SIGKILL."""
STATE_SECONDS = 120.0
LOG_NAME = "localstack.log"


MOTO_SERVICES: dict[str, str] = {
    "organizations": "Organizations is not in LocalStack community (it answers 501)",
    "sso": "IAM Identity Center (sso-admin) is not in LocalStack community",
    "identitystore": "Identity Store is not in LocalStack community",
    "rds": "RDS is not in LocalStack community",
    "ecs": "ECS is not in LocalStack community",
    "cloudtrail": "CloudTrail is not in LocalStack community",
    "guardduty": "GuardDuty is not in LocalStack community",
    "dynamodb": "LocalStack community serves DynamoDB with DynamoDB Local, a Java download at "
                "first use, which fails offline (CreateTable answers 500)",
}
"""Signing names of the services embedded moto answers for the LocalStack backend, and why."""


def backend_detail() -> str:
    """The LocalStack backend in one line, for reports."""
    return (f"LocalStack {LOCALSTACK_VERSION} community; embedded moto answers "
            f"{', '.join(MOTO_SERVICES)} (not served by LocalStack community here); the "
            "LocalStack log is localstack.log in the report folder (one per worker)")


class LocalStackError(RuntimeError):
    """LocalStack could not be installed, started or used; the message says which and why."""


class StateUnavailable(LocalStackError):
    """The LocalStack answers, but has no state routes (it was not started by the harness)."""


@dataclass(frozen=True)
class LocalStackOptions:
    url: str | None = None
    """An endpoint the user runs (default: LOCALSTACK_ENDPOINT, if set)."""
    via: str | None = None
    """"endpoint", "docker" or "process"; None: the first that is available, in that order."""
    log_dir: Path | None = None
    """Where the log of a LocalStack the harness starts goes (default: a temporary folder)."""

    def endpoint(self) -> str | None:
        return self.url or os.environ.get(ENDPOINT_VARIABLE) or None


def add_localstack_options(parser: argparse.ArgumentParser) -> None:
    """The options that say which LocalStack `--backend localstack` uses."""
    parser.add_argument(
        "--localstack-url", metavar="URL", default=None,
        help=f"a LocalStack you run (default: ${ENDPOINT_VARIABLE}, if set)")
    parser.add_argument(
        "--localstack-via", choices=VIA, default=None,
        help="where LocalStack comes from (default: the given endpoint, else a Docker "
        "container if an engine answers, else a host process from `securecart localstack "
        "install`)")


def localstack_options(args: argparse.Namespace, log_dir: Path | None = None
                       ) -> LocalStackOptions:
    return LocalStackOptions(url=args.localstack_url, via=args.localstack_via, log_dir=log_dir)


# --------------------------------------------------------------------------- the virtualenv


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "securecart" / f"localstack-{LOCALSTACK_VERSION}"


def venv_python(venv: Path | None = None) -> Path:
    return (venv or cache_dir()) / "bin" / "python"


def _marker(venv: Path) -> Path:
    return venv / "securecart-lock.sha256"


def lock_digest() -> str:
    """The lock's sha256: a virtualenv installed from another lock is installed again."""
    return hashlib.sha256(LOCK.read_bytes()).hexdigest()


def installed(venv: Path | None = None) -> bool:
    venv = venv or cache_dir()
    try:
        return _marker(venv).read_text() == lock_digest() and venv_python(venv).exists()
    except OSError:
        return False


def install(venv: Path | None = None, *, python: str | None = None, quiet: bool = True) -> Path:
    """Create the LocalStack virtualenv (if it is missing or holds other pins); returns it.
    A failed install leaves nothing half-made behind."""
    venv = venv or cache_dir()
    if installed(venv):
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    # One installer at a time (xdist workers may all find it missing): the others wait, then
    # find it installed.
    with (venv.parent / f".{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed(venv):
            return venv
        _install(venv, python, quiet)
    return venv


def _install(venv: Path, python: str | None, quiet: bool) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    interpreter = python or _python311()
    steps = [
        [interpreter, "-m", "venv", str(venv)],
        # Hash-checking mode (every line of the lock has hashes): nothing outside it installs.
        [str(venv_python(venv)), "-m", "pip", "install", *(["--quiet"] if quiet else []),
         "--require-hashes", "--requirement", str(LOCK)],
    ]
    for command in steps:
        completed = subprocess.run(command, capture_output=quiet, text=True, check=False)
        if completed.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            output = (completed.stderr or completed.stdout or "")[-2000:]
            raise LocalStackError(f"installing LocalStack {LOCALSTACK_VERSION} into {venv} "
                                  f"failed: {' '.join(command[:4])}…\n{output}")
    _marker(venv).write_text(lock_digest())


def _python311() -> str:
    """LocalStack 4.13.1 needs Python 3.11 (later releases use 3.12-only syntax)."""
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if found is None:
        raise LocalStackError("LocalStack 4.13.1 needs Python 3.11: no python3.11 on PATH")
    return found


# --------------------------------------------------------------------------- a LocalStack


class LocalStack(ABC):
    """A LocalStack the harness uses: its URL, its state routes, how to describe it."""

    url: str

    @abstractmethod
    def start(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """What it is and where its log is, for error messages."""

    def snapshot(self) -> None:
        self._state("snapshot")

    def restore(self) -> None:
        self._state("restore")

    def clear(self) -> None:
        self._state("reset")

    def _state(self, action: str) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.url}/_securecart/state/{action}", data=b"",
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=STATE_SECONDS) as response:
                answer: dict[str, Any] = json.loads(response.read() or b"{}")
                return answer
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise StateUnavailable(
                    f"{self.describe()} has no state routes (/_securecart/state): it was not "
                    "started by the harness, so scenarios cannot start from the seeded state; "
                    "use --localstack-via process or docker") from error
            detail = error.read()[:300].decode("utf-8", "replace")
            raise LocalStackError(f"{self.describe()}: state {action} failed ({error.code}): "
                                  f"{detail}") from error
        except (OSError, ValueError) as error:
            raise LocalStackError(f"{self.describe()}: state {action} failed: {error}") from error

    def wait_healthy(self, seconds: float, alive: Any = None) -> None:
        """Until /_localstack/health answers, `alive()` (if given) says the LocalStack is
        still there, and `seconds` have not passed."""
        last = "no answer yet"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if alive is not None and not alive():
                raise LocalStackError(f"{self.describe()} stopped while starting")
            try:
                with urllib.request.urlopen(f"{self.url}/_localstack/health", timeout=2) as found:
                    if found.status == 200:
                        return
            except (OSError, ValueError) as error:
                last = str(error)
            time.sleep(0.2)
        raise LocalStackError(f"{self.describe()} did not become healthy within "
                              f"{seconds:.0f} s (last: {last})")


class Endpoint(LocalStack):
    """A LocalStack the user runs: checked, never started or stopped."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def start(self) -> None:
        self.wait_healthy(ENDPOINT_SECONDS)

    def stop(self) -> None:
        return None

    def describe(self) -> str:
        return f"LocalStack at {self.url} (given endpoint; its log is wherever it runs)"


class HostProcess(LocalStack):
    """LocalStack from the cached virtualenv, on a free loopback port, in its own process
    group (so that stopping it stops what it started)."""

    def __init__(self, log_dir: Path, venv: Path | None = None) -> None:
        self.venv = venv or cache_dir()
        self.log_path = log_dir / LOG_NAME
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._volume = log_dir / "localstack-volume"

    def start(self) -> None:
        if not installed(self.venv):
            # The first use installs it (once, a minute or two); `securecart localstack
            # install` does the same ahead of time.
            print(f"securecart: installing LocalStack {LOCALSTACK_VERSION} into {self.venv} "
                  "(once)", file=sys.stderr, flush=True)
            install(self.venv)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "AWS_"))},
            "GATEWAY_SERVER": "hypercorn",
            "GATEWAY_LISTEN": f"127.0.0.1:{self.port}",
            "DNS_ADDRESS": "0",  # no DNS server (it would listen on every interface)
            "LOCALSTACK_VOLUME_DIR": str(self._volume),
            "EAGER_SERVICE_LOADING": "0",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DISABLE_EVENTS": "1",
            "SECURECART_PARENT_PID": str(os.getpid()),
        }
        with self.log_path.open("ab") as log:
            # -P: the launcher's folder is not put on sys.path (it holds moto.py).
            self._process = subprocess.Popen(
                [str(venv_python(self.venv)), "-P", str(LAUNCHER)], stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment,
                start_new_session=True)
        try:
            self.wait_healthy(START_SECONDS, alive=self._alive)
        except BaseException:
            self.stop()
            raise

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=TERM_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_SECONDS)
            except ProcessLookupError:
                pass
        # Whatever it started is in its process group, even when it has exited itself.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self._volume, ignore_errors=True)

    def describe(self) -> str:
        status = ""
        if self._process is not None and self._process.poll() is not None:
            status = f", exited with status {self._process.returncode}"
        return (f"LocalStack {LOCALSTACK_VERSION} (host process at {self.url}{status}; "
                f"its log: {self.log_path})")


class Container(LocalStack):
    """The pinned image, run through the Docker SDK with the launcher mounted; port 4566
    published on loopback only; its log written to the log folder when it stops."""

    def __init__(self, client: Any, log_dir: Path) -> None:
        self.client = client
        self.log_path = log_dir / LOG_NAME
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._container: Any = None

    def start(self) -> None:
        self._container = self.client.containers.run(
            IMAGE,
            entrypoint=[IMAGE_PYTHON, "-P", "/opt/securecart/localstack_launcher.py"],
            environment={"GATEWAY_LISTEN": "0.0.0.0:4566", "DNS_ADDRESS": "0",
                         "EAGER_SERVICE_LOADING": "0"},
            ports={"4566/tcp": ("127.0.0.1", self.port)},
            volumes={str(LAUNCHER): {"bind": "/opt/securecart/localstack_launcher.py",
                                     "mode": "ro"}},
            detach=True, auto_remove=False, labels={"securecart": "localstack"},
        )
        try:
            self.wait_healthy(START_SECONDS, alive=self._alive)
        except BaseException:
            self.stop()
            raise

    def _alive(self) -> bool:
        if self._container is None:
            return False
        self._container.reload()
        return str(self._container.status) in ("created", "running")

    def stop(self) -> None:
        container, self._container = self._container, None
        if container is None:
            return
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log_path.write_bytes(container.logs())
            container.stop(timeout=int(STOP_SECONDS))
        finally:
            container.remove(force=True)

    def describe(self) -> str:
        return f"LocalStack {LOCALSTACK_VERSION} (container of {IMAGE}; its log: {self.log_path})"


def docker_client() -> Any | None:
    """A Docker SDK client when an engine answers, else None."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
        return client
    except Exception:  # no engine, no socket, no permission: no Docker
        return None


def choose(options: LocalStackOptions, log_dir: Path) -> LocalStack:
    """The LocalStack to use, per `options.via` or the documented order."""
    if options.via not in (None, *VIA):
        raise LocalStackError(f"--localstack-via {options.via}: choose one of {', '.join(VIA)}")
    url = options.endpoint()
    if options.via == "endpoint" or (options.via is None and url):
        if not url:
            raise LocalStackError(f"--localstack-via endpoint needs --localstack-url or "
                                  f"{ENDPOINT_VARIABLE}")
        return Endpoint(url)
    if options.via in (None, "docker"):
        client = docker_client()
        if client is not None:
            return Container(client, log_dir)
        if options.via == "docker":
            raise LocalStackError("--localstack-via docker: no Docker engine answers")
    return HostProcess(log_dir)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
