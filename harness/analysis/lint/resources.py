"""The resources a statement names against its actions' resource types: resource-type-mismatch,
action-without-resource-types."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from harness import reference
from harness.analysis.findings import Finding
from harness.analysis.lint.actions import expand_action, too_wide
from harness.analysis.lint.context import StatementContext
from harness.analysis.lint.patterns import arn_pattern_fits
from harness.analysis.lint.rules import ACTION_WITHOUT_RESOURCE_TYPES, RESOURCE_TYPE_MISMATCH


def _fits(entry: reference.Action, pattern: str) -> bool:
    """Whether the action can apply to some resource matching the policy ARN `pattern`."""
    if not entry.resources:
        return False
    for row in entry.resources:
        rtype = reference.resource_type(entry.service, row.name)
        if rtype is None or arn_pattern_fits(pattern, rtype.arn):
            return True  # a type the reference does not describe: assume it fits
    return False


def _type_names(entries: Sequence[reference.Action]) -> str:
    templates: list[str] = []
    for entry in entries:
        for row in entry.resources:
            rtype = reference.resource_type(entry.service, row.name)
            if rtype is not None and rtype.arn not in templates:
                templates.append(rtype.arn)
    shown = ", ".join(templates[:4]) + (", …" if len(templates) > 4 else "")
    return shown


def check_resources(context: StatementContext) -> Iterator[Finding]:
    """resource-type-mismatch, action-without-resource-types: Action × Resource."""
    statement = context.statement
    patterns = statement.resources
    actions = statement.actions
    if not patterns or not actions or "*" in patterns or too_wide(actions):
        return
    expanded = {pattern: expand_action(pattern) for pattern in actions}
    all_fine = True
    for pattern, entries in expanded.items():
        if not entries:
            continue  # unknown: check_actions reports it
        if not any(entry.resources for entry in entries):
            all_fine = False
            what = f'"{pattern}"' if len(entries) == 1 else f'every action "{pattern}" matches'
            yield context.finding(
                ACTION_WITHOUT_RESOURCE_TYPES,
                f"{what} supports no resource-level permissions, but the statement names "
                f"only specific resources ({', '.join(patterns)}): it never applies to it",
                'move the action to a statement with "Resource": "*"',
            )
            continue
        if any(_fits(entry, resource) for entry in entries for resource in patterns):
            continue
        all_fine = False
        typed = [entry for entry in entries if entry.resources]
        yield context.finding(
            RESOURCE_TYPE_MISMATCH,
            f'no resource of the statement ({", ".join(patterns)}) fits "{pattern}", which '
            f"applies to {_type_names(typed)}",
            "name a resource of the action's type (e.g. an object ARN bucket/* for object "
            "actions), or move the action to a statement about its resources",
        )
    if not all_fine:
        return
    known = [entry for entries in expanded.values() for entry in entries]
    if not known:
        return
    for resource in patterns:
        if not any(_fits(entry, resource) for entry in known):
            yield context.finding(
                RESOURCE_TYPE_MISMATCH,
                f'resource "{resource}" fits none of the resource types of the statement\'s '
                f"actions ({_type_names(known)}): it applies to nothing",
                "remove the resource, or correct it to an ARN of a type the actions take",
            )
