"""Condition keys of AWS's Service Authorization Reference: each key's type, its documented
spelling, and which keys an action supports (its own, and those of its resource types).

Global condition keys are not in the per-service reference, so their spellings and types come
from AWS's global key page:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from harness.reference.actions import Action, action
from harness.reference.loader import load, service_file
from harness.reference.resource_types import resource_type

# Documented spelling → type ("String", "ArrayOfString", "Bool", "Numeric", "Date", "ARN",
# "IPAddress"); a key whose name carries a tag key holds its `${TagKey}` parameter.
GLOBAL_KEYS: Mapping[str, str] = MappingProxyType({
    "aws:AssumedRoot": "Bool",
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:CurrentTime": "Date",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:EpochTime": "Date",
    "aws:FederatedProvider": "String",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/${TagKey}": "String",
    "aws:PrincipalType": "String",
    "aws:Referer": "String",
    "aws:RequestTag/${TagKey}": "String",
    "aws:RequestedRegion": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/${TagKey}": "String",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceVpc": "String",
    "aws:SourceVpce": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:ViaAWSService": "Bool",
    "aws:VpcSourceIp": "IPAddress",
})


def key_stem(key: str) -> str:
    """A documented key, lower-cased, with a `${TagKey}` / `<key>` parameter cut after the '/'
    (or ':' for kms:EncryptionContext:${…})."""
    lowered = key.lower()
    for marker in ("${", "<"):
        if marker in lowered:
            return lowered[: lowered.index(marker)]
    return lowered


_GLOBAL_TYPES = {key_stem(key): key_type for key, key_type in GLOBAL_KEYS.items()}
# Stems of the keys that carry a parameter ("aws:requesttag/").
_GLOBAL_PREFIXES = tuple(stem for stem in _GLOBAL_TYPES if stem.endswith("/"))


@cache
def _service_key_types(service: str) -> dict[str, str]:
    """Key stem → type, for the keys of a service."""
    data = service_file("conditionKeys", service)
    return {key_stem(entry["key"]): entry["type"] for entry in data.values()}


def condition_key_type(key: str) -> str | None:
    """The reference's type for a condition key ("String", "ArrayOfString", "Bool", "Numeric",
    "Date", "ARN", "IPAddress", …), or None for a key AWS does not document."""
    lowered = key.lower()
    if lowered in _GLOBAL_TYPES:
        return _GLOBAL_TYPES[lowered]
    for prefix in _GLOBAL_PREFIXES:
        if lowered.startswith(prefix):
            return _GLOBAL_TYPES[prefix]
    service, _, _ = lowered.partition(":")
    types = _service_key_types(service)
    if lowered in types:
        return types[lowered]
    if "/" in lowered:
        return types.get(lowered[: lowered.index("/") + 1])
    return None


# --------------------------------------------------------------------------- documented keys


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A condition key of the reference: its documented spelling and its type."""

    name: str
    type: str


def _key_regex(template: str) -> re.Pattern[str]:
    """A documented key ("s3:ExistingObjectTag/<key>", "aws:RequestTag/${TagKey}") as a
    case-insensitive pattern of the concrete keys it stands for."""
    parts = re.split(r"\$\{[^}]+\}|<[^>]+>", template)
    return re.compile(".+".join(re.escape(part) for part in parts), re.IGNORECASE)


@cache
def service_keys(service: str) -> tuple[tuple[re.Pattern[str], KeyInfo], ...]:
    """The documented keys of a service, each with the pattern of the concrete keys it stands
    for."""
    data = service_file("conditionKeys", service)
    return tuple(
        (_key_regex(entry["key"]), KeyInfo(entry["key"], entry["type"]))
        for entry in data.values()
    )


@cache
def _unassociated_prefixes() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Key prefixes that are no service (identity providers' "saml", "accounts.google.com",
    …) and the services whose reference defines their keys (sts)."""
    data: dict[str, list[str]] = load("unassociatedConditions.json")
    return tuple((_key_regex(prefix), tuple(owners)) for prefix, owners in data.items())


def known_key(key: str) -> KeyInfo | None:
    """The reference's entry for a concrete condition key (a global aws: key, a key of its
    service, or an identity provider's key), or None."""
    lowered = key.lower()
    prefix = lowered.partition(":")[0]
    if prefix == "aws":
        key_type = condition_key_type(key)
        if key_type is None:
            return None
        stem = lowered.split("/", 1)[0]
        name = next((g for g in GLOBAL_KEYS if g.lower().split("/", 1)[0] == stem), key)
        return KeyInfo(name, key_type)
    owners = [prefix]
    owners.extend(
        owner
        for pattern, services in _unassociated_prefixes()
        if pattern.fullmatch(prefix)
        for owner in services
    )
    for owner in owners:
        for pattern, info in service_keys(owner):
            if pattern.fullmatch(key):
                return info
    return None


def is_provider_key(key: str) -> bool:
    """Whether a key belongs to a web identity provider ("token.actions.githubusercontent.com:sub",
    "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"): its prefix is the provider's URL, which no
    service prefix looks like. Its claims are the provider's; the reference lists only some."""
    prefix = key.partition(":")[0]
    return "." in prefix or "/" in prefix


# --------------------------------------------------------------------------- keys of actions


@cache
def supported_keys(
    service: str, action_name: str, resource_type_name: str | None
) -> frozenset[str]:
    """The condition keys the reference lists for an action on one of its resource types (the
    action's own keys, the row's keys and the resource type's keys), lower-cased, parameterised
    keys cut to their stem ("aws:requesttag/")."""
    entry = action(service, action_name)
    if entry is None:
        return frozenset()
    keys = set(entry.condition_keys)
    if resource_type_name is not None:
        for row in entry.resources:
            if row.name.lower() == resource_type_name.lower():
                keys.update(row.condition_keys)
        rtype = resource_type(service, resource_type_name)
        if rtype is not None:
            keys.update(rtype.condition_keys)
    return frozenset(key_stem(key) for key in keys)


def key_supported(key: str, supported: frozenset[str]) -> bool:
    """Whether a concrete key ("aws:RequestTag/team") is one of `supported` (from
    supported_keys)."""
    lowered = key.lower()
    if lowered in supported:
        return True
    return any(stem.endswith(("/", ":")) and lowered.startswith(stem) for stem in supported)


def action_key_sets(actions: Iterable[Action]) -> Iterator[frozenset[str]]:
    """supported_keys of each action: without a resource type, and on each of its types."""
    for entry in actions:
        yield supported_keys(entry.service, entry.name, None)
        for row in entry.resources:
            yield supported_keys(entry.service, entry.name, row.name)
