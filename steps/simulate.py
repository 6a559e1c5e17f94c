"""The IAM policy simulator, asked at the endpoint as the actor (iam:SimulateCustomPolicy,
iam:SimulatePrincipalPolicy). AWS's answer names a matched statement by its policy and its
position in the policy's text (StartPosition, EndPosition), not by Sid; the Sid is read from
the submitted text at that position, as a user of the real simulator would."""

from __future__ import annotations

import json
from typing import Any

from steps.calls import call
from steps.world import World


def custom(world: World, document: str, action: str, resource: str) -> None:
    outcome = call(world, "iam", "SimulateCustomPolicy", {
        "PolicyInputList": [document], "ActionNames": [action], "ResourceArns": [resource]})
    world.simulation = {"outcome": outcome, "documents": [document]}


def principal(world: World, role_arn: str, action: str, resource: str, *,
              region: str | None = None, mfa: bool = False) -> None:
    """IAM SimulatePrincipalPolicy for the role's real policies; `region` and `mfa` become the
    context entries aws:RequestedRegion and aws:MultiFactorAuthPresent."""
    params: dict[str, Any] = {
        "PolicySourceArn": role_arn, "ActionNames": [action], "ResourceArns": [resource]}
    entries = []
    if region is not None:
        entries.append({"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": [region],
                        "ContextKeyType": "string"})
    if mfa:
        entries.append({"ContextKeyName": "aws:MultiFactorAuthPresent",
                        "ContextKeyValues": ["true"], "ContextKeyType": "boolean"})
    if entries:
        params["ContextEntries"] = entries
    outcome = call(world, "iam", "SimulatePrincipalPolicy", params)
    world.simulation = {"outcome": outcome, "documents": []}


def result(world: World) -> dict[str, Any]:
    """The one evaluation result of the last simulation."""
    assert world.simulation is not None, "nothing was simulated"
    outcome = world.simulation["outcome"]
    assert outcome.succeeded and outcome.response is not None, (
        f"the simulator did not answer:\n{outcome.describe()}")
    results: list[dict[str, Any]] = outcome.response["EvaluationResults"]
    assert len(results) == 1, f"expected one evaluation result, got {results}"
    return results[0]


def matched_sids(world: World) -> list[str]:
    """The Sids of the matched statements of the submitted policies."""
    assert world.simulation is not None
    documents: list[str] = world.simulation["documents"]
    sids = []
    for matched in result(world).get("MatchedStatements", []):
        source = str(matched.get("SourcePolicyId", ""))
        if not source.startswith("PolicyInputList."):
            continue
        text = documents[int(source.rsplit(".", 1)[1]) - 1]
        statement = statement_at(text, matched["StartPosition"], matched["EndPosition"])
        sids.append(str(statement.get("Sid", "")))
    return sids


def _offset(text: str, position: dict[str, int]) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[:position["Line"] - 1]) + position["Column"] - 1


def statement_at(text: str, start: dict[str, int], end: dict[str, int]) -> dict[str, Any]:
    """The statement between two simulator positions (the span may begin with the separator
    before the statement, or just inside its opening brace)."""
    span = text[_offset(text, start):_offset(text, end)].lstrip(" \t\r\n,[")
    if not span.startswith("{"):
        span = "{" + span
    found, _ = json.JSONDecoder().raw_decode(span)
    assert isinstance(found, dict), f"no statement at {start}–{end}: {span!r}"
    return found
