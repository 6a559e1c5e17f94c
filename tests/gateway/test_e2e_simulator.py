"""The endpoint answers the IAM policy simulator itself.

End to end: boto3 asks the endpoint to simulate, the gateway answers from the engine over the
principal's real policies in the backend, and nothing is forwarded to moto (which does not
implement the simulator).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.conftest import PROD, REGION, World, arn_user, document, error_of

pytestmark = pytest.mark.slow

CALLER = arn_user(PROD, "caller")
TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
# RootGuardrails denies every action but IAM's, STS's and Organizations' outside the approved
# regions: without the region, the SCP decides (aws:RequestedRegion absent makes its
# StringNotEquals true).
IN_REGION = {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": [REGION]}


def _simulate(world: World, operation: str, **params: Any) -> dict[str, Any]:
    iam = world.client(world.root(PROD), "iam")
    mark = world.recorder.mark()
    method = (iam.simulate_principal_policy if operation == "SimulatePrincipalPolicy"
              else iam.simulate_custom_policy)
    answer: dict[str, Any] = method(**params)
    assert world.recorder.forwarded_since(mark) == [], "the simulation reached the backend"
    return answer


def test_simulate_principal_policy_through_the_endpoint(world: World) -> None:
    without_mfa = _simulate(world, "SimulatePrincipalPolicy", PolicySourceArn=CALLER,
                            ActionNames=["sns:Publish"], ResourceArns=[TOPIC],
                            ContextEntries=[IN_REGION])["EvaluationResults"][0]
    assert without_mfa["EvalDecision"] == "explicitDeny"
    assert [s["SourcePolicyId"] for s in without_mfa["MatchedStatements"]] == [
        "user_caller_caller-permissions"]
    assert without_mfa["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    with_mfa = _simulate(world, "SimulatePrincipalPolicy", PolicySourceArn=CALLER,
                         ActionNames=["sns:Publish"], ResourceArns=[TOPIC],
                         ContextEntries=[IN_REGION, {
                             "ContextKeyName": "aws:MultiFactorAuthPresent",
                             "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}]
                         )["EvaluationResults"][0]
    assert with_mfa["EvalDecision"] == "allowed"
    assert with_mfa["ResourceSpecificResults"][0]["EvalResourceName"] == TOPIC


def test_the_log_names_the_statements_a_simulation_exercised(world: World) -> None:
    """The simulator call's own log record carries the decisions it simulated: what
    `securecart mutate` reads to know which scenarios a statement reaches."""
    since = world.mark()
    _simulate(world, "SimulatePrincipalPolicy", PolicySourceArn=CALLER,
              ActionNames=["sns:Publish"], ResourceArns=[TOPIC], ContextEntries=[IN_REGION])
    records = [r for r in world.decisions(since)
               if r["operation"] == "SimulatePrincipalPolicy"]
    assert len(records) == 1 and records[0]["decision"] == "allowed"
    [simulated] = records[0]["simulated"]
    assert (simulated["action"], simulated["resource"], simulated["decision"]) == (
        "sns:Publish", TOPIC, "explicitDeny")
    # Without MFA the caller's own policy denies: its Deny is among the matched statements.
    assert any(s["effect"] == "Deny" and s["type"] == "identity-based policy"
               for s in simulated["matched"]), simulated


def test_scp_decides_without_the_region(world: World) -> None:
    result = _simulate(world, "SimulatePrincipalPolicy", PolicySourceArn=CALLER,
                       ActionNames=["sns:Publish"])["EvaluationResults"][0]
    assert (result["EvalDecision"], result["OrganizationsDecisionDetail"]) == (
        "explicitDeny", {"AllowedByOrganizations": False})


def test_simulate_custom_policy_through_the_endpoint(world: World) -> None:
    result = _simulate(world, "SimulateCustomPolicy", CallerArn=CALLER,
                       PolicyInputList=[document({"Effect": "Allow", "Action": "s3:GetObject",
                                                  "Resource": "*"})],
                       ActionNames=["s3:GetObject", "s3:PutObject"])["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in result] == [
        ("s3:GetObject", "allowed"), ("s3:PutObject", "implicitDeny")]


def test_unknown_principal_is_no_such_entity(world: World) -> None:
    iam = world.client(world.root(PROD), "iam")
    error = error_of(lambda: iam.simulate_principal_policy(
        PolicySourceArn=arn_user(PROD, "ghost"), ActionNames=["s3:GetObject"]))
    assert error.response["Error"]["Code"] == "NoSuchEntity"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_paginator_follows_markers(world: World) -> None:
    iam = world.client(world.root(PROD), "iam")
    actions = ["s3:GetObject", "s3:PutObject", "sns:Publish"]
    pages = list(iam.get_paginator("simulate_principal_policy").paginate(
        PolicySourceArn=CALLER, ActionNames=actions, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 3
    assert [p["EvaluationResults"][0]["EvalActionName"] for p in pages] == actions
