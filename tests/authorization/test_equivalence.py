"""The same request decided through every entry point gets the same Decision: the gateway (its
backend source over a World), `securecart simulate` (its given policies), offline analysis and
the trust check of `securecart assume` all go through harness.authorization."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from harness.analysis.offline import Offline, Principal
from harness.authorization import GivenPolicies, Organization, Transport, authorize
from harness.authorization.source import Levels
from harness.gateway.authorize import Asker, decide
from harness.gateway.backend_state import Identity
from harness.gateway.credentials import Credential, SessionContext
from harness.gateway.operations import AuthorizationRequest
from harness.iam import ContextKeys, Decision, Outcome, Policy
from harness.identity.assume import TrustQuestion, trust_decisions
from harness.landscape.loader import load_landscape
from harness.simulation.custom_policy import Simulation, question

_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def offline() -> Offline:
    return Offline(load_landscape())


@dataclass
class _LandscapeWorld:
    """A World answering from the landscape, as the backend seeded from it would."""

    offline: Offline

    def role(self, arn: str) -> Identity:
        found = self.offline.source.principals[arn]
        return Identity(found.identity, found.boundary, found.tags)

    def user(self, arn: str) -> Identity:
        raise AssertionError("SecureCart's landscape has no users")

    def role_trust(self, arn: str) -> Policy | None:
        return self.offline.source.trust_policy(arn)

    def organization(self, account: str) -> Organization | None:
        return self.offline.source.organization(account)

    def scps(self, account: str) -> Levels | None:
        return self.offline.source.scps(account)

    def rcps(self, account: str) -> Levels | None:
        return None

    def iam_arn(self, arn: str, accounts: tuple[str, ...]) -> str:
        return arn

    def bucket_owner(self, bucket: str, accounts: tuple[str, ...]) -> str | None:
        return self.offline.owner(f"arn:aws:s3:::{bucket}")

    def resource_policy(self, service: str, arn: str, owner: str, region: str) -> Policy | None:
        return self.offline.source.resource_policy(service, arn, owner, region)

    def resource_tags(self, service: str, arn: str, owner: str, region: str
                      ) -> Sequence[tuple[str, str]]:
        return ()


def _through_gateway(offline: Offline, principal: Principal, action: str, arn: str
                     ) -> Decision:
    wanted = AuthorizationRequest(action=action, resource=arn,
                                  keys=(("aws:RequestedRegion", ("us-east-1",)),))
    caller = principal.caller()
    session = SessionContext(_NOW, _NOW - timedelta(seconds=60)) if principal.human else None
    credential = Credential("ASIAEQUIVALENCE00001", "secret", str(caller.account), caller.kind,
                            caller.arn, caller.identity_arn, session=session)
    world = _LandscapeWorld(offline)
    return decide(Asker(caller, credential), wanted, Transport(True, _NOW),
                  world,  # type: ignore[arg-type]
                  tuple(a.account_id for a in offline.landscape.accounts))


def _through_simulate(offline: Offline, principal: Principal, action: str, arn: str
                      ) -> Decision:
    policies = offline.policy_set(principal, action, arn)
    organization = offline.source.organization(principal.account or "")
    given = GivenPolicies(
        identity=policies.identity, boundary=policies.boundary, resource=policies.resource,
        scp_levels=policies.scps,
        management_account=organization.management_account if organization else None,
        owner_account=offline.owner(arn), tags=principal.tags)
    keys = ContextKeys({"aws:RequestedRegion": "us-east-1"})
    simulation = Simulation(principal.caller(), (action,), (arn,), offline.owner(arn), keys,
                            given, offline.question(principal, action, arn).session)
    return authorize(question(simulation, action, arn), simulation.policies)


def _comparable(decision: Decision) -> tuple[object, ...]:
    return (decision.outcome, decision.denied_by, decision.deciding, decision.error,
            decision.rule, decision.allowed_by_organizations)


ALLOWED, EXPLICIT, IMPLICIT = Outcome.ALLOWED, Outcome.EXPLICIT_DENY, Outcome.IMPLICIT_DENY
CASES = [
    ("dev:DeveloperReadOnly", "s3:ListBucket", "arn:aws:s3:::securecart-dev-artifacts", ALLOWED),
    ("dev:DeveloperReadOnly", "s3:PutObject", "arn:aws:s3:::securecart-dev-artifacts/x",
     EXPLICIT),  # an upload without server-side encryption: the SCP refuses it
    ("dev:DeveloperReadOnly", "dynamodb:DeleteTable",
     "arn:aws:dynamodb:us-east-1:444444444444:table/orders", IMPLICIT),
    ("prod:orders-processor", "s3:GetObject", "arn:aws:s3:::securecart-prod-customer-data/o",
     ALLOWED),
    ("prod:orders-processor", "s3:DeleteBucket", "arn:aws:s3:::securecart-prod-customer-data",
     EXPLICIT),
    ("dev:DeveloperPowerUser", "iam:AttachRolePolicy",
     "arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/"
     "AWSReservedSSO_DeveloperReadOnly_0123456789abcdef", EXPLICIT),
    ("dev:DeveloperReadOnly", "sts:GetCallerIdentity", "*", ALLOWED),
]


@pytest.mark.parametrize(("label", "action", "arn", "expected"), CASES)
def test_gateway_simulate_and_offline_agree(offline: Offline, label: str, action: str,
                                            arn: str, expected: Outcome) -> None:
    principal = offline.principal(label)
    offline_decision = offline.decide(principal, action, arn)
    assert offline_decision.error is None
    assert offline_decision.outcome is expected
    assert _comparable(_through_gateway(offline, principal, action, arn)) == \
        _comparable(offline_decision)
    assert _comparable(_through_simulate(offline, principal, action, arn)) == \
        _comparable(offline_decision)


def test_the_trust_check_of_assume_agrees(offline: Offline) -> None:
    caller = offline.principal("shared-services:ci-deployer")
    role = offline.principal("prod:DeployRole")
    assert role.trust is not None
    offline_decision = offline.decide(caller, "sts:AssumeRole", role.arn)
    organization = offline.source.organization(caller.account or "")
    [trust] = trust_decisions(TrustQuestion(
        caller=caller.caller(), role_arn=role.arn, role_account=str(role.account),
        trust=role.trust, max_session_duration=3600, identity=caller.identity,
        boundary=caller.boundary, scps=offline.source.scps(caller.account or ""),
        management_account=organization.management_account if organization else None,
        tags=caller.tags))
    assert _comparable(trust) == _comparable(offline_decision)
    assert trust.allowed
