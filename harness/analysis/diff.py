"""What a change to a landscape adds and removes: the engine's decisions on two landscapes over
one request space (`harness.analysis.requests`), compared.

    result = diff(load_landscape(base_dir), load_landscape(head_dir))
    result.added        # Change: allowed at head, not at base, with the Allow statements
    result.removed      # Change: allowed at base, not at head, with what denies it now

The result is the one evaluating every request on both sides gives (`diff_sides(...,
exhaustive=True)` does that; the tests compare the two). It is fast because few requests need
the engine:

- Only what changed is asked about. Whether the engine allows a request depends on the policies
  of its policy set only through the statements that apply to it, per group the engine scans
  as one — the identity policies, the resource policy, the boundary, the session policies,
  each level of SCPs or RCPs: whether an Allow applies and how closely it names the caller,
  whether a Deny applies, and their policy types (`harness.iam.evaluate`). So when a
  (principal, resource) has the same caller, resource owner, home region and shape of policy
  set on both sides (`_Entry.shape`), its decisions can differ only through the statements one
  side's group holds and the other's does not, compared by content (a statement that moved
  within its policy, or a renamed policy, is no change). A request whose action none of those
  statements covers, or to which they apply alike on both sides, is decided alike and
  skipped. Whether a statement whose Action covers a request applies depends on the caller,
  the resource and the condition keys, not on the action, so it is asked once per (principal,
  resource, context), with a policy of that one statement. A statement added to an SCP at the
  root thus brings only the requests its Action covers to the engine; any other difference (a
  principal on one side only, a bucket policy added) has every request of that principal and
  resource evaluated.
- A request is evaluated only when some Allow could grant it (an identity policy of the
  principal, the resource's policy, or the root user in its own account) — any other request
  is an implicit deny on that side.
- Policy sets and condition keys are built once per (principal, resource); a context variant
  (no MFA, another region) is evaluated only when a policy of the set mentions the key it varies
  (in a condition, or as a policy variable), else it takes the default context's decision.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from harness.analysis.diff_result import Change, DiffResult, StatementRef, Waiver
from harness.analysis.offline import (
    Offline,
    Principal,
    outside_principals,
)
from harness.analysis.requests import (
    CONTEXT_DEFAULT,
    CONTEXT_NO_MFA,
    AccessRequest,
    RequestSpace,
    request_space,
)
from harness.analysis.waivers import apply_waivers
from harness.iam import (
    TRUST_ACTIONS,
    ContextKeys,
    Decision,
    Policy,
    PolicySet,
    PolicyType,
    Request,
    Statement,
)
from harness.iam import evaluate as engine_evaluate
from harness.iam.compiled import compiled_statements
from harness.iam.context import PrincipalKind
from harness.iam.policy import VERSION_2008, VERSION_2012, Effect
from harness.iam.principals import PrincipalMatch, statement_principal_match
from harness.iam.variables import variable_keys
from harness.landscape.model import Landscape

_MFA_KEYS = frozenset({"aws:multifactorauthpresent", "aws:multifactorauthage"})
_REGION_KEYS = frozenset({"aws:requestedregion"})


# --------------------------------------------------------------------------- one side


def _mentions(policy: Policy) -> frozenset[str]:
    """The condition keys a policy refers to: in its conditions, and through policy variables in
    its Resource, NotResource and condition values (a context variant changes their value too)."""
    keys: set[str] = set()
    for statement in policy.statements:
        texts = [*(statement.resources or ()), *(statement.not_resources or ())]
        for condition in statement.conditions:
            keys.add(condition.key.lower())
            texts.extend(condition.values)
        for text in texts:
            if "${" in text:
                keys.update(key.lower() for key in variable_keys(text))
    return frozenset(keys)


def _groups(policies: PolicySet) -> tuple[tuple[Policy, ...], ...]:
    """The policies of a set by the group the engine scans them in as one: the identity
    policies, the resource policy, the boundary, the session policies, each SCP level, each RCP
    level. Sets of one shape (`_shape`) have their groups in the same positions."""
    return (
        policies.identity,
        (policies.resource,) if policies.resource is not None else (),
        (policies.boundary,) if policies.boundary is not None else (),
        policies.session or (),
        *(policies.scps or ()),
        *(policies.rcps or ()),
    )


def _shape(policies: PolicySet) -> tuple[object, ...]:
    """What the engine reads of a policy set besides the statements of its groups: which slots
    are filled (an empty boundary denies, an absent one does not), how many levels of SCPs and
    RCPs, the resource policy's type (it names an implicit deny), the management account,
    whether the resource policy must grant."""
    return (
        policies.resource.policy_type if policies.resource is not None else None,
        policies.boundary is not None,
        policies.session is not None,
        None if policies.scps is None else len(policies.scps),
        None if policies.rcps is None else len(policies.rcps),
        policies.management_account,
        policies.resource_policy_required,
    )


@dataclass(slots=True)
class _Entry:
    """What one side knows of a (principal, resource, trust?) combination."""

    policies: PolicySet
    shape: tuple[object, ...]
    """Everything the decisions depend on besides the statements of `groups`, the action and
    the context: the caller, the resource owner, the home region, the policy set's shape."""
    groups: tuple[tuple[Policy, ...], ...]
    mentioned: frozenset[str] = frozenset()
    keys: dict[str, tuple[ContextKeys, str | None]] = field(default_factory=dict)


class Side:
    """One landscape's decisions over a request space, cached and pruned (`exhaustive`: every
    request evaluated with its own condition keys, no shortcut)."""

    def __init__(self, offline: Offline, *, exhaustive: bool = False) -> None:
        self.offline = offline
        self.exhaustive = exhaustive
        self.principals: dict[str, Principal] = {
            p.arn: p for p in (*offline.principals, *outside_principals())
        }
        self.evaluations = 0
        self._entries: dict[tuple[str, str, bool], _Entry] = {}
        self._identity_grants: dict[tuple[str, str], bool] = {}
        self._policy_grants: dict[tuple[int, str], bool] = {}
        self._mentions: dict[int, frozenset[str]] = {}
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
        """Whether any Allow could grant the request (else it is an implicit deny). Principals
        outside the organisation are no exception: the engine lets them use their own account."""
        if principal.kind is PrincipalKind.ROOT:
            owner = self.offline.owner(resource)
            if owner is None or owner == principal.account:
                return True
        if self._identity_grants_action(principal, action):
            return True
        policy = self.offline.resource_policy(action, resource)
        return policy is not None and self._grants(policy, action)

    # -------------------------------------------------------------- deciding

    def _mentioned(self, policies: PolicySet) -> frozenset[str]:
        keys: set[str] = set()
        for group in _groups(policies):
            for policy in group:
                found = self._mentions.get(id(policy))
                if found is None:
                    found = self._mentions[id(policy)] = _mentions(policy)
                keys |= found
        return frozenset(keys)

    def _entry(self, principal: Principal, action: str, resource: str) -> _Entry:
        trust = action.lower() in TRUST_ACTIONS
        key = (principal.arn, resource, trust)
        entry = self._entries.get(key)
        if entry is None:
            policies = self.offline.policy_set(principal, action, resource)
            who = replace(principal, identity=(), boundary=None, trust=None)
            owner = self.offline.owner(resource)
            home = self.offline.landscape.regions.home
            entry = _Entry(
                policies,
                shape=(who, owner, home, _shape(policies)),
                groups=_groups(policies),
                mentioned=self._mentioned(policies),
            )
            self._entries[key] = entry
        return entry

    def entry(self, request: AccessRequest) -> _Entry | None:
        """The policy set and shape of the request's (principal, resource); None when the
        principal is not in this landscape."""
        principal = self.principals.get(request.principal)
        if principal is None:
            return None
        return self._entry(principal, request.action, request.resource)

    def _keys(self, principal: Principal, action: str, resource: str, context: str
              ) -> tuple[ContextKeys, str | None]:
        """The request's condition keys in `context`, built by the authorization layer. They
        do not depend on the action (the landscape keeps no resource tags), so they are kept
        per context."""
        offline = self.offline
        asking, region = principal, None
        if context == CONTEXT_NO_MFA:
            asking = replace(principal, human=False)
        elif context.startswith("region:"):
            region = context.partition(":")[2]
        request = offline.request(asking, action, resource, region=region)
        return request.keys, request.resource_account

    def _engine_request(self, principal: Principal, entry: _Entry, request: AccessRequest
                        ) -> Request:
        cached = entry.keys.get(request.context)
        if cached is None:
            cached = entry.keys[request.context] = self._keys(
                principal, request.action, request.resource, request.context
            )
        keys, owner = cached
        return Request(
            caller=principal.caller(),
            action=request.action,
            resource=request.resource,
            resource_account=owner,
            keys=keys,
        )

    def engine_request(self, request: AccessRequest) -> Request:
        """The engine's request for `request`, whose principal must be of this landscape."""
        principal = self.principals[request.principal]
        entry = self._entry(principal, request.action, request.resource)
        return self._engine_request(principal, entry, request)

    def decision(self, request: AccessRequest, *, prune: bool = True) -> Decision | None:
        """The engine's decision, or None when the principal is not in this landscape or (with
        `prune`, unless exhaustive) no Allow could grant the request."""
        found = self._decisions.get(request)
        if found is not None:
            return found
        principal = self.principals.get(request.principal)
        if principal is None:
            return None
        shortcuts = not self.exhaustive
        if shortcuts and prune and not self.may_allow(principal, request.action, request.resource):
            return None
        entry = self._entry(principal, request.action, request.resource)
        if shortcuts and request.context != CONTEXT_DEFAULT:
            varied = _MFA_KEYS if request.context == CONTEXT_NO_MFA else _REGION_KEYS
            if not varied & entry.mentioned:
                default = replace(request, context=CONTEXT_DEFAULT)
                return self.decision(default, prune=prune)
        engine_request = self._engine_request(principal, entry, request)
        decision = self.offline.decide_with(principal, request.action, request.resource,
                                            engine_request, entry.policies)
        self.evaluations += 1
        self._decisions[request] = decision
        return decision

    def allowed(self, request: AccessRequest) -> Decision | None:
        decision = self.decision(request)
        return decision if decision is not None and decision.allowed else None


# --------------------------------------------------------------------------- what may differ


_StatementKey = tuple[PolicyType, bool, Statement]
"""A statement as the engine reads it: its policy's type, whether its policy substitutes
variables, and the statement at index 0 (its position names it, it decides nothing)."""

_Applying = tuple[tuple[bool, int, PolicyType], ...]
"""The statements of a group change that apply to a request, sorted: whether each is a Deny,
how closely an Allow names the caller, the policy type."""


def _statement_keys(policy: Policy) -> tuple[_StatementKey, ...]:
    return tuple(
        (policy.policy_type, policy.variables_enabled, replace(statement, index=0))
        for statement in policy.statements
    )


def _lone_policies(keys: Counter[_StatementKey]) -> tuple[Policy, ...]:
    """Each statement as a policy of its own, with its policy's type and variable substitution."""
    return tuple(
        Policy(
            name=f"changed {statement.label}",
            policy_type=policy_type,
            statements=(statement,),
            version=VERSION_2012 if variables else VERSION_2008,
        )
        for policy_type, variables, statement in keys.elements()
    )


@dataclass(frozen=True, slots=True)
class _GroupChange:
    """The statements only the base's group holds, and only the head's, as lone policies."""

    base: tuple[Policy, ...]
    head: tuple[Policy, ...]


class _Delta:
    """How a (principal, resource) differs between the sides: `everything` (its requests must be
    evaluated: a principal on one side only, another shape), else its group changes (none: the
    decisions are equal)."""

    __slots__ = ("_touched", "everything", "groups")

    def __init__(self, groups: tuple[_GroupChange, ...], *, everything: bool = False) -> None:
        self.everything = everything
        self.groups = groups
        self._touched: dict[str, bool] = {}

    def touches(self, action: str) -> bool:
        """Whether a changed statement covers the action (only then may a decision differ)."""
        found = self._touched.get(action)
        if found is None:
            found = self._touched[action] = any(
                compiled_statements(policy)[0].covers_action(action)
                for group in self.groups
                for policy in (*group.base, *group.head)
            )
        return found


_EVERYTHING = _Delta((), everything=True)


class _Comparison:
    """Which requests two sides may decide differently; every other one they decide alike (see
    the module's documentation for why)."""

    def __init__(self, base: Side, head: Side) -> None:
        self.base, self.head = base, head
        self.checks = 0
        """Engine evaluations of a lone changed statement."""
        self._deltas: dict[tuple[str, str, bool], _Delta] = {}
        self._interned: dict[tuple[int, ...], _Delta] = {}
        # Keyed by policy ids: the sides hold every policy for the comparison's lifetime, and
        # the group changes hold their lone policies, so an id names one policy throughout.
        self._statement_keys: dict[int, tuple[_StatementKey, ...]] = {}
        self._group_changes: dict[tuple[tuple[int, ...], tuple[int, ...]],
                                  _GroupChange | None] = {}
        self._levels: dict[tuple[int, str, str, str], PrincipalMatch | None] = {}
        self._trust: dict[str, bool] = {}

    def may_differ(self, request: AccessRequest) -> bool:
        delta = self._delta(request)
        if delta.everything:
            return True
        if not delta.touches(request.action):
            return False
        for group in delta.groups:
            was = self._applying(self.base, group.base, request)
            now = self._applying(self.head, group.head, request)
            if was is None or now is None or was != now:
                return True
        return False

    # -------------------------------------------------------------- per (principal, resource)

    def _delta(self, request: AccessRequest) -> _Delta:
        trust = self._trust.get(request.action)
        if trust is None:
            trust = self._trust[request.action] = request.action.lower() in TRUST_ACTIONS
        key = (request.principal, request.resource, trust)
        delta = self._deltas.get(key)
        if delta is None:
            delta = self._deltas[key] = self._compare(request)
        return delta

    def _compare(self, request: AccessRequest) -> _Delta:
        base, head = self.base.entry(request), self.head.entry(request)
        if base is None or head is None or base.shape != head.shape:
            return _EVERYTHING
        changes = tuple(
            change for change in map(self._group_change, base.groups, head.groups)
            if change is not None
        )
        key = tuple(id(change) for change in changes)
        delta = self._interned.get(key)
        if delta is None:
            delta = self._interned[key] = _Delta(changes)
        return delta

    def _group_change(self, base: tuple[Policy, ...], head: tuple[Policy, ...]
                      ) -> _GroupChange | None:
        key = (tuple(map(id, base)), tuple(map(id, head)))
        if key in self._group_changes:
            return self._group_changes[key]
        change = None
        if key[0] != key[1]:
            was, now = self._counted(base), self._counted(head)
            if was != now:
                change = _GroupChange(_lone_policies(was - now), _lone_policies(now - was))
        self._group_changes[key] = change
        return change

    def _counted(self, group: tuple[Policy, ...]) -> Counter[_StatementKey]:
        counted: Counter[_StatementKey] = Counter()
        for policy in group:
            keys = self._statement_keys.get(id(policy))
            if keys is None:
                keys = self._statement_keys[id(policy)] = _statement_keys(policy)
            counted.update(keys)
        return counted

    # -------------------------------------------------------------- per request

    def _applying(self, side: Side, policies: tuple[Policy, ...], request: AccessRequest
                  ) -> _Applying | None:
        """The lone statements that apply to the request; None when the engine failed on one
        (its evaluation of the whole set fails closed: the request must be evaluated)."""
        found: list[tuple[bool, int, PolicyType]] = []
        for policy in policies:
            compiled = compiled_statements(policy)[0]
            if not compiled.covers_action(request.action):
                continue
            level = self._level(side, policy, request)
            if level is None:
                return None
            if level is not PrincipalMatch.NONE:
                # A Deny denies however it names the caller; an Allow's closeness matters.
                closeness = 0 if compiled.is_deny else int(level)
                found.append((compiled.is_deny, closeness, policy.policy_type))
        return tuple(sorted(found))

    def _level(self, side: Side, lone: Policy, request: AccessRequest) -> PrincipalMatch | None:
        """How closely the lone statement, whose Action covers the request, names the caller if
        it applies (NONE if not; None if the engine failed). Its Resource, Principal and
        Condition depend on the principal, the resource and the context only: asked once."""
        key = (id(lone), request.principal, request.resource, request.context)
        if key in self._levels:
            return self._levels[key]
        engine_request = side.engine_request(request)
        decision = engine_evaluate(engine_request, PolicySet(identity=(lone,)))
        self.checks += 1
        level: PrincipalMatch | None = PrincipalMatch.NONE
        if decision.error is not None:
            level = None
        elif decision.matched:
            statement = lone.statements[0]
            level = statement_principal_match(
                statement.principal, statement.not_principal, engine_request.caller
            )
        self._levels[key] = level
        return level


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
    base: Offline, head: Offline, space: RequestSpace | None = None, *, exhaustive: bool = False
) -> DiffResult:
    """Compare the decisions of two landscapes over one request space. Only the requests whose
    decisions may differ are evaluated (see the module's documentation); `exhaustive` evaluates
    every request on both sides with no shortcut, which gives the same result, slowly."""
    started = time.perf_counter()
    space = space if space is not None else request_space([base, head])
    base_side = Side(base, exhaustive=exhaustive)
    head_side = Side(head, exhaustive=exhaustive)
    comparison = _Comparison(base_side, head_side)
    relocate = (base.landscape.directory.resolve(), head.landscape.directory.resolve())
    added: list[Change] = []
    removed: list[Change] = []
    for request in space.requests:
        if not exhaustive and not comparison.may_differ(request):
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
        statement_checks=comparison.checks,
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
    result = diff_sides(Offline(base), Offline(head))
    return apply_waivers(result, waivers, today or date.today())
