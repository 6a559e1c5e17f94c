"""Decide requests on a landscape offline: the policy engine over the landscape's own policies,
with no backend.

    offline = Offline(load_landscape())
    alice = offline.principal("dev:DeveloperReadOnly")
    offline.decide(alice, "s3:ListBucket", "arn:aws:s3:::securecart-dev-artifacts").allowed

The principals are the landscape's: each account's root user, each role of an account (its
inline and managed policies and its boundary; AWS managed policies come from the table moto
serves them from), and each Identity Center role — one per (account, permission set) assigned,
carrying what provisioning gives it (`harness.seeding.identity_center.provisioned_role`). Two
principals stand outside every landscape: the root user of an account nobody knows
(`OUTSIDE_ACCOUNT`) and the anonymous caller.

For one request the policy set is assembled as the gateway assembles it from a backend: the
principal's identity policies and boundary, the SCPs along its account's path (the management
account exempt), and the policy of the resource (bucket, topic, queue; a role's trust policy for
sts:AssumeRole, which alone can let a caller in). The landscape model has no RCPs, KMS keys or
secrets, so none take part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from harness.authorization import (
    PrincipalPolicies,
    Question,
    Session,
    Transport,
    assembly,
    authorize,
)
from harness.authorization.context import context_keys
from harness.authorization.decide import decide_assembled
from harness.authorization.landscape import (
    Held,
    LandscapeSource,
    ManagedPolicies,
    UnknownPolicy,
    landscape_source,
    policy_holder,
)
from harness.iam import (
    TRUST_ACTIONS,
    Caller,
    ContextKeys,
    Decision,
    Policy,
    PolicySet,
    PolicyType,
    PrincipalKind,
    Request,
    parse_policy,
)
from harness.iam.policy import Effect
from harness.landscape.model import (
    Account,
    Landscape,
    PermissionSet,
    Role,
    Tags,
)
from harness.seeding.identity_center import provisioned_role, sso_role_arn

OUTSIDE_ACCOUNT = "123456789012"
"""An AWS account in no landscape: the stranger that public access lets in."""
ANONYMOUS = "anonymous"
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
SESSION_NAME = "securecart-analyze"
"""The RoleSessionName of the role sessions the analysis asks as."""

_FIXED_NOW = datetime(2026, 1, 1, tzinfo=UTC)
"""The moment offline requests are made at: analyses are reproducible."""


OfflineError = UnknownPolicy
"""The landscape refers to something the analysis cannot find (an AWS managed policy moto
does not carry, a customer managed policy no account has)."""


# --------------------------------------------------------------------------- principals


@dataclass(frozen=True, slots=True)
class Principal:
    """Who can ask. `kind` is ROOT, ROLE or ANONYMOUS; a role asks through a session of it.
    `label` names it in reports: `prod:orders-processor`, `dev:DeveloperReadOnly` (an
    Identity Center role), `prod:root`, `outside:root`, `anonymous`. `human` marks Identity
    Center roles (people signed in with MFA); `outside` principals of accounts outside the
    organisation."""

    arn: str
    account: str | None
    kind: PrincipalKind
    label: str
    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    trust: Policy | None = None
    tags: Tags = ()
    human: bool = False
    outside: bool = False

    @property
    def name(self) -> str:
        """A role's name (the last part of its ARN); the label of any other principal."""
        return self.arn.rsplit("/", 1)[-1] if self.kind is PrincipalKind.ROLE else self.label

    @property
    def is_role(self) -> bool:
        return self.kind is PrincipalKind.ROLE

    def caller(self) -> Caller:
        """The engine's caller: a role acts through a session of it."""
        if self.kind is PrincipalKind.ROLE:
            session = f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{SESSION_NAME}"
            return Caller(PrincipalKind.ROLE_SESSION, session, self.account, self.arn)
        if self.kind is PrincipalKind.ROOT:
            return Caller(PrincipalKind.ROOT, self.arn, self.account, self.arn)
        return Caller(PrincipalKind.ANONYMOUS, ANONYMOUS)


def root_principal(account_id: str, label: str, *, outside: bool) -> Principal:
    arn = f"arn:aws:iam::{account_id}:root"
    return Principal(arn, account_id, PrincipalKind.ROOT, label, outside=outside)


def outside_principals() -> tuple[Principal, ...]:
    """The principals of no landscape: a stranger account's root user, and anonymous."""
    return (
        root_principal(OUTSIDE_ACCOUNT, "outside:root", outside=True),
        Principal(ANONYMOUS, None, PrincipalKind.ANONYMOUS, ANONYMOUS, outside=True),
    )


def _role_principal(account: Account, role: Role, policies: ManagedPolicies) -> Principal:
    identity = tuple(policies.get(arn, PolicyType.IDENTITY) for arn in role.managed_policies)
    boundary = role.permissions_boundary
    return Principal(
        arn=role.arn,
        account=account.account_id,
        kind=PrincipalKind.ROLE,
        label=f"{account.name}:{role.name}",
        identity=identity + tuple(document.policy for document in role.inline_policies),
        boundary=policies.get(boundary, PolicyType.BOUNDARY) if boundary else None,
        trust=role.trust.policy,
        tags=role.tags,
        outside=account.external,
    )


def _identity_center_principal(
    landscape: Landscape, account: Account, permission_set: PermissionSet, policies: ManagedPolicies
) -> Principal:
    provider = landscape.identity_center.provider().saml_provider_name
    saml_arn = f"arn:aws:iam::{account.account_id}:saml-provider/{provider}"
    spec = provisioned_role(permission_set, account, saml_arn)
    inline = permission_set.inline_policy
    identity = tuple(policies.get(arn, PolicyType.IDENTITY) for arn in spec.managed_policies)
    boundary = spec.permissions_boundary
    return Principal(
        arn=sso_role_arn(account, permission_set),
        account=account.account_id,
        kind=PrincipalKind.ROLE,
        label=f"{account.name}:{permission_set.name}",
        identity=identity + ((inline.policy,) if inline is not None else ()),
        boundary=policies.get(boundary, PolicyType.BOUNDARY) if boundary else None,
        trust=parse_policy(spec.trust, PolicyType.TRUST, f"{spec.name} trust policy"),
        human=True,
    )


def principals(landscape: Landscape) -> tuple[Principal, ...]:
    """Every principal of the landscape: per account its root user, its roles, then its
    Identity Center roles (one per permission set assigned there)."""
    policies = ManagedPolicies(landscape)
    center = landscape.identity_center
    found: list[Principal] = []
    for account in landscape.accounts:
        found.append(
            root_principal(account.account_id, f"{account.name}:root", outside=account.external)
        )
        found += [_role_principal(account, role, policies) for role in account.roles]
        assigned = (a.permission_set for a in center.assignments if a.account == account.name)
        found += [
            _identity_center_principal(landscape, account, center.permission_set(name), policies)
            for name in dict.fromkeys(assigned)
        ]
    return tuple(found)


# --------------------------------------------------------------------------- resources


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource of the landscape: its ARN, owner account id, kind (`s3 bucket`, `iam role`,
    …), name, region ("" for global ones) and resource-based policy (a role's: its trust)."""

    arn: str
    account: str
    kind: str
    name: str
    region: str = ""
    policy: Policy | None = None


def _account_resources(account: Account) -> Iterable[Resource]:
    owner, held = account.account_id, account.resources
    for role in account.roles:
        yield Resource(role.arn, owner, "iam role", role.name, "", role.trust.policy)
    for bucket in held.buckets:
        policy = bucket.policy.policy if bucket.policy else None
        yield Resource(bucket.arn, owner, "s3 bucket", bucket.name, bucket.region, policy)
    for topic in held.topics:
        policy = topic.policy.policy if topic.policy else None
        yield Resource(topic.arn, owner, "sns topic", topic.name, topic.region, policy)
    for queue in held.queues:
        policy = queue.policy.policy if queue.policy else None
        yield Resource(queue.arn, owner, "sqs queue", queue.name, queue.region, policy)
    for key in held.keys:
        # Asked about by its key ARN, the key's name standing in for the id the backend
        # chooses; the policy is the key's own, AWS's default key policy when it has none.
        yield Resource(key.stand_in_arn, owner, "kms key", key.name, key.region, key.key_policy)
    for table in held.tables:
        yield Resource(table.arn, owner, "dynamodb table", table.name, table.region)
    for db in held.db_instances:
        yield Resource(db.arn, owner, "rds db instance", db.identifier, db.region)
    for function in held.functions:
        yield Resource(function.arn, owner, "lambda function", function.name, function.region)
    for trail in held.trails:
        yield Resource(trail.arn, owner, "cloudtrail trail", trail.name, trail.region)


def resources(landscape: Landscape) -> tuple[Resource, ...]:
    """Every resource of the landscape that has an ARN, with its owner and its policy. The
    Identity Center roles are principals, not landscape resources: their trust (the SAML
    provider) is AWS's."""
    return tuple(r for account in landscape.accounts for r in _account_resources(account))


# --------------------------------------------------------------------------- condition keys


_CONTROLLED_GLOBAL_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:securetransport",
        "aws:useragent",
        "aws:referer",
        "aws:requestedregion",
        "aws:currenttime",
        "aws:epochtime",
        "aws:tagkeys",
    }
)
_POSITIVE_OPERATORS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike", "Bool",
                       "IpAddress", "NumericEquals", "DateEquals", "BinaryEquals")


def caller_controlled(key: str) -> bool:
    """Whether the caller chooses a condition key's value with its request (sts:ExternalId,
    aws:SourceIp, s3:x-amz-acl, …), rather than it telling who the caller is or what the
    resource is (aws:PrincipalArn, aws:SourceAccount, aws:ResourceTag/…, …)."""
    lowered = key.lower()
    if lowered.startswith("aws:"):
        return lowered in _CONTROLLED_GLOBAL_KEYS or lowered.startswith("aws:requesttag/")
    return "resourcetag/" not in lowered and not lowered.startswith(("saml:", "iam:passed"))


def satisfying_keys(policy: Policy) -> dict[str, str]:
    """Values for the caller-controlled keys that the policy's Allow statements test with a
    positive operator (StringEquals, ArnLike, Bool, IpAddress, …): what a caller who knows the
    policy would send (the external id, the source address). Wildcards become "x"."""
    keys: dict[str, str] = {}
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        for condition in statement.conditions:
            operator = condition.operator.split(":")[-1].removesuffix("IfExists")
            if operator not in _POSITIVE_OPERATORS or not condition.values:
                continue
            if caller_controlled(condition.key) and "${" not in condition.values[0]:
                value = condition.values[0].replace("*", "x").replace("?", "x")
                keys.setdefault(condition.key, value.split("/", 1)[0]
                                if operator == "IpAddress" else value)
    return keys


_MFA_AGE = timedelta(seconds=60)


def _policies(principal: Principal) -> PrincipalPolicies:
    return PrincipalPolicies(principal.identity, principal.boundary, principal.tags)


def question(principal: Principal, action: str, arn: str = "*", owner: str | None = None,
             region: str = "us-east-1", keys: Mapping[str, str] | None = None) -> Question:
    """An offline request: over HTTPS, at the fixed moment, in `region`; an Identity Center
    role's people signed in with MFA a minute before; `keys` win over every derived key."""
    given = ContextKeys(dict(keys or {}))
    given.setdefault_value("aws:RequestedRegion", region)
    session = (Session(mfa_present=True, mfa_authenticated_at=_FIXED_NOW - _MFA_AGE)
               if principal.human else None)
    return Question(
        caller=principal.caller(),
        action=action,
        resource=arn,
        resource_account=owner,
        keys=given,
        transport=Transport(secure=True, now=_FIXED_NOW),
        session=session,
        resource_policy_required=action.lower() in TRUST_ACTIONS,
    )


# --------------------------------------------------------------------------- deciding


class Offline:
    """A landscape's principals and resources, and the engine's decision for any request of
    them. Decisions are pure: the same question gets the same answer."""

    def __init__(self, landscape: Landscape) -> None:
        self.landscape = landscape
        self.principals = principals(landscape)
        self.resources = resources(landscape)
        self.management_account = landscape.account(
            landscape.organization.management_account
        ).account_id
        self._by_arn = {resource.arn: resource for resource in self.resources}
        self.source = landscape_source(
            landscape,
            principals={p.arn: _policies(p) for p in self.principals if p.is_role},
            resources={r.arn: Held(r.account, r.policy) for r in self.resources
                       if r.kind != "iam role"},
            trusts={p.arn: p.trust for p in self.principals if p.trust is not None},
        )

    def _source(self, principal: Principal) -> LandscapeSource:
        """The landscape as `principal` asks it: a principal the analysis gave other policies
        (a what-if) carries those."""
        held = self.source.principals.get(principal.arn)
        mine = _policies(principal)
        if (held is None and not principal.is_role) or held == mine:
            return self.source
        return self.source.asking_as(principal.arn, mine)

    # -------------------------------------------------------------- looking up

    def principal(self, label_or_arn: str) -> Principal:
        """A principal by label (`dev:DeveloperReadOnly`, `prod:root`, `outside:root`,
        `anonymous`) or ARN."""
        for principal in (*self.principals, *outside_principals()):
            if label_or_arn in (principal.label, principal.arn):
                return principal
        raise KeyError(f"no principal {label_or_arn!r} in landscape {self.landscape.name}")

    def roles(self) -> tuple[Principal, ...]:
        """The role principals (landscape and Identity Center roles)."""
        return tuple(p for p in self.principals if p.is_role)

    def account_name(self, account_id: str | None) -> str:
        if account_id is None:
            return "-"
        try:
            return self.landscape.account_by_id(account_id).name
        except KeyError:
            return account_id

    def resource(self, arn: str) -> Resource | None:
        """The landscape resource that holds the policy for `arn` (the bucket of an object)."""
        return self._by_arn.get(policy_holder(arn))

    def owner(self, arn: str) -> str | None:
        """The account owning `arn`: the landscape's resource, else the ARN's account field."""
        return None if arn == "*" else self.source.owner(arn)

    # -------------------------------------------------------------- asking

    def resource_policy(self, action: str, arn: str) -> Policy | None:
        """The resource-based policy bearing on `action` on `arn`: a role's trust for the
        trust actions, else the policy of the bucket, topic or queue."""
        if action.lower() in TRUST_ACTIONS:
            return self.source.trust_policy(arn)
        return self.source.resource_policy(action.partition(":")[0].lower(), arn, None, "")

    def question(self, principal: Principal, action: str, arn: str = "*",
                 owner: str | None = None, keys: Mapping[str, str] | None = None,
                 region: str | None = None) -> Question:
        parts = arn.split(":")
        if region is None:
            region = parts[3] if len(parts) > 3 and parts[3] else self.landscape.regions.home
        owner = owner if owner is not None else self.owner(arn)
        return question(principal, action, arn, owner, region, keys)

    def policy_set(self, principal: Principal, action: str, arn: str) -> PolicySet:
        asked, source = self.question(principal, action, arn), self._source(principal)
        return assembly.policy_set(asked, assembly.parties(asked, source), source)

    def request(
        self,
        principal: Principal,
        action: str,
        arn: str = "*",
        owner: str | None = None,
        keys: Mapping[str, str] | None = None,
        region: str | None = None,
    ) -> Request:
        """The engine's request, its condition keys built by the authorization layer."""
        asked, source = self.question(principal, action, arn, owner, keys, region), \
            self._source(principal)
        sides = assembly.parties(asked, source)
        return Request(caller=asked.caller, action=action, resource=arn,
                       resource_account=sides.resource_account,
                       keys=context_keys(asked, sides, source))

    def decide(
        self,
        principal: Principal,
        action: str,
        arn: str = "*",
        owner: str | None = None,
        keys: Mapping[str, str] | None = None,
    ) -> Decision:
        """The decision: may `principal` do `action` on `arn` (owned by `owner`, by default
        the landscape's owner of it), with these condition keys besides the usual?"""
        return authorize(self.question(principal, action, arn, owner, keys),
                         self._source(principal))

    def decide_with(self, principal: Principal, action: str, arn: str, request: Request,
                    policies: PolicySet) -> Decision:
        """The decision for a policy set assembled here and then changed (a what-if: a
        rewritten trust policy, a mutant): AWS's rules outside the policies still apply."""
        return decide_assembled(Question(principal.caller(), action, arn), request, policies)
