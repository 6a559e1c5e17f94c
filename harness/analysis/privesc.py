"""Privilege-escalation paths: can a principal of the landscape, by the moves the known
escalation patterns use, end up acting with permissions it does not have?

The patterns are Rhino Security Labs' list
(https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/). Every move
is an offline decision of the engine (`harness.analysis.offline`), so boundaries, SCPs, trust
and resource policies all take part. A move is one of:

- reaching a role — acting with its permissions:
  - `sts:AssumeRole` into it (its trust lets the principal in);
  - `lambda:UpdateFunctionCode` of a function whose execution role it is;
  - `iam:PassRole` of it to a service the role trusts, with that service's compute created
    and run: Lambda (CreateFunction + InvokeFunction or CreateEventSourceMapping), EC2
    (RunInstances), ECS (RegisterTaskDefinition + RunTask), Glue (CreateDevEndpoint),
    CloudFormation (CreateStack), CodeBuild (CreateProject + StartBuild);
  - `iam:UpdateAssumeRolePolicy` of it to trust the principal, then `sts:AssumeRole`;
- widening a role of its own account (itself, or one it then reaches) before acting with it:
  - granting it everything: `iam:PutRolePolicy`, `iam:AttachRolePolicy` of
    AdministratorAccess, `iam:CreatePolicyVersion` of a customer managed policy attached to
    it, or `iam:CreatePolicy` + `iam:AttachRolePolicy` of the new policy;
  - lifting its permissions boundary: `iam:DeleteRolePermissionsBoundary`, or
    `iam:CreatePolicyVersion` of the boundary policy.

More privileged, kept simple: a role (as reached, widened or not) is more privileged than the
principal when, in the role's account, it may do one of the IAM actions in `PROBES` — creating
users and access keys, and the escalation moves themselves on a fresh role and policy — that the
principal may not. A path is reported when one is reached within `MAX_HOPS` role switches.

Not covered: IAM users (the landscape has none, so CreateAccessKey / CreateLoginProfile on other
users reach nothing), SetDefaultPolicyVersion (a landscape policy has one version),
PutRolePermissionsBoundary with another boundary, roles the principal would create, roles AWS
Organizations creates (OrganizationAccountAccessRole), and access to data rather than to IAM
(reaching a role that reads a bucket the principal cannot is not counted).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from harness.analysis.offline import Offline, Principal, satisfying_keys
from harness.iam import (
    Caller,
    ContextKeys,
    Decision,
    PolicySet,
    PolicyType,
    PrincipalKind,
    Request,
    evaluate,
    parse_policy,
)

MAX_HOPS = 3
"""Role switches (reaching one role from another) a path may take."""
PROBE_NAME = "privesc-probe"
"""The name of the fresh role, user, policy and compute the checks ask about."""
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

_ALLOW_ALL = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    PolicyType.IDENTITY,
    "policy allowing everything (added by the escalation)",
)


@dataclass(frozen=True, slots=True)
class Probe:
    """One IAM capability: `action` on `resource` (`{account}` is the role's account)."""

    action: str
    resource: str
    keys: tuple[tuple[str, str], ...] = ()


_ROLE = "arn:aws:iam::{account}:role/" + PROBE_NAME
_USER = "arn:aws:iam::{account}:user/" + PROBE_NAME
_POLICY = "arn:aws:iam::{account}:policy/" + PROBE_NAME
PROBES = (
    Probe("iam:CreateUser", _USER),
    Probe("iam:CreateAccessKey", _USER),
    Probe("iam:AttachRolePolicy", _ROLE, (("iam:PolicyARN", ADMINISTRATOR_ACCESS),)),
    Probe("iam:PutRolePolicy", _ROLE),
    Probe("iam:UpdateAssumeRolePolicy", _ROLE),
    Probe("iam:CreatePolicyVersion", _POLICY),
    Probe("iam:PassRole", _ROLE, (("iam:PassedToService", "lambda.amazonaws.com"),)),
)
"""What "more privileged" is measured by."""

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
class _Actor:
    """A role as it acts: as the landscape has it, or widened (`granted`: a policy allowing
    everything added; `unbounded`: its permissions boundary lifted)."""

    base: Principal
    granted: bool = False
    unbounded: bool = False

    @property
    def key(self) -> tuple[str, bool, bool]:
        return (self.base.arn, self.granted, self.unbounded)

    @property
    def principal(self) -> Principal:
        identity = self.base.identity + ((_ALLOW_ALL,) if self.granted else ())
        return replace(self.base, identity=identity,
                       boundary=None if self.unbounded else self.base.boundary)

    def widened(self, granted: bool, unbounded: bool) -> _Actor:
        return _Actor(self.base, self.granted or granted, self.unbounded or unbounded)


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
        self._powers: dict[tuple[tuple[str, bool, bool], str], frozenset[str]] = {}
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
        keys = ContextKeys({"aws:SourceAccount": str(target.account),
                            "aws:PrincipalServiceName": service,
                            "aws:PrincipalIsAWSService": "true"})
        request = Request(Caller(PrincipalKind.SERVICE, service, service=service),
                          "sts:AssumeRole", target.arn, target.account, keys)
        policies = PolicySet(resource=target.trust, resource_policy_required=True)
        return evaluate(request, policies).allowed

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
        decision = evaluate(request, policies)
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

    def grant(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
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

    def unbind(self, actor: _Actor, target: Principal) -> tuple[Step, ...] | None:
        """Steps by which `actor` lifts `target`'s permissions boundary, or None."""
        if target.boundary is None:
            return None
        found = self._all(self._ask(actor, "iam:DeleteRolePermissionsBoundary", target.arn,
                                    f"remove the permissions boundary of {target.label}"))
        boundary = target.boundary.name
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
        grant = self.grant(actor, target) if same_account else None
        unbind = self.unbind(actor, target) if same_account else None
        options: list[tuple[_Actor, tuple[Step, ...]]] = []
        for granting in ((), grant) if grant else ((),):
            for unbinding in ((), unbind) if unbind else ((),):
                widened = start.widened(bool(granting), bool(unbinding))
                if widened.key != actor.key:
                    options.append((widened, (*granting, *unbinding, *reached)))
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
                    gains = self.powers(widened, account) - self.powers(start, account)
                    if gains and target.arn not in found:
                        found[target.arn] = EscalationPath(
                            source.label, source.arn, target.label, target.arn,
                            self.offline.account_name(account),
                            tuple(p.action for p in PROBES if p.action in gains), path)
                    elif not gains:
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
