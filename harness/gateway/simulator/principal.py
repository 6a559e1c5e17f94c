"""PolicySourceArn: the policies of the user, group or role SimulatePrincipalPolicy simulates.

"If you specify a user, group, or role, the simulation includes all policies that are
associated with that entity. If you specify a user, the simulation also includes all policies
that are attached to any groups the user belongs to." PolicyExclusionList leaves some out.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from harness.gateway.backend_state import BackendState, inline_policy_name
from harness.gateway.simulator.caller import ENTITY_ARN
from harness.gateway.simulator.documents import Document, Reader, raw_iam
from harness.gateway.simulator.errors import backend_failure, invalid
from harness.gateway.simulator.exclusions import PolicyExclusionList
from harness.gateway.simulator.sources import BOUNDARY_SOURCE, IDENTITY_SOURCE, PolicyLoader
from harness.iam.json_reader import MAX_DOCUMENT_CHARS
from harness.iam.policy import Policy, PolicyType


@dataclass(frozen=True, slots=True)
class Principal:
    """The entity's policies (after PolicyExclusionList) and its boundary."""

    policies: tuple[Policy, ...]
    boundary: Policy | None
    exclusions: PolicyExclusionList

    @staticmethod
    def read(state: BackendState, arn: str, exclusions: PolicyExclusionList, loader: PolicyLoader
             ) -> Principal:
        match = ENTITY_ARN.fullmatch(arn)
        if match is None:
            raise invalid(f"PolicySourceArn: '{arn}' is not the ARN of an IAM user, group or "
                          "role")
        account, kind, name = match.group(2), match.group(3), match.group(4)
        try:
            documents, boundary = Reader(raw_iam(state.access, account)).entity(kind, name)
        except (ClientError, BotoCoreError) as error:
            raise backend_failure(f"reading {arn}", error) from error
        policies = tuple(
            loader.policy(d.text, PolicyType.IDENTITY, d.arn or d.policy_id, d.policy_id,
                          IDENTITY_SOURCE, MAX_DOCUMENT_CHARS, held=True,
                          held_name=_held_name(d, account))
            for d in documents if not _excluded(d, exclusions))
        boundary_policy = None
        if boundary is not None and not (
                exclusions.excludes_type("permission-boundary")
                or (boundary.arn and exclusions.excludes_arn(boundary.arn))):
            boundary_policy = loader.policy(
                boundary.text, PolicyType.BOUNDARY, boundary.arn or boundary.policy_id,
                boundary.policy_id, BOUNDARY_SOURCE, MAX_DOCUMENT_CHARS, held=True,
                held_name=boundary.arn)
        return Principal(policies, boundary_policy, exclusions)


def _held_name(document: Document, account: str) -> str | None:
    """The name the gateway's decisions give the document (harness.gateway.backend_state)."""
    if document.arn is not None:
        return document.arn
    if document.inline is None:
        return None
    policy, kind, entity = document.inline
    return inline_policy_name(f"arn:aws:iam::{account}:{kind}/{entity}", policy)


def _excluded(document: Document, exclusions: PolicyExclusionList) -> bool:
    return (exclusions.excludes_type(document.kind)
            or bool(document.arn and exclusions.excludes_arn(document.arn))
            or (document.inline is not None and exclusions.excludes_inline(*document.inline)))
