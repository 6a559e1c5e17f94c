"""`securecart up` as a user runs it: a process that seeds, announces, and stops on a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from harness.backends.state import read_state
from harness.landscape.layout import DEFAULT_DIRECTORY

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def start_up(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "harness.backends.commands", "up", *args],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_state(process: subprocess.Popen[str], path: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if read_state(path) is not None:
            return
        if process.poll() is not None:
            raise AssertionError(f"up exited early: {process.communicate()}")
        time.sleep(0.2)
    process.kill()
    raise AssertionError("up did not become ready")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_up_serves_the_seeded_landscape_until_signalled(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    state_file = tmp_path / "securecart" / "up.json"
    process = start_up(tmp_path)
    try:
        wait_for_state(process, state_file)
        state = read_state(state_file)
        assert state is not None
        assert state.pid == process.pid and state.backend == "moto"
        assert state.landscape_dir == str(DEFAULT_DIRECTORY.resolve())
        assert state.endpoint_url.startswith("http://127.0.0.1:")

        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=state.endpoint_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        credentials = sts.assume_role(
            RoleArn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
            RoleSessionName="test",
        )["Credentials"]
        org = boto3.client(
            "organizations",
            region_name="us-east-1",
            endpoint_url=state.endpoint_url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        names = {a["Name"] for a in org.list_accounts()["Accounts"]}
        assert {"management", "dev", "prod"} <= names
    finally:
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"export AWS_ENDPOINT_URL={state.endpoint_url}" in out
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
