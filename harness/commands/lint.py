"""`securecart lint` — check every policy of a landscape beyond the grammar.

    securecart lint [--landscape DIR] [--format text|json|sarif] [--output FILE]
                    [--accepted FILE]

Loads the landscape (default fixtures/securecart), runs the checks of `harness.analysis.lint`
and reports each finding with its rule, severity, file and line, statement (index and Sid),
message and fix. Findings listed in the landscape's `analysis/accepted.yaml` (or --accepted
FILE) are reported as accepted; an entry that matches nothing is itself a finding
(stale-acceptance). Paths in the output are relative to the working directory.

Exit 0 when no unaccepted error or security finding remains, 1 otherwise, 2 on a usage error
(bad arguments, an invalid landscape, an unreadable accepted file, an unwritable output).
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from harness.analysis.findings import (
    AcceptedEntry,
    AcceptedFileError,
    dumps,
    failures,
    load_accepted,
    summary,
    to_json,
    to_sarif,
    to_text,
)
from harness.analysis.lint import ACCEPTED_FILE, RULE_IDS, RULES, lint_landscape
from harness.commands.landscape import load_or_report
from harness.landscape.loader import DEFAULT_DIRECTORY

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
TOOL_NAME = "securecart-lint"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check the landscape's policies beyond the grammar (IAM Access Analyzer-style)",
        description=(
            "Check every policy of a landscape: unknown actions, services and condition keys, "
            "resource ARNs of the wrong type, operators that cannot match their key, Allow with "
            "NotAction/NotResource, administrator wildcards, public principals, permission sets "
            "without the MFA deny, redundant statements. Exit 0 when no unaccepted error or "
            "security finding remains, 1 otherwise, 2 on a usage error."
        ),
    )
    parser.add_argument(
        "--landscape",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"landscape directory (default: {DEFAULT_DIRECTORY})",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--output", type=Path, default=None, metavar="FILE", help="write to FILE, not stdout"
    )
    parser.add_argument(
        "--accepted",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"accepted findings (default: DIR/{ACCEPTED_FILE.as_posix()} when it exists)",
    )
    parser.set_defaults(func=run_lint)


def _tool_version() -> str | None:
    try:
        return metadata.version("securecart-harness")
    except metadata.PackageNotFoundError:
        return None


def run_lint(args: argparse.Namespace) -> int:
    directory: Path = args.landscape if args.landscape is not None else DEFAULT_DIRECTORY
    landscape = load_or_report(directory)
    if landscape is None:
        return EXIT_USAGE

    accepted_file: Path | None = args.accepted
    if accepted_file is None and (directory / ACCEPTED_FILE).is_file():
        accepted_file = directory / ACCEPTED_FILE
    entries: tuple[AcceptedEntry, ...] = ()
    if accepted_file is not None:
        try:
            entries = _load_entries(accepted_file)
        except AcceptedFileError as error:
            print(f"lint: {error}", file=sys.stderr)
            return EXIT_USAGE

    findings = lint_landscape(landscape, entries, accepted_file)
    if args.format == "sarif":
        text = dumps(to_sarif(TOOL_NAME, RULES, findings, tool_version=_tool_version()))
    elif args.format == "json":
        text = dumps(
            to_json(
                findings,
                landscape=landscape.name,
                accepted_file=None if accepted_file is None else str(accepted_file),
            )
        )
    else:
        text = to_text(findings)

    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"lint: cannot write {args.output}: {error}", file=sys.stderr)
            return EXIT_USAGE
        counts = summary(findings)
        print(
            f"lint: {len(findings) - counts['accepted']} finding(s), "
            f"{counts['accepted']} accepted, {counts['failures']} failing; "
            f"{args.format} written to {args.output}",
            file=sys.stderr,
        )
    return EXIT_FINDINGS if failures(findings) else EXIT_OK


def _load_entries(path: Path) -> tuple[AcceptedEntry, ...]:
    if not path.is_file():
        raise AcceptedFileError(f"{path}: no such file")
    return load_accepted(path, RULE_IDS)
