"""PolicyExclusionList: the principal's policies SimulatePrincipalPolicy leaves out.

"Syntactically invalid identifiers, such as malformed ARNs or wildcards in disallowed
positions, cause the request to fail with an InvalidInput error. Syntactically valid
identifiers that don't match any attached policy are ignored."
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.gateway.simulator.errors import invalid
from harness.gateway.simulator.params import numbered

_MAX_EXCLUSIONS = 256
_EXCLUSION_TYPES = frozenset(
    {"inline", "aws-managed", "user-managed", "permission-boundary", "scp", "rcp"}
)
_POLICY_NAME = re.compile(r"[\w+=,.@-]+")


@dataclass(frozen=True, slots=True)
class _Identifier:
    """One PolicyIdentifier of PolicyExclusionList (exactly one of the three is set)."""

    policy_type: str | None = None
    arn: re.Pattern[str] | None = None
    inline: tuple[str, str, re.Pattern[str]] | None = None
    """(policy name, attachment type, attachment name pattern)"""


@dataclass(frozen=True, slots=True)
class PolicyExclusionList:
    identifiers: tuple[_Identifier, ...] = ()

    @staticmethod
    def read(params: Mapping[str, Any]) -> PolicyExclusionList:
        members = numbered(params, "PolicyExclusionList")
        if len(members) > _MAX_EXCLUSIONS:
            raise invalid(f"PolicyExclusionList: at most {_MAX_EXCLUSIONS} identifiers")
        return PolicyExclusionList(tuple(_identifier(field, value) for field, value in members))

    def excludes_type(self, policy_type: str) -> bool:
        """PolicyType: inline | aws-managed | user-managed | permission-boundary | scp | rcp."""
        return any(e.policy_type == policy_type for e in self.identifiers)

    def excludes_arn(self, arn: str) -> bool:
        return any(e.arn is not None and e.arn.fullmatch(arn) for e in self.identifiers)

    def excludes_inline(self, name: str, kind: str, entity: str) -> bool:
        """The inline policy `name` of the user, group or role (`kind`) named `entity`."""
        return any(e.inline is not None and e.inline[:2] == (name, kind)
                   and e.inline[2].fullmatch(entity) for e in self.identifiers)


def _identifier(field: str, identifier: Any) -> _Identifier:
    given = ({k: v for k, v in identifier.items() if v is not None}
             if isinstance(identifier, Mapping) else {})
    if len(given) != 1:
        raise invalid(f"{field}: give exactly one of PolicyType, PolicyArn and "
                      "InlinePolicyIdentifier")
    (kind, value), = given.items()
    if kind == "PolicyType" and value in _EXCLUSION_TYPES:
        return _Identifier(policy_type=value)
    if kind == "PolicyArn" and isinstance(value, str):
        return _Identifier(arn=_arn_pattern(value, field))
    if kind == "InlinePolicyIdentifier" and isinstance(value, Mapping):
        return _Identifier(inline=_inline_identifier(value, field))
    raise invalid(f"{field}: {kind} {value!r} is not a policy identifier")


def _arn_pattern(arn: str, field: str) -> re.Pattern[str]:
    """"Wildcard characters are supported in the resource name portion of the ARN ...: use at
    most one * ... and any number of ?"."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2] or "/" not in parts[5]:
        raise invalid(f"{field}: '{arn}' is not a policy ARN")
    head, name = ":".join(parts[:5]) + ":" + parts[5].split("/", 1)[0], parts[5].split("/", 1)[1]
    if any(c in head for c in "*?") or name.count("*") > 1:
        raise invalid(f"{field}: '{arn}' has a wildcard where none is allowed (only in the "
                      "resource name, and at most one *)")
    return re.compile(re.escape(head) + "/" + _wildcards(name))


def _inline_identifier(value: Mapping[str, Any], field: str) -> tuple[str, str, re.Pattern[str]]:
    name, kind, entity = (value.get("PolicyName"), value.get("AttachmentType"),
                          value.get("AttachmentName"))
    if not (isinstance(name, str) and _POLICY_NAME.fullmatch(name)):
        raise invalid(f"{field}.InlinePolicyIdentifier.PolicyName: '{name}' is not a policy name")
    if kind not in ("user", "group", "role"):
        raise invalid(f"{field}.InlinePolicyIdentifier.AttachmentType: must be user, group or "
                      "role")
    if not (isinstance(entity, str) and re.fullmatch(r"[\w+=,.@*?-]+", entity)
            and entity.count("*") <= 1):
        raise invalid(f"{field}.InlinePolicyIdentifier.AttachmentName: '{entity}' is not a "
                      "name (wildcards: at most one *, any number of ?)")
    return name, kind, re.compile(_wildcards(entity))


def _wildcards(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
