"""LocalStack as a backend, for real: a host process from the cached virtualenv (`securecart
localstack install`), its state routes, a whole stack on it (LocalStack, and embedded moto for
what LocalStack community lacks), and a LocalStack that dies mid-run."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harness.backends.composite import LocalStackServer
from harness.backends.http_backend import BackendFailure, HttpBackend
from harness.backends.localstack import (
    LOG_NAME,
    STOP_SECONDS,
    TERM_SECONDS,
    HostProcess,
    LocalStackOptions,
    cache_dir,
    install,
    installed,
)
from harness.backends.router import ACCOUNT_HEADER, ServiceRouter, account_of_key
from harness.landscape.loader import load_landscape
from harness.stack import Stack

pytestmark = pytest.mark.slow

REGION = "us-east-1"
DEV, STAGING, PROD = "444444444444", "555555555555", "666666666666"
MANAGEMENT = "111111111111"


def require_installed() -> None:
    """These tests run a real LocalStack host process: installed on first use (once, into
    the cache), as `securecart run --backend localstack` does."""
    install()
    assert installed(), f"LocalStack is not installed in {cache_dir()}"


def direct(url: str, service: str, key: str, **extra: Any) -> Any:
    """A client that talks to LocalStack itself (no gateway), as `key` (a 12-digit key is the
    account)."""
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=key,
                        aws_secret_access_key="unchecked",
                        config=Config(retries={"total_max_attempts": 1}), **extra)


def bucket_names(url: str, account: str) -> set[str]:
    return {bucket["Name"] for bucket in direct(url, "s3", account).list_buckets()["Buckets"]}


def started(log_dir: Path) -> tuple[HostProcess, subprocess.Popen[bytes]]:
    require_installed()
    host = HostProcess(log_dir)
    host.start()
    assert host._process is not None
    return host, host._process


def assert_gone(process: subprocess.Popen[bytes], port: int) -> None:
    """The process and its process group are gone, and its port refuses connections."""
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# --------------------------------------------------------------------------- a host process


def test_a_host_process_serves_snapshots_restores_and_stops(tmp_path: Path) -> None:
    host, process = started(tmp_path)
    try:
        with urllib.request.urlopen(f"{host.url}/_localstack/health", timeout=5) as answer:
            assert answer.status == 200
            assert "services" in json.loads(answer.read())
        s3 = direct(host.url, "s3", DEV)
        s3.create_bucket(Bucket="kept-before-the-snapshot")
        host.snapshot()
        s3.create_bucket(Bucket="made-after-the-snapshot")
        assert bucket_names(host.url, DEV) == {"kept-before-the-snapshot",
                                               "made-after-the-snapshot"}
        host.restore()
        assert bucket_names(host.url, DEV) == {"kept-before-the-snapshot"}
        s3.put_object(Bucket="kept-before-the-snapshot", Key="k", Body=b"after restore")
        assert s3.get_object(Bucket="kept-before-the-snapshot", Key="k")["Body"].read() == (
            b"after restore")  # a restored store still takes writes (its locks are fresh)
        host.clear()
        assert bucket_names(host.url, DEV) == set()
    finally:
        stopping = time.monotonic()
        host.stop()
        stopped_in = time.monotonic() - stopping
    assert stopped_in < TERM_SECONDS + STOP_SECONDS
    assert host._process is None
    assert_gone(process, host.port)
    assert (tmp_path / LOG_NAME).stat().st_size > 0
    host.stop()  # a second stop is harmless


def test_localstack_issued_keys_are_routed_as_their_account(tmp_path: Path) -> None:
    host, process = started(tmp_path)
    try:
        issued = direct(host.url, "sts", DEV).assume_role(
            RoleArn=f"arn:aws:iam::{STAGING}:role/Anything", RoleSessionName="router-test"
        )["Credentials"]
        key = issued["AccessKeyId"]
        assert key.startswith("LSIA")
        identity = direct(host.url, "sts", key, aws_session_token=issued["SessionToken"])
        assert identity.get_caller_identity()["Account"] == STAGING  # LocalStack's reading
    finally:
        host.stop()
    assert_gone(process, host.port)
    assert account_of_key(key) == STAGING
    seen: list[dict[str, Any]] = []

    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(dict(environ))
        start_response("200 OK", [])
        return [b""]

    router = ServiceRouter(lambda environ, start_response: [], moto,
                           frozenset({"organizations"}))
    router({"REQUEST_METHOD": "POST", "wsgi.input": io.BytesIO(b""),
            "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{REGION}/"
                                  "organizations/aws4_request, SignedHeaders=host, Signature=0"},
           lambda status, headers, exc_info=None: None)
    assert [environ[ACCOUNT_HEADER] for environ in seen] == [STAGING]


def test_a_localstack_that_dies_is_a_backend_failure(tmp_path: Path) -> None:
    host, process = started(tmp_path)
    backend = HttpBackend(host.url, host.describe)

    def get(target: str) -> int:
        statuses: list[str] = []
        b"".join(backend({"REQUEST_METHOD": "GET", "RAW_URI": target, "PATH_INFO": target,
                          "wsgi.input": io.BytesIO(b"")},
                         lambda status, headers, exc_info=None: statuses.append(status)))
        return int(statuses[0].split(" ", 1)[0])

    try:
        assert get("/_localstack/health") == 200
        os.killpg(process.pid, signal.SIGKILL)
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # dead, not yet reaped
        asked = time.monotonic()
        with pytest.raises(BackendFailure) as raised:
            get("/_localstack/health")
        assert time.monotonic() - asked < 10
        message = str(raised.value)
        assert "exited with status -9" in message
        assert str(tmp_path / LOG_NAME) in message
        assert host.url in message
    finally:
        backend.close()
        host.stop()
    assert host._process is None
    assert_gone(process, host.port)


# --------------------------------------------------------------------------- a whole stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_installed()
    log_dir = tmp_path_factory.mktemp("localstack")
    running = Stack(load_landscape(), backend="localstack",
                    localstack=LocalStackOptions(log_dir=log_dir, via="process"))
    assert isinstance(running.server, LocalStackServer)
    host = running.server.localstack
    assert isinstance(host, HostProcess)
    running.start()
    process = host._process
    assert process is not None
    try:
        yield running
    finally:
        running.stop()
    assert host._process is None
    assert_gone(process, host.port)
    assert (log_dir / LOG_NAME).stat().st_size > 0


def localstack_url(stack: Stack) -> str:
    assert isinstance(stack.server, LocalStackServer)
    return stack.server.localstack.url


def test_people_act_through_the_gateway_on_localstack(stack: Stack) -> None:
    alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
    s3 = stack.client("s3", alice)
    listed = s3.list_objects_v2(Bucket="securecart-dev-artifacts")
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="securecart-dev-artifacts", Key="x", Body=b"1")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_organizations_is_answered_by_moto(stack: Stack) -> None:
    bob = stack.login("bob", "security", "SecurityAudit").credentials
    organization = stack.client("organizations", bob).describe_organization()["Organization"]
    assert organization["MasterAccountId"] == MANAGEMENT
    # LocalStack community itself does not serve it: the router sent it to moto.
    with pytest.raises(ClientError):
        direct(localstack_url(stack), "organizations", MANAGEMENT).describe_organization()


def test_the_seeded_topic_is_in_localstack(stack: Stack) -> None:
    topics = direct(localstack_url(stack), "sns", PROD).list_topics()["Topics"]
    assert f"arn:aws:sns:{REGION}:{PROD}:order-events" in {t["TopicArn"] for t in topics}


def test_reset_removes_what_the_author_wrote_in_localstack(stack: Stack) -> None:
    url = localstack_url(stack)
    seeded = bucket_names(url, DEV)
    assert "securecart-dev-artifacts" in seeded
    stack.backend("dev", "s3").create_bucket(Bucket="securecart-e2e-scratch")
    assert bucket_names(url, DEV) == seeded | {"securecart-e2e-scratch"}
    stack.reset()
    assert bucket_names(url, DEV) == seeded
