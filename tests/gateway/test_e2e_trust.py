"""End to end: role trust policies (with and without sts:ExternalId, across accounts), what STS
itself refuses (the root user, DurationSeconds beyond MaxSessionDuration or the role-chaining
hour, session credentials asking for a session token), and sts:TagSession.

https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.gateway.conftest import (
    EXTERNAL_ID,
    OUTSIDE,
    PROD,
    World,
    arn_role,
    arn_session,
    arn_user,
    assert_error,
    denied_because,
    no_allow,
    statements,
)

pytestmark = pytest.mark.slow

EXTERNAL = arn_role(PROD, "external")
TRUST_DENIED_CODE = "AccessDenied"


def _assume(world: World, via_account: str, role: str, **params: object
            ) -> Callable[[], object]:
    """AssumeRole by the account's user `caller`, ready to call (its key made beforehand)."""
    sts = world.client(world.user(via_account), "sts")
    return lambda: sts.assume_role(RoleArn=role, RoleSessionName="trial", **params)


# --------------------------------------------------------------------------- ExternalId


def test_the_right_external_id_lets_the_partner_in(world: World) -> None:
    mark = world.mark()
    session = world.session_of(EXTERNAL, via=world.user(OUTSIDE), name="vendor",
                               ExternalId=EXTERNAL_ID)
    assert session.arn == arn_session(PROD, "external", "vendor")
    assert world.client(session, "sts").get_caller_identity()["Arn"] == session.arn
    record = world.decision(mark, "sts:AssumeRole")
    assert (f"{EXTERNAL} trust policy", "TrustPartnerWithExternalId") in statements(record)


@pytest.mark.parametrize("given", [{}, {"ExternalId": "guessed-wrong"}],
                         ids=["without", "wrong"])
def test_no_or_a_wrong_external_id_is_denied(world: World, given: dict[str, str]) -> None:
    attempt = _assume(world, OUTSIDE, EXTERNAL, **given)  # the caller's key exists from here
    before = len(world.store)
    mark = world.mark()
    error = world.refused(attempt)
    # AWS gives no reason when a trust policy does not let the caller in.
    assert_error(error, TRUST_DENIED_CODE, denied_because(
        arn_user(OUTSIDE, "caller"), "sts:AssumeRole", EXTERNAL, ""), 403)
    assert len(world.store) == before
    record = world.decision(mark, "sts:AssumeRole")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "role trust policy")
    if not given:
        assert record["missing_keys"] == ["sts:ExternalId"]


def test_a_trust_without_a_condition_needs_no_external_id(world: World) -> None:
    session = world.session_of(arn_role(PROD, "open-to-partner"), via=world.user(OUTSIDE))
    assert session.account == PROD


def test_across_accounts_the_callers_own_policy_must_allow_too(world: World) -> None:
    bystander = world.session_of(arn_role(OUTSIDE, "bystander"))
    target = arn_role(PROD, "open-to-partner")
    error = world.refused(lambda: world.client(bystander, "sts").assume_role(
        RoleArn=target, RoleSessionName="bystander"))
    assert_error(error, "AccessDenied", denied_because(
        bystander.arn, "sts:AssumeRole", target,
        no_allow("identity-based policy", "sts:AssumeRole")), 403)


def test_a_role_that_does_not_trust_the_callers_account(world: World) -> None:
    partner = arn_role(OUTSIDE, "partner")
    error = world.refused(_assume(world, PROD, partner))
    assert_error(error, "AccessDenied", denied_because(
        arn_user(PROD, "caller"), "sts:AssumeRole", partner, ""), 403)


# --------------------------------------------------------------------------- what STS refuses


def test_duration_beyond_the_roles_maximum_is_a_validation_error(world: World) -> None:
    mark = world.mark()
    error = world.refused(_assume(world, PROD, arn_role(PROD, "short"),
                                          DurationSeconds=7200))
    assert_error(error, "ValidationError", "The requested DurationSeconds exceeds the "
                 "MaxSessionDuration set for this role.", 400)
    assert any(r["decision"] == "refused" and r["error_code"] == "ValidationError"
               for r in world.decisions(mark))
    session = world.session_of(arn_role(PROD, "long"), DurationSeconds=7200)
    assert session.expires_at is not None
    left = (session.expires_at - datetime.now(UTC)).total_seconds()
    assert 7000 < left <= 7200


def test_a_caller_who_may_not_assume_learns_nothing_of_the_duration(world: World) -> None:
    short = arn_role(PROD, "short")
    error = world.refused(_assume(world, OUTSIDE, short, DurationSeconds=7200))
    assert_error(error, "AccessDenied", denied_because(
        arn_user(OUTSIDE, "caller"), "sts:AssumeRole", short, ""), 403)


def test_role_chaining_is_limited_to_one_hour(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    sts = world.client(admin, "sts")
    error = world.refused(lambda: sts.assume_role(RoleArn=arn_role(PROD, "long"),
                                                  RoleSessionName="chain",
                                                  DurationSeconds=7200))
    assert_error(error, "ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                 "session limit for roles assumed by role chaining.", 400)
    chained = world.session_of(arn_role(PROD, "long"), via=admin, DurationSeconds=3600)
    assert chained.arn == arn_session(PROD, "long", "e2e")


def test_the_root_user_may_not_assume_a_role(world: World) -> None:
    mark = world.mark()
    error = world.refused(lambda: world.client(world.root(PROD), "sts").assume_role(
        RoleArn=arn_role(PROD, "admin"), RoleSessionName="root"))
    assert_error(error, "AccessDenied", "Roles may not be assumed by root accounts.", 403)
    refusal = world.decisions(mark)[-1]
    assert (refusal["decision"], refusal["error_code"], refusal["principal"]) == (
        "refused", "AccessDenied", f"arn:aws:iam::{PROD}:root")


def test_session_credentials_cannot_get_a_session_token(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    error = world.refused(lambda: world.client(admin, "sts").get_session_token())
    assert_error(error, "AccessDenied", "Cannot call GetSessionToken with session credentials",
                 403)


# --------------------------------------------------------------------------- session tags


def test_passing_session_tags_needs_sts_tag_session_in_the_trust(world: World) -> None:
    app = arn_role(PROD, "app")
    mark = world.mark()
    error = world.refused(_assume(world, PROD, app,
                                          Tags=[{"Key": "team", "Value": "payments"}]))
    assert_error(error, "AccessDenied", denied_because(
        arn_user(PROD, "caller"), "sts:TagSession", app, ""), 403)
    record = world.decision(mark, "sts:TagSession")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "role trust policy")
    tagged = world.session_of(arn_role(PROD, "tagged"), Tags=[{"Key": "team",
                                                               "Value": "payments"}])
    assert tagged.session is not None
    assert tagged.session.session_tags == (("team", "payments"),)
