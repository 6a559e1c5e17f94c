"""Not a byte before ready: `securecart up` is probed from the moment it is started, as a CI job
polling its port would, with a key nobody issued. Until it is ready, nothing answers but the
harness itself (503 ServiceUnavailable, or a refused connection): never moto, whose answer to a
bogus key would be a 200. Its health route goes 503 → 200; afterwards the gateway refuses the
bogus key; and nothing listens beyond 127.0.0.1 at any moment."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import psutil
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from harness.backends.readiness import Phase
from harness.landscape.loader import load_landscape
from harness.seeding.context import SeedError
from harness.stack import Stack

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 120
BOGUS = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
         "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
NOT_READY = (503, "ServiceUnavailable")
REFUSED = (None, "refused")
# What the gateway answers each probe once it is ready: the bogus key is unknown to it.
GATEWAY_REFUSALS = {
    "sts over HTTP": (403, "InvalidClientTokenId"),
    "sts over HTTPS": (403, "InvalidClientTokenId"),
    "s3": (403, "InvalidAccessKeyId"),
    "dynamodb": (400, "UnrecognizedClientException"),
    "moto-api": (403, "AccessDenied"),
}

Outcome = tuple[int | None, str | None]
"""(HTTP status, AWS error code or health status); (None, "refused"): no connection."""


@dataclass(frozen=True, slots=True)
class Answer:
    probe: str
    sent: float
    received: float
    outcome: Outcome


# --------------------------------------------------------------------------- the probes


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for one in sockets:
            one.bind(("127.0.0.1", 0))
        return [one.getsockname()[1] for one in sockets]
    finally:
        for one in sockets:
            one.close()


def aws_call(call: Callable[[], Any]) -> Outcome:
    try:
        call()
    except ClientError as error:
        return (error.response["ResponseMetadata"]["HTTPStatusCode"],
                error.response["Error"]["Code"])
    except BotoCoreError:  # not listening yet, or the connection dropped
        return REFUSED
    return 200, None  # an answer from the backend


def http_get(url: str) -> tuple[Outcome, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return (response.status, None), response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
        code = re.search(rb"<Code>([^<]+)</Code>", body)
        return (error.code, code.group(1).decode() if code else None), body
    except OSError:
        return REFUSED, b""


def health(url: str) -> tuple[Outcome, dict[str, Any] | None]:
    (status, _), body = http_get(f"{url}/_securecart/health")
    if status is None:
        return REFUSED, None
    answer: dict[str, Any] = json.loads(body)
    return (status, str(answer["status"])), answer


def probes(http_port: int, tls_port: int) -> dict[str, Callable[[], Outcome]]:
    """A call of each protocol family with the bogus key, over both listeners; and moto's own
    administration API, unsigned."""
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10)
    http, https = f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{tls_port}"

    def client(service: str, url: str) -> Any:
        return boto3.client(service, region_name="us-east-1", endpoint_url=url, config=config,
                            verify=False, **BOGUS)

    sts, sts_tls = client("sts", http), client("sts", https)
    s3, dynamodb = client("s3", http), client("dynamodb", http)
    return {
        "sts over HTTP": lambda: aws_call(sts.get_caller_identity),
        "sts over HTTPS": lambda: aws_call(sts_tls.get_caller_identity),
        "s3": lambda: aws_call(s3.list_buckets),
        "dynamodb": lambda: aws_call(dynamodb.list_tables),
        "moto-api": lambda: http_get(f"{http}/moto-api/data.json")[0],
        "health": lambda: health(http)[0],
    }


@dataclass
class Poller:
    """Probes `up` from a thread, round after round, and samples where it listens."""

    pid: int
    calls: dict[str, Callable[[], Outcome]]
    state_file: Path
    answers: list[Answer] = field(default_factory=list)
    listening: set[tuple[str, int]] = field(default_factory=set)
    state_when_ready: bool | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="readiness-probe")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample_listeners()
            for name, call in self.calls.items():
                sent = time.monotonic()
                outcome = call()
                self.answers.append(Answer(name, sent, time.monotonic(), outcome))
                if name == "health" and outcome[0] == 200 and not self.ready.is_set():
                    self.state_when_ready = self.state_file.exists()
                    self.ready.set()
            self._stop.wait(0.1)

    def _sample_listeners(self) -> None:
        try:
            connections = psutil.Process(self.pid).net_connections(kind="inet")
        except psutil.Error:  # gone
            return
        self.listening |= {(c.laddr.ip, c.laddr.port) for c in connections
                           if c.status == psutil.CONN_LISTEN}


def environment(tmp_path: Path) -> dict[str, str]:
    """No AWS set-up of the developer's; this test's own runtime and cache folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(XDG_RUNTIME_DIR=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"),
               PYTHONPATH=str(ROOT), HOME=str(tmp_path),
               AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return env


@pytest.fixture
def up_probed(tmp_path: Path) -> Iterator[tuple[Poller, subprocess.Popen[str], float, int, int]]:
    """`securecart up` on two chosen free ports, probed from before it starts until after it
    is ready; stopped with SIGINT."""
    http_port, tls_port = free_ports(2)
    calls = probes(http_port, tls_port)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.commands", "up",
         "--port", str(http_port), "--tls-port", str(tls_port)],
        cwd=tmp_path, env=environment(tmp_path), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    poller = Poller(process.pid, calls, tmp_path / "securecart" / "up.json")
    poller.start()
    try:
        yield poller, process, started, http_port, tls_port
    finally:
        poller.stop()
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def wait_ready(poller: Poller, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not poller.ready.wait(0.2):
        if process.poll() is not None:
            raise AssertionError(f"up exited before it was ready: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"up was not ready within {READY_SECONDS} s")


# --------------------------------------------------------------------------- the tests


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_not_a_byte_before_ready(
        up_probed: tuple[Poller, subprocess.Popen[str], float, int, int]) -> None:
    poller, process, started, http_port, tls_port = up_probed
    wait_ready(poller, process)
    ready_seconds = time.monotonic() - started
    time.sleep(1.5)  # some rounds against the ready endpoint
    poller.stop()
    answers = list(poller.answers)
    calls = [a for a in answers if a.probe != "health"]
    checks = [a for a in answers if a.probe == "health"]
    first_ready = next(a for a in checks if a.outcome[0] == 200)
    last_unready = [a for a in checks if a.sent < first_ready.sent][-1]

    # Every answer is the harness's 503, no connection, or the gateway refusing the key: never
    # the backend (moto answers a bogus key, and /moto-api, with a 200).
    unexpected = [a for a in calls
                  if a.outcome not in (NOT_READY, REFUSED, GATEWAY_REFUSALS[a.probe])]
    assert not unexpected, unexpected

    # Before ready (answered before the last "not ready" was even asked for): only 503, or no
    # connection. (A request answered later may have waited, unread, until after ready: seeding
    # holds the interpreter for long stretches. Then the gateway answered it.)
    before = [a for a in calls if a.received < last_unready.sent]
    assert not [a for a in before if a.outcome not in (NOT_READY, REFUSED)]
    unavailable = [a for a in before if a.outcome == NOT_READY]
    assert len(unavailable) >= 20, "the probe did not catch the harness while it was seeding"
    assert {a.probe for a in unavailable} == set(GATEWAY_REFUSALS)

    # The health route: refused or 503 (starting, seeding), then 200 (ready) and no going back.
    statuses = [a.outcome for a in checks]
    opened = statuses.index((200, "ready"))
    assert set(statuses[:opened]) <= {REFUSED, (503, "starting"), (503, "seeding")}
    assert (503, "seeding") in statuses[:opened]
    assert set(statuses[opened:]) == {(200, "ready")}
    # `up` recorded its endpoints before opening, so a client that waited finds them.
    assert poller.state_when_ready is True

    # Once ready, the gateway answers the bogus key: refused, in each service's own words.
    after = [a for a in calls if a.sent > first_ready.received]
    assert {a.probe for a in after} == set(GATEWAY_REFUSALS)
    assert {(a.probe, a.outcome) for a in after} == set(GATEWAY_REFUSALS.items())

    # Nothing listened beyond loopback, nor on any port but the two asked for.
    assert poller.listening == {("127.0.0.1", http_port), ("127.0.0.1", tls_port)}

    _, body = health(f"http://127.0.0.1:{http_port}")
    assert body is not None and body["seconds_to_ready"] <= ready_seconds
    print(f"\nsecurecart up: ready {ready_seconds:.1f} s after it was started "
          f"({body['seconds_to_ready']:.1f} s after its server was made); "
          f"{len(unavailable)} answers of 503 before ready, none from the backend")


def test_a_stack_that_fails_to_seed_says_so_and_never_opens(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The seeder reaches moto through its pass while everyone else gets 503; when seeding
    fails, the stack reports why (without the pass) and closes."""
    from harness.seeding import seeder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    stack = Stack(load_landscape())
    seen: dict[str, Any] = {}

    def failing_seed(landscape: Any, endpoint_url: str, **_: Any) -> Any:
        public = stack.http_url
        seen["health"] = health(public)[0]
        seen["public"] = aws_call(boto3.client(
            "sts", region_name="us-east-1", endpoint_url=public,
            config=Config(retries={"total_max_attempts": 1}), **BOGUS).get_caller_identity)
        seen["seeder"] = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint_url,
                                      **BOGUS).get_caller_identity()["Account"]
        raise SeedError(f"seeding account prod: Could not connect to {endpoint_url}/")

    monkeypatch.setattr(seeder, "seed", failing_seed)
    with pytest.raises(SeedError):
        stack.start()
    assert seen == {"health": (503, "seeding"), "public": NOT_READY, "seeder": "123456789012"}
    assert stack.health.phase is Phase.FAILED
    assert stack.health.reason is not None
    assert stack.health.reason.startswith("seeding account prod: Could not connect to http://")
    assert stack.health.reason.endswith("/_securecart/seed/…/")
    with pytest.raises(RuntimeError, match="not running"):
        stack.open_endpoint()
