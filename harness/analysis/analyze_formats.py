"""An analysis (`harness.analysis.analyze`) as text, for a person, and as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.analysis.analyze import EXIT_OK, Analysis
from harness.analysis.credentials import render_report, report_json
from harness.analysis.external import ExternalFinding
from harness.analysis.privesc import EscalationPath

# --------------------------------------------------------------------------- text


def _finding_lines(finding: ExternalFinding) -> list[str]:
    lines = [
        f"  {finding.account} {finding.resource_kind} {finding.resource}",
        f"    {finding.principal_label} may {', '.join(finding.actions)}",
        f"    granted by {', '.join(finding.statements)}"
        + (f" if {'; '.join(finding.conditions)}" if finding.conditions else ""),
    ]
    if finding.archive is not None:
        lines.append(f"    archived ({finding.archive.owner}): {finding.archive.reason}")
    return lines


def _section(title: str, findings: Sequence[ExternalFinding]) -> list[str]:
    lines = [f"{title}: {len(findings) or 'none'}"]
    for finding in findings:
        lines += _finding_lines(finding)
    return lines


def _path_lines(path: EscalationPath) -> list[str]:
    lines = [
        f"  {path.principal} → {path.target}",
        f"    may then do in {path.account} what {path.principal} may not: "
        f"{', '.join(path.gains)}",
    ]
    for number, step in enumerate(path.steps, 1):
        lines.append(f"    {number}. {step.describe()}")
        if step.allowed_by:
            lines.append(f"       allowed by {'; '.join(step.allowed_by)}")
    return lines


def render_text(analysis: Analysis) -> str:
    private = [f for f in analysis.external if not f.public]
    public = [f for f in analysis.external if f.public]
    lines = [f"securecart analyze: landscape {analysis.landscape}", ""]
    lines += _section("External access, active", [f for f in private if f.archive is None])
    lines += _section("External access, archived", [f for f in private if f.archive])
    lines += _section("Public access, active", [f for f in public if f.archive is None])
    lines += _section("Public access, archived", [f for f in public if f.archive])
    for entry in analysis.stale_archive:
        lines.append(f"  note: archive entry for {entry.principal} on {entry.resource} "
                     "archives nothing (the access is gone)")
    lines += ["", f"Privilege-escalation paths: {len(analysis.paths) or 'none'}"]
    for path in analysis.paths:
        lines += _path_lines(path)
    if analysis.credentials is not None:
        lines += ["", "Credential report:", render_report(analysis.credentials).rstrip()]
    verdict = "nothing found" if analysis.exit_status == EXIT_OK else (
        f"{len(analysis.active)} active external-access finding(s), "
        f"{len(analysis.paths)} escalation path(s)")
    lines += ["", f"result: {verdict} (exit {analysis.exit_status})"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- JSON


def _finding_json(finding: ExternalFinding) -> dict[str, Any]:
    archive = finding.archive
    return {
        "status": finding.status,
        "public": finding.public,
        "resource": finding.resource,
        "resource_type": finding.resource_kind,
        "account": finding.account,
        "principal": finding.principal,
        "actions": list(finding.actions),
        "statements": list(finding.statements),
        "conditions": list(finding.conditions),
        "archive": None if archive is None else {"reason": archive.reason, "owner": archive.owner},
    }


def _path_json(path: EscalationPath) -> dict[str, Any]:
    return {
        "principal": path.principal,
        "principal_arn": path.principal_arn,
        "target": path.target,
        "target_arn": path.target_arn,
        "account": path.account,
        "gains": list(path.gains),
        "steps": [
            {"actor": s.actor, "action": s.action, "resource": s.resource,
             "purpose": s.purpose, "allowed_by": list(s.allowed_by)}
            for s in path.steps
        ],
    }


def to_json(analysis: Analysis) -> dict[str, Any]:
    return {
        "landscape": analysis.landscape,
        "external_access": [_finding_json(f) for f in analysis.external],
        "stale_archive_entries": [
            {"resource": e.resource, "principal": e.principal} for e in analysis.stale_archive
        ],
        "privilege_escalation": [_path_json(p) for p in analysis.paths],
        "credential_report": (
            report_json(analysis.credentials) if analysis.credentials is not None else None
        ),
        "exit_status": analysis.exit_status,
    }
