"""The actions a statement names: unknown-service, unknown-action; and the reference's actions
an action pattern stands for, which the resource and condition checks judge."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from harness import reference
from harness.analysis.findings import Finding
from harness.analysis.lint.context import StatementContext
from harness.analysis.lint.patterns import has_wildcard
from harness.analysis.lint.rules import UNKNOWN_ACTION, UNKNOWN_SERVICE
from harness.analysis.lint.spelling import closest
from harness.iam.wildcard import glob_match


@cache
def expand_action(pattern: str) -> tuple[reference.Action, ...]:
    """The reference's actions an action pattern of a policy matches (case-insensitively):
    one for a plain action, every match of a wildcard; () when none does. `*` alone is not
    expanded (it is every action of every service)."""
    if pattern == "*":
        return ()
    service_part, _, name_part = pattern.partition(":")
    if has_wildcard(service_part):
        prefixes = sorted(
            s for s in reference.services() if glob_match(service_part, s, ignore_case=True)
        )
    else:
        prefixes = [service_part.lower()]
    found: list[reference.Action] = []
    for prefix in prefixes:
        if has_wildcard(name_part):
            names = sorted(
                n for n in reference.action_names(prefix)
                if glob_match(name_part, n, ignore_case=True)
            )
        else:
            names = [name_part]
        for name in names:
            entry = reference.action(prefix, name)
            if entry is not None:
                found.append(entry)
    return tuple(found)


def too_wide(actions: Sequence[str]) -> bool:
    """Whether a statement's actions include every service ("*") or a wildcard service prefix
    ("*:*", "s*:Get*"): the resource and condition-key checks do not judge those."""
    return any(has_wildcard(action.partition(":")[0]) for action in actions)


def check_actions(context: StatementContext) -> Iterator[Finding]:
    """unknown-service, unknown-action: every entry of Action / NotAction."""
    statement = context.statement
    services = reference.services()
    for pattern in (statement.actions or ()) + (statement.not_actions or ()):
        if pattern == "*":
            continue
        service_part, _, name_part = pattern.partition(":")
        if has_wildcard(service_part):
            if not any(glob_match(service_part, s, ignore_case=True) for s in services):
                yield context.finding(
                    UNKNOWN_SERVICE,
                    f'"{pattern}": the service prefix {service_part} matches no service',
                    "correct the service prefix (the Service Authorization Reference lists them)",
                )
            elif not _matches_some_action(pattern):
                yield context.finding(
                    UNKNOWN_ACTION,
                    f'"{pattern}" matches no action of the services it names',
                    "correct the action name or the wildcard",
                )
            continue
        if service_part.lower() not in services:
            close = closest(service_part, services, cutoff=0.5)
            hint = f" (did you mean {close}?)" if close else ""
            yield context.finding(
                UNKNOWN_SERVICE,
                f'"{pattern}": {service_part} is not a service prefix{hint}',
                f"use {close}:{name_part}" if close else "correct the service prefix",
            )
            continue
        if expand_action(pattern):
            continue
        if has_wildcard(name_part):
            yield context.finding(
                UNKNOWN_ACTION,
                f'"{pattern}" matches no action of {service_part}',
                "correct the wildcard, or list the actions meant",
            )
            continue
        close = closest(name_part, reference.action_names(service_part.lower()), cutoff=0.7)
        hint = f" (did you mean {service_part}:{close}?)" if close else ""
        yield context.finding(
            UNKNOWN_ACTION,
            f'"{pattern}" is not an action of {service_part}{hint}',
            f"use {service_part}:{close}" if close else "correct the action name",
        )


def _matches_some_action(pattern: str) -> bool:
    """Whether a pattern with a wildcard service prefix matches some action (without expanding
    it: "*:*" would be every action of every service)."""
    service_part, _, name_part = pattern.partition(":")
    return any(
        glob_match(name_part, name, ignore_case=True)
        for service in reference.services()
        if glob_match(service_part, service, ignore_case=True)
        for name in reference.action_names(service)
    )
