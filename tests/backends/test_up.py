"""`securecart up` as a user runs it: a process that seeds, puts the enforcing gateway in front,
opens (its health route answers 200), announces, serves the other commands and the real AWS
CLI, and stops on a signal. What it answers before it is ready: tests/security/test_readiness.py."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from harness.backends.state import UpState, read_state
from harness.landscape.layout import DEFAULT_DIRECTORY
from harness.landscape.loader import load_landscape

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def environment(tmp_path: Path) -> dict[str, str]:
    """No AWS set-up of the developer's; this test's own runtime and cache folders (the state
    file, the TLS certificate)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        XDG_RUNTIME_DIR=str(tmp_path),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        PYTHONPATH=str(ROOT),
        HOME=str(tmp_path),
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    return env


def start_up(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.commands", "up", *args],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_state(process: subprocess.Popen[str], path: Path, seconds: float = 90) -> UpState:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = read_state(path)
        if state is not None:
            return state
        if process.poll() is not None:
            raise AssertionError(f"up exited early: {process.communicate()}")
        time.sleep(0.2)
    process.kill()
    raise AssertionError("up did not become ready")


def wait_for_health(http_url: str | None, seconds: float = 5) -> dict[str, Any]:
    """The health route's answer once it is 200 (`up` opens right after writing its state)."""
    assert http_url is not None
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{http_url}/_securecart/health", timeout=5) as found:
                answer: dict[str, Any] = json.loads(found.read())
                return answer
        except urllib.error.HTTPError as error:
            if time.monotonic() > deadline:
                raise AssertionError(f"not ready: {error.read()!r}") from error
        time.sleep(0.05)


def processes_of(tmp_path: Path) -> list[int]:
    """Processes whose environment names this test's runtime folder: `up` and anything it, or
    the commands run here, may have left behind."""
    marker = f"XDG_RUNTIME_DIR={tmp_path}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def up(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], UpState]]:
    """A running `securecart up`, stopped with SIGINT at the end (if the test did not)."""
    process = start_up(tmp_path)
    try:
        yield process, wait_for_state(process, tmp_path / "securecart" / "up.json")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)


def client(state: UpState, service: str, keys: dict[str, Any]) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=state.endpoint_url,
        verify=state.ca_bundle,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys.get("SessionToken"),
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_up_serves_the_seeded_landscape_until_signalled(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    state_file = tmp_path / "securecart" / "up.json"
    process = start_up(tmp_path)
    try:
        state = wait_for_state(process, state_file)
        assert state.pid == process.pid and state.backend == "moto"
        assert state.landscape_dir == str(DEFAULT_DIRECTORY.resolve())
        assert state.endpoint_url.startswith("https://127.0.0.1:")
        assert state.http_url is not None and state.http_url.startswith("http://127.0.0.1:")
        assert state.ca_bundle == str(tmp_path / "cache" / "securecart" / "tls" / "ca.pem")
        assert state.gateway is True
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
        # Recorded just before it opens: the health route turns 200 at once.
        health = wait_for_health(state.http_url)
        assert (health["status"], health["backend"]["name"]) == ("ready", "moto")
        assert health["landscape"]["path"] == str(DEFAULT_DIRECTORY.resolve())
        assert health["gateway"] == {"enforcing": True}

        # The management account's root user, from the state, over HTTPS.
        root = state.callers["roots"]["111111111111"]
        accounts = client(state, "organizations", root).list_accounts()["Accounts"]
        names = {account["Name"] for account in accounts}
        assert {"management", "dev", "prod"} <= names
        # The gateway authenticates: a key it never issued gets nowhere.
        stranger = {"AccessKeyId": "test", "SecretAccessKey": "test"}
        with pytest.raises(ClientError, match="InvalidClientTokenId"):
            client(state, "sts", stranger).assume_role(
                RoleArn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
                RoleSessionName="test",
            )
    finally:
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"export AWS_ENDPOINT_URL={state.endpoint_url}" in out
    assert f"export AWS_CA_BUNDLE={state.ca_bundle}" in out
    assert f"HTTP   {state.http_url}" in out
    assert f"ready  curl -fsS {state.http_url}/_securecart/health" in out
    assert "behind the enforcing gateway" in out
    assert "securecart login alice --account dev" in out
    assert out.rstrip().endswith("securecart up: stopped")
    assert not state_file.exists()


def test_up_refuses_an_invalid_landscape(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    process = start_up(tmp_path, "--landscape", str(tmp_path / "empty"))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.startswith("securecart up: the landscape")
    assert not (tmp_path / "securecart" / "up.json").exists()


# --------------------------------------------------------------------------- end to end


def securecart(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `securecart` command, in another process, finding `up` on its own."""
    return subprocess.run(
        [sys.executable, "-m", "harness.commands", *args],
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def aws(tmp_path: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real AWS CLI with the generated config and no credentials of its own."""
    command = shutil.which("aws", path=str(BIN)) or shutil.which("aws")
    if command is None:
        pytest.skip("the AWS CLI (a test dependency) is not installed")
    env = environment(tmp_path)
    env["AWS_CONFIG_FILE"] = str(config)
    return subprocess.run(
        [command, *args, "--output", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def vendor_external_id() -> str:
    """The external id the landscape's VendorSupportRole asks for."""
    role = load_landscape().account("prod").role("VendorSupportRole")
    statement = role.trust.document["Statement"][0]
    external_id: str = statement["Condition"]["StringEquals"]["sts:ExternalId"]
    return external_id


def test_end_to_end(tmp_path: Path, up: tuple[subprocess.Popen[str], UpState]) -> None:
    process, state = up
    landscape = load_landscape()
    dev, prod = landscape.account("dev").account_id, landscape.account("prod").account_id

    login = securecart(
        tmp_path, "login", "alice", "--account", "dev", "--permission-set", "DeveloperReadOnly"
    )
    assert login.returncode == 0, login.stderr
    alice = json.loads(login.stdout)
    arn = client(state, "sts", alice).get_caller_identity()["Arn"]
    assert arn.startswith(f"arn:aws:sts::{dev}:assumed-role/AWSReservedSSO_DeveloperReadOnly_")

    profiles = securecart(tmp_path, "profiles")
    assert profiles.returncode == 0, profiles.stderr
    config = tmp_path / ".securecart" / "aws-config"
    assert profiles.stdout == f"export AWS_CONFIG_FILE={config}\n"
    assert f"ca_bundle = {state.ca_bundle}" in config.read_text()

    who = aws(tmp_path, config, "sts", "get-caller-identity", "--profile", "alice-staging")
    assert who.returncode == 0, who.stderr
    staging = landscape.account("staging").account_id
    assert json.loads(who.stdout)["Arn"].startswith(f"arn:aws:sts::{staging}:assumed-role/")
    assert json.loads(who.stdout)["Arn"].endswith("/alice")

    profile = ("--profile", "alice-dev-DeveloperReadOnly")
    listed = aws(tmp_path, config, "s3api", "list-objects-v2",
                 "--bucket", "securecart-dev-artifacts", *profile)
    assert listed.returncode == 0, listed.stderr
    (tmp_path / "build.zip").write_bytes(b"PK")
    put = aws(tmp_path, config, "s3api", "put-object", "--bucket", "securecart-dev-artifacts",
              "--key", "build.zip", "--body", str(tmp_path / "build.zip"), *profile)
    assert put.returncode != 0
    assert "An error occurred (AccessDenied) when calling the PutObject operation: User: " \
        f"arn:aws:sts::{dev}:assumed-role/AWSReservedSSO_DeveloperReadOnly_" in put.stderr
    assert 'is not authorized to perform: s3:PutObject on resource: ' \
        '"arn:aws:s3:::securecart-dev-artifacts/build.zip"' in put.stderr

    # The vendor's administrator is its root user, whom AWS lets assume no role; its
    # integration role (held by the vendor) assumes VendorSupportRole with the external id.
    external_id = vendor_external_id()
    as_root = securecart(tmp_path, "assume", "VendorSupportRole", "--account", "prod",
                         "--as", "vendor", "--external-id", external_id)
    assert as_root.returncode == 1
    assert "Roles may not be assumed by root accounts." in as_root.stderr
    assert "--as vendor:vendor-integration" in as_root.stderr
    support = securecart(tmp_path, "assume", "VendorSupportRole", "--account", "prod",
                         "--as", "vendor:vendor-integration", "--external-id", external_id)
    assert support.returncode == 0, support.stderr
    session = client(state, "sts", json.loads(support.stdout)).get_caller_identity()["Arn"]
    assert session.startswith(f"arn:aws:sts::{prod}:assumed-role/VendorSupportRole/")

    # A service's credentials, from `up` too: Lambda assuming the function's role.
    lambda_ = securecart(tmp_path, "assume", "orders-processor", "--account", "prod")
    assert lambda_.returncode == 0, lambda_.stderr

    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.rstrip().endswith("securecart up: stopped")
    assert not (tmp_path / "securecart" / "up.json").exists()
    assert processes_of(tmp_path) == []
