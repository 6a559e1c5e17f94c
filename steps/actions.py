"""Business actions as AWS calls, shared by Given steps (which require them to succeed) and
When steps (which record whatever AWS answered)."""

from __future__ import annotations

from typing import Any

from steps.calls import call
from steps.lookup import boundary_arn, role_trust
from steps.outcomes import Outcome, record_assertion
from steps.personas import session
from steps.world import World

BODY = b'{"example": true}\n'
CUSTOMER_RECORD = b'{"customer_id": "c-0001", "email": "customer@example.com"}\n'
CUSTOMER_RECORD_NOTE = "customer record ciphertext"
"""world.notes key: the ciphertext of the customer record a Given step encrypted."""


def upload(world: World, key: str, bucket: str, *, encryption: str | None,
           acl: str | None = None) -> Outcome:
    """S3 PutObject, asking for server-side encryption `encryption` (the
    x-amz-server-side-encryption header) and the canned ACL `acl` when given."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Body": BODY}
    if encryption is not None:
        params["ServerSideEncryption"] = encryption
    if acl is not None:
        params["ACL"] = acl
    return call(world, "s3", "PutObject", params)


def create_role(world: World, role: str, boundary: str | None) -> Outcome:
    account_id = world.account_id(world.current().account)
    params: dict[str, Any] = {"RoleName": role, "AssumeRolePolicyDocument": role_trust(account_id)}
    if boundary is not None:
        params["PermissionsBoundary"] = boundary_arn(account_id, boundary)
    return call(world, "iam", "CreateRole", params)


def assume_role(world: World, role: str, account: str, *, external_id: str | None = None,
                seconds: int | None = None) -> Outcome:
    role_arn = role_arn_of(world, role, account)
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "securecart-scenario"}
    if external_id is not None:
        params["ExternalId"] = external_id
    if seconds is not None:
        params["DurationSeconds"] = seconds
    return call(world, "sts", "AssumeRole", params)


def act_as_assumed(world: World, label: str, role: str, account: str, *,
                   external_id: str | None = None) -> None:
    """The current actor calls STS AssumeRole, which must succeed; the new session, named
    `label`, acts from now on."""
    outcome = require(assume_role(world, role, account, external_id=external_id))
    assert outcome.response is not None
    world.actor = session(label, account, outcome.response)


def role_arn_of(world: World, role: str, account: str) -> str:
    """The landscape's role, else a role AWS makes itself (Organizations'
    OrganizationAccountAccessRole), which lives at the root path."""
    found = world.stack.landscape.account(account)
    for candidate in found.roles:
        if candidate.name == role:
            return candidate.arn
    return f"arn:aws:iam::{found.account_id}:role/{role}"


def require(outcome: Outcome) -> Outcome:
    """A Given's action must succeed: the scenario is about what comes after it."""
    record_assertion(outcome, "allowed")
    assert outcome.succeeded, f"setting the scenario up failed:\n{outcome.describe()}"
    return outcome
