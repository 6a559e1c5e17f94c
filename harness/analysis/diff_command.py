"""`securecart diff [--base REF] [--landscape DIR] [--format text|json|sarif] [--waivers FILE]`:
the access a change to the landscape adds and removes, decided offline by the policy engine.

The base is the landscape directory at git revision REF (default: `git merge-base HEAD main`),
materialised with `git archive REF <dir> | tar -x`; the head is the working tree. Both are
asked the same requests (`harness.analysis.requests`); `harness.analysis.diff` compares.

Exit 1 when access was added that no live waiver covers, 0 otherwise, 2 on usage errors (a bad
REF, a landscape that does not load on either side, a malformed waiver file).
Runnable on its own: `python -m harness.analysis.diff_command`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from harness.analysis.diff import Change, DiffResult, StatementRef, Waiver, diff
from harness.analysis.findings import Finding, Rule, Severity, dumps, to_sarif
from harness.analysis.offline import OfflineError
from harness.analysis.waivers import WaiverError, load_waivers
from harness.command_main import run_registered
from harness.landscape.errors import InvalidLandscape
from harness.landscape.loader import DEFAULT_DIRECTORY, LANDSCAPE_FILE, load_landscape
from harness.landscape.model import Landscape

EXIT_OK, EXIT_ADDED, EXIT_USAGE = 0, 1, 2
WAIVERS_FILE = Path("analysis") / "waivers.yaml"

RULES = (
    Rule("access-added", Severity.SECURITY, "Access added",
         "The change lets a principal do something it could not before. Review it; if it is "
         "meant but temporary, waive it with an owner, a reason and an expiry."),
    Rule("access-removed", Severity.SUGGESTION, "Access removed",
         "The change takes access away. Check that nothing relied on it."),
)


class UsageError(Exception):
    """What makes the command exit 2; the message says what and where."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="the access a change to the landscape adds and removes",
        description=(
            "Decide offline, with the policy engine, the same requests on the landscape at a "
            "git revision and in the working tree, and print the access added and removed with "
            "the statements responsible. Exit 0 nothing added (or all added access waived), "
            "1 access added, 2 usage errors."
        ),
    )
    parser.add_argument("--base", default=None, metavar="REF",
                        help="git revision to compare with (default: git merge-base HEAD main)")
    parser.add_argument("--landscape", type=Path, default=None, metavar="DIR",
                        help=f"landscape directory (default: {DEFAULT_DIRECTORY})")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="default: text")
    parser.add_argument("--waivers", type=Path, default=None, metavar="FILE",
                        help="waiver file (default: DIR/analysis/waivers.yaml when it exists)")
    parser.set_defaults(func=run_diff)


# --------------------------------------------------------------------------- git


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def default_base(directory: Path) -> str:
    """The merge base of HEAD with main."""
    try:
        return _git(directory, "merge-base", "HEAD", "main")
    except UsageError as error:
        raise UsageError(f"no default base (merge base of HEAD and main): {error}; "
                         "give --base REF") from error


def materialise(directory: Path, ref: str, into: Path) -> Path:
    """The landscape `directory` as it is at `ref`, extracted under `into`; its path there."""
    directory = directory.resolve()
    root = Path(_git(directory, "rev-parse", "--show-toplevel")).resolve()
    relative = directory.relative_to(root).as_posix()
    check = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                           cwd=root, capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise UsageError(f"bad revision {ref!r}: not a commit of {root}")
    archive = subprocess.run(["git", "archive", ref, relative], cwd=root, capture_output=True,
                             check=False)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip()
        raise UsageError(f"no landscape {relative} at {ref}: {message}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / relative


def _load(directory: Path, side: str) -> Landscape:
    try:
        return load_landscape(directory)
    except InvalidLandscape as invalid:
        lines = "\n".join(f"  {error}" for error in invalid.errors)
        raise UsageError(f"{side} landscape invalid ({directory}):\n{lines}") from invalid


# --------------------------------------------------------------------------- formats


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


# --------------------------------------------------------------------------- the command


def compare(
    directory: Path, ref: str | None, waivers_file: Path | None, today: date | None = None
) -> tuple[DiffResult, str]:
    """The diff of `directory` against itself at `ref`; raises UsageError."""
    directory = directory.resolve()
    if not directory.is_dir():
        raise UsageError(f"no landscape directory {directory}")
    ref = ref or default_base(directory)
    waivers_path = waivers_file
    if waivers_path is None and (directory / WAIVERS_FILE).is_file():
        waivers_path = directory / WAIVERS_FILE
    try:
        waivers = load_waivers(waivers_path) if waivers_path is not None else ()
    except WaiverError as error:
        raise UsageError(str(error)) from error
    head = _load(directory, "working-tree")
    with tempfile.TemporaryDirectory(prefix="securecart-diff-") as temporary:
        base = _load(materialise(directory, ref, Path(temporary)), f"base ({ref})")
        try:
            return diff(base, head, waivers, today), ref
        except OfflineError as error:
            raise UsageError(str(error)) from error


def run_diff(args: argparse.Namespace) -> int:
    directory = args.landscape if args.landscape is not None else DEFAULT_DIRECTORY
    try:
        result, ref = compare(Path(directory), args.base, args.waivers)
    except UsageError as error:
        print(f"securecart diff: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(result, ref), indent=2) + "\n")
    elif args.format == "sarif":
        sys.stdout.write(dumps(sarif(result, Path(directory))))
    else:
        sys.stdout.write(render_text(result, ref))
    return result.exit_status


def main(argv: Sequence[str] | None = None) -> int:
    """`diff` and its options; the subcommand's name may be left out."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] != ["diff"]:
        arguments.insert(0, "diff")
    return run_registered(register, arguments)


if __name__ == "__main__":
    sys.exit(main())
