"""From a statement as the decision log names it back to the landscape's policy file.

The gateway learns policies from the backend, so the log names them as AWS does, not as the
fixtures do (`harness.gateway.backend_state`):

- managed policies and boundaries: their ARN — the landscape's `PolicyDocument.name` too;
- inline policies: `inline policy NAME of OWNER-ARN`; an Identity Center role's
  (`AWSReservedSSO_<set>_<suffix>`) inline policy is its permission set's inline policy;
- trust policies: `ROLE-ARN trust policy`; resource policies: `RESOURCE-ARN resource policy`;
  a KMS key's, whose id the backend chose: `KEY-ARN resource policy (alias alias/NAME, …)`,
  found by an alias (the landscape names a key policy by its alias ARN);
- SCPs and RCPs: their Organizations ARN, whose id the backend chose at random: found by the
  statement's Sid, which is unique among the landscape's SCPs (AWS's own FullAWSAccess by its
  fixed id p-FullAWSAccess).

Anything else (AWS managed policies, session policies, the trust Identity Center generates) has
no fixture file; it is named, not shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from harness.iam.policy import PolicyType
from harness.landscape.model import SSO_ROLE_PREFIX, Account, Landscape, PolicyDocument, Role
from harness.report.decisions import StatementRef

FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
_INLINE = re.compile(r"inline policy (?P<policy>.+) of (?P<owner>arn:\S+)")
_KEY_POLICY = re.compile(r"(?P<prefix>arn:[^:]+:kms:[^:]*:\d{12}:)key/\S+ resource policy "
                         r"\(alias (?P<aliases>[^)]+)\)")
_AWS_MANAGED = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True, slots=True)
class StatementSource:
    """Where a logged statement comes from. `document` is None outside the landscape; `file`,
    `line` and `excerpt` show the statement as written in its fixture file."""

    label: str
    statement: str
    document: PolicyDocument | None = None
    index: int | None = None
    file: str | None = None
    line: int | None = None
    excerpt: str | None = None

    @property
    def title(self) -> str:
        return f"{self.label} › {self.statement}"


class PolicyMap:
    """The landscape's policy documents, by every name the decision log may use for them."""

    def __init__(self, landscape: Landscape) -> None:
        self.landscape = landscape
        self._labels: dict[str, str] = {}
        self._by_name: dict[str, PolicyDocument] = {}
        self._documents: list[PolicyDocument] = []
        for document in landscape.policies():
            if document.name not in self._by_name:
                self._by_name[document.name] = document
                self._documents.append(document)
        self._label_everything()

    # ---- the landscape's side

    def documents(self) -> list[PolicyDocument]:
        """Every policy document of the landscape, once, in the landscape's order."""
        return list(self._documents)

    def label(self, document: PolicyDocument) -> str:
        return self._labels.get(document.name, document.name)

    def display_file(self, document: PolicyDocument) -> str:
        """The file as a reader finds it: relative to the landscape directory."""
        try:
            return document.file.relative_to(self.landscape.directory).as_posix()
        except ValueError:
            return document.file.as_posix()

    def _label_everything(self) -> None:
        labels = self._labels
        for scp in self.landscape.scps:
            labels[scp.document.name] = f"SCP {scp.name}"
        for permission_set in self.landscape.identity_center.permission_sets:
            if permission_set.inline_policy is not None:
                labels[permission_set.inline_policy.name] = (
                    f"permission set {permission_set.name} (inline policy)")
        for account in self.landscape.accounts:
            self._label_account(account)

    def _label_account(self, account: Account) -> None:
        labels = self._labels
        for managed in account.managed_policies:
            kind = ("boundary" if managed.document.policy_type is PolicyType.BOUNDARY
                    else "managed policy")
            labels[managed.document.name] = f"{kind} {managed.name} ({account.name})"
        for role in account.roles:
            labels[role.trust.name] = f"trust policy of role {role.name} ({account.name})"
            for inline in role.inline_policies:
                policy_name = inline.name.rsplit("/", 1)[-1]
                labels[inline.name] = (
                    f"inline policy {policy_name} of role {role.name} ({account.name})")
        resources = account.resources
        for kind, holders in (("bucket", resources.buckets), ("topic", resources.topics),
                              ("queue", resources.queues), ("key", resources.keys)):
            for holder in holders:
                if holder.policy is not None:
                    labels[holder.policy.name] = f"{kind} policy of {holder.name}"

    # ---- the log's side

    def find(self, ref: StatementRef) -> PolicyDocument | None:
        """The landscape document a logged statement belongs to; None when it has none."""
        name = ref.policy
        if name in self._by_name:
            return self._by_name[name]
        inline = _INLINE.fullmatch(name)
        if inline:
            return self._inline(inline["owner"], inline["policy"])
        if name.endswith(" trust policy"):
            role = self._role(name.removesuffix(" trust policy"))
            return role.trust if role is not None else None
        if name.endswith(" resource policy"):
            return self._by_name.get(name.removesuffix(" resource policy"))
        key_policy = _KEY_POLICY.fullmatch(name)
        if key_policy:
            aliases = key_policy["aliases"].split(", ")
            found = (self._by_name.get(key_policy["prefix"] + alias) for alias in aliases)
            return next((document for document in found if document is not None), None)
        if ref.type in (PolicyType.SCP.value, PolicyType.RCP.value) or name.startswith(
                "arn:aws:organizations:"):
            return self._organization_policy(name, ref.statement)
        return None

    def resolve(self, ref: StatementRef) -> StatementSource:
        document = self.find(ref)
        if document is None:
            return StatementSource(label=_foreign_label(ref), statement=ref.statement)
        index = _statement_index(document, ref.statement)
        file, line, excerpt = None, None, None
        if index is not None:
            line, excerpt = _excerpt(document.file, index, _sid(document, index))
            file = self.display_file(document)
        return StatementSource(label=self.label(document), statement=ref.statement,
                               document=document, index=index, file=file, line=line,
                               excerpt=excerpt)

    def _inline(self, owner: str, policy: str) -> PolicyDocument | None:
        role_name = owner.rsplit("/", 1)[-1]
        if ":role/" in owner and role_name.startswith(SSO_ROLE_PREFIX):
            set_name = role_name.removeprefix(SSO_ROLE_PREFIX).rsplit("_", 1)[0]
            for permission_set in self.landscape.identity_center.permission_sets:
                if permission_set.name == set_name:
                    return permission_set.inline_policy
            return None
        role = self._role(owner)
        if role is None:
            return None
        return next((p for p in role.inline_policies if p.name.rsplit("/", 1)[-1] == policy),
                    None)

    def _role(self, arn: str) -> Role | None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or not parts[5].startswith("role/"):
            return None
        try:
            account = self.landscape.account_by_id(parts[4])
            return account.role(parts[5].rsplit("/", 1)[-1])
        except KeyError:
            return None

    def _organization_policy(self, name: str, statement: str) -> PolicyDocument | None:
        if name.rsplit("/", 1)[-1] == FULL_AWS_ACCESS_ID:
            managed = [scp for scp in self.landscape.scps if scp.aws_managed]
            return managed[0].document if managed else None
        if statement.startswith("Statement["):
            return None  # an index says nothing about which SCP it was
        holders = [scp.document for scp in self.landscape.scps
                   if any(s.label == statement for s in scp.document.policy.statements)]
        return holders[0] if len(holders) == 1 else None


def _statement_index(document: PolicyDocument, label: str) -> int | None:
    for statement in document.policy.statements:
        if statement.label == label:
            return statement.index
    return None


def _sid(document: PolicyDocument, index: int) -> str | None:
    for statement in document.policy.statements:
        if statement.index == index:
            return statement.sid
    return None


def _foreign_label(ref: StatementRef) -> str:
    name = ref.policy
    if name.startswith(_AWS_MANAGED):
        return f"AWS managed policy {name.removeprefix(_AWS_MANAGED)}"
    if name.endswith(" trust policy"):
        role = name.removesuffix(" trust policy").rsplit("/", 1)[-1]
        return f"trust policy of role {role} (not in the landscape)"
    inline = _INLINE.fullmatch(name)
    if inline:
        return f"inline policy {inline['policy']} of {inline['owner'].rsplit('/', 1)[-1]}"
    if name in ("", ref.type):
        return ref.type or "policy"
    return f"{ref.type} {name}" if ref.type and ref.type not in name else name


@cache
def _raw_statements(file: Path) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The file's text and its statements as written (placeholders unresolved): what an
    auditor finds when opening the file."""
    text = file.read_text(encoding="utf-8")
    raw = json.loads(text)
    statements = raw.get("Statement", []) if isinstance(raw, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    return text, tuple(s for s in statements if isinstance(s, dict))


def _excerpt(file: Path, index: int, sid: str | None) -> tuple[int | None, str | None]:
    """(line of the statement's Sid in the file, the statement as indented JSON)."""
    try:
        text, statements = _raw_statements(file)
    except (OSError, ValueError):
        return None, None
    if index >= len(statements):
        return None, None
    line = None
    if sid is not None:
        match = re.search(r'"Sid"\s*:\s*' + re.escape(json.dumps(sid)), text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
    return line, json.dumps(statements[index], indent=2)
