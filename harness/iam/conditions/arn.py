"""ARN condition operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN

"Case-sensitive matching of the ARN. Each of the six colon-delimited components of the ARN is
checked separately and each can include multi-character match wildcards (*) or single-character
match wildcards (?). The ArnEquals and ArnLike condition operators behave identically."

So an ARN is cut at its first five colons into arn, partition, service, region, account and
resource — the resource keeps any further colons — and component i of the policy value must
match component i of the context value. A `*` therefore never spans a colon before the
resource: the page's example, pattern `arn:aws:someservice:*:111122223333:finance/*` against
`arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt`,
matches with StringLike but not with ArnLike.

A value with fewer than six components is not an ARN: as a context value it matches nothing
(for ArnNotLike too), as a policy value it never matches (iam-simulate reads both sides the same
way, src/condition/arn/arn.ts). Policy variables may be used ("You can use a policy variable
with the ARN condition operator"); their text is literal, and a colon inside `${…}` does not
cut the ARN. A policy ARN with a variable that has no value is null: ArnEquals and ArnLike never
match it, ArnNotEquals and ArnNotLike always hold against it (see base.py).

Each policy ARN becomes one anchored regex, its components joined by literal colons, in which a
wildcard before the resource cannot cross a colon (`[^:]*`): the five colons of the regex then
meet exactly the first five colons of the value, which is matching component by component.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from harness.iam.conditions.base import BaseOperator, Binder, ValueTest, constant
from harness.iam.conditions.substitution import memoize_by_variables, uses_variables
from harness.iam.context import ContextKeys
from harness.iam.variables import resolve
from harness.iam.wildcard import Parts

_COMPONENTS = 6
_VARIABLE = re.compile(r"\$\{[^}]*\}")


def split_arn(text: str, variables_enabled: bool = False) -> tuple[str, ...] | None:
    """The six components of `text`, or None if it has fewer than five colons."""
    probe = text
    if variables_enabled and "${" in text:
        # Blank out variables so that the colon in ${aws:username} is not taken as a separator.
        probe = _VARIABLE.sub(lambda match: "_" * len(match.group()), text)
    cuts: list[int] = []
    position = probe.find(":")
    while position != -1 and len(cuts) < _COMPONENTS - 1:
        cuts.append(position)
        position = probe.find(":", position + 1)
    if len(cuts) < _COMPONENTS - 1:
        return None
    starts = [0, *(cut + 1 for cut in cuts)]
    ends = [*cuts, len(text)]
    return tuple(text[start:end] for start, end in zip(starts, ends, strict=True))


def _component_regex(parts: Parts, is_resource: bool) -> str | None:
    any_run, any_one = (".*", ".") if is_resource else ("[^:]*", "[^:]")
    pieces: list[str] = []
    for text, is_pattern in parts:
        if not is_pattern:
            if ":" in text and not is_resource:
                return None  # a substituted colon: no component before the resource has one
            pieces.append(re.escape(text))
            continue
        for char in text:
            pieces.append(any_run if char == "*" else any_one if char == "?" else re.escape(char))
    return "".join(pieces)


def _arn_regex(components: Sequence[Parts]) -> str | None:
    """The regex for one policy ARN, or None if it can match no ARN."""
    regexes = [
        _component_regex(parts, index == _COMPONENTS - 1) for index, parts in enumerate(components)
    ]
    if any(regex is None for regex in regexes):
        return None
    return ":".join(regex for regex in regexes if regex is not None) + r"\Z"


@lru_cache(maxsize=4096)
def _alternation(sources: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{source})" for source in sources), re.DOTALL)


def _test_for(arn_regexes: Sequence[str | None]) -> ValueTest:
    sources = tuple(regex for regex in arn_regexes if regex is not None)
    match = _alternation(sources).match if sources else None

    def test(value: str) -> bool | None:
        if value.count(":") < _COMPONENTS - 1:
            return None  # not an ARN
        return match is not None and match(value) is not None

    return test


def compile_arn(values: tuple[str, ...], variables_enabled: bool) -> Binder:
    arns = [c for c in (split_arn(v, variables_enabled) for v in values) if c is not None]
    if not uses_variables(values, variables_enabled):
        literal = [[((component, True),) for component in arn] for arn in arns]
        return constant(_test_for([_arn_regex(components) for components in literal]))

    def bind(keys: ContextKeys) -> ValueTest:
        regexes: list[str | None] = []
        for arn in arns:
            components = [resolve(component, keys) for component in arn]
            resolved = [parts for parts in components if parts is not None]
            # An ARN with a variable that has no value is null: no ARN equals it or is like it
            # (see base.py), so it is left out.
            if len(resolved) == _COMPONENTS:
                regexes.append(_arn_regex(resolved))
        return _test_for(regexes)

    return memoize_by_variables(values, bind)


def validate(_operator: str, _values: Sequence[str]) -> str | None:
    # IAM accepts any string as an ARN operator's value; one that is not an ARN just never
    # matches, which the policy linter, not the validator, should point out.
    return None


def _operator(name: str, negated: bool = False) -> BaseOperator:
    return BaseOperator(name, compile_arn, validate, negated=negated, takes_variables=True)


OPERATORS = (
    _operator("ArnEquals"),
    _operator("ArnLike"),
    _operator("ArnNotEquals", negated=True),
    _operator("ArnNotLike", negated=True),
)
