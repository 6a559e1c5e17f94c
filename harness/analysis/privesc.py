"""Privilege-escalation paths: can a principal of the landscape, by the moves the known
escalation patterns use, end up acting with permissions it does not have?

The patterns are Rhino Security Labs' list
(https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/). Every move
is an offline decision of the engine (`harness.analysis.offline`), so boundaries, SCPs, trust
and resource policies all take part. A move is one of:

- reaching a role — acting with its permissions:
  - `sts:AssumeRole` into it (its trust lets the principal in), also in chains of roles;
  - `lambda:UpdateFunctionCode` of a function whose execution role it is;
  - `iam:PassRole` of it to a service the role trusts, with that service's compute created
    and run: Lambda (CreateFunction + InvokeFunction or CreateEventSourceMapping), EC2
    (RunInstances), ECS (RegisterTaskDefinition + RunTask), Glue (CreateDevEndpoint),
    CloudFormation (CreateStack), CodeBuild (CreateProject + StartBuild);
  - `iam:UpdateAssumeRolePolicy` of it to trust the principal, then `sts:AssumeRole`;
- widening a role of its own account (itself, or one it then reaches) before acting with it:
  - granting it everything: `iam:PutRolePolicy`, `iam:AttachRolePolicy` of
    AdministratorAccess, `iam:CreatePolicyVersion` of a customer managed policy attached to
    it (a new default version needs no iam:SetDefaultPolicyVersion), or `iam:CreatePolicy` +
    `iam:AttachRolePolicy` of the new policy; failing those, `iam:AttachRolePolicy` of
    IAMFullAccess (a deny naming AdministratorAccess alone leaves it open);
  - lifting its permissions boundary: `iam:DeleteRolePermissionsBoundary`,
    `iam:PutRolePermissionsBoundary` with AdministratorAccess, or `iam:CreatePolicyVersion` of
    the boundary policy;
  - replacing its boundary with another customer managed policy of its account
    (`iam:PutRolePermissionsBoundary`, the engine deciding iam:PermissionsBoundary).

More privileged, kept simple: a role (as reached, widened or not) is more privileged than the
principal when, in the role's account, it holds an IAM capability (`PROBES`) — creating users
and access keys, and the escalation moves themselves on a fresh role and policy — that the
principal lacks. Probes of one capability are interchangeable: a principal that may put "*" in
a role's inline policy gains nothing by reaching one that may attach AdministratorAccess. A
path is reported when one is reached within `MAX_HOPS` role switches.

Not covered, because the landscape has nothing for them to act on: IAM users and groups (the
format has none, so iam:CreateAccessKey, CreateLoginProfile, UpdateLoginProfile,
AttachUserPolicy, PutUserPolicy, PutGroupPolicy and AddUserToGroup reach nothing), and
iam:SetDefaultPolicyVersion (a landscape policy has a single version, so there is no older one
to restore). Not covered either: roles and users the principal would create, roles AWS
Organizations creates (OrganizationAccountAccessRole), and access to data rather than to IAM
(reaching a role that reads a bucket the principal cannot is not counted).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from harness.analysis.offline import Offline, Principal, satisfying_keys
from harness.authorization import Question, authorize
from harness.authorization.landscape import aws_managed_policy
from harness.iam import (
    Caller,
    Decision,
    Policy,
    PolicyType,
    PrincipalKind,
    parse_policy,
)

MAX_HOPS = 3
"""Role switches (reaching one role from another) a path may take."""
PROBE_NAME = "privesc-probe"
"""The name of the fresh role, user, policy and compute the checks ask about."""
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_FULL_ACCESS = "arn:aws:iam::aws:policy/IAMFullAccess"

_ALLOW_ALL = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyType.IDENTITY,
    "policy allowing everything (added by the escalation)",
)


@dataclass(frozen=True, slots=True)
class Probe:
    """One way to an IAM capability: `action` on `resource` (`{account}` is the role's
    account). Probes of the same `capability` are interchangeable: holding one is holding the
    capability."""

    action: str
    resource: str
    capability: str
    keys: tuple[tuple[str, str], ...] = ()


_ROLE = "arn:aws:iam::{account}:role/" + PROBE_NAME
_USER = "arn:aws:iam::{account}:user/" + PROBE_NAME
_POLICY = "arn:aws:iam::{account}:policy/" + PROBE_NAME
_GRANT_ANY = "give a role any permissions"
PROBES = (
    Probe("iam:CreateUser", _USER, "create IAM users"),
    Probe("iam:CreateAccessKey", _USER, "create access keys"),
    # An inline policy of "*" and AdministratorAccess attached give a role the same
    # permissions (both within its boundary): whoever may do one gains nothing by the other.
    Probe("iam:AttachRolePolicy", _ROLE, _GRANT_ANY, (("iam:PolicyARN", ADMINISTRATOR_ACCESS),)),
    Probe("iam:PutRolePolicy", _ROLE, _GRANT_ANY),
    Probe("iam:UpdateAssumeRolePolicy", _ROLE, "change who may assume a role"),
    Probe("iam:CreatePolicyVersion", _POLICY, "rewrite a managed policy"),
    Probe("iam:PassRole", _ROLE, "pass a role to a service",
          (("iam:PassedToService", "lambda.amazonaws.com"),)),
)
"""What "more privileged" is measured by."""


def gains(target: frozenset[str], source: frozenset[str]) -> tuple[str, ...]:
    """The probe actions of `target`'s powers whose capability `source`'s powers lack (powers
    as `_Search.powers` gives them: the probe actions allowed)."""
    held = {probe.capability for probe in PROBES if probe.action in source}
    return tuple(probe.action for probe in PROBES
                 if probe.action in target and probe.capability not in held)

_FUNCTION = "arn:aws:lambda:{region}:{account}:function:" + PROBE_NAME
_ECS_TASK = "arn:aws:ecs:{region}:{account}:task-definition/" + PROBE_NAME + ":1"
_PROJECT = "arn:aws:codebuild:{region}:{account}:project/" + PROBE_NAME
_Creation = tuple[tuple[str, str, str], ...]
"""(action, resource, purpose) of each request; `{role}` in the purpose is the role passed."""
_COMPUTE: tuple[tuple[str, tuple[_Creation, ...]], ...] = (
    ("lambda.amazonaws.com", (
        (("lambda:CreateFunction", _FUNCTION, "create a function whose role is {role}"),
         ("lambda:InvokeFunction", _FUNCTION, "invoke it: its code acts as {role}")),
        (("lambda:CreateFunction", _FUNCTION, "create a function whose role is {role}"),
         ("lambda:CreateEventSourceMapping", "*",
          "trigger it from an event source: its code acts as {role}")),
    )),
    ("ec2.amazonaws.com", (
        (("ec2:RunInstances", "arn:aws:ec2:{region}:{account}:instance/*",
          "launch an instance whose profile holds {role}"),),
    )),
    ("ecs-tasks.amazonaws.com", (
        (("ecs:RegisterTaskDefinition", "*", "register a task definition whose task role is "
          "{role}"),
         ("ecs:RunTask", _ECS_TASK, "run the task: its containers act as {role}")),
    )),
    ("glue.amazonaws.com", (
        (("glue:CreateDevEndpoint", "arn:aws:glue:{region}:{account}:devEndpoint/" + PROBE_NAME,
          "create a Glue development endpoint that acts as {role}"),),
    )),
    ("cloudformation.amazonaws.com", (
        (("cloudformation:CreateStack",
          "arn:aws:cloudformation:{region}:{account}:stack/" + PROBE_NAME + "/x",
          "create a stack whose service role {role} creates its resources"),),
    )),
    ("codebuild.amazonaws.com", (
        (("codebuild:CreateProject", _PROJECT, "create a build project whose role is {role}"),
         ("codebuild:StartBuild", _PROJECT, "start a build: it acts as {role}")),
    )),
)
"""Per service a role may be passed to: the ways to create and run its compute."""


@dataclass(frozen=True, slots=True)
class Step:
    """One request of a path: `actor` does `action` on `resource`, which `purpose` explains;
    `allowed_by` are the statements that allowed it."""

    actor: str
    action: str
    resource: str
    purpose: str
    allowed_by: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.actor}: {self.action} on {self.resource} — {self.purpose}"


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """`principal` reaches the permissions of `target` (widened as the steps say), which may
    do `gains` in the target's account (`account`, by name) where the principal may not."""

    principal: str
    principal_arn: str
    target: str
    target_arn: str
    account: str
    gains: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class _Rebound:
    """A permissions boundary as a move leaves it: `boundary` None when lifted (deleted,
    rewritten to allow everything, or replaced by AdministratorAccess), else the policy put in
    its place."""

    boundary: Policy | None

    @property
    def name(self) -> str | None:
        return None if self.boundary is None else self.boundary.name


_ActorKey = tuple[str, str | None, bool, str | None]


@dataclass(frozen=True, slots=True)
class _Actor:
    """A role as it acts: as the landscape has it, or widened (`granted`: a policy added to
    it — one allowing everything, or IAMFullAccess; `rebound`: its permissions boundary lifted
    or replaced)."""

    base: Principal
    granted: Policy | None = None
    rebound: _Rebound | None = None

    @property
    def key(self) -> _ActorKey:
        rebound = self.rebound
        return (self.base.arn, None if self.granted is None else self.granted.name,
                rebound is not None, None if rebound is None else rebound.name)

    @property
    def principal(self) -> Principal:
        identity = self.base.identity + ((self.granted,) if self.granted is not None else ())
        boundary = self.base.boundary if self.rebound is None else self.rebound.boundary
        return replace(self.base, identity=identity, boundary=boundary)

    def widened(self, granted: Policy | None, rebound: _Rebound | None) -> _Actor:
        """The actor with `granted` added (the policy allowing everything outweighs any
        other: one added policy is kept) and its boundary as `rebound` leaves it."""
        keep = self.granted is _ALLOW_ALL or granted is None
        return _Actor(self.base, self.granted if keep else granted,
                      self.rebound if rebound is None else rebound)


def _statements(decision: Decision) -> tuple[str, ...]:
    return tuple(f"{s.policy_type.value} {s.policy_name} {s.statement}" for s in decision.deciding)


def _customer_policy_arns(principal: Principal) -> tuple[str, ...]:
    """The customer managed policies among the principal's identity policies (their names are
    their ARNs)."""
    prefix = f"arn:aws:iam::{principal.account}:policy/"
    return tuple(p.name for p in principal.identity if p.name.startswith(prefix))


class _Search:
    def __init__(self, offline: Offline, max_hops: int) -> None:
        self.offline = offline
        self.max_hops = max_hops
        self.roles = offline.roles()
        self.region = offline.landscape.regions.home
        self._powers: dict[tuple[_ActorKey, str], frozenset[str]] = {}
        self._boundaries = {
            account.account_id: tuple(
                replace(managed.document.policy, name=managed.arn,
                        policy_type=PolicyType.BOUNDARY)
                for managed in account.managed_policies)
            for account in offline.landscape.accounts
        }
        """Per account, its customer managed policies as permissions boundaries."""
        self._functions = {
            (account.account_id, function.role): function.arn
            for account in offline.landscape.accounts
            for function in account.resources.functions
        }

    # ------------------------------------------------------------------ asking

    def _ask(
        self, actor: _Actor, action: str, resource: str, purpose: str,
        keys: tuple[tuple[str, str], ...] = (),
    ) -> Step | None:
        decision = self.offline.decide(actor.principal, action, resource, keys=dict(keys))
        if not decision.allowed:
            return None
        return Step(actor.base.label, action, resource, purpose, _statements(decision))

    def _all(self, *steps: Step | None) -> tuple[Step, ...] | None:
        return None if any(step is None for step in steps) else tuple(s for s in steps if s)

    def _fill(self, template: str, account: str | None) -> str:
        return template.format(account=account, region=self.region)

    def powers(self, actor: _Actor, account: str) -> frozenset[str]:
        key = (actor.key, account)
        if key not in self._powers:
            principal = actor.principal
            self._powers[key] = frozenset(
                probe.action
                for probe in PROBES
                if self.offline.decide(principal, probe.action,
                                       self._fill(probe.resource, account),
                                       keys=dict(probe.keys)).allowed
            )
        return self._powers[key]

    # ------------------------------------------------------------------ reaching a role

    def _assume(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        keys = tuple(satisfying_keys(target.trust).items()) if target.trust else ()
        return self._all(self._ask(actor, "sts:AssumeRole", target.arn,
                                   f"assume {target.label}", keys))

    def _function_code(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        function = self._functions.get((str(target.account), target.name))
        if function is None:
            return None
        purpose = f"run own code in the function whose execution role is {target.label}"
        return self._all(self._ask(actor, "lambda:UpdateFunctionCode", function, purpose))

    def _service_trusted(self, service: str, target: Principal) -> bool:
        if target.trust is None:
            return False
        asked = Question(Caller(PrincipalKind.SERVICE, service, service=service),
                         "sts:AssumeRole", target.arn, target.account,
                         source_account=target.account)
        return authorize(asked, self.offline.source).allowed

    def _pass_role(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        for service, creations in _COMPUTE:
            if not self._service_trusted(service, target):
                continue
            passing = self._ask(actor, "iam:PassRole", target.arn,
                                f"pass {target.label} to {service}",
                                (("iam:PassedToService", service),))
            if passing is None:
                continue
            for creation in creations:
                steps = self._all(passing, *(
                    self._ask(actor, action, self._fill(resource, target.account),
                              purpose.format(role=target.label))
                    for action, resource, purpose in creation
                ))
                if steps is not None:
                    return steps
        return None

    def _retrust(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        rewrite = self._ask(actor, "iam:UpdateAssumeRolePolicy", target.arn,
                            f"make {target.label} trust {actor.base.label}")
        if rewrite is None:
            return None
        trust = parse_policy(
            {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": actor.base.arn},
                "Action": "sts:AssumeRole"}]},
            PolicyType.TRUST, f"{target.arn} trust policy (rewritten)")
        offline, principal = self.offline, actor.principal
        request = offline.request(principal, "sts:AssumeRole", target.arn)
        policies = replace(offline.policy_set(principal, "sts:AssumeRole", target.arn),
                           resource=trust)
        decision = offline.decide_with(principal, "sts:AssumeRole", target.arn, request,
                                       policies)
        if not decision.allowed:
            return None
        assume = Step(actor.base.label, "sts:AssumeRole", target.arn,
                      f"assume {target.label}", _statements(decision))
        return (rewrite, assume)

    def reach(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        """The steps by which `actor` comes to act as `target`, or None."""
        found = self._assume(actor, target)
        if found is None and target.account == actor.base.account:
            found = (self._function_code(actor, target) or self._pass_role(actor, target)
                     or self._retrust(actor, target))
        return found

    # ------------------------------------------------------------------ widening a role

    def grant(self, actor: _Actor, target: Principal) -> list[tuple[Policy, tuple[Step, ...]]]:
        """The ways `actor` can add a wide policy to `target`: the first way to give it a
        policy allowing everything, else attaching IAMFullAccess (a deny of AdministratorAccess
        alone leaves it open; with iam:* the role can then give itself the rest)."""
        everything = self._grant_everything(actor, target)
        if everything is not None:
            return [(_ALLOW_ALL, everything)]
        attach = self._ask(actor, "iam:AttachRolePolicy", target.arn,
                           f"attach IAMFullAccess to {target.label}",
                           (("iam:PolicyARN", IAM_FULL_ACCESS),))
        return [] if attach is None else [(aws_managed_policy(IAM_FULL_ACCESS), (attach,))]

    def _grant_everything(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        """Steps by which `actor` gives `target` a policy allowing everything, or None."""
        purpose = f"give {target.label} a policy allowing everything"
        found = self._all(self._ask(actor, "iam:PutRolePolicy", target.arn, purpose))
        found = found or self._all(self._ask(
            actor, "iam:AttachRolePolicy", target.arn, purpose,
            (("iam:PolicyARN", ADMINISTRATOR_ACCESS),)))
        for arn in _customer_policy_arns(target):
            found = found or self._all(self._ask(
                actor, "iam:CreatePolicyVersion", arn,
                f"rewrite {arn}, attached to {target.label}, to allow everything"))
        new_policy = self._fill(_POLICY, target.account)
        return found or self._all(
            self._ask(actor, "iam:CreatePolicy", new_policy, "create a policy allowing everything"),
            self._ask(actor, "iam:AttachRolePolicy", target.arn, f"attach it to {target.label}",
                      (("iam:PolicyARN", new_policy),)),
        )

    def rebind(self, actor: _Actor, target: Principal) -> list[tuple[_Rebound, tuple[Step, ...]]]:
        """The ways `actor` can lift or replace `target`'s permissions boundary: at most one
        that lifts it, and one per other policy it can put in its place."""
        if target.boundary is None:
            return []  # a boundary added to an unbounded role only narrows it
        current = target.boundary.name
        found: list[tuple[_Rebound, tuple[Step, ...]]] = []
        lifted = self._lift(actor, target, current)
        if lifted is not None:
            found.append((_Rebound(None), lifted))
        for policy in self._boundaries.get(str(target.account), ()):
            if policy.name == current:
                continue
            step = self._ask(
                actor, "iam:PutRolePermissionsBoundary", target.arn,
                f"replace the permissions boundary of {target.label} with {policy.name}",
                (("iam:PermissionsBoundary", policy.name),))
            if step is not None:
                found.append((_Rebound(policy), (step,)))
        return found

    def _lift(self, actor: _Actor, target: Principal, boundary: str) -> tuple[Step, ...] | None:
        """Steps by which `actor` removes `target`'s boundary (the policy `boundary`) or makes
        it allow everything."""
        found = self._all(self._ask(actor, "iam:DeleteRolePermissionsBoundary", target.arn,
                                    f"remove the permissions boundary of {target.label}"))
        found = found or self._all(self._ask(
            actor, "iam:PutRolePermissionsBoundary", target.arn,
            f"replace the permissions boundary of {target.label} with AdministratorAccess, "
            "which bounds nothing", (("iam:PermissionsBoundary", ADMINISTRATOR_ACCESS),)))
        if found is None and boundary.startswith(f"arn:aws:iam::{target.account}:policy/"):
            found = self._all(self._ask(
                actor, "iam:CreatePolicyVersion", boundary,
                f"rewrite {boundary}, the permissions boundary of {target.label}, "
                "to allow everything"))
        return found

    # ------------------------------------------------------------------ searching

    def moves(self, actor: _Actor, target: Principal) -> list[tuple[_Actor, tuple[Step, ...]]]:
        """Every way `actor` can come to act as `target`, widened or not, with the steps."""
        itself = target.arn == actor.base.arn
        reached: tuple[Step, ...] | None = () if itself else self.reach(actor, target)
        if reached is None:
            return []
        start = actor if itself else _Actor(target)
        same_account = target.account == actor.base.account
        grants = self.grant(actor, target) if same_account else []
        rebinds = self.rebind(actor, target) if same_account else []
        options: list[tuple[_Actor, tuple[Step, ...]]] = []
        for granted, granting in [(None, ()), *grants]:
            for rebound, rebinding in [(None, ()), *rebinds]:
                widened = start.widened(granted, rebound)
                if widened.key != actor.key:
                    options.append((widened, (*granting, *rebinding, *reached)))
        return options

    def paths_from(self, source: Principal) -> list[EscalationPath]:
        start = _Actor(source)
        queue: deque[tuple[_Actor, tuple[Step, ...], int]] = deque([(start, (), 0)])
        seen = {start.key}
        found: dict[str, EscalationPath] = {}
        while queue:
            actor, steps, hops = queue.popleft()
            if hops >= self.max_hops:
                continue
            for target in self.roles:
                for widened, more in self.moves(actor, target):
                    if widened.key in seen:
                        continue
                    seen.add(widened.key)
                    path = (*steps, *more)
                    account = str(target.account)
                    gained = gains(self.powers(widened, account), self.powers(start, account))
                    if gained and target.arn not in found:
                        found[target.arn] = EscalationPath(
                            source.label, source.arn, target.label, target.arn,
                            self.offline.account_name(account), gained, path)
                    elif not gained:
                        switched = 0 if target.arn == actor.base.arn else 1
                        queue.append((widened, path, hops + switched))
        return list(found.values())


def escalation_paths(
    offline: Offline, sources: tuple[Principal, ...] | None = None, max_hops: int = MAX_HOPS
) -> tuple[EscalationPath, ...]:
    """Every escalation path from the landscape's roles (or `sources`), at most one per
    (principal, role reached), the shortest found."""
    search = _Search(offline, max_hops)
    chosen = sources if sources is not None else offline.roles()
    return tuple(path for source in chosen for path in search.paths_from(source))
