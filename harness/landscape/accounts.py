"""accounts/<name>.yaml: each account's managed policies, roles and resources; and the
`Account`s of the model, once every file is read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from harness.iam.policy import PolicyType
from harness.landscape.context import AccountEntry, Context
from harness.landscape.layout import ACCOUNTS_DIR, ORGANIZATION_FILE
from harness.landscape.model import Account, IdentityCenter, ManagedPolicy, Resources, Role
from harness.landscape.names import IAM_NAME, iam_path, read_name
from harness.landscape.nodes import Node, unique, unique_field
from harness.landscape.resources import read_resources
from harness.landscape.roles import read_role
from harness.landscape.wording import known, suggest
from harness.landscape.yaml_reading import read_yaml


@dataclass
class ManagedEntry:
    """A managed policy of an account file, whose document is read once the boundaries are
    known (a policy used as a permissions boundary is validated as one)."""

    node: Node
    name: str
    path: str
    description: str
    file_node: Node
    account: str


@dataclass
class AccountContent:
    managed: list[ManagedEntry] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    node: Node | None = None


def read_account_files(context: Context) -> dict[str, AccountContent]:
    """The content of each account file, by account name."""
    contents: dict[str, AccountContent] = {}
    folder = context.directory / ACCOUNTS_DIR
    if not folder.is_dir():
        return contents
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml"):
            continue
        node = read_yaml(
            context.directory, f"{ACCOUNTS_DIR}/{path.name}", context.sink, empty_ok=True
        )
        if node is None:
            continue
        account = path.stem
        if account not in context.accounts:
            node.error(
                f"unknown account '{account}': files in {ACCOUNTS_DIR}/ are named after "
                f"accounts of {ORGANIZATION_FILE} {known(context.accounts)}"
                f"{suggest(account, context.accounts)}"
            )
            continue
        if account in contents:
            node.error(f"account '{account}' has two files in {ACCOUNTS_DIR}/")
            continue
        contents[account] = _read_account_content(node, account, context)
    return contents


def _read_account_content(node: Node, account: str, context: Context) -> AccountContent:
    node.fields(required=(), optional=("managed_policies", "roles", "resources"))
    content = AccountContent(node=node)
    account_id = context.accounts[account].account_id
    for item in node.items("managed_policies"):
        if not item.fields(required=("name", "file"), optional=("path", "description")):
            continue
        name = read_name(item, IAM_NAME, "an IAM policy name")
        content.managed.append(
            ManagedEntry(
                node=item,
                name=name,
                path=iam_path(item),
                description=item.text("description", "") or "",
                file_node=item.at("file"),
                account=account,
            )
        )
    unique([(m.node.at("name"), m.name) for m in content.managed], "managed policy")
    managed_arns = {m.name: _managed_policy_arn(account_id, m) for m in content.managed}
    role_items = node.items("roles")
    unique_field(role_items, "name", "role")
    for item in role_items:
        role = read_role(item, account, managed_arns, context)
        if role is not None:
            content.roles.append(role)
    resources = node.at("resources")
    if resources.value is not None:
        content.resources = read_resources(resources, account, context)
    return content


def _managed_policy_arn(account_id: str, entry: ManagedEntry) -> str:
    return f"arn:aws:iam::{account_id}:policy{entry.path}{entry.name}"


def boundary_uses(
    contents: Mapping[str, AccountContent], identity_center: IdentityCenter
) -> set[tuple[str, str]]:
    """(account, policy name) of the managed policies used as permissions boundaries."""
    uses: set[tuple[str, str]] = set()
    for account, content in contents.items():
        for role in content.roles:
            if role.permissions_boundary is not None:
                uses.add((account, role.permissions_boundary.rsplit("/", 1)[-1]))
    by_name = {p.name: p for p in identity_center.permission_sets}
    for assignment in identity_center.assignments:
        permission_set = by_name.get(assignment.permission_set)
        if permission_set is not None and permission_set.permissions_boundary is not None:
            uses.add((assignment.account, permission_set.permissions_boundary.name))
    return uses


def load_managed_policies(
    contents: Mapping[str, AccountContent], boundaries: set[tuple[str, str]], context: Context
) -> dict[str, tuple[ManagedPolicy, ...]]:
    """The managed policies of each account, read as boundaries where they serve as one."""
    managed: dict[str, tuple[ManagedPolicy, ...]] = {}
    for account, content in contents.items():
        account_id = context.accounts[account].account_id
        policies = []
        for entry in content.managed:
            arn = _managed_policy_arn(account_id, entry)
            policy_type = (
                PolicyType.BOUNDARY if (account, entry.name) in boundaries else PolicyType.IDENTITY
            )
            document = context.policies.load(entry.file_node, policy_type, arn, account)
            if document is not None:
                policies.append(
                    ManagedPolicy(entry.name, entry.path, arn, entry.description, document)
                )
        managed[account] = tuple(policies)
    return managed


def account_models(
    entries: Sequence[AccountEntry],
    contents: Mapping[str, AccountContent],
    managed: Mapping[str, tuple[ManagedPolicy, ...]],
) -> tuple[Account, ...]:
    return tuple(
        Account(
            name=entry.name,
            account_id=entry.account_id,
            email=entry.email,
            parent=entry.parent,
            external=entry.parent is None,
            description=entry.description,
            managed_policies=managed.get(entry.name, ()),
            roles=tuple(contents[entry.name].roles) if entry.name in contents else (),
            resources=contents[entry.name].resources if entry.name in contents else Resources(),
        )
        for entry in entries
    )
