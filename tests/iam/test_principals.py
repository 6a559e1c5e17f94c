"""Principal matching in resource-based and trust policies, and how closely it names the caller.

[PRINCIPAL] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
[NOTP]      https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

import pytest

from harness.iam.policy import PrincipalSpec
from harness.iam.principals import PrincipalMatch, principal_match, statement_principal_match
from harness.simulate import parse_caller

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
