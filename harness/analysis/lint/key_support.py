"""Service condition keys against the statement's actions: unsupported-condition-key (a key no
action of the statement supports is never in its requests)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from harness import reference
from harness.analysis.findings import Finding
from harness.analysis.lint.actions import expand_action, too_wide
from harness.analysis.lint.context import StatementContext
from harness.analysis.lint.rules import UNSUPPORTED_CONDITION_KEY
from harness.iam.conditions.registry import FOR_ALL_VALUES, parse_operator
from harness.iam.policy import Condition, Effect, Statement

# Service keys that are in the request context of other services' actions too: the "session
# properties" AWS lists among its global keys
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
# "Cross-service condition keys … available across other services").
_CROSS_SERVICE_KEYS = frozenset(
    key.lower()
    for key in (
        "ec2:RoleDelivery",
        "ec2:SourceInstanceArn",
        "glue:RoleAssumedBy",
        "glue:CredentialIssuingService",
        "codebuild:BuildArn",
        "codebuild:ProjectArn",
        "lambda:SourceFunctionArn",
        "ssm:SourceInstanceArn",
        "identitystore:UserId",
    )
)


@cache
def _listed_keys(service: str) -> tuple[frozenset[str], ...]:
    """Every key set the reference gives the actions of a service (per action and resource
    type), for knowing whether it says where a key applies at all."""
    return tuple(reference.action_key_sets(
        entry
        for name in sorted(reference.action_names(service))
        if (entry := reference.action(service, name)) is not None
    ))


def _documented_somewhere(key: str, service: str) -> bool:
    """Whether some action of the key's own service lists the key: a key the reference
    defines but attaches to no action is a gap of the reference, not of the policy."""
    return any(_supports(keys, key) for keys in _listed_keys(service))


def _supports(keys: frozenset[str], key: str) -> bool:
    """`reference.key_supported`, also reading the reference's literal "tag-key" as the tag key
    it stands for (Systems Manager lists "ssm:resourceTag/tag-key" beside
    "ssm:resourceTag/${TagKey}")."""
    if reference.key_supported(key, keys):
        return True
    lowered = key.lower()
    return any(
        stem.endswith("/tag-key") and lowered.startswith(stem.removesuffix("tag-key"))
        for stem in keys
    )


def _lists_keys(entry: reference.Action) -> bool:
    """Whether the reference gives the action any condition key, its own or a resource
    type's (AWS Marketplace's Subscribe lists none, yet AWS's own policies test
    aws-marketplace:ProductId on it: an empty list is a gap, not a promise)."""
    return any(keys for keys in reference.action_key_sets((entry,)))


def check_key_support(context: StatementContext) -> Iterator[Finding]:
    """unsupported-condition-key: a service key (not aws:, not a web identity provider's) that
    no action of the statement supports. Statements with NotAction, every action ("*") or a
    wildcard service prefix, or an action the reference does not know, are not judged."""
    statement = context.statement
    if not statement.actions or too_wide(statement.actions):
        return
    expanded = [expand_action(pattern) for pattern in statement.actions]
    if not all(expanded):
        return
    actions = [entry for entries in expanded for entry in entries]
    if any(not _lists_keys(entry) for entry in actions):
        return  # an action the reference gives no key at all: its keys are unknown, not none
    supported: list[frozenset[str]] | None = None
    for condition in statement.conditions:
        key = condition.key
        service = key.partition(":")[0].lower()
        if service == "aws" or key.lower() in _CROSS_SERVICE_KEYS:
            continue  # keys of every service's requests
        if service not in reference.services() or reference.known_key(key) is None:
            continue  # unknown-condition-key's, or an identity provider's
        if not _documented_somewhere(key, service):
            continue
        if supported is None:
            supported = list(reference.action_key_sets(actions))
        if any(_supports(keys, key) for keys in supported):
            continue
        yield context.finding(
            UNSUPPORTED_CONDITION_KEY,
            f"{condition.operator}: no action of the statement ({_action_list(statement)}) "
            f"supports {key}, so requests never have it: {_consequence(statement, condition)}",
            f"move the condition to a statement of the actions that take {key} "
            f"({_takers(key, service)}), or use a key these actions support",
        )


def _consequence(statement: Statement, condition: Condition) -> str:
    """What a condition on a key that is never there does to its statement."""
    if _holds_without_key(condition):
        return ("the condition is always true and restricts nothing"
                if statement.effect is Effect.ALLOW
                else "the condition is always true and the statement denies every request")
    return ("the condition is always false and the statement never grants"
            if statement.effect is Effect.ALLOW
            else "the condition is always false and the statement never denies")


def _holds_without_key(condition: Condition) -> bool:
    """Whether a condition is true when its key is missing (…IfExists, negated operators,
    Null "true")."""
    operator = parse_operator(condition.operator)
    if operator is None:
        return False
    if operator.base is None:
        return any(v.lower() == "true" for v in condition.values)
    return operator.if_exists or operator.negated or operator.qualifier == FOR_ALL_VALUES


def _action_list(statement: Statement) -> str:
    actions = statement.actions or ()
    return ", ".join(actions[:3]) + (", …" if len(actions) > 3 else "")


def _takers(key: str, service: str) -> str:
    """A few actions of the key's service that support it, for the fix: those that list it
    as their own key first, then those that take it through one of their resource types."""
    own: list[str] = []
    typed: list[str] = []
    for name in sorted(reference.action_names(service)):
        entry = reference.action(service, name)
        if entry is None:
            continue
        if _supports(reference.supported_keys(service, entry.name, None), key):
            own.append(f"{service}:{entry.name}")
        elif any(_supports(keys, key) for keys in reference.action_key_sets((entry,))):
            typed.append(f"{service}:{entry.name}")
    names = own + typed
    return ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
