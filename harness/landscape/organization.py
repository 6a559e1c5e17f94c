"""organization.yaml: the tree of OUs and accounts under Root, the external accounts, the
management account and the service control policies."""

from __future__ import annotations

from harness.iam.policy import PolicyType
from harness.landscape.context import AccountEntry, Context, OuEntry
from harness.landscape.model import ROOT, Organization, OrganizationalUnit, ServiceControlPolicy
from harness.landscape.names import ACCOUNT_ID, NAME, check_name
from harness.landscape.nodes import Node, unique, unique_field
from harness.landscape.wording import known, suggest


def read_tree(org: Node) -> tuple[list[AccountEntry], list[OuEntry], str]:
    """The accounts (members, then external), the OUs and the management account."""
    org.fields(
        required=("management_account", "root"),
        optional=("external_accounts", "service_control_policies"),
    )
    accounts: list[AccountEntry] = []
    ous: list[OuEntry] = []
    root = org.at("root")
    if root.value is not None and root.fields(required=(), optional=("accounts", "ous")):
        _read_level(root, ROOT, accounts, ous)
    for node in org.items("external_accounts"):
        entry = _read_account(node, None)
        if entry is not None:
            accounts.append(entry)
    _check_names(accounts, ous)
    return accounts, ous, _read_management(org, accounts)


def organization_model(
    accounts: list[AccountEntry], ous: list[OuEntry], management: str
) -> Organization:
    return Organization(
        management_account=management,
        ous=tuple(
            OrganizationalUnit(
                ou.name, ou.parent, tuple(ou.ous), tuple(ou.accounts), ou.description
            )
            for ou in ous
        ),
        root_accounts=tuple(a.name for a in accounts if a.parent == ROOT),
        root_ous=tuple(ou.name for ou in ous if ou.parent == ROOT),
    )


def _read_level(
    node: Node, parent: str, accounts: list[AccountEntry], ous: list[OuEntry]
) -> tuple[list[str], list[str]]:
    """Read the accounts and OUs below `parent` (recursively) into `accounts` and `ous`; the
    names of its direct children."""
    child_accounts = []
    for item in node.items("accounts"):
        entry = _read_account(item, parent)
        if entry is not None:
            accounts.append(entry)
            child_accounts.append(entry.name)
    child_ous = []
    for item in node.items("ous"):
        if not item.fields(required=("name",), optional=("description", "accounts", "ous")):
            continue
        name = item.text("name")
        if name is None:
            continue
        check_name(item.at("name"), name, NAME, "an OU name (letters, digits, '-')")
        ou = OuEntry(name, parent, item.text("description", "") or "", [], [], item)
        ous.append(ou)
        ou.accounts, ou.ous = _read_level(item, name, accounts, ous)
        child_ous.append(name)
    return child_accounts, child_ous


def _read_account(node: Node, parent: str | None) -> AccountEntry | None:
    if not node.fields(required=("name", "id", "email"), optional=("description",)):
        return None
    name = node.text("name")
    if name is None:
        return None
    check_name(node.at("name"), name, NAME, "an account name (letters, digits, '-')")
    if name == "self":
        node.at("name").error(
            "'self' is reserved ({{account.self}} means the policy's own account)"
        )
    return AccountEntry(
        name=name,
        account_id=_read_account_id(node.at("id")),
        email=node.text("email", "") or "",
        parent=parent,
        description=node.text("description", "") or "",
        node=node,
    )


def _read_account_id(node: Node) -> str:
    """The 12 digits of an account id ('' when they are not)."""
    if isinstance(node.value, str) and ACCOUNT_ID.fullmatch(node.value):
        return node.value
    if isinstance(node.value, int) and not isinstance(node.value, bool):
        node.error(
            f"account id {node.value} must be a quoted string of 12 digits "
            "(YAML reads unquoted digits as a number and drops leading zeros)"
        )
    elif node.value is not None:
        node.error(f"account id {node.value!r} is not 12 digits")
    return ""


def _check_names(accounts: list[AccountEntry], ous: list[OuEntry]) -> None:
    """Names and ids used once, no OU named like an account, neither named like the root."""
    unique([(a.node.at("name"), a.name) for a in accounts], "account")
    unique([(o.node.at("name"), o.name) for o in ous], "OU")
    ids: dict[str, str] = {}
    for entry in accounts:
        other = ids.setdefault(entry.account_id, entry.name)
        if other != entry.name and entry.account_id:
            entry.node.at("id").error(
                f"duplicate account id '{entry.account_id}' (also used by '{other}')"
            )
    account_names = {a.name for a in accounts}
    for ou in ous:
        if ou.name in account_names:
            ou.node.at("name").error(
                f"'{ou.name}' is both an OU and an account: SCP targets would be ambiguous"
            )
        if ou.name == ROOT:
            ou.node.at("name").error(f"'{ROOT}' is the name of the organisation root")
    for entry in accounts:
        if entry.name == ROOT:
            entry.node.at("name").error(f"'{ROOT}' is the name of the organisation root")


def _read_management(org: Node, accounts: list[AccountEntry]) -> str:
    management = org.text("management_account", "") or ""
    if management:
        found = next((a for a in accounts if a.name == management), None)
        where = org.at("management_account")
        if found is None:
            where.error(f"unknown account '{management}' {known(a.name for a in accounts)}")
        elif found.parent != ROOT:
            where.error(
                f"the management account '{management}' must sit directly under root.accounts"
            )
    return management


def read_scps(org: Node, context: Context) -> tuple[ServiceControlPolicy, ...]:
    scps = []
    attached: set[str] = set()
    items = org.items("service_control_policies")
    unique_field(items, "name", "SCP")
    for node in items:
        if not node.fields(
            required=("name", "file", "attach_to"), optional=("description", "aws_managed")
        ):
            continue
        name = node.text("name") or ""
        targets = [
            target
            for target_node, target in node.texts("attach_to")
            if _check_target(target_node, target, context)
        ]
        attached.update(targets)
        if node.has("attach_to") and not targets and not node.at("attach_to").value:
            node.at("attach_to").error(
                "an SCP must be attached somewhere (Root, an OU or an account)"
            )
        unique(node.texts("attach_to"), "attachment")
        document = context.policies.load(node.at("file"), PolicyType.SCP, name, None)
        if document is not None:
            scps.append(
                ServiceControlPolicy(
                    name=name,
                    description=node.text("description", "") or "",
                    document=document,
                    targets=tuple(targets),
                    aws_managed=node.flag("aws_managed", False),
                )
            )
    if items:
        _check_every_level_has_an_scp(org, attached, context)
    return tuple(scps)


def _check_every_level_has_an_scp(org: Node, attached: set[str], context: Context) -> None:
    """AWS: "You must have at least one SCP attached to every root, OU, and account at all
    times" (orgs_manage_policies_scps_attach) — which is why it attaches FullAWSAccess to
    each. With SCPs enabled, a level without one would deny everything below it."""
    levels = [(ROOT, org.at("root"))]
    levels += [(name, ou.node) for name, ou in context.ous.items()]
    levels += [(name, context.accounts[name].node) for name in context.member_names()]
    for name, node in levels:
        if name not in attached:
            node.error(
                f"no SCP is attached to '{name}': AWS requires at least one on the root, "
                "every OU and every account (it attaches FullAWSAccess to each)"
            )


def _check_target(node: Node, target: str, context: Context) -> bool:
    if target == ROOT or target in context.ous:
        return True
    account = context.accounts.get(target)
    if account is not None and account.parent is not None:
        return True
    if account is not None:
        node.error(f"account '{target}' is outside the organisation: SCPs do not apply to it")
        return False
    choices = [ROOT, *context.ous, *context.member_names()]
    node.error(
        f"SCP attached to unknown target '{target}' {known(choices)}{suggest(target, choices)}"
    )
    return False
