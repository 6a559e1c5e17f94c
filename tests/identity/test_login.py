"""Logging in through the enforcing gateway: IdP → Identity Center role → STS
AssumeRoleWithSAML, and the sessions it gives. The gateway decides the trust
(`trust_check=None`); `check_trust` decides the same question offline."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.identity import AwsError, Credentials, IdentityError
from harness.identity.assume import check_trust
from harness.identity.login import LoginResult, login, saml_trust_question, sign_in
from harness.landscape.model import Landscape
from harness.seeding.context import SeededLandscape
from harness.stack import Stack


def caller_arn(credentials: Credentials, stack: Stack) -> str:
    """GetCallerIdentity as the session: what AWS (and the gateway) say the session is."""
    arn: str = stack.client("sts", credentials).get_caller_identity()["Arn"]
    return arn


def gateway_login(
    stack: Stack, user: str, account: str, permission_set: str | None = None, **options: Any
) -> LoginResult:
    return login(
        stack.landscape, stack.url, user, account, permission_set,
        trust_check=None, verify=stack.verify, **options,
    )


def test_alice_in_dev(landscape: Landscape, seeded: SeededLandscape, stack: Stack) -> None:
    result = gateway_login(stack, "alice", "dev", "DeveloperReadOnly")
    dev = seeded.account_ids["dev"]
    role_name = seeded.provisioned_roles[("dev", "DeveloperReadOnly")].rsplit("/", 1)[-1]
    assert re.fullmatch(r"AWSReservedSSO_DeveloperReadOnly_[0-9a-f]{16}", role_name)
    expected = f"arn:aws:sts::{dev}:assumed-role/{role_name}/alice"
    assert result.credentials.arn == expected
    assert caller_arn(result.credentials, stack) == expected
    assert result.used_mfa is True
    # The permission set's session duration (PT8H), as the assertion asked for.
    assert result.credentials.expiration is not None
    lasts = result.credentials.expiration - datetime.now(UTC)
    assert timedelta(hours=7, minutes=55) < lasts <= timedelta(hours=8)


def test_the_role_is_the_seeded_one(landscape: Landscape, seeded: SeededLandscape) -> None:
    for (account, permission_set), arn in seeded.provisioned_roles.items():
        user = {"Admin": "carol", "SecurityAudit": "bob"}.get(permission_set, "alice")
        target, _, _ = sign_in(landscape, user, account, permission_set)
        assert target.role_arn == arn
        assert target.provider_arn == seeded.saml_provider_arns[account]


def test_no_mfa_is_in_the_assertion(stack: Stack) -> None:
    alice = gateway_login(stack, "alice", "staging", use_mfa=False)
    dave = gateway_login(stack, "dave", "staging")
    assert alice.used_mfa is False
    assert dave.used_mfa is False
    assert dave.credentials.arn.endswith("/dave")
    assert caller_arn(dave.credentials, stack) == dave.credentials.arn
    # The gateway recorded the session without MFA: the permission set's RequireMfa... denies.
    s3 = stack.client("s3", dave.credentials)
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.list_objects_v2(Bucket="securecart-staging-artifacts")


def test_the_engine_check_and_the_gateway_both_let_bob_in(stack: Stack) -> None:
    """`check_trust` (the default) stays usable in front of the gateway: both decide alike."""
    both = login(stack.landscape, stack.url, "bob", "prod", verify=stack.verify)
    assert caller_arn(both.credentials, stack).endswith("/bob")


def test_no_assignment(stack: Stack) -> None:
    with pytest.raises(IdentityError, match=r"^alice has no assignment in account prod "):
        gateway_login(stack, "alice", "prod")


def test_the_trust_policy_is_decided(landscape: Landscape) -> None:
    target, _, assertion = sign_in(landscape, "bob", "prod")
    question = saml_trust_question(landscape, target, assertion)
    check_trust(question)  # allowed: the provider is trusted, SAML:aud matches
    wrong = replace(assertion, recipient="https://example.com/saml")  # SAML:aud
    with pytest.raises(AwsError) as raised:
        check_trust(saml_trust_question(landscape, target, wrong))
    assert raised.value.code == "AccessDenied"
    assert str(raised.value) == (
        "An error occurred (AccessDenied) when calling the AssumeRoleWithSAML operation: User: "
        f"{target.provider_arn} is not authorized to perform: sts:AssumeRoleWithSAML on "
        f"resource: {target.role_arn}"
    )
