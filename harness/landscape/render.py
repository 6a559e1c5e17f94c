"""`securecart landscape show`: the organisation as a tree, with what is attached where.

Root  [SCP: FullAWSAccess, deny-root-user, …]
├── management (111111111111)  [SCP: FullAWSAccess]
│   ├── sso DeveloperReadOnly ← group Developers
│   └── trail securecart-org-trail → securecart-log-archive (log-archive) …
├── OU SecurityOU  [SCP: FullAWSAccess]
…
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.landscape.model import (
    ROOT,
    Account,
    Landscape,
    PermissionSet,
    PolicyDocument,
    Resources,
    Role,
)


@dataclass
class TreeNode:
    label: str
    children: list[TreeNode] = field(default_factory=list)

    def add(self, label: str) -> TreeNode:
        child = TreeNode(label)
        self.children.append(child)
        return child


def draw(node: TreeNode) -> list[str]:
    """The lines of a tree, drawn with box characters."""
    lines = [node.label]
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        below = draw(child)
        lines.append(("└── " if last else "├── ") + below[0])
        lines.extend(("    " if last else "│   ") + line for line in below[1:])
    return lines


def render_landscape(landscape: Landscape) -> str:
    """The whole landscape: organisation tree, external accounts, Identity Center."""
    view = _View(landscape)
    regions = landscape.regions
    allowed = ", ".join(
        f"{region} (home)" if region == regions.home else region for region in regions.allowed
    )
    header = f"{landscape.name} — regions: {allowed}"
    parts = [
        header,
        "",
        *draw(view.organization()),
    ]
    external = [account for account in landscape.accounts if account.external]
    if external:
        outside = TreeNode("Outside the organisation")
        for account in external:
            outside.children.append(view.account(account))
        parts += ["", *draw(outside)]
    parts += ["", *draw(view.identity_center())]
    return "\n".join(parts) + "\n"


class _View:
    def __init__(self, landscape: Landscape) -> None:
        self.landscape = landscape

    def file(self, document: PolicyDocument) -> str:
        try:
            return document.file.relative_to(self.landscape.directory).as_posix()
        except ValueError:
            return str(document.file)

    def scps(self, target: str) -> str:
        names = [scp.name for scp in self.landscape.scps_attached_to(target)]
        return f"  [SCP: {', '.join(names)}]" if names else "  [no SCP: every action denied]"

    # ------------------------------------------------------------------ organisation

    def organization(self) -> TreeNode:
        organization = self.landscape.organization
        root = TreeNode(f"{ROOT}{self.scps(ROOT)}")
        for name in organization.root_accounts:
            root.children.append(self.account(self.landscape.account(name)))
        for name in organization.root_ous:
            root.children.append(self.ou(name))
        return root

    def ou(self, name: str) -> TreeNode:
        ou = self.landscape.ou(name)
        node = TreeNode(f"OU {name}{self.scps(name)}")
        for account in ou.accounts:
            node.children.append(self.account(self.landscape.account(account)))
        for child in ou.ous:
            node.children.append(self.ou(child))
        return node

    def account(self, account: Account) -> TreeNode:
        note = ""
        if account.name == self.landscape.organization.management_account:
            note = "  management account (SCPs do not apply)"
        scps = "" if account.external else self.scps(account.name)
        node = TreeNode(f"{account.name} ({account.account_id}){scps}{note}")
        for assignment in self.landscape.identity_center.assignments:
            if assignment.account == account.name:
                node.add(
                    f"sso {assignment.permission_set} ← "
                    f"{assignment.principal_type.lower()} {assignment.principal}"
                )
        for policy in account.managed_policies:
            kind = policy.document.policy_type.value
            node.add(f"policy {policy.name} ({kind})  {self.file(policy.document)}")
        for role in account.roles:
            node.children.append(self.role(role, account))
        self.resources(node, account.resources)
        return node

    def role(self, role: Role, account: Account) -> TreeNode:
        hours = role.max_session_duration / 3600
        session = f"max session {hours:g} h"
        node = TreeNode(f"role {role.path if role.path != '/' else ''}{role.name}  ({session})")
        node.add(f"trust  {self.file(role.trust)}")
        for arn in role.managed_policies:
            node.add(f"managed  {_policy_label(arn, account)}")
        for inline in role.inline_policies:
            node.add(f"inline {inline.name.rsplit('/', 1)[-1]}  {self.file(inline)}")
        if role.permissions_boundary is not None:
            node.add(f"boundary  {_policy_label(role.permissions_boundary, account)}")
        return node

    def resources(self, node: TreeNode, resources: Resources) -> None:
        for bucket in resources.buckets:
            traits = [f"encryption {bucket.encryption}" if bucket.encryption else "no encryption"]
            if bucket.versioning:
                traits.append("versioned")
            child = node.add(f"s3 {bucket.name}  ({', '.join(traits)})")
            if bucket.policy is not None:
                child.add(f"bucket policy  {self.file(bucket.policy)}")
        for topic in resources.topics:
            child = node.add(f"sns {topic.name}")
            if topic.policy is not None:
                child.add(f"topic policy  {self.file(topic.policy)}")
        for queue in resources.queues:
            subscribed = f"  (subscribed to {', '.join(queue.subscriptions)})"
            child = node.add(f"sqs {queue.name}{subscribed if queue.subscriptions else ''}")
            if queue.policy is not None:
                child.add(f"queue policy  {self.file(queue.policy)}")
        for key in resources.keys:
            child = node.add(f"kms {key.alias}")
            if key.policy is not None:
                child.add(f"key policy  {self.file(key.policy)}")
            else:
                child.add("key policy  AWS's default: the account's IAM policies decide")
        for table in resources.tables:
            node.add(f"dynamodb {table.name}")
        for db in resources.db_instances:
            encrypted = "encrypted" if db.storage_encrypted else "NOT encrypted"
            node.add(f"rds {db.identifier}  ({db.engine}, {encrypted})")
        for volume in resources.volumes:
            encrypted = "encrypted" if volume.encrypted else "NOT encrypted"
            node.add(f"ebs {volume.name}  ({volume.availability_zone}, {encrypted})")
        for function in resources.functions:
            node.add(f"lambda {function.name}  (role {function.role})")
        for trail in resources.trails:
            scope = "organisation trail" if trail.organization_trail else "account trail"
            node.add(f"cloudtrail {trail.name} → {trail.bucket} ({trail.bucket_account}), {scope}")
        for detector in resources.guardduty_detectors:
            node.add(f"guardduty detector ({detector.region})")
        for recorder in resources.config_recorders:
            node.add(f"config recorder {recorder.name} ({recorder.region})")

    # ------------------------------------------------------------------ identity center

    def identity_center(self) -> TreeNode:
        center = self.landscape.identity_center
        provider = center.identity_provider
        if provider is None:
            return TreeNode("Identity Center — none (no identity-center.yaml)")
        root = TreeNode(
            f"Identity Center — IdP {provider.name} ({provider.protocol}), "
            f"SAML provider {provider.saml_provider_name}"
        )
        users = root.add("users")
        for user in center.users:
            mfa = "MFA" if user.mfa else "no MFA"
            users.add(f"{user.user_name}  ({', '.join(user.groups)}; {mfa})")
        groups = root.add("groups")
        for group in center.groups:
            groups.add(f"{group.name}  ({', '.join(group.members) or 'no members'})")
        sets = root.add("permission sets")
        for permission_set in center.permission_sets:
            sets.children.append(self.permission_set(permission_set))
        return root

    def permission_set(self, permission_set: PermissionSet) -> TreeNode:
        node = TreeNode(f"{permission_set.name}  (session {permission_set.session_duration})")
        for arn in permission_set.managed_policies:
            node.add(f"managed  {arn.rsplit('/', 1)[-1]} (AWS)")
        for ref in permission_set.customer_managed_policies:
            node.add(f"customer managed  {ref.path}{ref.name}")
        if permission_set.inline_policy is not None:
            node.add(f"inline  {self.file(permission_set.inline_policy)}")
        if permission_set.permissions_boundary is not None:
            ref = permission_set.permissions_boundary
            node.add(f"boundary  {ref.path}{ref.name}")
        accounts = [
            a.account
            for a in self.landscape.identity_center.assignments
            if a.permission_set == permission_set.name
        ]
        if accounts:
            node.add(f"assigned in  {', '.join(accounts)}")
        return node


def _policy_label(arn: str, account: Account) -> str:
    """A managed policy as a reader knows it: the account's own by name, AWS's by name (AWS)."""
    for policy in account.managed_policies:
        if policy.arn == arn:
            return policy.name
    if arn.startswith("arn:aws:iam::aws:policy/"):
        return f"{arn.rsplit('/', 1)[-1]} (AWS)"
    return arn
