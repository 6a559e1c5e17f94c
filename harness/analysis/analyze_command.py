"""`securecart analyze [--landscape DIR] [--format text|json] [--credential-report]`: what a
landscape lets happen, decided offline by the policy engine.

- external access: who outside the organisation a resource or trust policy lets in, active or
  archived (`<DIR>/analysis/archived.yaml`), public access apart (`harness.analysis.external`);
- privilege-escalation paths, step by step (`harness.analysis.privesc`);
- with `--credential-report`, the seeded backend's IAM users and their long-term credentials
  (`harness.analysis.credentials`; this starts a backend, about ten seconds).

Exit 0 when nothing is found, 1 when there is an active external-access finding or any
escalation path, 2 on usage errors (a landscape that does not load: every error on stderr, as
`securecart landscape validate` prints them; an unreadable archive).
Runnable on its own: `python -m harness.analysis.analyze_command`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.analysis.credentials import (
    CredentialReport,
    credential_report,
    render_report,
    report_json,
)
from harness.analysis.external import (
    ArchiveEntry,
    ArchiveError,
    ExternalFinding,
    external_access,
    load_archive,
    stale_entries,
)
from harness.analysis.offline import Offline, OfflineError
from harness.analysis.privesc import EscalationPath, escalation_paths
from harness.command_main import run_registered
from harness.landscape.commands import load_or_report
from harness.landscape.loader import DEFAULT_DIRECTORY
from harness.landscape.model import Landscape

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="external access, public access and privilege-escalation paths of a landscape",
        description=(
            "Decide offline, with the policy engine, who outside the organisation the "
            "landscape's resource and trust policies let in (archived findings in "
            "<DIR>/analysis/archived.yaml) and which principals can escalate their privileges, "
            "step by step. Exit 0 nothing found, 1 an active external-access finding or an "
            "escalation path, 2 usage errors."
        ),
    )
    parser.add_argument(
        "--landscape", type=Path, default=None, metavar="DIR",
        help=f"landscape directory (default: {DEFAULT_DIRECTORY})",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="default: text")
    parser.add_argument(
        "--credential-report", action="store_true",
        help="also start the seeded backend and report its IAM users, passwords, MFA devices "
        "and access keys (about ten seconds)",
    )
    parser.set_defaults(func=run_analyze)


# --------------------------------------------------------------------------- the analysis


@dataclass(frozen=True, slots=True)
class Analysis:
    landscape: str
    external: tuple[ExternalFinding, ...]
    stale_archive: tuple[ArchiveEntry, ...]
    paths: tuple[EscalationPath, ...]
    credentials: CredentialReport | None = None

    @property
    def active(self) -> tuple[ExternalFinding, ...]:
        return tuple(f for f in self.external if f.archive is None)

    @property
    def exit_status(self) -> int:
        return EXIT_FOUND if self.active or self.paths else EXIT_OK


def analyze(landscape: Landscape, *, with_credentials: bool = False) -> Analysis:
    """Analyse a landscape; raises ArchiveError, OfflineError."""
    offline = Offline(landscape)
    archive = load_archive(landscape)
    external = external_access(offline, archive)
    return Analysis(
        landscape=landscape.name,
        external=external,
        stale_archive=stale_entries(external, archive),
        paths=escalation_paths(offline),
        credentials=credential_report(landscape) if with_credentials else None,
    )


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


# --------------------------------------------------------------------------- the command


def run_analyze(args: argparse.Namespace) -> int:
    landscape = load_or_report(args.landscape)
    if landscape is None:
        return EXIT_USAGE
    try:
        analysis = analyze(landscape, with_credentials=args.credential_report)
    except (ArchiveError, OfflineError) as error:
        print(f"securecart analyze: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(analysis), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(analysis))
    return analysis.exit_status


def main(argv: Sequence[str] | None = None) -> int:
    """`analyze` and its options; the subcommand's name may be left out."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] != ["analyze"]:
        arguments.insert(0, "analyze")
    return run_registered(register, arguments)


if __name__ == "__main__":
    sys.exit(main())
