"""Seeding is all-or-nothing: a failure names the object and leaves the backend empty."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from harness.backends.moto import MotoServer
from harness.backends.moto_snapshots import _in_use
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.seeding.context import SeedError
from harness.seeding.seeder import seed
from harness.stack import seed_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape()


@pytest.fixture
def server() -> Iterator[MotoServer]:
    with MotoServer() as running:
        yield running


def with_account(landscape: Landscape, name: str, **changes: Any) -> Landscape:
    accounts = tuple(
        dataclasses.replace(a, **changes) if a.name == name else a for a in landscape.accounts
    )
    return dataclasses.replace(landscape, accounts=accounts)


def backend_is_empty() -> bool:
    from moto.core.base_backend import BackendDict

    return not _in_use(BackendDict)


def admin_client(server: MotoServer, account_id: str, service: str) -> Any:
    sts = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    found = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
        RoleSessionName="check",
    )["Credentials"]
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=found["AccessKeyId"],
        aws_secret_access_key=found["SecretAccessKey"],
        aws_session_token=found["SessionToken"],
    )


def test_a_policy_document_moto_rejects(server: MotoServer, landscape: Landscape) -> None:
    dev = landscape.account("dev")
    policy = dev.managed_policy("deploy-permissions")
    broken_document = dataclasses.replace(
        policy.document,
        document={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]},
    )
    broken = with_account(
        landscape,
        "dev",
        managed_policies=tuple(
            dataclasses.replace(p, document=broken_document) if p is policy else p
            for p in dev.managed_policies
        ),
    )
    with pytest.raises(SeedError) as raised:
        seed(broken, server.url)
    message = str(raised.value)
    assert message.startswith("seeding managed policy deploy-permissions in account dev: ")
    assert "MalformedPolicyDocument" in message
    assert backend_is_empty()
    # Through the APIs too: no organisation, nothing seeded before the failure.
    org = admin_client(server, "111111111111", "organizations")
    with pytest.raises(org.exceptions.AWSOrganizationsNotInUseException):
        org.describe_organization()
    assert admin_client(server, "333333333333", "s3").list_buckets()["Buckets"] == []


def test_an_unknown_managed_policy_on_a_role(server: MotoServer, landscape: Landscape) -> None:
    prod = landscape.account("prod")
    role = prod.role("DeployRole")
    broken = with_account(
        landscape,
        "prod",
        roles=tuple(
            dataclasses.replace(
                r, managed_policies=(*r.managed_policies, "arn:aws:iam::aws:policy/NoSuchPolicy")
            )
            if r is role
            else r
            for r in prod.roles
        ),
    )
    with pytest.raises(SeedError, match=r"^seeding role DeployRole in account prod: .*NoSuch"):
        seed_server(server, broken)
    assert backend_is_empty()
    server.reset()  # the failed seed left no snapshot to return to
    assert admin_client(server, "666666666666", "iam").list_roles()["Roles"] == []


def test_a_failure_late_in_seeding(
    server: MotoServer, landscape: Landscape, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure inside the backend, after the organisation, IAM and Identity Center."""
    from moto.awslambda.models import LambdaBackend
    from moto.core.exceptions import JsonRESTError

    def refuse(self: Any, spec: dict[str, Any]) -> Any:
        raise JsonRESTError("ServiceException", "injected failure")

    monkeypatch.setattr(LambdaBackend, "create_function", refuse)
    with pytest.raises(SeedError) as raised:
        seed(landscape, server.url)
    assert str(raised.value).startswith("seeding function orders-processor in account prod: ")
    assert "injected failure" in str(raised.value)
    assert backend_is_empty()


def test_a_parameter_aws_refuses_is_named_with_its_cause(
    server: MotoServer, landscape: Landscape
) -> None:
    broken = with_account(landscape, "prod", email="x")  # AWS wants 6 characters at least
    with pytest.raises(SeedError, match=r"^seeding account prod: ") as raised:
        seed(broken, server.url)
    assert raised.value.__cause__ is not None
    assert backend_is_empty()


def test_an_account_the_backend_will_not_give_the_landscapes_id(
    server: MotoServer, landscape: Landscape, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backend that ignores the reserved id tag (moto without this harness's change) is
    caught at once, not discovered later through policies naming the wrong account."""
    import harness.seeding.organizations as organizations

    monkeypatch.setattr(organizations, "ACCOUNT_ID_TAG", "not-the-reserved-tag")
    with pytest.raises(SeedError, match=r"^seeding account security: .*instead of account"):
        seed(landscape, server.url)
    assert backend_is_empty()
