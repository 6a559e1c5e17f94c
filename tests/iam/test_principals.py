"""Principal matching in resource-based and trust policies, and how closely it names the caller.

[PRINCIPAL] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
[NOTP]      https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
[PB]        https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.iam.context import Request
from harness.iam.decision import Outcome
from harness.iam.errors import PolicyValidationError
from harness.iam.evaluate import PolicySet, evaluate, has_boundary
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType, PrincipalSpec
from harness.iam.principals import PrincipalMatch, principal_match, statement_principal_match
from harness.simulation.custom_policy import parse_caller

A, B = "111111111111", "222222222222"
USER = f"arn:aws:iam::{A}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/dev"
SESSION = f"arn:aws:sts::{A}:assumed-role/dev/alice"


def aws(*values: str) -> PrincipalSpec:
    return PrincipalSpec(wildcard="*" in values, entries=(("AWS", values),))


CASES = [
    # spec, caller, expected — [PRINCIPAL]
    (PrincipalSpec(wildcard=True), "anonymous", PrincipalMatch.DIRECT),
    (aws("*"), USER, PrincipalMatch.DIRECT),
    (aws(A), USER, PrincipalMatch.ACCOUNT),
    (aws(f"arn:aws:iam::{A}:root"), SESSION, PrincipalMatch.ACCOUNT),
    (aws(B), USER, PrincipalMatch.NONE),
    (aws(USER), USER, PrincipalMatch.USER),
    (aws(ROLE), SESSION, PrincipalMatch.ROLE),
    (aws(SESSION), SESSION, PrincipalMatch.DIRECT),
    (aws(f"arn:aws:sts::{A}:assumed-role/dev/bob"), SESSION, PrincipalMatch.NONE),
    (aws(USER), "anonymous", PrincipalMatch.NONE),
    (aws(A), f"arn:aws:iam::{A}:root", PrincipalMatch.ACCOUNT),
    (
        PrincipalSpec(False, (("Service", ("lambda.amazonaws.com",)),)),
        "lambda.amazonaws.com",
        PrincipalMatch.DIRECT,
    ),
    (
        PrincipalSpec(False, (("Service", ("lambda.amazonaws.com",)),)),
        "ecs.amazonaws.com",
        PrincipalMatch.NONE,
    ),
    (PrincipalSpec(False, (("Service", ("lambda.amazonaws.com",)),)), USER, PrincipalMatch.NONE),
    (
        PrincipalSpec(False, (("Federated", (f"arn:aws:iam::{A}:saml-provider/Okta",)),)),
        f"arn:aws:iam::{A}:saml-provider/Okta",
        PrincipalMatch.DIRECT,
    ),
    (aws(A), f"arn:aws:iam::{A}:saml-provider/Okta", PrincipalMatch.NONE),
]


@pytest.mark.parametrize(("spec", "caller", "expected"), CASES)
def test_principal_match(spec: PrincipalSpec, caller: str, expected: PrincipalMatch) -> None:
    assert principal_match(spec, parse_caller(caller)) is expected


NOT_PRINCIPAL_CASES = [
    # NotPrincipal list, caller, statement applies — [NOTP]: every form of the caller is needed
    ((SESSION, ROLE, f"arn:aws:iam::{A}:root"), SESSION, False),
    ((ROLE,), SESSION, True),
    ((ROLE, f"arn:aws:iam::{A}:root"), SESSION, True),
    ((USER, f"arn:aws:iam::{A}:root"), USER, False),
    ((USER,), USER, True),
    ((f"arn:aws:iam::{B}:root",), USER, True),
    ((USER, A), "anonymous", True),
]


@pytest.mark.parametrize(("listed", "caller", "applies"), NOT_PRINCIPAL_CASES)
def test_not_principal(listed: tuple[str, ...], caller: str, applies: bool) -> None:
    level = statement_principal_match(None, aws(*listed), parse_caller(caller))
    assert (level is not PrincipalMatch.NONE) is applies


def test_identity_policies_name_their_holder() -> None:
    assert statement_principal_match(None, None, parse_caller(USER)) is PrincipalMatch.DIRECT


# -- NotPrincipal with Deny and permissions boundaries --------------------------------------
# [NOTP] and [PB]: "The NotPrincipal element with a Deny effect will always deny any IAM
# principal that has a permissions boundary policy attached, regardless of the values specified
# in the NotPrincipal element."


@pytest.mark.parametrize("listed", [(USER, f"arn:aws:iam::{A}:root"), (USER,), ("*",)])
def test_not_principal_ignores_its_list_for_a_bounded_caller(listed: tuple[str, ...]) -> None:
    level = statement_principal_match(
        None, aws(*listed), parse_caller(USER), deny_to_bounded_caller=True
    )
    assert level is PrincipalMatch.DIRECT


def test_a_principal_element_is_not_affected_by_the_boundary_rule() -> None:
    # Only NotPrincipal's values are disregarded; a Principal element still has to name the
    # caller.
    other = aws(f"arn:aws:iam::{A}:user/bob")
    level = statement_principal_match(other, None, parse_caller(USER), deny_to_bounded_caller=True)
    assert level is PrincipalMatch.NONE


def _policy(document: dict[str, Any], policy_type: PolicyType) -> Policy:
    return parse_policy(document, policy_type, name=policy_type.value)


ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
BOUNDARY = _policy(ALLOW_ALL, PolicyType.BOUNDARY)
SESSION_POLICY = _policy(ALLOW_ALL, PolicyType.SESSION)
IDENTITY = _policy(ALLOW_ALL, PolicyType.IDENTITY)
OBJECT = "arn:aws:s3:::data/x"


def _deny_all_but(*listed: str, action: str = "s3:GetObject") -> Policy:
    return _policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": list(listed)},
                    "Action": action,
                    "Resource": "arn:aws:s3:::data/*",
                }
            ],
        },
        PolicyType.RESOURCE,
    )


@pytest.mark.parametrize(
    ("caller", "policies", "expected"),
    [
        (USER, PolicySet(boundary=BOUNDARY), True),
        (ROLE, PolicySet(boundary=BOUNDARY), True),
        # A session of a role that has a boundary: the role's boundary limits the session.
        (SESSION, PolicySet(boundary=BOUNDARY), True),
        (USER, PolicySet(), False),
        # A session policy is no permissions boundary.
        (SESSION, PolicySet(session=(SESSION_POLICY,)), False),
        # The root user carries no policies; callers outside any account have no boundary.
        (f"arn:aws:iam::{A}:root", PolicySet(boundary=BOUNDARY), False),
        ("anonymous", PolicySet(boundary=BOUNDARY), False),
        ("s3.amazonaws.com", PolicySet(boundary=BOUNDARY), False),
    ],
)
def test_which_callers_have_a_boundary(caller: str, policies: PolicySet, expected: bool) -> None:
    assert has_boundary(parse_caller(caller), policies) is expected


def _decide(caller: str, owner: str, resource: Policy, **policies: Any) -> Outcome:
    request = Request(parse_caller(caller), "s3:GetObject", OBJECT, owner)
    return evaluate(request, PolicySet(identity=(IDENTITY,), resource=resource, **policies)).outcome


@pytest.mark.parametrize("owner", [A, B])
@pytest.mark.parametrize(
    ("caller", "listed"),
    [
        (USER, (USER, f"arn:aws:iam::{A}:root")),
        (ROLE, (ROLE, f"arn:aws:iam::{A}:root")),
        (SESSION, (SESSION, ROLE, f"arn:aws:iam::{A}:root")),
    ],
)
def test_a_bounded_caller_listed_in_not_principal_is_denied(
    owner: str, caller: str, listed: tuple[str, ...]
) -> None:
    resource = _deny_all_but(*listed)
    assert _decide(caller, owner, resource, boundary=BOUNDARY) is Outcome.EXPLICIT_DENY
    # Without the boundary the same listing excludes the caller: no explicit deny.
    assert _decide(caller, owner, resource) is not Outcome.EXPLICIT_DENY


def test_a_session_policy_does_not_trigger_the_boundary_rule() -> None:
    resource = _deny_all_but(SESSION, ROLE, f"arn:aws:iam::{A}:root")
    assert _decide(SESSION, A, resource, session=(SESSION_POLICY,)) is Outcome.ALLOWED


def test_the_rest_of_the_statement_still_decides_whether_it_applies() -> None:
    # The boundary only voids the NotPrincipal list: a Deny for another action does not apply.
    resource = _deny_all_but(USER, f"arn:aws:iam::{A}:root", action="s3:PutObject")
    assert _decide(USER, A, resource, boundary=BOUNDARY) is Outcome.ALLOWED


def test_the_root_user_is_not_bounded() -> None:
    root = f"arn:aws:iam::{A}:root"
    resource = _deny_all_but(root)
    assert _decide(root, A, resource, boundary=BOUNDARY) is Outcome.ALLOWED


def test_allow_with_not_principal_is_refused() -> None:
    # [NOTP]: "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is
    # not supported." — so the boundary rule only ever meets Deny statements.
    statement = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": [USER, f"arn:aws:iam::{A}:root"]},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::data/*",
    }
    with pytest.raises(PolicyValidationError, match="NotPrincipal must be used with"):
        _policy({"Version": "2012-10-17", "Statement": [statement]}, PolicyType.RESOURCE)
