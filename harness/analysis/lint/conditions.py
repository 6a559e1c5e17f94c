"""The conditions of a statement: unknown-condition-key, condition-type-mismatch, and the set
operators against the key's kind (forallvalues-with-single-valued-key,
foranyvalue-with-single-valued-key, missing-set-operator)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from harness import reference
from harness.analysis.findings import Finding
from harness.analysis.lint.actions import expand_action, too_wide
from harness.analysis.lint.context import StatementContext
from harness.analysis.lint.rules import (
    CONDITION_TYPE_MISMATCH,
    FORALLVALUES_SINGLE_VALUED,
    FORANYVALUE_SINGLE_VALUED,
    MISSING_SET_OPERATOR,
    UNKNOWN_CONDITION_KEY,
)
from harness.analysis.lint.spelling import closest
from harness.iam.conditions.registry import FOR_ALL_VALUES, FOR_ANY_VALUE, parse_operator
from harness.iam.policy import Condition, Effect


def _key_type(key: str) -> str | None:
    """A key's type: by its stem (as the gateway reads it), else by the documented key it
    matches (an identity provider's keys are sts's)."""
    return reference.condition_key_type(key) or (
        info.type if (info := reference.known_key(key)) is not None else None
    )


def _key_candidates(key: str, actions: Sequence[reference.Action]) -> list[str]:
    """Spellings to suggest for an unknown key: the global keys, its service's keys, and the
    keys the statement's actions list."""
    service = key.lower().partition(":")[0]
    names = list(reference.GLOBAL_KEYS)
    names.extend(info.name for _, info in reference.service_keys(service))
    for entry in actions:
        names.extend(entry.condition_keys)
        for row in entry.resources:
            names.extend(row.condition_keys)
    return names


_FAMILY_TYPES = {
    # operator family -> the key types (without "ArrayOf") it fits; String and Null fit any
    "Numeric": frozenset({"Numeric"}),
    "Date": frozenset({"Date"}),
    "Bool": frozenset({"Bool"}),
    "IpAddress": frozenset({"IPAddress"}),
    "Arn": frozenset({"ARN", "String"}),
}


# Keys AWS documents for more than their type's operators: "aws:EpochTime … Use this key with
# date condition operators or numeric condition operators" (global condition keys page).
_EXTRA_FAMILIES = {"aws:epochtime": frozenset({"Numeric"})}


def _family(base_name: str) -> str | None:
    if base_name in ("IpAddress", "NotIpAddress"):
        return "IpAddress"
    for family in ("Numeric", "Date", "Bool", "Arn"):
        if base_name.startswith(family):
            return family
    return None


def check_conditions(context: StatementContext) -> Iterator[Finding]:
    """unknown-condition-key, condition-type-mismatch."""
    statement = context.statement
    actions: list[reference.Action] = []
    if statement.actions and not too_wide(statement.actions):
        for pattern in statement.actions:
            actions.extend(expand_action(pattern))
    supported: list[frozenset[str]] | None = None
    for condition in statement.conditions:
        info = reference.known_key(condition.key)
        if info is None and not reference.is_provider_key(condition.key):
            if supported is None:
                supported = list(reference.action_key_sets(actions))
            if any(reference.key_supported(condition.key, keys) for keys in supported):
                continue
            close = closest(condition.key, _key_candidates(condition.key, actions))
            hint = f" (did you mean {close}?)" if close else ""
            yield context.finding(
                UNKNOWN_CONDITION_KEY,
                f"{condition.operator}: {condition.key} is not a known condition key{hint}",
                f"use {close}" if close else "use a global aws: key or a key of the service "
                "(the Service Authorization Reference lists them)",
            )
            continue
        yield from _check_operator_type(context, condition)


def _check_operator_type(context: StatementContext, condition: Condition) -> Iterator[Finding]:
    operator = parse_operator(condition.operator)
    if operator is None or operator.base is None:
        return
    family = _family(operator.base.name)
    the_type = _key_type(condition.key)
    if family is None or the_type is None:
        return
    base_type = the_type.removeprefix("ArrayOf")
    if base_type in _FAMILY_TYPES[family]:
        return
    if family in _EXTRA_FAMILIES.get(condition.key.lower(), ()):
        return
    suggestion = _operator_for(base_type)
    yield context.finding(
        CONDITION_TYPE_MISMATCH,
        f"{condition.operator} compares {family} values, but {condition.key} is of type "
        f"{the_type}: the condition does not test what the key holds",
        f"use a {suggestion} operator" if suggestion else "use an operator of the key's type",
    )


def _operator_for(key_type_name: str) -> str | None:
    return {
        "String": "String",
        "ARN": "Arn",
        "Numeric": "Numeric",
        "Date": "Date",
        "Bool": "Bool",
        "IPAddress": "IpAddress",
    }.get(key_type_name)


# --------------------------------------------------------------------------- set operators

# Keys whose kind the reference gets wrong or leaves out. Cognito's "amr" claim is a list
# ("one of the members of the array of the multivalued amr claim", Amazon Cognito Developer
# Guide, "Role trust and permissions"), typed String in the reference. A web identity
# provider's "sub" claim is one string (OpenID Connect Core 1.0, ID Token: "sub … A locally
# unique … identifier"); AWS's reference lists no type for most providers' keys (GitHub's
# ForAllValues on token.actions.githubusercontent.com:sub was Access Analyzer's classic
# "ForAllValues with single valued key", github/docs#17463).
_MULTIVALUED_KEYS = frozenset({"cognito-identity.amazonaws.com:amr"})
_SINGLE_VALUED_CLAIMS = ("sub",)


def _multivalued(key: str) -> bool | None:
    """Whether a key can hold several values in one request (True), at most one (False), or
    None when the reference does not say. AWS: "Multivalued context keys in the Service
    Authorization Reference use an ArrayOf prefix"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)."""
    lowered = key.lower()
    if lowered in _MULTIVALUED_KEYS:
        return True
    the_type = _key_type(key)
    if the_type is not None:
        return the_type.startswith("ArrayOf")
    if reference.is_provider_key(key) and lowered.rpartition(":")[2] in _SINGLE_VALUED_CLAIMS:
        return False
    return None


def check_set_operators(context: StatementContext) -> Iterator[Finding]:
    """forallvalues-with-single-valued-key, foranyvalue-with-single-valued-key,
    missing-set-operator."""
    for condition in context.statement.conditions:
        operator = parse_operator(condition.operator)
        if operator is None:
            continue
        multivalued = _multivalued(condition.key)
        if multivalued is None:
            continue  # a key the reference does not type: unknown-condition-key's, or unknowable
        if operator.qualifier is None and multivalued and operator.base is not None:
            yield _missing_set_operator(context, condition)
        elif operator.qualifier is not None and not multivalued:
            yield _set_operator_on_single_value(context, condition, operator.qualifier)


def _unqualified(written: str) -> str:
    return written.rpartition(":")[2]


def _set_operator_on_single_value(
    context: StatementContext, condition: Condition, qualifier: str
) -> Finding:
    plain = _unqualified(condition.operator)
    if qualifier == FOR_ALL_VALUES:
        effect = ("an Allow it guards also grants requests without the key"
                  if context.statement.effect is Effect.ALLOW
                  else "it also holds for requests without the key")
        return context.finding(
            FORALLVALUES_SINGLE_VALUED,
            f"{condition.operator}: {condition.key} is single-valued, and ForAllValues is true "
            f"when the request has no value for it: {effect}",
            f"use {plain}",
        )
    negated = (operator := parse_operator(condition.operator)) is not None and operator.negated
    behaviour = (f"for requests without the key it is false where {plain} is true"
                 if negated else f"it tests the one value as {plain} does, and misleads")
    return context.finding(
        FORANYVALUE_SINGLE_VALUED,
        f"{condition.operator}: {condition.key} is single-valued and set operators are for "
        f"multivalued keys: {behaviour}",
        f"use {plain}",
    )


def _missing_set_operator(context: StatementContext, condition: Condition) -> Finding:
    operator = condition.operator
    return context.finding(
        MISSING_SET_OPERATOR,
        f"{operator}: {condition.key} is multivalued ({_key_type(condition.key) or 'a list'}): "
        "without ForAnyValue or ForAllValues the condition does not say how the request's "
        "values compare with the policy's",
        f"use {FOR_ANY_VALUE}:{operator} (some value matches) or {FOR_ALL_VALUES}:{operator} "
        "(every value matches; it also holds without the key, so pair it with a Null check)",
    )
