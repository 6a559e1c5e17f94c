"""The request space of a landscape: every (principal, action, resource, context) a diff asks.

    space = request_space([Offline(base), Offline(head)])   # one space for both sides
    len(space.requests)

- principals: every principal of the landscape (root users, roles, Identity Center roles) and
  the two outside ones (`offline.outside_principals`: a stranger account's root, anonymous);
- actions: every action any policy of the landscape mentions (identity, boundary, trust,
  resource policies and SCPs, AWS managed policies included, in Action and NotAction).
  Explicit actions are taken as they are (spelt as the Service Authorization Reference spells
  them when it knows them). Wildcards are expanded with `reference.action_names`, but only for
  the *bounded services*: the prefixes that own a resource of the landscape (iam, s3, sns, sqs,
  dynamodb, rds, lambda, cloudtrail for SecureCart) and iam, sts, organizations. `*` in
  FullAWSAccess or AdministratorAccess thus means every action of those services, not of AWS;
- resources: for each action, every landscape resource whose ARN fits one of the action's
  resource types (`reference.ResourceType.matches`; a bucket stands for its objects with
  `<bucket ARN>/*`), or "*" when the action has no resource types or none of its types fits
  a landscape resource (iam:CreateUser, lambda:CreateFunction);
- contexts: "" (the usual: HTTPS, the home region, people with MFA); for Identity Center roles
  also `no-mfa` (the session without MFA); for actions of regional services asked on "*" also
  `region:ap-southeast-2` (a region outside every allow-list). A resource with an ARN is asked
  in its own region only.

The space is a union over the landscapes given, so both sides of a diff ask the same questions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from harness import reference
from harness.analysis.offline import Offline, Principal, Resource, outside_principals
from harness.iam import Policy
from harness.iam.wildcard import glob_match

CONTEXT_DEFAULT = ""
CONTEXT_NO_MFA = "no-mfa"
DISALLOWED_REGION = "ap-southeast-2"
CONTEXT_OTHER_REGION = f"region:{DISALLOWED_REGION}"

ALWAYS_EXPANDED = frozenset({"iam", "sts", "organizations"})
"""Service prefixes whose wildcards are always expanded, resources or not."""

GLOBAL_SERVICES = frozenset(
    {"iam", "organizations", "cloudfront", "route53", "support", "budgets", "account",
     "health", "ce", "aws-portal", "globalaccelerator", "waf", "shield", "trustedadvisor"}
)
"""Services whose actions are not made in a region: no other-region variant."""

_RESOURCE_SERVICE = {
    "iam role": "iam",
    "s3 bucket": "s3",
    "sns topic": "sns",
    "sqs queue": "sqs",
    "dynamodb table": "dynamodb",
    "rds db instance": "rds",
    "lambda function": "lambda",
    "cloudtrail trail": "cloudtrail",
}


@dataclass(frozen=True, slots=True, order=True)
class AccessRequest:
    """One question: may the principal (by ARN) do `action` on `resource` (an ARN or "*") in
    `context` ("", `no-mfa`, `region:<name>`)?"""

    principal: str
    action: str
    resource: str
    context: str = CONTEXT_DEFAULT


@dataclass(frozen=True, slots=True)
class RequestSpace:
    """The requests, and what they range over."""

    requests: tuple[AccessRequest, ...]
    principals: tuple[str, ...]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    services: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.requests)


# --------------------------------------------------------------------------- policies


def landscape_policies(offline: Offline) -> Iterator[Policy]:
    """Every policy that takes part in the landscape's decisions, each once."""
    seen: set[int] = set()

    def fresh(policy: Policy | None) -> Iterator[Policy]:
        if policy is not None and id(policy) not in seen:
            seen.add(id(policy))
            yield policy

    for principal in offline.principals:
        for policy in principal.identity:
            yield from fresh(policy)
        yield from fresh(principal.boundary)
        yield from fresh(principal.trust)
    for resource in offline.resources:
        yield from fresh(resource.policy)
    for scp in offline.landscape.scps:
        yield from fresh(scp.document.policy)


def mentioned_actions(policies: Iterable[Policy]) -> set[str]:
    """Every Action / NotAction pattern of the policies, as written."""
    found: set[str] = set()
    for policy in policies:
        for statement in policy.statements:
            found.update(statement.actions or ())
            found.update(statement.not_actions or ())
    return found


# --------------------------------------------------------------------------- actions


@cache
def _lowered_names(service: str) -> dict[str, str]:
    return {name.lower(): name for name in reference.action_names(service)}


def canonical_action(action: str) -> str:
    """`s3:getobject` → `s3:GetObject` when the reference knows it; else the service prefix
    lower-cased and the name as written."""
    service, _, name = action.partition(":")
    service = service.lower()
    return f"{service}:{_lowered_names(service).get(name.lower(), name)}"


def expand_actions(patterns: Iterable[str], services: Iterable[str]) -> tuple[str, ...]:
    """Explicit actions as they are (canonical spelling); wildcards expanded over the bounded
    `services` only. Sorted, deduplicated."""
    bounded = sorted(set(services))
    found: set[str] = set()
    for pattern in patterns:
        if "*" not in pattern and "?" not in pattern:
            if ":" in pattern:
                found.add(canonical_action(pattern))
            continue
        service_pattern, _, name_pattern = pattern.partition(":") if ":" in pattern else (
            pattern, "", "*")
        for service in bounded:
            if not glob_match(service_pattern, service, ignore_case=True):
                continue
            for name in reference.action_names(service):
                if glob_match(name_pattern or "*", name, ignore_case=True):
                    found.add(f"{service}:{name}")
    return tuple(sorted(found))


def bounded_services(offlines: Sequence[Offline]) -> tuple[str, ...]:
    """The services whose wildcards are expanded: those owning a landscape resource, and iam,
    sts, organizations."""
    services = set(ALWAYS_EXPANDED)
    for offline in offlines:
        services.update(
            _RESOURCE_SERVICE.get(r.kind, r.arn.split(":")[2]) for r in offline.resources
        )
    return tuple(sorted(services))


# --------------------------------------------------------------------------- resources


def resource_arns(resource: Resource) -> tuple[str, ...]:
    """The ARNs a landscape resource is asked as: a bucket also as `<bucket>/*`, its objects."""
    if resource.kind == "s3 bucket":
        return (resource.arn, f"{resource.arn}/*")
    return (resource.arn,)


@cache
def _resource_types(action: str) -> tuple[reference.ResourceType, ...]:
    service, _, name = action.partition(":")
    entry = reference.action(service, name)
    if entry is None:
        return ()
    types = (reference.resource_type(service, row.name) for row in entry.resources)
    return tuple(t for t in types if t is not None)


def action_resources(action: str, arns: Sequence[str]) -> tuple[str, ...]:
    """The ARNs among `arns` that fit one of the action's resource types; ("*",) when the
    action has none or none fits."""
    types = _resource_types(action)
    fitting = tuple(arn for arn in arns if any(t.matches(arn) for t in types))
    return fitting or ("*",)


def regional(action: str) -> bool:
    return action.partition(":")[0] not in GLOBAL_SERVICES


# --------------------------------------------------------------------------- the space


def _principals(offlines: Sequence[Offline]) -> dict[str, Principal]:
    found: dict[str, Principal] = {}
    for offline in offlines:
        for principal in (*offline.principals, *outside_principals()):
            found.setdefault(principal.arn, principal)
    return found


def request_space(offlines: Sequence[Offline]) -> RequestSpace:
    """The union of the landscapes' request spaces (see the module's documentation)."""
    services = bounded_services(offlines)
    patterns: set[str] = set()
    for offline in offlines:
        patterns |= mentioned_actions(landscape_policies(offline))
    actions = expand_actions(patterns, services)
    arns = tuple(
        sorted({arn for offline in offlines for r in offline.resources for arn in resource_arns(r)})
    )
    principals = _principals(offlines)
    humans = {p.arn for offline in offlines for p in offline.principals if p.human}
    requests: list[AccessRequest] = []
    for action in actions:
        targets = action_resources(action, arns)
        other_region = regional(action)
        for principal in principals:
            contexts = [CONTEXT_DEFAULT]
            if principal in humans:
                contexts.append(CONTEXT_NO_MFA)
            for resource in targets:
                for context in contexts:
                    requests.append(AccessRequest(principal, action, resource, context))
                if resource == "*" and other_region:
                    requests.append(
                        AccessRequest(principal, action, resource, CONTEXT_OTHER_REGION)
                    )
    return RequestSpace(
        requests=tuple(dict.fromkeys(requests)),
        principals=tuple(principals),
        actions=actions,
        resources=arns,
        services=services,
    )
