"""Role sessions for workloads, pipelines, vendors and services: STS AssumeRole, signed by a
principal the endpoint knows, the role's trust decided as AWS decides it.

    gateway = {"callers": stack.callers(), "trust_check": None, "verify": stack.verify}
    result = assume(landscape, stack.url, "DeployRole", "prod",
                    as_="shared-services:ci-deployer", **gateway)
    result = assume(landscape, stack.url, "orders-processor", "prod", **gateway)  # as Lambda
    result.credentials.process_output()

Who calls (`as_`, `parse_principal`), signing with credentials the endpoint knows (`Callers`,
see harness.identity.callers):
- an account name (`prod`): the account's administrator: in a member account a session of its
  OrganizationAccountAccessRole (AdministratorAccess); in the management account and accounts
  outside the organisation the root user, whom AWS does not let assume roles;
- `account:role` (`shared-services:ci-deployer`): a session of that role, itself obtained from
  the principal that role trusts (so this is role chaining: at most one hour); in a
  root-administered account (`vendor:vendor-integration`), the harness's standing session of it;
- a service principal (`lambda.amazonaws.com`): the session the service gets for its resource
  (Lambda names it after the function), asked for with the service's minted credentials;
- by default, the service the role trusts, else the administrator of the role's account.

Who decides. Against the enforcing endpoint (`securecart up`, `harness.stack.Stack`) the
gateway decides the call, as AWS would: pass `trust_check=None`. `check_trust` decides the same
question with the policy engine, without any endpoint — the trust policy as the resource
policy, the caller's identity policies, boundary and SCPs, the condition keys of the request
(sts:ExternalId, aws:SourceAccount, …), then AWS's checks of DurationSeconds — for use offline
or against a backend that enforces nothing (moto's AssumeRole does not even require the role to
exist).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from harness.authorization import GivenPolicies, Question, authorize
from harness.authorization.landscape import (
    ManagedPolicies,
    UnknownPolicy,
    aws_managed_policy,
    scp_levels,
)
from harness.iam import (
    Caller,
    ContextKeys,
    Decision,
    Policy,
    PolicyType,
    PrincipalKind,
    access_denied_message,
)
from harness.identity import AwsError, Credentials, IdentityError, call_sts, sts_client
from harness.identity.callers import (
    ADMIN_ROLE,
    Callers,
    administrator_role_arn,
    root_administered,
)
from harness.landscape.model import Account, Function, Landscape, Role

__all__ = [
    "ADMIN_ROLE",
    "AssumeResult",
    "Principal",
    "TrustCheck",
    "TrustQuestion",
    "assume",
    "check_trust",
    "default_principal",
    "parse_principal",
    "request_keys",
    "service_source_arn",
    "trust_decisions",
    "trusted_principals",
    "trusted_services",
]

ROOT_CANNOT_ASSUME = "Roles may not be assumed by root accounts."
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"

MIN_DURATION, MAX_DURATION = 900, 43200
CHAINED_MAX_DURATION = 3600
"""Role chaining (a role session assuming a role) is limited to one hour.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-role-chaining"""

_MAX_CHAIN = 5


# =========================================================================== the trust decision


@dataclass(frozen=True, slots=True)
class TrustQuestion:
    """May `caller` assume `role_arn` (whose trust policy is `trust`) for `duration` seconds?

    `actions` are the actions the call needs allowed: sts:AssumeRole or
    sts:AssumeRoleWithSAML first, then sts:TagSession when it passes session tags."""

    caller: Caller
    role_arn: str
    role_account: str
    trust: Policy
    max_session_duration: int
    actions: tuple[str, ...] = ("sts:AssumeRole",)
    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] | None = None
    management_account: str | None = None
    keys: ContextKeys = field(default_factory=ContextKeys)
    duration: int | None = None
    chained: bool = False
    tags: tuple[tuple[str, str], ...] = ()
    """The caller's identity's tags (aws:PrincipalTag)."""
    source_account: str | None = None
    source_arn: str | None = None
    """For a service caller: the account and the resource it acts for (aws:SourceAccount,
    aws:SourceArn)."""

    @property
    def operation(self) -> str:
        return self.actions[0].partition(":")[2]


TrustCheck = Callable[[TrustQuestion], None]
"""Raises AwsError when AWS would refuse the call; returns when it would go through."""


def trust_decisions(question: TrustQuestion) -> tuple[Decision, ...]:
    """The decision for each action the call needs, through the one authorization path: the
    trust policy as the role's resource policy (only it can let a caller in, even in the same
    account), the caller's identity policies, boundary and SCPs."""
    source = GivenPolicies(
        identity=question.identity,
        boundary=question.boundary,
        resource=question.trust,
        scp_levels=question.scps,
        management_account=question.management_account,
        owner_account=question.role_account,
        tags=question.tags,
    )
    return tuple(
        authorize(
            Question(
                caller=question.caller,
                action=action,
                resource=question.role_arn,
                resource_account=question.role_account,
                keys=question.keys,
                source_account=question.source_account,
                source_arn=question.source_arn,
                resource_policy_required=True,
            ),
            source,
        )
        for action in question.actions
    )


def check_trust(question: TrustQuestion) -> None:
    """AWS's answer to an AssumeRole* call, in its order: who may call at all (never a root
    user), parameter validation, authorisation (AccessDenied with the enhanced message), then
    the role's session limits (ValidationError, with STS's own wording)."""
    operation, duration = question.operation, question.duration
    if question.caller.kind is PrincipalKind.ROOT and operation == "AssumeRole":
        raise AwsError("AccessDenied", operation, ROOT_CANNOT_ASSUME)
    if duration is not None and not MIN_DURATION <= duration <= MAX_DURATION:
        relation, bound = (
            ("greater", MIN_DURATION) if duration < MIN_DURATION else ("less", MAX_DURATION)
        )
        raise AwsError(
            "ValidationError",
            operation,
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
            f"satisfy constraint: Member must have value {relation} than or equal to {bound}",
        )
    for decision in trust_decisions(question):
        if not decision.allowed:
            raise AwsError("AccessDenied", operation, access_denied_message(decision))
    if duration is not None and duration > question.max_session_duration:
        raise AwsError(
            "ValidationError",
            operation,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
    if question.chained and duration is not None and duration > CHAINED_MAX_DURATION:
        raise AwsError(
            "ValidationError",
            operation,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles "
            "assumed by role chaining.",
        )


def request_keys(region: str, now: datetime | None = None) -> ContextKeys:
    """Global condition keys every STS request carries."""
    moment = now or datetime.now(UTC)
    return ContextKeys(
        {
            "aws:RequestedRegion": region,
            "aws:SecureTransport": "true",  # STS is HTTPS-only
            "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(moment.timestamp())),
        }
    )


# =========================================================================== principals


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes the AssumeRole call. `account` is an account name (None for a service)."""

    kind: Literal["admin", "role", "service"]
    account: str | None
    role: Role | None = None
    service: str | None = None

    @property
    def label(self) -> str:
        """As `--as` names it."""
        if self.kind == "service":
            return str(self.service)
        if self.kind == "role" and self.role is not None:
            return f"{self.account}:{self.role.name}"
        return str(self.account)


def parse_principal(landscape: Landscape, text: str) -> Principal:
    """`vendor`, `shared-services:ci-deployer` or `lambda.amazonaws.com`."""
    if text.endswith(".amazonaws.com"):
        return Principal("service", None, service=text)
    account_name, _, role_name = text.partition(":")
    account = _account(landscape, account_name, what=f"principal {text!r}")
    if not role_name:
        return Principal("admin", account.name)
    return Principal("role", account.name, role=_role(account, role_name))


def trusted_services(role: Role) -> tuple[str, ...]:
    """Service principals the role's trust policy allows to call sts:AssumeRole."""
    services: list[str] = []
    for statement in role.trust.document.get("Statement", []):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") != "Allow" or not any(
            action.lower() in ("sts:assumerole", "sts:*", "*") for action in actions
        ):
            continue
        principal = statement.get("Principal")
        named = principal.get("Service", []) if isinstance(principal, dict) else []
        services.extend([named] if isinstance(named, str) else named)
    return tuple(dict.fromkeys(services))


def trusted_principals(landscape: Landscape, role: Role) -> tuple[str, ...]:
    """What the trust policy's Allow statements name, in `--as` words where the landscape
    knows the principal (`vendor`, `shared-services:ci-deployer`), else as written."""
    named: list[str] = []
    for statement in role.trust.document.get("Statement", []):
        principal = statement.get("Principal")
        if statement.get("Effect") != "Allow" or not isinstance(principal, dict):
            continue
        for kind in ("AWS", "Service", "Federated"):
            values = principal.get(kind, [])
            for value in [values] if isinstance(values, str) else values:
                named.append(_as_words(landscape, value) if kind == "AWS" else value)
    return tuple(dict.fromkeys(named))


def _as_words(landscape: Landscape, arn: str) -> str:
    parts = arn.split(":")
    if len(parts) != 6:
        return arn
    try:
        account = landscape.account_by_id(parts[4])
    except KeyError:
        return arn
    if parts[5] == "root":
        return account.name
    role = next((r for r in account.roles if r.arn == arn), None)
    return f"{account.name}:{role.name}" if role is not None else arn


def default_principal(account: Account, role: Role) -> Principal:
    """The service the role trusts, else the administrator of the role's account."""
    services = trusted_services(role)
    if services:
        return Principal("service", None, service=services[0])
    return Principal("admin", account.name)


def _account(landscape: Landscape, name: str, what: str = "account") -> Account:
    try:
        return landscape.account(name)
    except KeyError:
        known = ", ".join(account.name for account in landscape.accounts)
        raise IdentityError(f"{what}: no account {name!r} (accounts: {known})") from None


def _role(account: Account, name: str) -> Role:
    try:
        return account.role(name)
    except KeyError:
        known = ", ".join(role.name for role in account.roles) or "none"
        raise IdentityError(
            f"no role {name!r} in account {account.name} (roles: {known})"
        ) from None


# =========================================================================== what services do


def service_session_name(service: str, account: Account, role: Role) -> str:
    """The RoleSessionName a service uses when it assumes a role for one of its resources."""
    prefix = service.split(".", 1)[0]
    if prefix == "lambda":
        # Lambda names the execution role's session after the function.
        function = _function_of(account, role)
        return function.name if function is not None else role.name
    if prefix == "ecs-tasks":
        return uuid.uuid4().hex  # the task id
    if prefix == "codebuild":
        return f"AWSCodeBuild-{uuid.uuid4()}"  # the build id
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _function_of(account: Account, role: Role) -> Function | None:
    return next((f for f in account.resources.functions if f.role == role.name), None)


def service_source_arn(service: str, account: Account, role: Role) -> str | None:
    """The resource a service assumes `role` for, when the landscape names one: for Lambda,
    the function whose execution role it is (aws:SourceArn); else None."""
    function = _function_of(account, role) if service.startswith("lambda.") else None
    return function.arn if function is not None else None


# =========================================================================== the caller's policies


def _policy_by_arn(policies: ManagedPolicies, arn: str, policy_type: PolicyType) -> Policy:
    try:
        return policies.get(arn, policy_type)
    except UnknownPolicy as error:
        raise IdentityError(str(error)) from error


@dataclass(frozen=True, slots=True)
class _CallerSide:
    caller: Caller
    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] | None = None
    chained: bool = False


def _caller_side(landscape: Landscape, principal: Principal, session_arn: str) -> _CallerSide:
    """The engine's view of the principal: its caller form, policies, and whether its call is
    role chaining (the caller is itself a role session)."""
    if principal.kind == "service":
        service = str(principal.service)
        return _CallerSide(Caller(PrincipalKind.SERVICE, service, service=service))
    account = landscape.account(str(principal.account))
    scps = scp_levels(landscape, account)
    if principal.kind == "admin" and root_administered(landscape, account):
        root = Caller(PrincipalKind.ROOT, account.root_arn, account.account_id, account.root_arn)
        return _CallerSide(root, scps=scps)
    if principal.kind == "admin":
        role_arn = administrator_role_arn(account)
        caller = Caller(PrincipalKind.ROLE_SESSION, session_arn, account.account_id, role_arn)
        admin = aws_managed_policy(ADMIN_POLICY_ARN)
        return _CallerSide(caller, (admin,), None, scps, chained=True)
    role = principal.role
    assert role is not None
    managed = ManagedPolicies(landscape)
    identity = tuple(
        _policy_by_arn(managed, arn, PolicyType.IDENTITY) for arn in role.managed_policies
    ) + tuple(document.policy for document in role.inline_policies)
    boundary = (
        _policy_by_arn(managed, role.permissions_boundary, PolicyType.BOUNDARY)
        if role.permissions_boundary
        else None
    )
    caller = Caller(PrincipalKind.ROLE_SESSION, session_arn, account.account_id, role.arn)
    return _CallerSide(caller, identity, boundary, scps, chained=True)


# =========================================================================== assuming


@dataclass(frozen=True, slots=True)
class AssumeResult:
    """A session of `role_arn`, obtained by `principal` (whose own session is `caller_arn`)."""

    credentials: Credentials
    role_arn: str
    principal: Principal
    caller_arn: str
    session_name: str


@dataclass(slots=True)
class _Assumer:
    landscape: Landscape
    endpoint_url: str
    region: str
    trust_check: TrustCheck | None
    callers: Callers
    verify: str | bool | None = None

    def assume(
        self,
        role_name: str,
        account_name: str,
        principal: Principal | None,
        external_id: str | None,
        duration: int | None,
        session_name: str | None,
        depth: int = 0,
    ) -> AssumeResult:
        if depth > _MAX_CHAIN:
            raise IdentityError("role chain too long")
        account = _account(self.landscape, account_name)
        role = _role(account, role_name)
        principal = principal or default_principal(account, role)
        caller_credentials = self._caller_session(principal, account, role, depth)
        caller_arn = caller_credentials.arn
        side = _caller_side(self.landscape, principal, caller_arn)
        keys = request_keys(self.region)
        source_account = source_arn = None
        if principal.kind == "service":
            # A service acting for a resource of the role's account: aws:SourceAccount is that
            # account, aws:SourceArn the resource when there is one (the function for Lambda).
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
            source_account = account.account_id
            source_arn = service_source_arn(str(principal.service), account, role)
            session_name = session_name or service_session_name(
                str(principal.service), account, role
            )
        session_name = session_name or f"securecart-{principal.label.replace(':', '-')}"[:64]
        keys.set("sts:RoleSessionName", session_name)
        if external_id is not None:
            keys.set("sts:ExternalId", external_id)
        question = TrustQuestion(
            caller=side.caller,
            role_arn=role.arn,
            role_account=account.account_id,
            trust=role.trust.policy,
            max_session_duration=role.max_session_duration,
            identity=side.identity,
            boundary=side.boundary,
            scps=side.scps,
            management_account=self.landscape.account(
                self.landscape.organization.management_account
            ).account_id,
            keys=keys,
            duration=duration,
            chained=side.chained,
            tags=principal.role.tags if principal.role is not None else (),
            source_account=source_account,
            source_arn=source_arn,
        )
        if self.trust_check is not None:
            self.trust_check(question)
        credentials = self._call_assume_role(
            caller_credentials, role.arn, session_name, external_id, duration
        )
        return AssumeResult(credentials, role.arn, principal, caller_arn, session_name)

    def _caller_session(
        self, principal: Principal, target: Account, role: Role, depth: int
    ) -> Credentials:
        """Credentials to sign the AssumeRole call for `role` of `target` with (their `arn`:
        the caller's ARN). A service acts for a resource of the role's account."""
        if principal.kind == "service":
            service = str(principal.service)
            source = service_source_arn(service, target, role)
            return self.callers.service(service, target.account_id, source)
        account = self.landscape.account(str(principal.account))
        if principal.kind == "admin":
            return self.callers.administrator(self.landscape, account)
        assert principal.role is not None
        if root_administered(self.landscape, account):
            # Its root user cannot assume the role: the account's own people hold it.
            return self.callers.session(principal.role.arn)
        inner = self.assume(
            principal.role.name, str(principal.account), None, None, None, None, depth + 1
        )
        return inner.credentials

    def _call_assume_role(
        self,
        credentials: Credentials,
        role_arn: str,
        session_name: str,
        external_id: str | None,
        duration: int | None,
    ) -> Credentials:
        client = sts_client(self.endpoint_url, self.region, credentials, verify=self.verify)
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if external_id is not None:
            params["ExternalId"] = external_id
        if duration is not None:
            params["DurationSeconds"] = duration
        return Credentials.from_sts(call_sts(client.assume_role, "AssumeRole", params))


def assume(
    landscape: Landscape,
    endpoint_url: str,
    role_name: str,
    account_name: str,
    *,
    as_: str | None = None,
    external_id: str | None = None,
    duration: int | None = None,
    session_name: str | None = None,
    region: str | None = None,
    callers: Callers | None = None,
    trust_check: TrustCheck | None = check_trust,
    verify: str | bool | None = None,
) -> AssumeResult:
    """A session of `role_name` in `account_name`, obtained by `as_` (see the module doc),
    signing with `callers` (without them, only a chain that needs none could go: none can).
    `verify`: the CA bundle of an HTTPS endpoint. Raises AwsError when AWS would refuse (trust,
    external id, duration, a root user), IdentityError for unknown accounts, roles or
    principals, or missing credentials."""
    principal = parse_principal(landscape, as_) if as_ else None
    assumer = _Assumer(
        landscape,
        endpoint_url,
        region or landscape.regions.home,
        trust_check,
        callers if callers is not None else Callers(),
        verify,
    )
    return assumer.assume(role_name, account_name, principal, external_id, duration, session_name)


def root_hint(landscape: Landscape, account_name: str) -> str | None:
    """After AWS's "Roles may not be assumed by root accounts": which of the account's own
    roles to act as instead, in --as words; None if the account has none."""
    try:
        account = landscape.account(account_name)
    except KeyError:
        return None
    names = [f"{account.name}:{role.name}" for role in account.roles]
    if not names:
        return None
    return (
        f"the administrator of {account.name} is its root user, who cannot assume roles; "
        f"act as one of its roles instead: --as {' | '.join(names)}"
    )
