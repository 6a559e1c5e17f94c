"""Actions of AWS's Service Authorization Reference: each action's access level, the resource
types it applies to (the reference's "Resource types" column) and its own condition keys.

https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from harness.reference.loader import service_file


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


@cache
def _actions(service: str) -> dict[str, dict[str, Any]]:
    """Lower-cased action name → the reference's entry."""
    return service_file("actions", service)


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
