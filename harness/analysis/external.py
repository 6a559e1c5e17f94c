"""External access findings, as IAM Access Analyzer reports them: which principals outside the
organisation (or anyone) a resource policy or a role's trust policy lets in.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html

The zone of trust is the organisation. For every resource of a member account that has a
resource-based policy (bucket, topic, queue) and every role (its trust policy), the engine is
asked, for each action the policy's Allow statements name (wildcards expanded with the Service
Authorization Reference), whether an outside principal may do it:

- the root user and every role of each account the landscape lists outside the organisation
  (a role as if its own identity policies allowed everything: cross-account access needs both
  sides, and the outside side is not ours to decide);
- the root user of an account no landscape knows, and the anonymous caller: either allowed
  makes the finding *public*.

Conditions on keys the caller controls (sts:ExternalId, aws:SourceIp, …) are taken as met, as
Access Analyzer does; the finding lists them. Conditions on who the caller is
(aws:PrincipalAccount, aws:PrincipalOrgID, …) are evaluated as the caller is.

Archived findings are intended access: `<landscape>/analysis/archived.yaml`, each entry with its
reason and owner. A finding no entry archives is active.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness import reference
from harness.analysis.findings import read_yaml_file
from harness.analysis.offline import (
    OUTSIDE_ACCOUNT,
    Offline,
    Principal,
    Resource,
    satisfying_keys,
)
from harness.authorization.landscape import policy_holder
from harness.iam import Decision, Effect, Policy, PolicyType, Statement, parse_policy
from harness.iam.matching import action_matches
from harness.landscape.model import Landscape
from harness.landscape.placeholders import PlaceholderValues, resolve

ARCHIVE_FILE = Path("analysis") / "archived.yaml"
"""Where a landscape keeps its archived findings, relative to its directory."""
PUBLIC = "*"
"""The principal of a public finding: anyone."""

_ALLOW_ALL = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyType.IDENTITY,
    "outside principal's own policies (assumed to allow)",
)
_RESOURCE_TYPES = (PolicyType.RESOURCE, PolicyType.TRUST)


# --------------------------------------------------------------------------- archive


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """Intended external access: `resource` (ARN) and `principal` (an outside account id, or
    "*" for public access); with `actions`, only while the finding's actions are among them."""

    resource: str
    principal: str
    reason: str
    owner: str
    actions: tuple[str, ...] = ()

    def archives(self, finding: ExternalFinding) -> bool:
        if (self.resource, self.principal) != (finding.resource, finding.principal):
            return False
        wanted = {action.lower() for action in self.actions}
        return not wanted or all(action.lower() in wanted for action in finding.actions)


class ArchiveError(ValueError):
    """archived.yaml cannot be read; the message names the file and the place."""


def _placeholder_values(landscape: Landscape) -> PlaceholderValues:
    return PlaceholderValues(
        account_ids={account.name: account.account_id for account in landscape.accounts},
        member_ids=tuple(account.account_id for account in landscape.member_accounts()),
        home_region=landscape.regions.home,
        allowed_regions=landscape.regions.allowed,
    )


def load_archive(landscape: Landscape, path: Path | None = None) -> tuple[ArchiveEntry, ...]:
    """The archive entries of `path` (default: the landscape's analysis/archived.yaml; none
    when it does not exist). `{{account.<name>}}` and `{{region.home}}` are resolved as in
    policy files. Raises ArchiveError naming the file and the place."""
    path = path if path is not None else landscape.directory / ARCHIVE_FILE
    if not path.is_file():
        return ()
    _, data = read_yaml_file(path, ArchiveError)
    if not isinstance(data, dict) or not isinstance(data.get("archived", []), list):
        raise ArchiveError(f"{path}: archived: must be a list of entries")
    problems: list[tuple[str, str]] = []
    entries = resolve(data.get("archived", []), "archived", _placeholder_values(landscape),
                      None, problems)
    if problems:
        place, problem = problems[0]
        raise ArchiveError(f"{path}: {place}: {problem}")
    return tuple(_entry(path, index, entry) for index, entry in enumerate(entries))


def _entry(path: Path, index: int, entry: Any) -> ArchiveEntry:
    where = f"{path}: archived[{index}]"
    if not isinstance(entry, dict):
        raise ArchiveError(f"{where}: must be a mapping")
    unknown = sorted(set(entry) - {"resource", "principal", "actions", "reason", "owner"})
    if unknown:
        raise ArchiveError(f"{where}: unknown key {unknown[0]!r} "
                           "(expected resource, principal, actions, reason, owner)")
    for key in ("resource", "principal", "reason", "owner"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ArchiveError(f"{where}.{key}: required, a non-empty string (quote account ids)")
    actions = entry.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise ArchiveError(f"{where}.actions: must be a list of actions")
    return ArchiveEntry(entry["resource"], entry["principal"], entry["reason"].strip(),
                        entry["owner"], tuple(actions))


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True, slots=True)
class ExternalFinding:
    """`principal` outside the organisation may do `actions` on `resource` (of `account`),
    granted by `statements` of its policy, under `conditions` (operator and key of each)."""

    resource: str
    resource_kind: str
    account: str
    principal: str
    principal_label: str
    actions: tuple[str, ...]
    statements: tuple[str, ...]
    conditions: tuple[str, ...]
    public: bool
    archive: ArchiveEntry | None = field(default=None, compare=False)

    @property
    def status(self) -> str:
        return "archived" if self.archive is not None else "active"


@dataclass(slots=True)
class _Grants:
    """What one outside principal (or the public) was allowed on one resource."""

    label: str
    public: bool
    actions: dict[str, None] = field(default_factory=dict)
    statements: dict[str, None] = field(default_factory=dict)
    conditions: dict[str, None] = field(default_factory=dict)


def expand_actions(patterns: Sequence[str], negated: bool, service: str) -> tuple[str, ...]:
    """The actions an Action (or, `negated`, NotAction) element covers, from the Service
    Authorization Reference; `*` and NotAction within the resource's own service."""
    if negated or "*" in patterns:
        services = {service}
    else:
        services = {p.split(":", 1)[0].lower() for p in patterns if ":" in p}
    found = []
    for name in sorted(services):
        for action in sorted(reference.action_names(name)):
            qualified = f"{name}:{action}"
            covered = "*" in patterns or action_matches(tuple(patterns), qualified)
            if covered is not negated:
                found.append(qualified)
    return tuple(found)


def _service(resource: Resource) -> str:
    return "sts" if resource.kind == "iam role" else resource.arn.split(":")[2]


def _statement_arns(statement: Statement, resource: Resource) -> tuple[str, ...]:
    """Concrete ARNs the statement may grant on: the resource itself, an object of a bucket,
    and what its Resource element names within the resource (wildcards become "x"). The engine
    decides which of them the statement covers."""
    arns = [resource.arn]
    if resource.kind == "s3 bucket":
        arns.append(f"{resource.arn}/x")
    for pattern in statement.resources or ():
        concrete = pattern.replace("*", "x").replace("?", "x")
        if policy_holder(concrete) == resource.arn:
            arns.append(concrete)
    return tuple(dict.fromkeys(arns))


def _callers(offline: Offline) -> tuple[tuple[Principal, str, bool], ...]:
    """(principal, finding principal, public) of every caller from outside: the outside
    accounts' root users and roles (their own policies taken as allowing), a stranger, anyone."""
    found: list[tuple[Principal, str, bool]] = []
    for principal in offline.principals:
        if not principal.outside:
            continue
        if principal.is_role:
            principal = replace(principal, identity=(_ALLOW_ALL,), boundary=None)
        found.append((principal, str(principal.account), False))
    found.append((offline.principal("outside:root"), PUBLIC, True))
    found.append((offline.principal("anonymous"), PUBLIC, True))
    return tuple(found)


def _label(offline: Offline, principal: str) -> str:
    if principal == PUBLIC:
        return "anyone (public)"
    return f"{principal} ({offline.account_name(principal)})"


def _conditions(policy: Policy, decision: Decision) -> tuple[str, ...]:
    granting = {s.index for s in decision.deciding if s.policy_type in _RESOURCE_TYPES}
    return tuple(
        f"{condition.operator} {condition.key}"
        for statement in policy.statements
        if statement.index in granting
        for condition in statement.conditions
    )


def _resource_findings(offline: Offline, resource: Resource) -> list[ExternalFinding]:
    policy = resource.policy
    if policy is None:
        return []
    keys = satisfying_keys(policy)
    grants: dict[str, _Grants] = {}
    callers = _callers(offline)
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        negated = statement.actions is None
        patterns = (statement.not_actions if negated else statement.actions) or ()
        for action in expand_actions(patterns, negated, _service(resource)):
            for arn in _statement_arns(statement, resource):
                for principal, who, public in callers:
                    decision = offline.decide(principal, action, arn, resource.account, keys)
                    if not decision.allowed:
                        continue
                    grant = grants.setdefault(who, _Grants(_label(offline, who), public))
                    grant.actions[action] = None
                    for matched in decision.deciding:
                        if matched.policy_type in _RESOURCE_TYPES:
                            grant.statements[matched.statement] = None
                    grant.conditions.update(dict.fromkeys(_conditions(policy, decision)))
    return [
        ExternalFinding(
            resource=resource.arn,
            resource_kind=resource.kind,
            account=offline.account_name(resource.account),
            principal=who,
            principal_label=grant.label,
            actions=tuple(grant.actions),
            statements=tuple(grant.statements),
            conditions=tuple(grant.conditions),
            public=grant.public,
        )
        for who, grant in grants.items()
    ]


def external_access(
    offline: Offline, archive: Iterable[ArchiveEntry] = ()
) -> tuple[ExternalFinding, ...]:
    """Every external access finding of the organisation's resources, archived ones marked."""
    entries = tuple(archive)
    members = {account.account_id for account in offline.landscape.member_accounts()}
    findings: list[ExternalFinding] = []
    for resource in offline.resources:
        if resource.account in members:
            findings += _resource_findings(offline, resource)
    return tuple(
        replace(finding, archive=next((e for e in entries if e.archives(finding)), None))
        for finding in findings
    )


def stale_entries(
    findings: Iterable[ExternalFinding], archive: Iterable[ArchiveEntry]
) -> tuple[ArchiveEntry, ...]:
    """Archive entries that archive no finding (the access they describe is gone)."""
    used = {finding.archive for finding in findings if finding.archive is not None}
    return tuple(entry for entry in archive if entry not in used)


__all__ = [
    "ARCHIVE_FILE",
    "OUTSIDE_ACCOUNT",
    "PUBLIC",
    "ArchiveEntry",
    "ArchiveError",
    "ExternalFinding",
    "expand_actions",
    "external_access",
    "load_archive",
    "stale_entries",
]
