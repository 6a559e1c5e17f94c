"""References across files, checked once everything is read: between the resources of the
accounts, and from permission sets to the customer managed policies of the accounts they are
assigned in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from harness.landscape.accounts import AccountContent
from harness.landscape.context import Context
from harness.landscape.model import IdentityCenter, ManagedPolicy
from harness.landscape.nodes import Node
from harness.landscape.wording import known


def check_resources(contents: Mapping[str, AccountContent]) -> None:
    """References between resources: function roles, queue subscriptions, trail buckets,
    recorder roles; bucket names unique across accounts (S3 names are global). Fills in the
    account of each trail's bucket."""
    bucket_owner = _bucket_owners(contents)
    for account, content in contents.items():
        assert content.node is not None
        resources = content.node.at("resources")
        _check_roles_and_topics(resources, account, content)
        trails = list(content.resources.trails)
        for index, trail in enumerate(trails):
            owner = bucket_owner.get(trail.bucket)
            if owner is None:
                if trail.bucket:
                    resources.at(f"cloudtrail_trails[{index}]").at("bucket").error(
                        f"unknown bucket '{trail.bucket}' {known(bucket_owner)}"
                    )
                continue
            trails[index] = replace(trail, bucket_account=owner)
        content.resources = replace(content.resources, trails=tuple(trails))


def _check_roles_and_topics(resources: Node, account: str, content: AccountContent) -> None:
    """The roles of functions and recorders, the topics queues subscribe to: of the account."""
    roles = [role.name for role in content.roles]
    topics = [topic.name for topic in content.resources.topics]
    functions, recorders = content.resources.functions, content.resources.config_recorders
    named_roles = [
        *((f"lambda_functions[{index}]", f.role) for index, f in enumerate(functions)),
        *((f"config_recorders[{index}]", r.role) for index, r in enumerate(recorders)),
    ]
    for where, role in named_roles:
        if role and role not in roles:
            resources.at(where).at("role").error(
                f"unknown role '{role}' in account '{account}' {known(roles)}"
            )
    for index, queue in enumerate(content.resources.queues):
        for position, topic in enumerate(queue.subscriptions):
            if topic not in topics:
                resources.at(f"sqs_queues[{index}]").at(f"subscriptions[{position}]").error(
                    f"unknown topic '{topic}' in account '{account}' {known(topics)}"
                )


def _bucket_owners(contents: Mapping[str, AccountContent]) -> dict[str, str]:
    """The account of each bucket name; a name used in two accounts is an error."""
    bucket_owner: dict[str, str] = {}
    for account, content in contents.items():
        for index, bucket in enumerate(content.resources.buckets):
            other = bucket_owner.setdefault(bucket.name, account)
            if other != account:
                assert content.node is not None
                content.node.at(f"resources.s3_buckets[{index}].name").error(
                    f"duplicate bucket name '{bucket.name}' (also in account "
                    f"'{other}'; S3 bucket names are global)"
                )
    return bucket_owner


def check_identity_center_policies(
    ic: Node,
    identity_center: IdentityCenter,
    managed: Mapping[str, tuple[ManagedPolicy, ...]],
    context: Context,
) -> None:
    """Identity Center attaches customer managed policies (and boundaries) by name and
    path: they must exist in every account the permission set is assigned in."""
    by_name = {p.name: p for p in identity_center.permission_sets}
    for node in ic.items("assignments"):
        if not isinstance(node.value, dict):
            continue
        permission_set = by_name.get(str(node.value.get("permission_set")))
        if permission_set is None:
            continue
        refs = list(permission_set.customer_managed_policies)
        if permission_set.permissions_boundary is not None:
            refs.append(permission_set.permissions_boundary)
        for item, account in node.texts("accounts"):
            if account not in context.accounts or context.accounts[account].parent is None:
                continue
            present = {(m.name, m.path) for m in managed.get(account, ())}
            for ref in refs:
                if (ref.name, ref.path) not in present:
                    item.error(
                        f"permission set '{permission_set.name}' needs the customer managed "
                        f"policy '{ref.path}{ref.name}' in account '{account}', which does "
                        f"not define it (accounts/{account}.yaml managed_policies)"
                    )
