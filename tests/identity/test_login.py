"""Logging in against moto: IdP → Identity Center role → STS AssumeRoleWithSAML, and the
sessions it gives."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from harness.identity import AwsError, Credentials, IdentityError
from harness.identity.assume import check_trust
from harness.identity.login import login, saml_trust_question, sign_in
from harness.landscape.model import Landscape
from harness.seed import SeededLandscape


def caller_arn(credentials: Credentials, endpoint: str) -> str:
    """GetCallerIdentity as the session: what AWS (and moto) say the session is."""
    arn: str = credentials.client("sts", endpoint, "us-east-1").get_caller_identity()["Arn"]
    return arn


def test_alice_in_dev(landscape: Landscape, seeded: SeededLandscape, endpoint: str) -> None:
    result = login(landscape, endpoint, "alice", "dev", "DeveloperReadOnly")
    dev = seeded.account_ids["dev"]
    role_name = seeded.provisioned_roles[("dev", "DeveloperReadOnly")].rsplit("/", 1)[-1]
    assert re.fullmatch(r"AWSReservedSSO_DeveloperReadOnly_[0-9a-f]{16}", role_name)
    expected = f"arn:aws:sts::{dev}:assumed-role/{role_name}/alice"
    assert result.credentials.arn == expected
    assert caller_arn(result.credentials, endpoint) == expected
    assert result.used_mfa is True
    # The permission set's session duration (PT8H), as the assertion asked for.
    lasts = result.credentials.expiration - datetime.now(UTC)
    assert timedelta(hours=7, minutes=55) < lasts <= timedelta(hours=8)


def test_the_role_is_the_seeded_one(landscape: Landscape, seeded: SeededLandscape) -> None:
    for (account, permission_set), arn in seeded.provisioned_roles.items():
        user = {"Admin": "carol", "SecurityAudit": "bob"}.get(permission_set, "alice")
        target, _, _ = sign_in(landscape, user, account, permission_set)
        assert target.role_arn == arn
        assert target.provider_arn == seeded.saml_provider_arns[account]


def test_no_mfa_is_in_the_assertion(landscape: Landscape, endpoint: str) -> None:
    alice = login(landscape, endpoint, "alice", "staging", use_mfa=False)
    dave = login(landscape, endpoint, "dave", "staging")
    assert alice.used_mfa is False
    assert dave.used_mfa is False
    assert dave.credentials.arn.endswith("/dave")
    assert caller_arn(dave.credentials, endpoint) == dave.credentials.arn


def test_no_assignment(landscape: Landscape, endpoint: str) -> None:
    with pytest.raises(IdentityError, match=r"^alice has no assignment in account prod "):
        login(landscape, endpoint, "alice", "prod")


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
