"""What a change to a landscape adds and removes: the engine's decisions on two landscapes over
one request space (`harness.analysis.requests`), compared.

    result = diff(load_landscape(base_dir), load_landscape(head_dir))
    result.added        # Change: allowed at head, not at base, with the Allow statements
    result.removed      # Change: allowed at base, not at head, with what denies it now

Fast because most questions need no engine: a request is evaluated only when some Allow
statement could grant it (an identity policy of the principal, the resource's policy, or the
root user in its own account) — any other request is an implicit deny on that side. Policy sets
and condition keys are built once per (principal, resource); a context variant (no MFA, another
region) is evaluated only when a policy of the set mentions the key it varies, else it takes
the default context's decision.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from harness.analysis.findings import statement_line
from harness.analysis.offline import (
    TRUST_ACTIONS,
    Offline,
    Principal,
    outside_principals,
    request_keys,
)
from harness.analysis.requests import (
    CONTEXT_DEFAULT,
    CONTEXT_NO_MFA,
    AccessRequest,
    RequestSpace,
    request_space,
)
from harness.iam import ContextKeys, Decision, MatchedStatement, Policy, PolicySet, Request
from harness.iam import evaluate as engine_evaluate
from harness.iam.compiled import compiled_statements
from harness.iam.context import PrincipalKind
from harness.iam.policy import Effect
from harness.landscape.model import Landscape

_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
_REGION_KEYS = frozenset({"aws:requestedregion"})


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement responsible for a change: its policy, type, label (Sid or Statement[i]),
    index, effect, file (None for AWS managed policies) and the line of the statement in it
    (for a statement of the base, the line in the base's version of the file; `base` is set)."""

    policy: str
    policy_type: str
    statement: str
    index: int
    effect: str
    file: Path | None
    line: int = 1
    base: bool = False

    @classmethod
    def of(
        cls, matched: MatchedStatement, relocate: tuple[Path, Path] | None = None
    ) -> StatementRef:
        file = Path(matched.source).resolve() if matched.source else None
        line = 1 if file is None else statement_line(file, matched.index, matched.statement)
        if file is not None and relocate is not None and file.is_relative_to(relocate[0]):
            file = relocate[1] / file.relative_to(relocate[0])
        return cls(
            policy=matched.policy_name,
            policy_type=matched.policy_type.value,
            statement=matched.statement,
            index=matched.index,
            effect=matched.effect.value,
            file=file,
            line=line,
            base=relocate is not None,
        )

    def describe(self) -> str:
        return f"{self.policy_type} {self.policy} {self.statement} ({self.effect})"


@dataclass(frozen=True, slots=True)
class Change:
    """Access added or removed: the request, how reports name its principal, and the statements
    responsible (`why` says how they are)."""

    kind: str  # "added" | "removed"
    request: AccessRequest
    principal_label: str
    statements: tuple[StatementRef, ...]
    why: str
    waiver: Waiver | None = None

    @property
    def principal(self) -> str:
        return self.request.principal

    @property
    def action(self) -> str:
        return self.request.action

    @property
    def resource(self) -> str:
        return self.request.resource

    @property
    def context(self) -> str:
        return self.request.context


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted addition of access, until `expires` (inclusive)."""

    principal: str
    action: str
    resource: str
    owner: str
    reason: str
    expires: date
    index: int = 0


@dataclass(frozen=True, slots=True)
class DiffResult:
    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    request_space: int
    decisions: tuple[int, int] = (0, 0)
    """Engine evaluations made on (base, head)."""
    seconds: float = 0.0
    expired_waivers: tuple[Waiver, ...] = ()

    @property
    def waived(self) -> tuple[Change, ...]:
        return tuple(c for c in self.added if c.waiver is not None)

    @property
    def unwaived(self) -> tuple[Change, ...]:
        return tuple(c for c in self.added if c.waiver is None)

    @property
    def exit_status(self) -> int:
        return 1 if self.unwaived else 0

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed


# --------------------------------------------------------------------------- one side


def _mentions(policies: Iterable[Policy | None]) -> frozenset[str]:
    keys: set[str] = set()
    for policy in policies:
        if policy is None:
            continue
        for statement in policy.statements:
            keys.update(condition.key.lower() for condition in statement.conditions)
    return frozenset(keys)


@dataclass(slots=True)
class _Entry:
    """What one side knows of a (principal, resource, trust?) combination."""

    policies: PolicySet
    signature: tuple[object, ...]
    """Everything the decisions depend on besides action and context: equal signatures on two
    sides mean equal decisions."""
    mentioned: frozenset[str] = frozenset()
    keys: dict[str, tuple[ContextKeys, str | None]] = field(default_factory=dict)


class Side:
    """One landscape's decisions over a request space, cached and pruned."""

    def __init__(self, offline: Offline) -> None:
        self.offline = offline
        self.principals: dict[str, Principal] = {
            p.arn: p for p in (*offline.principals, *outside_principals())
        }
        self.evaluations = 0
        self._entries: dict[tuple[str, str, bool], _Entry] = {}
        self._identity_grants: dict[tuple[str, str], bool] = {}
        self._policy_grants: dict[tuple[int, str], bool] = {}
        self._decisions: dict[AccessRequest, Decision] = {}

    def label(self, principal_arn: str) -> str | None:
        principal = self.principals.get(principal_arn)
        return principal.label if principal is not None else None

    # -------------------------------------------------------------- pruning

    def _grants(self, policy: Policy, action: str) -> bool:
        key = (id(policy), action)
        found = self._policy_grants.get(key)
        if found is None:
            found = any(
                not c.is_deny and c.covers_action(action) for c in compiled_statements(policy)
            )
            self._policy_grants[key] = found
        return found

    def _identity_grants_action(self, principal: Principal, action: str) -> bool:
        key = (principal.arn, action)
        found = self._identity_grants.get(key)
        if found is None:
            found = any(self._grants(policy, action) for policy in principal.identity)
            self._identity_grants[key] = found
        return found

    def may_allow(self, principal: Principal, action: str, resource: str) -> bool:
        """Whether any Allow could grant the request (else it is an implicit deny)."""
        if principal.kind is PrincipalKind.ROOT and not principal.outside:
            owner = self.offline.owner(resource)
            if owner is None or owner == principal.account:
                return True
        if not principal.outside and self._identity_grants_action(principal, action):
            return True
        policy = self.offline.resource_policy(action, resource)
        return policy is not None and self._grants(policy, action)

    # -------------------------------------------------------------- deciding

    def _entry(self, principal: Principal, action: str, resource: str) -> _Entry:
        trust = action.lower() in TRUST_ACTIONS
        key = (principal.arn, resource, trust)
        entry = self._entries.get(key)
        if entry is None:
            policies = self.offline.policy_set(principal, action, resource)
            scps = [p for level in policies.scps or () for p in level]
            who = replace(principal, identity=(), boundary=None, trust=None)
            owner = self.offline.owner(resource)
            home = self.offline.landscape.regions.home
            entry = _Entry(
                policies,
                signature=(who, policies, owner, home),
                mentioned=_mentions([*policies.identity, policies.resource, policies.boundary,
                                     *scps]),
            )
            self._entries[key] = entry
        return entry

    def _keys(self, principal: Principal, resource: str, context: str) -> tuple[
            ContextKeys, str | None]:
        offline = self.offline
        owner = offline.owner(resource)
        parts = resource.split(":")
        region = parts[3] if len(parts) > 3 and parts[3] else offline.landscape.regions.home
        asking = principal
        if context == CONTEXT_NO_MFA:
            asking = replace(principal, human=False)
        elif context.startswith("region:"):
            region = context.partition(":")[2]
        return request_keys(asking, region, owner), owner

    def signature(self, request: AccessRequest) -> tuple[object, ...] | None:
        """What this side's decision on the request depends on (None: no such principal)."""
        principal = self.principals.get(request.principal)
        if principal is None:
            return None
        return self._entry(principal, request.action, request.resource).signature

    def decision(self, request: AccessRequest, *, prune: bool = True) -> Decision | None:
        """The engine's decision, or None when the principal is not in this landscape or (with
        `prune`) no Allow could grant the request."""
        found = self._decisions.get(request)
        if found is not None:
            return found
        principal = self.principals.get(request.principal)
        if principal is None:
            return None
        if prune and not self.may_allow(principal, request.action, request.resource):
            return None
        entry = self._entry(principal, request.action, request.resource)
        if request.context != CONTEXT_DEFAULT:
            varied = _MFA_KEYS if request.context == CONTEXT_NO_MFA else _REGION_KEYS
            if not varied & entry.mentioned:
                default = replace(request, context=CONTEXT_DEFAULT)
                return self.decision(default, prune=prune)
        cached = entry.keys.get(request.context)
        if cached is None:
            cached = entry.keys[request.context] = self._keys(
                principal, request.resource, request.context
            )
        keys, owner = cached
        engine_request = Request(
            caller=principal.caller(),
            action=request.action,
            resource=request.resource,
            resource_account=owner,
            keys=keys,
        )
        decision = engine_evaluate(engine_request, entry.policies)
        self.evaluations += 1
        self._decisions[request] = decision
        return decision

    def allowed(self, request: AccessRequest) -> Decision | None:
        decision = self.decision(request)
        return decision if decision is not None and decision.allowed else None


# --------------------------------------------------------------------------- the diff


def _added(request: AccessRequest, head: Side, decision: Decision) -> Change:
    statements = tuple(StatementRef.of(s) for s in decision.deciding)
    return Change("added", request, head.label(request.principal) or request.principal,
                  statements, "allowed by")


def _removed(
    request: AccessRequest, base: Side, head: Side, was: Decision, relocate: tuple[Path, Path]
) -> Change:
    label = head.label(request.principal) or base.label(request.principal) or request.principal
    now = head.decision(request, prune=False)
    if now is None:
        why = "principal removed; was allowed by"
        statements = tuple(StatementRef.of(s, relocate) for s in was.deciding)
    elif now.deciding and any(s.effect is Effect.DENY for s in now.deciding):
        why = "denied by"
        statements = tuple(StatementRef.of(s) for s in now.deciding)
    else:
        denied_by = now.denied_by.value if now.denied_by is not None else "no policy"
        why = f"no longer allowed ({denied_by} allows it no more); was allowed by"
        statements = tuple(StatementRef.of(s, relocate) for s in was.deciding)
    return Change("removed", request, label, statements, why)


def diff_sides(
    base: Offline, head: Offline, space: RequestSpace | None = None, *, skip_unchanged: bool = True
) -> DiffResult:
    """Compare the decisions of two landscapes over one request space. With `skip_unchanged`
    (the default), a request whose principal, policy set, resource owner and home region are
    equal on both sides is not evaluated: its decisions are equal."""
    started = time.perf_counter()
    space = space if space is not None else request_space([base, head])
    base_side, head_side = Side(base), Side(head)
    relocate = (base.landscape.directory.resolve(), head.landscape.directory.resolve())
    added: list[Change] = []
    removed: list[Change] = []
    unchanged: dict[tuple[str, str, bool], bool] = {}
    for request in space.requests:
        if skip_unchanged:
            key = (request.principal, request.resource, request.action.lower() in TRUST_ACTIONS)
            same = unchanged.get(key)
            if same is None:
                signature = head_side.signature(request)
                same = signature is not None and base_side.signature(request) == signature
                unchanged[key] = same
            if same:
                continue
        was = base_side.allowed(request)
        now = head_side.allowed(request)
        if now is not None and was is None:
            added.append(_added(request, head_side, now))
        elif was is not None and now is None:
            removed.append(_removed(request, base_side, head_side, was, relocate))
    return DiffResult(
        added=tuple(sorted(added, key=_order)),
        removed=tuple(sorted(removed, key=_order)),
        request_space=len(space),
        decisions=(base_side.evaluations, head_side.evaluations),
        seconds=time.perf_counter() - started,
    )


def _order(change: Change) -> tuple[str, str, str, str]:
    return (change.principal_label, change.resource, change.action, change.context)


def diff(
    base: Landscape,
    head: Landscape,
    waivers: Sequence[Waiver] = (),
    today: date | None = None,
) -> DiffResult:
    """The access `head` adds to and removes from `base`, with the waivers applied as of
    `today` (the current date by default)."""
    from harness.analysis.waivers import apply_waivers

    result = diff_sides(Offline(base), Offline(head))
    return apply_waivers(result, waivers, today or date.today())
