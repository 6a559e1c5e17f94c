"""A diff (`harness.analysis.diff`) as text, for a person; as JSON; and as SARIF findings,
waived changes suppressed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.analysis.diff_result import Change, DiffResult, StatementRef, Waiver
from harness.analysis.findings import Finding, Rule, Severity, to_sarif
from harness.landscape.loader import LANDSCAPE_FILE

RULES = (
    Rule("access-added", Severity.SECURITY, "Access added",
         "The change lets a principal do something it could not before. Review it; if it is "
         "meant but temporary, waive it with an owner, a reason and an expiry."),
    Rule("access-removed", Severity.SUGGESTION, "Access removed",
         "The change takes access away. Check that nothing relied on it."),
)


def _where(statement: StatementRef) -> str:
    if statement.file is None:
        return statement.describe()
    version = " (base)" if statement.base else ""
    return f"{statement.describe()} at {_display(statement.file)}:{statement.line}{version}"


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _grouped(changes: Sequence[Change]) -> dict[str, dict[str, list[Change]]]:
    groups: dict[str, dict[str, list[Change]]] = {}
    for change in changes:
        groups.setdefault(change.principal_label, {}).setdefault(change.resource, []).append(
            change)
    return groups


def _section(title: str, sign: str, changes: Sequence[Change]) -> list[str]:
    lines = [f"{title}: {len(changes) or 'none'}"]
    for principal, resources in _grouped(changes).items():
        lines.append(f"  {principal}")
        for resource, items in resources.items():
            lines.append(f"    {resource}")
            for change in items:
                context = f" [{change.context}]" if change.context else ""
                lines.append(f"      {sign} {change.action}{context}")
                lines.append(f"          {change.why} "
                             + ("; ".join(_where(s) for s in change.statements) or "-"))
                if change.waiver is not None:
                    lines.append(f"          waived until {change.waiver.expires} "
                                 f"({change.waiver.owner}): {change.waiver.reason}")
    return lines


def render_text(result: DiffResult, base: str) -> str:
    lines = [f"securecart diff: working tree against {base}; "
             f"{result.request_space} requests", ""]
    lines += _section("Access added", "+", result.added)
    lines += ["", *_section("Access removed", "-", result.removed)]
    for waiver in result.expired_waivers:
        lines.append(f"  note: waiver [{waiver.index}] for {waiver.principal} {waiver.action} "
                     f"{waiver.resource} expired on {waiver.expires}")
    verdict = (f"{len(result.unwaived)} added access(es) not waived"
               if result.unwaived else "no unwaived access added")
    lines += ["", f"result: {verdict}, {len(result.waived)} waived, {len(result.removed)} "
              f"removed (exit {result.exit_status})"]
    return "\n".join(lines) + "\n"


def _statement_json(statement: StatementRef) -> dict[str, Any]:
    return {
        "policy": statement.policy,
        "policy_type": statement.policy_type,
        "statement": statement.statement,
        "index": statement.index,
        "effect": statement.effect,
        "file": None if statement.file is None else _display(statement.file),
        "line": None if statement.file is None else statement.line,
        "base": statement.base,
    }


def _waiver_json(waiver: Waiver) -> dict[str, Any]:
    return {"principal": waiver.principal, "action": waiver.action, "resource": waiver.resource,
            "owner": waiver.owner, "reason": waiver.reason, "expires": waiver.expires.isoformat()}


def change_json(change: Change) -> dict[str, Any]:
    return {
        "principal": change.principal_label,
        "principal_arn": change.principal,
        "action": change.action,
        "resource": change.resource,
        "context": change.context,
        "why": change.why,
        "statements": [_statement_json(s) for s in change.statements],
        "waiver": None if change.waiver is None else _waiver_json(change.waiver),
    }


def to_json(result: DiffResult, base: str) -> dict[str, Any]:
    return {
        "base": base,
        "added": [change_json(c) for c in result.unwaived],
        "removed": [change_json(c) for c in result.removed],
        "waived": [change_json(c) for c in result.waived],
        "expired_waivers": [_waiver_json(w) for w in result.expired_waivers],
        "request_space": result.request_space,
        "exit_status": result.exit_status,
    }


def to_findings(result: DiffResult, landscape: Path) -> list[Finding]:
    """One finding per change, located at the first responsible statement with a file (else
    the landscape file)."""
    findings: list[Finding] = []
    for change in (*result.added, *result.removed):
        located = next((s for s in change.statements if s.file is not None), None)
        added = change.kind == "added"
        context = f" [{change.context}]" if change.context else ""
        message = (f"{change.principal_label} {'may now' if added else 'may no longer'} "
                   f"{change.action} on {change.resource}{context}; {change.why} "
                   + ("; ".join(s.describe() for s in change.statements) or "-"))
        findings.append(Finding(
            rule="access-added" if added else "access-removed",
            severity=Severity.SECURITY if added else Severity.SUGGESTION,
            file=located.file if located is not None and located.file is not None
            else landscape / LANDSCAPE_FILE,
            statement=located.index if located is not None else None,
            sid=located.statement if located is not None else None,
            message=message,
            line=located.line if located is not None else None,
            fix="remove the grant, or waive it (owner, reason, expiry) if it is meant"
            if added else "check that nothing relied on this access",
        ))
    return findings


def sarif(result: DiffResult, landscape: Path) -> dict[str, Any]:
    document = to_sarif("securecart-diff", RULES, to_findings(result, landscape))
    waived = {id(c) for c in result.waived}
    changes = (*result.added, *result.removed)
    for change, entry in zip(changes, document["runs"][0]["results"], strict=True):
        if id(change) in waived and change.waiver is not None:
            entry["suppressions"] = [{
                "kind": "external", "status": "accepted",
                "justification": f"{change.waiver.reason} (owner: {change.waiver.owner}, "
                                 f"until {change.waiver.expires})",
            }]
    return document
