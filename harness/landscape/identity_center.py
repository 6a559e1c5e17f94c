"""identity-center.yaml: the identity provider, users, groups, permission sets and their
assignments to accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, cast

from harness.iam.policy import PolicyType
from harness.landscape.context import Context
from harness.landscape.model import (
    Assignment,
    CustomerManagedPolicyRef,
    Group,
    IdentityCenter,
    IdentityProvider,
    PermissionSet,
    User,
    iso8601_seconds,
)
from harness.landscape.names import (
    AWS_MANAGED_POLICY_PREFIX,
    PERMISSION_SET_NAME,
    iam_path,
    read_name,
)
from harness.landscape.nodes import Node, unique_field
from harness.landscape.policies import PERMISSION_SET_INLINE_MAX
from harness.landscape.wording import known, suggest


def read_identity_center(ic: Node, context: Context) -> IdentityCenter:
    ic.fields(required=("identity_provider", "users", "groups", "permission_sets", "assignments"))
    provider = _read_idp(ic.at("identity_provider"))
    group_entries = _read_groups(ic)
    users = _read_users(ic, [name for name, _ in group_entries])
    groups = tuple(
        Group(name, description, tuple(user.user_name for user in users if name in user.groups))
        for name, description in group_entries
    )
    set_items = ic.items("permission_sets")
    unique_field(set_items, "name", "permission set")
    permission_sets = [p for node in set_items if (p := _read_permission_set(node, context))]
    assignments = _read_assignments(ic, permission_sets, users, groups, context)
    return IdentityCenter(
        identity_provider=provider,
        users=tuple(users),
        groups=groups,
        permission_sets=tuple(permission_sets),
        assignments=tuple(assignments),
    )


def _read_idp(node: Node) -> IdentityProvider:
    fallback = IdentityProvider("idp", "SAML", "", "AWSSSO_DO_NOT_DELETE")
    if not node.fields(required=("name", "protocol", "issuer", "saml_provider_name")):
        return fallback
    protocol = node.text("protocol", "SAML") or "SAML"
    if protocol not in ("SAML", "OIDC"):
        node.at("protocol").error(f"protocol {protocol!r} is not SAML or OIDC")
        protocol = "SAML"
    saml_name = node.text("saml_provider_name", "") or ""
    if saml_name and not re.fullmatch(r"[\w._-]{1,128}", saml_name):
        node.at("saml_provider_name").error(f"{saml_name!r} is not a valid SAML provider name")
    return IdentityProvider(
        name=node.text("name", "") or "",
        protocol=cast(Literal["SAML", "OIDC"], protocol),
        issuer=node.text("issuer", "") or "",
        saml_provider_name=saml_name,
    )


def _read_groups(ic: Node) -> list[tuple[str, str]]:
    """(name, description) of each group."""
    items = ic.items("groups")
    unique_field(items, "name", "group")
    return [
        (node.text("name") or "", node.text("description", "") or "")
        for node in items
        if node.fields(required=("name",), optional=("description",))
    ]


def _read_users(ic: Node, group_names: list[str]) -> list[User]:
    items = ic.items("users")
    unique_field(items, "user_name", "user")
    users = []
    for node in items:
        if not node.fields(
            required=("user_name", "email", "groups", "mfa"), optional=("display_name",)
        ):
            continue
        user_name = node.text("user_name") or ""
        groups = []
        for item, group in node.texts("groups"):
            if group in group_names:
                groups.append(group)
            else:
                item.error(
                    f"unknown group '{group}' {known(group_names)}{suggest(group, group_names)}"
                )
        users.append(
            User(
                user_name=user_name,
                display_name=node.text("display_name", user_name) or user_name,
                email=node.text("email", "") or "",
                groups=tuple(groups),
                mfa=node.flag("mfa", False),
            )
        )
    return users


def _read_permission_set(node: Node, context: Context) -> PermissionSet | None:
    if not node.fields(
        required=("name", "session_duration"),
        optional=(
            "description",
            "managed_policies",
            "customer_managed_policies",
            "inline_policy",
            "permissions_boundary",
        ),
    ):
        return None
    name = read_name(
        node, PERMISSION_SET_NAME, "a permission set name (at most 32 of letters, digits, +=,.@_-)"
    )
    customer = [
        r
        for item in node.items("customer_managed_policies")
        if (r := _customer_ref(item)) is not None
    ]
    boundary = None
    if node.has("permissions_boundary"):
        boundary = _customer_ref(node.at("permissions_boundary"))
    inline = None
    if node.has("inline_policy"):
        inline = context.policies.load(
            node.at("inline_policy"),
            PolicyType.IDENTITY,
            f"{name} (permission set inline policy)",
            None,
            PERMISSION_SET_INLINE_MAX,
        )
    return PermissionSet(
        name=name,
        description=node.text("description", "") or "",
        session_duration=_read_session_duration(node),
        managed_policies=tuple(_read_aws_managed(node)),
        customer_managed_policies=tuple(customer),
        inline_policy=inline,
        permissions_boundary=boundary,
    )


def _read_session_duration(node: Node) -> str:
    duration = node.text("session_duration", "PT1H") or "PT1H"
    try:
        seconds = iso8601_seconds(duration)
        if not 3600 <= seconds <= 43200:
            node.at("session_duration").error(f"{duration} is outside PT1H–PT12H")
    except ValueError as error:
        node.at("session_duration").error(str(error))
        duration = "PT1H"
    return duration


def _read_aws_managed(node: Node) -> list[str]:
    managed = []
    for item, arn in node.texts("managed_policies"):
        if arn.startswith(AWS_MANAGED_POLICY_PREFIX):
            managed.append(arn)
        else:
            item.error(
                f"'{arn}' is not an AWS managed policy ARN ({AWS_MANAGED_POLICY_PREFIX}…);"
                " name customer managed policies under customer_managed_policies"
            )
    return managed


def _customer_ref(node: Node) -> CustomerManagedPolicyRef | None:
    if not node.fields(required=("name",), optional=("path",)):
        return None
    return CustomerManagedPolicyRef(node.text("name", "") or "", iam_path(node))


def _read_assignments(
    ic: Node,
    permission_sets: list[PermissionSet],
    users: list[User],
    groups: tuple[Group, ...],
    context: Context,
) -> list[Assignment]:
    set_names = [p.name for p in permission_sets]
    principal_names = {"group": [g.name for g in groups], "user": [u.user_name for u in users]}
    assignments: list[Assignment] = []
    seen: set[tuple[str, str, str, str]] = set()
    for node in ic.items("assignments"):
        if not node.fields(required=("permission_set", "accounts"), optional=("group", "user")):
            continue
        permission_set = node.text("permission_set") or ""
        ok = True
        if permission_set and permission_set not in set_names:
            node.at("permission_set").error(
                f"unknown permission set '{permission_set}' {known(set_names)}"
                f"{suggest(permission_set, set_names)}"
            )
            ok = False
        has_group, has_user = node.has("group"), node.has("user")
        if has_group == has_user:
            node.error("an assignment names exactly one of 'group' or 'user'")
            continue
        kind: Literal["GROUP", "USER"] = "GROUP" if has_group else "USER"
        key = "group" if has_group else "user"
        principal = node.text(key) or ""
        choices = principal_names[key]
        if principal not in choices:
            node.at(key).error(
                f"unknown {key} '{principal}' {known(choices)}{suggest(principal, choices)}"
            )
            ok = False
        for item, account in _member_accounts(node, context):
            identity = (permission_set, kind, principal, account)
            if identity in seen:
                item.error(
                    f"duplicate assignment of '{permission_set}' to {key} "
                    f"'{principal}' in '{account}'"
                )
                continue
            seen.add(identity)
            if ok:
                assignments.append(Assignment(permission_set, kind, principal, account))
    return assignments


def _member_accounts(node: Node, context: Context) -> Iterator[tuple[Node, str]]:
    """The accounts of an assignment that are members of the organisation (others reported)."""
    members = context.member_names()
    for item, account in node.texts("accounts"):
        if account not in context.accounts:
            item.error(f"unknown account '{account}' {known(members)}{suggest(account, members)}")
        elif context.accounts[account].parent is None:
            item.error(
                f"account '{account}' is outside the organisation: "
                "Identity Center assigns only member accounts"
            )
        else:
            yield item, account
