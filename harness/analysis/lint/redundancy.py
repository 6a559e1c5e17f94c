"""Statements another statement of the same policy makes redundant: redundant-statement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from harness.analysis.findings import Finding
from harness.analysis.lint.patterns import covers
from harness.analysis.lint.rules import REDUNDANT_STATEMENT, SEVERITY
from harness.iam.policy import Policy, Statement


def _condition_set(statement: Statement) -> frozenset[tuple[str, str, frozenset[str]]]:
    return frozenset(
        (condition.operator, condition.key.lower(), frozenset(condition.values))
        for condition in statement.conditions
    )


def _elementcovers(
    wide: tuple[str, ...] | None, narrow: tuple[str, ...] | None, ignore_case: bool
) -> bool:
    if wide is None or narrow is None:
        return False
    return all(any(covers(w, n, ignore_case) for w in wide) for n in narrow)


def statementcovers(wide: Statement, narrow: Statement) -> bool:
    """Whether `wide` makes `narrow` redundant: same effect and principal, actions and
    resources that include `narrow`'s (NotAction / NotResource: the same lists), and the same
    conditions or none."""
    if wide.effect is not narrow.effect:
        return False
    if wide.principal != narrow.principal or wide.not_principal != narrow.not_principal:
        return False
    if wide.conditions and _condition_set(wide) != _condition_set(narrow):
        return False
    if wide.not_actions is not None or narrow.not_actions is not None:
        if _as_set(wide.not_actions, True) != _as_set(narrow.not_actions, True):
            return False
    elif not _elementcovers(wide.actions, narrow.actions, ignore_case=True):
        return False
    if wide.not_resources is not None or narrow.not_resources is not None:
        return _as_set(wide.not_resources, False) == _as_set(narrow.not_resources, False)
    if wide.resources is None and narrow.resources is None:
        return True  # trust policies
    return _elementcovers(wide.resources, narrow.resources, ignore_case=False)


def _as_set(values: tuple[str, ...] | None, ignore_case: bool) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset(v.lower() if ignore_case else v for v in values)


def check_redundant(policy: Policy, file: Path) -> Iterator[Finding]:
    """redundant-statement: for each statement another one makes redundant (of two equivalent
    statements, the later)."""
    statements = policy.statements
    for narrow in statements:
        for wide in statements:
            if wide is narrow or not statementcovers(wide, narrow):
                continue
            if wide.index > narrow.index and statementcovers(narrow, wide):
                continue  # equivalent: the later one is reported
            same = statementcovers(narrow, wide)
            yield Finding(
                rule=REDUNDANT_STATEMENT,
                severity=SEVERITY[REDUNDANT_STATEMENT],
                file=file,
                statement=narrow.index,
                sid=narrow.sid,
                message=f"{'duplicates' if same else 'is covered by'} {wide.label} "
                f"(same effect{', same conditions' if wide.conditions else ''}, "
                f"{'the same' if same else 'wider'} actions and resources)",
                fix=f"remove it, or merge what it adds into {wide.label}",
            )
            break
