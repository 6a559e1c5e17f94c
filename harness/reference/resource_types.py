"""Resource types of AWS's Service Authorization Reference: the ARN template of each, and the
condition keys that come with it.

https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from harness.reference.loader import service_file

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


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = _VARIABLE.split(template)
    pattern = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pattern += re.escape(part)
        elif part == "ObjectName" or part.endswith(("WithPath", "Path")):
            pattern += ".+"  # object keys and IAM paths span '/'
        elif part in ENVIRONMENT_VARIABLES:
            pattern += "[^:]*"
        else:
            pattern += "[^:/]+"
    return re.compile(pattern)


@cache
def _resource_types(service: str) -> dict[str, dict[str, Any]]:
    data = service_file("resourceTypes", service)
    # Action rows sometimes spell a type with other capitals ("eventSourceMapping").
    return {name.lower(): entry for name, entry in data.items()}


@cache
def resource_type(service: str, name: str) -> ResourceType | None:
    """The reference's resource type `name` of `service` (both case-insensitive), or None."""
    entry = _resource_types(service).get(name.lower())
    if entry is None:
        return None
    return ResourceType(
        service=service.lower(),
        name=entry["key"],
        arn=entry["arn"],
        condition_keys=tuple(entry.get("conditionKeys", ())),
    )
