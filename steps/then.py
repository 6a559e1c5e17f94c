"""Then steps: what AWS answered the last call (and the gateway's decision about it), and the
state of the world afterwards, read on the backend as the world's author."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from harness.analysis.replay import DENIAL_REASONS
from steps import simulate
from steps.catalog import then
from steps.lookup import bucket_owner
from steps.outcomes import (
    assert_allowed,
    assert_denied,
    assert_names_statement,
    assert_protected_role,
    assert_refused,
)
from steps.world import World

_REASONS = "|".join(DENIAL_REASONS)


# --------------------------------------------------------------------------- the last call


@then("the request is allowed", example="Then the request is allowed")
def allowed(world: World) -> None:
    """The call succeeded (2xx) and the gateway decided nothing against it."""
    assert_allowed(world.last())


@then("the request is denied", example="Then the request is denied")
def denied(world: World) -> None:
    """The service's access-denied error, and a deny decision in the gateway's log."""
    assert_denied(world.last())


@then(f"the request is denied ({_REASONS})",
      example="Then the request is denied by a service control policy")
def denied_because(world: World, choice: str) -> None:
    """Denied, and the decision says how: an explicit deny in a service control policy, an
    identity-based or a resource-based policy; or no identity-based policy (or permissions
    boundary) allowing it."""
    assert_denied(world.last(), choice)


@then('the denial names the statement "{sid}"',
      example='Then the denial names the statement "DenyRootUser"')
def denial_names(world: World, sid: str) -> None:
    """The statement (by Sid) that decided the denial, from the gateway's decision record."""
    assert_names_statement(world.last(), sid)


@then("the Identity Center role stays out of reach",
      example="Then the Identity Center role stays out of reach")
def protected_role(world: World) -> None:
    """Refused: by a deny of the caller's policies, or else by AWS, which lets only Identity
    Center change the roles it manages (IAM's UnmodifiableEntity)."""
    assert_protected_role(world.last())


@then('the request is refused with "{code}"',
      example='Then the request is refused with "ValidationError"')
def refused_with(world: World, code: str) -> None:
    """The call failed with this AWS error code (not an access decision: a validation)."""
    assert_refused(world.last(), code)


@then('the answer names the "{permission_set}" role session of {person} in the "{account}" '
      "account",
      example='Then the answer names the "DeveloperReadOnly" role session of dave in the "dev" '
              "account")
def answer_names_session(world: World, permission_set: str, person: str, account: str) -> None:
    """GetCallerIdentity's ARN is the person's session of Identity Center's role for the
    permission set (AWSReservedSSO_<set>_<suffix>) in the account."""
    response = world.last().response
    assert response is not None, world.last().describe()
    account_id = world.account_id(account)
    arn = str(response["Arn"])
    prefix = f"arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_{permission_set}_"
    assert arn.startswith(prefix) and arn.endswith(f"/{person}"), arn
    assert response["Account"] == account_id, response


# --------------------------------------------------------------------------- sign-in, sessions


@then('the sign-in is refused because [she|he|they] [has|have] no assignment in "{account}"',
      example='Then the sign-in is refused because she has no assignment in "prod"')
def sign_in_refused(world: World, account: str) -> None:
    """Identity Center has no assignment of the person in the account: no role to sign in to."""
    error = world.sign_in_error
    assert error is not None, "the sign-in went through"
    assert f"no assignment in account {account}" in error, error


TEMPORARY_KEY_PREFIXES = ("ASIA", "LSIA")
"""STS's temporary access key ids: ASIA… in AWS (and moto), LSIA… in LocalStack (its LKIA…
are long-term, like AWS's AKIA…).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids"""


@then("[her|his|their|its] credentials are temporary and expire within {hours:int} "
      "[hour|hours]",
      example="Then her credentials are temporary and expire within 8 hours",
      converters={"hours": int})
def credentials_temporary(world: World, hours: int) -> None:
    """The actor holds STS credentials (a temporary key id, a session token) expiring in the
    future, no later than the given number of hours from now."""
    credentials = world.current().credentials
    assert credentials.temporary, f"{credentials.access_key_id} has no session token"
    assert credentials.access_key_id.startswith(TEMPORARY_KEY_PREFIXES), credentials.access_key_id
    assert credentials.expiration is not None
    now = datetime.now(UTC)
    assert now < credentials.expiration <= now + timedelta(hours=hours), credentials.expiration


# --------------------------------------------------------------------------- state


@then('the object "{key}" does not exist in the "{bucket}" bucket',
      example='Then the object "customers/0002.json" does not exist in the '
              '"securecart-prod-customer-data" bucket')
def object_absent(world: World, key: str, bucket: str) -> None:
    """Read on the backend: no such object."""
    s3 = world.stack.backend(bucket_owner(world.stack.landscape, bucket).name, "s3")
    found = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
    assert not [o for o in found if o["Key"] == key], f"{key} exists in {bucket}"


@then('the "{table}" table still exists in the "{account}" account',
      example='Then the "orders" table still exists in the "prod" account')
def table_exists(world: World, table: str, account: str) -> None:
    """Read on the backend: DescribeTable finds it, ACTIVE."""
    found = world.stack.backend(account, "dynamodb").describe_table(TableName=table)
    assert found["Table"]["TableStatus"] == "ACTIVE", found["Table"]["TableStatus"]


@then('the role "{role}" still has the "{boundary}" permissions boundary',
      example='Then the role "orders-worker" still has the "developer-boundary" permissions '
              "boundary")
def role_keeps_boundary(world: World, role: str, boundary: str) -> None:
    """Read on the backend, in the actor's account: the role's PermissionsBoundary."""
    account = world.current().account
    found = world.stack.backend(account, "iam").get_role(RoleName=role)["Role"]
    expected = f"arn:aws:iam::{world.account_id(account)}:policy/{boundary}"
    attached = found.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    assert attached == expected, f"{role}'s boundary is {attached}"


@then('the "{account}" account has no IAM users',
      example='Then the "prod" account has no IAM users')
def no_iam_users(world: World, account: str) -> None:
    """Read on the backend: IAM ListUsers is empty."""
    users = world.stack.backend(account, "iam").list_users()["Users"]
    assert users == [], [user["UserName"] for user in users]


# --------------------------------------------------------------------------- the organisation


def _organizations(world: World) -> Any:
    management = world.stack.landscape.organization.management_account
    return world.stack.backend(management, "organizations")


def _parent(world: World, account: str) -> dict[str, str]:
    parents = _organizations(world).list_parents(ChildId=world.account_id(account))["Parents"]
    assert len(parents) == 1, parents
    parent: dict[str, str] = parents[0]
    return parent


@then('the "{account}" account is in the "{unit}" organisational unit',
      example='Then the "prod" account is in the "Prod" organisational unit')
def account_in_unit(world: World, account: str, unit: str) -> None:
    """Read in Organizations: the account's parent is the OU of that name."""
    parent = _parent(world, account)
    assert parent["Type"] == "ORGANIZATIONAL_UNIT", parent
    found = _organizations(world).describe_organizational_unit(
        OrganizationalUnitId=parent["Id"])["OrganizationalUnit"]["Name"]
    assert found == unit, f"{account} is in {found}"


@then('the "{account}" account is directly under the organisation root',
      example='Then the "management" account is directly under the organisation root')
def account_under_root(world: World, account: str) -> None:
    """Read in Organizations: the account's parent is the root."""
    parent = _parent(world, account)
    assert parent["Type"] == "ROOT", parent


@then('the "{account}" account is not a member of the organisation',
      example='Then the "vendor" account is not a member of the organisation')
def not_a_member(world: World, account: str) -> None:
    """Read in Organizations: ListAccounts does not hold it, DescribeAccount does not find it."""
    account_id = world.account_id(account)
    organizations = _organizations(world)
    members = [a["Id"] for a in organizations.list_accounts()["Accounts"]]
    assert account_id not in members, members
    try:
        organizations.describe_account(AccountId=account_id)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "AccountNotFoundException", error
    else:
        raise AssertionError(f"Organizations describes {account_id}")


@then('the "{policy}" service control policy is attached to "{target}"',
      example='Then the "deny-root-user" service control policy is attached to "Root"')
def scp_attached(world: World, policy: str, target: str) -> None:
    """Read in Organizations: the policy's targets include the root, OU or account named."""
    organizations = _organizations(world)
    policies = organizations.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    found = next((p for p in policies if p["Name"] == policy), None)
    assert found is not None, f"no SCP named {policy}: {[p['Name'] for p in policies]}"
    targets = organizations.list_targets_for_policy(PolicyId=found["Id"])["Targets"]
    assert target in [t["Name"] for t in targets], f"{policy} is attached to {targets}"


# --------------------------------------------------------------------------- the simulator


@then('the simulator answers "{decision}"',
      example='Then the simulator answers "explicitDeny"')
def simulator_answers(world: World, decision: str) -> None:
    """The simulation's EvalDecision (allowed, explicitDeny, implicitDeny)."""
    found = simulate.result(world)["EvalDecision"]
    assert found == decision, f"the simulator answered {found}: {simulate.result(world)}"


@then('the simulator names the statement "{sid}"',
      example='Then the simulator names the statement "NoReads"')
def simulator_names(world: World, sid: str) -> None:
    """A matched statement of the simulation is the submitted policy's statement `sid`."""
    sids = simulate.matched_sids(world)
    assert sid in sids, f"matched statements: {sids}"
