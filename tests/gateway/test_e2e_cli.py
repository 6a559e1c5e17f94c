"""End to end with the AWS CLI: a subprocess pointed at the endpoint with AWS_ENDPOINT_URL, as a
user would, sees AccessDenied with AWS's message, and its allowed commands work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from harness.gateway.credentials import Credential
from tests.gateway.conftest import PROD, REGION, World, arn_role

pytestmark = pytest.mark.slow

AWS = Path(sys.executable).with_name("aws")
# AWS CLI v1 exits 255 on a service error (v2: 254).
# https://docs.aws.amazon.com/cli/v1/userguide/cli-chap-returncodes.html
SERVICE_ERROR = 255


def _cli(world: World, credential: Credential, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": credential.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credential.secret_access_key,
        "AWS_SESSION_TOKEN": credential.session_token or "",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": world.url,
        # No profile, no retries, nothing from the developer's own configuration.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_PAGER": "",
    }
    return subprocess.run([str(AWS), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def app(world: World) -> Credential:
    return world.session_of(arn_role(PROD, "app"), name="cli")


def test_the_cli_is_installed() -> None:
    assert AWS.exists(), f"the AWS CLI is expected beside the interpreter, at {AWS}"


def test_an_allowed_cli_command_works(world: World, app: Credential) -> None:
    identity = _cli(world, app, "sts", "get-caller-identity", "--output", "json")
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Arn"] == app.arn
    listed = _cli(world, app, "s3api", "list-objects-v2", "--bucket", "prod-app-data",
                  "--prefix", "reports/", "--output", "json")
    assert listed.returncode == 0, listed.stderr
    assert [item["Key"] for item in json.loads(listed.stdout)["Contents"]] == ["reports/q1.csv"]


def test_the_cli_sees_access_denied_with_awss_message(world: World, app: Credential) -> None:
    seen = world.recorder.mark()
    result = _cli(world, app, "s3api", "delete-object", "--bucket", "prod-app-data",
                  "--key", "orders/existing.txt")
    assert result.returncode == SERVICE_ERROR
    assert result.stderr.strip() == (
        "An error occurred (AccessDenied) when calling the DeleteObject operation: "
        f"User: {app.arn} is not authorized to perform: s3:DeleteObject on resource: "
        '"arn:aws:s3:::prod-app-data/orders/existing.txt" because no identity-based policy '
        "allows the s3:DeleteObject action")
    assert world.recorder.forwarded_since(seen) == []
    assert world.backend(PROD, "s3").head_object(Bucket="prod-app-data",
                                                 Key="orders/existing.txt")


def test_the_cli_sees_an_scp_denial_in_dynamodb(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"), name="cli-admin")
    result = _cli(world, admin, "dynamodb", "delete-table", "--table-name", "keep-table")
    assert result.returncode == SERVICE_ERROR
    table = f"arn:aws:dynamodb:{REGION}:{PROD}:table/keep-table"
    assert result.stderr.strip() == (
        "An error occurred (AccessDeniedException) when calling the DeleteTable operation: "
        f"User: {admin.arn} is not authorized to perform: dynamodb:DeleteTable on resource: "
        f"{table} with an explicit deny in a service control policy: "
        f"{world.policy_arns['WorkloadsGuardrails']}")
    try:
        world.backend(PROD, "dynamodb").describe_table(TableName="keep-table")
    except ClientError as error:  # pragma: no cover - the assertion's message
        pytest.fail(f"the table was deleted: {error}")
