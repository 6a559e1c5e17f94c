"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, the `${*}` `${?}` `${$}`
escapes and the default-value form `${aws:userid, 'anonymous'}`.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

A variable whose key is absent from the request, null (present with no value or only an empty
string: `harness.iam.context.present_values`, the reading every condition operator shares), or
multivalued (such keys cannot be used as variables) is unresolvable; AWS says "any attempt to
match it fails", so `resolve` returns None and the caller treats the value as matching nothing.
The default-value form stands in for a null key as for a missing one. Variables are substituted
only under policy Version 2012-10-17; under 2008-10-17 the text is literal.
"""

from __future__ import annotations

import re

from harness.iam.context import ContextKeys, present_values
from harness.iam.wildcard import Parts

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def has_variables(text: str) -> bool:
    return "${" in text and _VARIABLE.search(text) is not None


def variable_keys(text: str) -> list[str]:
    """The context keys a text refers to through variables (escapes excluded)."""
    keys = []
    for match in _VARIABLE.finditer(text):
        body = match.group(1).strip()
        if body in _ESCAPES:
            continue
        default = _DEFAULT.match(body)
        keys.append(default.group(1) if default else body)
    return keys


def resolve(text: str, keys: ContextKeys) -> Parts | None:
    """Split `text` into policy text and substituted values, or None if a variable can't resolve."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], True))
        value = _substitute(match.group(1), keys)
        if value is None:
            return None
        parts.append((value, False))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], True))
    return tuple(parts)


def resolve_literal(text: str, keys: ContextKeys) -> str | None:
    """The text with variables substituted, for operators that take no wildcards."""
    parts = resolve(text, keys)
    return None if parts is None else "".join(part for part, _ in parts)


def _substitute(body: str, keys: ContextKeys) -> str | None:
    stripped = body.strip()
    if stripped in _ESCAPES:
        return _ESCAPES[stripped]
    default_form = _DEFAULT.match(stripped)
    name, default = (
        (default_form.group(1), default_form.group(2)) if default_form else (stripped, None)
    )
    values = present_values(keys.get_values(name))
    if len(values) == 1 and not keys.is_multivalued(name):
        return values[0]
    return default
