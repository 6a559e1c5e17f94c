"""IAM Identity Center in the management account (home region): the identity store's users,
groups and memberships, permission sets, account assignments, and provisioning.

Provisioning is done as AWS does it, since moto does not: in each assigned account, a role
`AWSReservedSSO_<permission set>_<16 hex>` under /aws-reserved/sso.amazonaws.com/ that trusts
the account's SAML provider for the IdP, carries the permission set's policies and boundary,
and lasts at most the permission set's session duration. AWS draws the suffix at random; here it
is derived from the account id and permission set name, so names are the same on every run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from harness.landscape.model import (
    SSO_ROLE_PATH,
    SSO_ROLE_PREFIX,
    Account,
    CustomerManagedPolicyRef,
    IdentityCenter,
    Landscape,
    PermissionSet,
    User,
)
from harness.seeding.context import Clients, list_all, step
from harness.seeding.iam import IamAccount, RoleSpec, ensure_role, ensure_saml_provider

SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"
SSO_INLINE_POLICY = "AwsSSOInlinePolicy"
"""The name AWS gives a permission set's inline policy on the roles it provisions."""


@dataclass(frozen=True, slots=True)
class SeededIdentityCenter:
    instance_arn: str
    identity_store_id: str
    user_ids: dict[str, str]
    group_ids: dict[str, str]
    permission_set_arns: dict[str, str]
    saml_provider_arns: dict[str, str]
    provisioned_roles: dict[tuple[str, str], str]


def seed_identity_center(clients: Clients, iam: dict[str, IamAccount]) -> SeededIdentityCenter:
    landscape = clients.landscape
    center = landscape.identity_center
    management = landscape.organization.management_account
    admin = clients.client(management, "sso-admin")
    store = clients.client(management, "identitystore")

    with step("seeding the Identity Center instance"):
        instance = admin.list_instances()["Instances"][0]
    instance_arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]
    user_ids = {user.user_name: _ensure_user(store, store_id, user) for user in center.users}
    group_ids = {
        group.name: _ensure_group(store, store_id, group.name, group.description)
        for group in center.groups
    }
    for group in center.groups:
        for member in group.members:
            _ensure_membership(
                store, store_id, group_ids[group.name], group.name, user_ids[member], member
            )
    permission_set_arns = {
        permission_set.name: _ensure_permission_set(admin, instance_arn, permission_set)
        for permission_set in center.permission_sets
    }
    principal_ids = {"USER": user_ids, "GROUP": group_ids}
    _ensure_assignments(admin, instance_arn, landscape, principal_ids, permission_set_arns)
    saml_arns, roles = _provision(clients, iam, instance_arn, permission_set_arns)
    return SeededIdentityCenter(
        instance_arn, store_id, user_ids, group_ids, permission_set_arns, saml_arns, roles
    )


# --------------------------------------------------------------------------- identity store


def _ensure_user(store: Any, store_id: str, user: User) -> str:
    with step(f"seeding user {user.user_name}"):
        try:
            found = store.get_user_id(
                IdentityStoreId=store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {
                        "AttributePath": "userName",
                        "AttributeValue": user.user_name,
                    }
                },
            )
            return str(found["UserId"])
        except store.exceptions.ResourceNotFoundException:
            pass
        given, _, family = user.display_name.partition(" ")
        created = store.create_user(
            IdentityStoreId=store_id,
            UserName=user.user_name,
            DisplayName=user.display_name,
            Name={
                "Formatted": user.display_name,
                "GivenName": given,
                "FamilyName": family or given,
            },
            Emails=[{"Value": user.email, "Type": "work", "Primary": True}],
        )
        return str(created["UserId"])


def _ensure_group(store: Any, store_id: str, name: str, description: str) -> str:
    with step(f"seeding group {name}"):
        try:
            found = store.get_group_id(
                IdentityStoreId=store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}
                },
            )
            return str(found["GroupId"])
        except store.exceptions.ResourceNotFoundException:
            pass
        created = store.create_group(
            IdentityStoreId=store_id, DisplayName=name, Description=description
        )
        return str(created["GroupId"])


def _ensure_membership(
    store: Any, store_id: str, group_id: str, group: str, user_id: str, user: str
) -> None:
    with step(f"adding user {user} to group {group}"):
        try:
            store.get_group_membership_id(
                IdentityStoreId=store_id, GroupId=group_id, MemberId={"UserId": user_id}
            )
        except store.exceptions.ResourceNotFoundException:
            store.create_group_membership(
                IdentityStoreId=store_id, GroupId=group_id, MemberId={"UserId": user_id}
            )


# --------------------------------------------------------------------------- permission sets


def _ensure_permission_set(admin: Any, instance_arn: str, permission_set: PermissionSet) -> str:
    with step(f"seeding permission set {permission_set.name}"):
        arn = _find_permission_set(admin, instance_arn, permission_set)
        _sync_managed(admin, instance_arn, arn, permission_set.managed_policies)
        _sync_customer_managed(admin, instance_arn, arn, permission_set.customer_managed_policies)
        _sync_inline(admin, instance_arn, arn, permission_set)
        # The boundary: moto 5.2.5 has no PutPermissionsBoundaryToPermissionSet. The
        # provisioned roles carry it, and they are what access decisions read.
        return arn


def _find_permission_set(admin: Any, instance_arn: str, permission_set: PermissionSet) -> str:
    """The permission set's ARN, creating it or updating its description and duration."""
    for arn in list_all(admin, "list_permission_sets", "PermissionSets", InstanceArn=instance_arn):
        found = admin.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
        found = found["PermissionSet"]
        if found["Name"] != permission_set.name:
            continue
        wanted = (permission_set.description, permission_set.session_duration)
        if (found.get("Description"), found.get("SessionDuration")) != wanted:
            admin.update_permission_set(
                InstanceArn=instance_arn,
                PermissionSetArn=arn,
                Description=permission_set.description,
                SessionDuration=permission_set.session_duration,
            )
        return str(arn)
    created = admin.create_permission_set(
        InstanceArn=instance_arn,
        Name=permission_set.name,
        Description=permission_set.description,
        SessionDuration=permission_set.session_duration,
    )
    return str(created["PermissionSet"]["PermissionSetArn"])


def _sync_managed(admin: Any, instance_arn: str, arn: str, wanted: tuple[str, ...]) -> None:
    ids = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    found = admin.list_managed_policies_in_permission_set(**ids)["AttachedManagedPolicies"]
    current = {policy["Arn"] for policy in found}
    for policy_arn in wanted:
        if policy_arn not in current:
            admin.attach_managed_policy_to_permission_set(**ids, ManagedPolicyArn=policy_arn)
    for policy_arn in sorted(current - set(wanted)):
        admin.detach_managed_policy_from_permission_set(**ids, ManagedPolicyArn=policy_arn)


def _sync_customer_managed(
    admin: Any, instance_arn: str, arn: str, wanted: tuple[CustomerManagedPolicyRef, ...]
) -> None:
    ids = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    found = admin.list_customer_managed_policy_references_in_permission_set(**ids)
    current = {
        (ref["Name"], ref.get("Path", "/")) for ref in found["CustomerManagedPolicyReferences"]
    }
    desired = {(ref.name, ref.path) for ref in wanted}
    for name, path in sorted(desired - current):
        admin.attach_customer_managed_policy_reference_to_permission_set(
            **ids, CustomerManagedPolicyReference={"Name": name, "Path": path}
        )
    for name, path in sorted(current - desired):
        admin.detach_customer_managed_policy_reference_from_permission_set(
            **ids, CustomerManagedPolicyReference={"Name": name, "Path": path}
        )


def _sync_inline(admin: Any, instance_arn: str, arn: str, permission_set: PermissionSet) -> None:
    ids = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    found = admin.get_inline_policy_for_permission_set(**ids).get("InlinePolicy") or ""
    if permission_set.inline_policy is None:
        if found:
            admin.delete_inline_policy_from_permission_set(**ids)
        return
    if not found or json.loads(found) != permission_set.inline_policy.document:
        admin.put_inline_policy_to_permission_set(
            **ids, InlinePolicy=permission_set.inline_policy.to_json()
        )


def _ensure_assignments(
    admin: Any,
    instance_arn: str,
    landscape: Landscape,
    principal_ids: dict[str, dict[str, str]],
    permission_set_arns: dict[str, str],
) -> None:
    assigned = _assignments(admin, instance_arn, landscape.identity_center, principal_ids)
    for assignment in landscape.identity_center.assignments:
        account_id = landscape.account(assignment.account).account_id
        principal_id = principal_ids[assignment.principal_type][assignment.principal]
        set_arn = permission_set_arns[assignment.permission_set]
        if (account_id, set_arn, principal_id) in assigned:
            continue
        with step(
            f"assigning permission set {assignment.permission_set} to "
            f"{assignment.principal} in account {assignment.account}"
        ):
            admin.create_account_assignment(
                InstanceArn=instance_arn,
                TargetId=account_id,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=set_arn,
                PrincipalType=assignment.principal_type,
                PrincipalId=principal_id,
            )


def _assignments(
    admin: Any,
    instance_arn: str,
    center: IdentityCenter,
    principal_ids: dict[str, dict[str, str]],
) -> set[tuple[str, str, str]]:
    """(account id, permission set ARN, principal id) of the assignments that exist for the
    landscape's principals."""
    principals = dict.fromkeys((a.principal_type, a.principal) for a in center.assignments)
    found: set[tuple[str, str, str]] = set()
    for principal_type, name in principals:
        principal_id = principal_ids[principal_type][name]
        with step(f"reading the assignments of {name}"):
            assignments = list_all(
                admin,
                "list_account_assignments_for_principal",
                "AccountAssignments",
                InstanceArn=instance_arn,
                PrincipalType=principal_type,
                PrincipalId=principal_id,
            )
        found.update((a["AccountId"], a["PermissionSetArn"], principal_id) for a in assignments)
    return found


# --------------------------------------------------------------------------- provisioning


def _provision(
    clients: Clients,
    iam: dict[str, IamAccount],
    instance_arn: str,
    permission_set_arns: dict[str, str],
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """SAML providers in assigned accounts, then one role per (account, permission set)."""
    landscape = clients.landscape
    center = landscape.identity_center
    admin = clients.client(landscape.organization.management_account, "sso-admin")
    pairs = list(dict.fromkeys((a.account, a.permission_set) for a in center.assignments))
    saml_arns: dict[str, str] = {}
    roles: dict[tuple[str, str], str] = {}
    for account_name in dict.fromkeys(account for account, _ in pairs):
        account = landscape.account(account_name)
        saml_arns[account_name] = ensure_saml_provider(iam[account_name], center.provider())
        provisioned = _provisioned(admin, instance_arn, account)
        for set_name in (name for owner, name in pairs if owner == account_name):
            permission_set = center.permission_set(set_name)
            with step(f"provisioning permission set {set_name} to account {account_name}"):
                if permission_set_arns[set_name] not in provisioned:
                    admin.provision_permission_set(
                        InstanceArn=instance_arn,
                        PermissionSetArn=permission_set_arns[set_name],
                        TargetType="AWS_ACCOUNT",
                        TargetId=account.account_id,
                    )
                spec = provisioned_role(permission_set, account, saml_arns[account_name])
                roles[(account_name, set_name)] = ensure_role(iam[account_name], spec)
    return saml_arns, roles


def _provisioned(admin: Any, instance_arn: str, account: Account) -> set[str]:
    with step(f"reading the permission sets provisioned to account {account.name}"):
        found = admin.list_permission_sets_provisioned_to_account(
            InstanceArn=instance_arn, AccountId=account.account_id
        )
    return set(found.get("PermissionSets", []))


def sso_role_name(account: Account, permission_set: PermissionSet) -> str:
    """The name of the role Identity Center makes for the permission set in the account."""
    return f"{SSO_ROLE_PREFIX}{permission_set.name}_{role_suffix(account, permission_set)}"


def sso_role_arn(account: Account, permission_set: PermissionSet) -> str:
    """The ARN (with its path) of the role Identity Center makes for the permission set."""
    return (f"arn:aws:iam::{account.account_id}:role{SSO_ROLE_PATH}"
            f"{sso_role_name(account, permission_set)}")


def role_suffix(account: Account, permission_set: PermissionSet) -> str:
    digest = hashlib.sha256(f"{account.account_id}/{permission_set.name}".encode())
    return digest.hexdigest()[:16]


def provisioned_role(
    permission_set: PermissionSet, account: Account, saml_provider_arn: str
) -> RoleSpec:
    """The role Identity Center creates in `account` for `permission_set`."""

    def arn_of(ref: CustomerManagedPolicyRef) -> str:
        return f"arn:aws:iam::{account.account_id}:policy{ref.path}{ref.name}"

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": saml_provider_arn},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": SAML_AUDIENCE}},
            }
        ],
    }
    inline = permission_set.inline_policy
    boundary = permission_set.permissions_boundary
    return RoleSpec(
        name=sso_role_name(account, permission_set),
        path=SSO_ROLE_PATH,
        trust=trust,
        managed_policies=(
            *permission_set.managed_policies,
            *(arn_of(ref) for ref in permission_set.customer_managed_policies),
        ),
        inline_policies=((SSO_INLINE_POLICY, inline.document),) if inline else (),
        permissions_boundary=arn_of(boundary) if boundary else None,
        max_session_duration=permission_set.session_seconds,
    )
