"""Does a statement's Action / Resource element cover the request?

- Actions match case-insensitively, with `*` and `?` wildcards:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resources are ARNs matched segment by segment (partition, service, region, account, resource):
  a wildcard stays inside its segment, except in the resource segment, which may itself contain
  colons and slashes. Matching is case-sensitive.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
  A request with no specific resource (resource "*") is covered only by `"*"`.

Every pattern list compiles once into one regex (an alternation), cached by the tuple itself,
because the same statements are matched against thousands of requests.
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.iam.context import ContextKeys
from harness.iam.variables import has_variables, resolve
from harness.iam.wildcard import parts_match

_IN_SEGMENT = ("[^:]*", "[^:]")
_TO_END = (".*", ".")


def _glob(text: str, wildcards: tuple[str, str]) -> str:
    star, one = wildcards
    return "".join(star if c == "*" else one if c == "?" else re.escape(c) for c in text)


def _action_regex(pattern: str) -> str:
    return _glob(pattern, _TO_END)


def _resource_regex(pattern: str) -> str:
    if pattern == "*":
        return ".*"
    segments = pattern.split(":", 5)
    if len(segments) < 6:
        # A pattern cut short (e.g. "arn:aws:s3:*"): its last segment's wildcard runs to the end.
        head = [_glob(s, _IN_SEGMENT) for s in segments[:-1]]
        return ":".join([*head, _glob(segments[-1], _TO_END)])
    head = [_glob(s, _IN_SEGMENT) for s in segments[:5]]
    return ":".join([*head, _glob(segments[5], _TO_END)])


@lru_cache(maxsize=8192)
def compiled_actions(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a list of action patterns; an empty list matches nothing."""
    if not patterns:
        return re.compile(r"(?!)")
    body = "|".join(_action_regex(p) for p in patterns)
    return re.compile(f"(?:{body})\\Z", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=8192)
def _compiled_resources(patterns: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(_resource_regex(p) for p in patterns)
    return re.compile(f"(?:{body})\\Z", re.DOTALL)


def action_matches(patterns: tuple[str, ...], action: str) -> bool:
    return compiled_actions(patterns).match(action) is not None


@lru_cache(maxsize=8192)
def _split_variables(patterns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(patterns without policy variables, patterns with them)."""
    with_variables = tuple(p for p in patterns if has_variables(p))
    return tuple(p for p in patterns if p not in with_variables), with_variables


def resource_matches(
    patterns: tuple[str, ...], resource: str, keys: ContextKeys, variables_enabled: bool
) -> bool:
    """True if any pattern covers `resource`. Patterns holding policy variables are resolved
    against the request; one that cannot resolve covers nothing (AWS: the match fails)."""
    if resource == "*":
        return "*" in patterns
    plain, with_variables = _split_variables(patterns) if variables_enabled else (patterns, ())
    for pattern in with_variables:
        parts = resolve(pattern, keys)
        if parts is not None and parts_match(parts, resource):
            return True
    return bool(plain) and _compiled_resources(plain).match(resource) is not None
