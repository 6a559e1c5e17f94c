"""The emulated IdP and the choice of role: who signs in with MFA, which assignment a login
uses, and the messages when there is none or several. No backend needed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harness.identity import IdentityError
from harness.identity.idp import EmulatedIdP
from harness.identity.login import assignments_of, resolve_target, sign_in
from harness.identity.saml import (
    MFA_CONTEXT,
    PASSWORD_CONTEXT,
    RolePair,
    encode_response,
    parse_assertion,
)
from harness.landscape.model import Landscape
from harness.seeding.identity_center import role_suffix

NOW = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def idp(landscape: Landscape) -> EmulatedIdP:
    return EmulatedIdP(landscape.identity_center, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("user", "use_mfa", "mfa"),
    [
        ("alice", True, True),
        ("alice", False, False),  # --no-mfa: enrolled, signs in with the password only
        ("dave", True, False),  # not enrolled: never an MFA context
        ("dave", False, False),
    ],
)
def test_mfa_at_sign_in(idp: EmulatedIdP, user: str, use_mfa: bool, mfa: bool) -> None:
    signed_in = idp.authenticate(user, use_mfa=use_mfa)
    assert signed_in.mfa is mfa
    assertion = idp.issue(
        signed_in, RolePair("arn:aws:iam::1:role/r", "arn:aws:iam::1:saml-provider/p")
    )
    assert assertion.authn_context == (MFA_CONTEXT if mfa else PASSWORD_CONTEXT)
    assert assertion.used_mfa is mfa
    assert ("mfa" in assertion.amr) is mfa


def test_the_assertion_names_the_user(idp: EmulatedIdP) -> None:
    assertion = idp.issue(
        idp.authenticate("bob"),
        RolePair("arn:aws:iam::1:role/r", "arn:aws:iam::1:saml-provider/p"),
        session_duration=3600,
    )
    assert assertion.issuer == "http://www.okta.com/exk-securecart-emulated"
    assert assertion.subject == "bob@securecart.example"
    assert assertion.session_name == "bob"
    assert assertion.session_duration == 3600
    assert assertion.issue_instant == NOW
    assert assertion.not_on_or_after > NOW


def test_unknown_user(idp: EmulatedIdP) -> None:
    with pytest.raises(IdentityError, match=r"^mallory is not a user of the IdP securecart-okta"):
        idp.authenticate("mallory")


def test_assignments_through_groups(landscape: Landscape) -> None:
    assert assignments_of(landscape, "alice") == {
        "dev": ("DeveloperReadOnly", "DeveloperPowerUser"),
        "staging": ("DeveloperReadOnly",),
    }
    assert set(assignments_of(landscape, "bob")) == {
        "management",
        "security",
        "log-archive",
        "dev",
        "staging",
        "prod",
        "shared-services",
        "network",
    }


def test_target_is_the_provisioned_role(landscape: Landscape) -> None:
    target = resolve_target(landscape, "alice", "staging")
    account = landscape.account("staging")
    suffix = role_suffix(account, landscape.identity_center.permission_set("DeveloperReadOnly"))
    assert target.permission_set == "DeveloperReadOnly"
    assert target.role_arn == (
        "arn:aws:iam::555555555555:role/aws-reserved/sso.amazonaws.com/"
        f"AWSReservedSSO_DeveloperReadOnly_{suffix}"
    )
    assert target.provider_arn == (
        "arn:aws:iam::555555555555:saml-provider/AWSSSO_securecart_DO_NOT_DELETE"
    )
    assert target.session_duration == 8 * 3600


def test_no_assignment_in_the_account(landscape: Landscape) -> None:
    with pytest.raises(IdentityError) as raised:
        resolve_target(landscape, "alice", "prod")
    assert str(raised.value) == (
        "alice has no assignment in account prod (assignments: dev: DeveloperReadOnly, "
        "DeveloperPowerUser; staging: DeveloperReadOnly)"
    )


def test_several_sets_and_none_chosen(landscape: Landscape) -> None:
    with pytest.raises(IdentityError) as raised:
        resolve_target(landscape, "alice", "dev")
    assert str(raised.value) == (
        "alice has several permission sets in account dev: DeveloperReadOnly, "
        "DeveloperPowerUser; choose one with --permission-set"
    )


def test_a_set_not_assigned_there(landscape: Landscape) -> None:
    with pytest.raises(IdentityError, match="no assignment of permission set Admin in account dev"):
        resolve_target(landscape, "alice", "dev", "Admin")


def test_sign_in_builds_a_parseable_assertion(landscape: Landscape) -> None:
    target, signed_in, assertion = sign_in(
        landscape, "alice", "dev", "DeveloperPowerUser", use_mfa=False
    )
    assert signed_in.mfa is False
    parsed = parse_assertion(encode_response(assertion))
    assert parsed.roles == (RolePair(target.role_arn, target.provider_arn),)
    assert parsed.session_duration == 4 * 3600
    assert parsed.used_mfa is False
