"""Invariants of AWS's evaluation logic, checked on generated policies and requests.

- An explicit deny anywhere wins: adding a Deny statement never turns a denial into an allow,
  and a matching unconditional Deny always denies.
- Adding an Allow statement to an identity-based policy never turns an allow into a denial.
- Removing every policy can only deny.
- The engine never fails on valid input (no Decision carries an error).
- Under a permissions boundary, what a NotPrincipal Deny lists makes no difference: "The
  NotPrincipal element with a Deny effect will always deny any IAM principal that has a
  permissions boundary policy attached, regardless of the values specified in the NotPrincipal
  element" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.iam.context import ContextKeys, Request
from harness.iam.decision import Outcome
from harness.iam.evaluate import PolicySet, evaluate
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType
from harness.simulation.custom_policy import parse_caller

ACCOUNTS = ("111111111111", "222222222222")
ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteBucket", "sns:Publish", "iam:CreateRole")
ACTION_PATTERNS = (*ACTIONS, "s3:*", "s3:Get*", "*", "iam:*Role", "sns:Pub?ish")
RESOURCES = (
    "arn:aws:s3:::data/a.txt",
    "arn:aws:s3:::data",
    "arn:aws:sns:us-east-1:111111111111:t",
    "*",
)
RESOURCE_PATTERNS = (*RESOURCES, "arn:aws:s3:::data/*", "arn:aws:s3:::*", "arn:aws:sns:*:*:t")
CONDITIONS: tuple[dict[str, Any] | None, ...] = (
    None,
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
    {"Null": {"aws:SourceIp": "true"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}},
)
CALLERS = (
    "arn:aws:iam::111111111111:user/alice",
    "arn:aws:sts::111111111111:assumed-role/dev/alice",
    "arn:aws:iam::222222222222:user/vendor",
    "arn:aws:iam::111111111111:root",
)


@st.composite
def statements(
    draw: st.DrawFn, effect: str | None = None, principal: bool = False
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        "Action": draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3)),
        "Resource": draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)),
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition:
        statement["Condition"] = condition
    if principal:
        statement["Principal"] = draw(
            st.sampled_from(["*", {"AWS": ACCOUNTS[0]}, {"AWS": ACCOUNTS[1]}, {"AWS": CALLERS[0]}])
        )
    return statement


def document(statement_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statement_list}


def parsed(statement_list: list[dict[str, Any]], policy_type: PolicyType, name: str) -> Policy:
    return parse_policy(document(statement_list), policy_type, name)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Request, PolicySet]:
    caller = parse_caller(draw(st.sampled_from(CALLERS)))
    keys = ContextKeys()
    if draw(st.booleans()):
        keys.set("aws:MultiFactorAuthPresent", draw(st.sampled_from(["true", "false"])))
    keys.set("aws:RequestedRegion", draw(st.sampled_from(["us-east-1", "eu-west-1", "sa-east-1"])))
    keys.set("aws:PrincipalArn", caller.identity_arn or caller.arn)
    if draw(st.booleans()):
        keys.set(
            "aws:TagKeys",
            draw(st.lists(st.sampled_from(["team", "env"]), max_size=2)),
            multivalued=True,
        )
    resource = draw(st.sampled_from(RESOURCES))
    request = Request(
        caller,
        draw(st.sampled_from(ACTIONS)),
        resource,
        draw(st.sampled_from(ACCOUNTS)) if resource != "*" else None,
        keys,
    )
    identity = draw(st.lists(statements(), min_size=0, max_size=3))
    policies = PolicySet(
        identity=(parsed(identity, PolicyType.IDENTITY, "identity"),) if identity else (),
        resource=(
            parsed(
                draw(st.lists(statements(principal=True), min_size=1, max_size=2)),
                PolicyType.RESOURCE,
                "resource",
            )
            if draw(st.booleans())
            else None
        ),
        boundary=(
            parsed(
                draw(st.lists(statements(), min_size=1, max_size=2)),
                PolicyType.BOUNDARY,
                "boundary",
            )
            if draw(st.booleans())
            else None
        ),
        scps=(
            (
                (
                    parsed(
                        [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                        PolicyType.SCP,
                        "FullAWSAccess",
                    ),
                    parsed(
                        draw(st.lists(statements(), min_size=1, max_size=2)), PolicyType.SCP, "scp"
                    ),
                ),
            )
            if draw(st.booleans())
            else None
        ),
    )
    return request, policies


@settings(max_examples=300, deadline=None)
@given(scenarios(), statements(effect="Deny"))
def test_adding_a_deny_never_allows_more(
    scenario: tuple[Request, PolicySet], extra: dict[str, Any]
) -> None:
    request, policies = scenario
    before = evaluate(request, policies)
    with_deny = replace(
        policies, identity=(*policies.identity, parsed([extra], PolicyType.IDENTITY, "extra"))
    )
    after = evaluate(request, with_deny)
    assert before.error is None and after.error is None
    if not before.allowed:
        assert not after.allowed


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_a_matching_unconditional_deny_always_denies(scenario: tuple[Request, PolicySet]) -> None:
    request, policies = scenario
    deny_all = parsed(
        [{"Effect": "Deny", "Action": "*", "Resource": "*"}], PolicyType.IDENTITY, "deny-all"
    )
    decision = evaluate(request, replace(policies, identity=(*policies.identity, deny_all)))
    if request.caller.kind.value != "Account":  # the root user carries no identity policies
        assert decision.outcome is Outcome.EXPLICIT_DENY


@settings(max_examples=300, deadline=None)
@given(scenarios(), statements(effect="Allow"))
def test_adding_an_identity_allow_never_denies_more(
    scenario: tuple[Request, PolicySet], extra: dict[str, Any]
) -> None:
    request, policies = scenario
    before = evaluate(request, policies)
    after = evaluate(
        request,
        replace(
            policies, identity=(*policies.identity, parsed([extra], PolicyType.IDENTITY, "extra"))
        ),
    )
    if before.allowed:
        assert after.allowed


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_no_policies_never_allows_a_non_root_caller(scenario: tuple[Request, PolicySet]) -> None:
    request, _ = scenario
    decision = evaluate(request, PolicySet())
    assert decision.error is None
    if request.caller.kind.value != "Account":
        assert decision.outcome is Outcome.IMPLICIT_DENY


NOT_PRINCIPAL_LISTS: tuple[tuple[str, ...], ...] = (
    ("*",),
    (ACCOUNTS[0],),
    (f"arn:aws:iam::{ACCOUNTS[0]}:root", CALLERS[0]),
    (
        f"arn:aws:iam::{ACCOUNTS[0]}:root",
        "arn:aws:iam::111111111111:role/dev",
        CALLERS[1],
    ),
    (f"arn:aws:iam::{ACCOUNTS[1]}:root", CALLERS[2]),
)


@settings(max_examples=200, deadline=None)
@given(
    scenarios(),
    statements(effect="Deny"),
    st.sampled_from(NOT_PRINCIPAL_LISTS),
    st.sampled_from(NOT_PRINCIPAL_LISTS),
)
def test_a_boundary_makes_not_principal_lists_irrelevant(
    scenario: tuple[Request, PolicySet],
    deny: dict[str, Any],
    first: tuple[str, ...],
    second: tuple[str, ...],
) -> None:
    request, policies = scenario
    if policies.boundary is None or request.caller.kind.value == "Account":
        return

    def decide(listed: tuple[str, ...]) -> Outcome:
        statement = {**deny, "NotPrincipal": {"AWS": list(listed)}}
        resource = parsed([statement], PolicyType.RESOURCE, "resource")
        return evaluate(request, replace(policies, resource=resource)).outcome

    assert decide(first) is decide(second)
