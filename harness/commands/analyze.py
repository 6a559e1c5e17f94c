"""`securecart analyze [--landscape DIR] [--format text|json] [--credential-report]`: what a
landscape lets happen, decided offline by the policy engine (`harness.analysis.analyze`):
external and public access, privilege-escalation paths, and with `--credential-report` the
seeded backend's IAM users and their long-term credentials.

Exit 0 when nothing is found, 1 when there is an active external-access finding or any
escalation path, 2 on usage errors (a landscape that does not load: every error on stderr, as
`securecart landscape validate` prints them; an unreadable archive).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.analysis.analyze import analyze
from harness.analysis.analyze_formats import render_text, to_json
from harness.analysis.external import ArchiveError
from harness.analysis.offline import OfflineError
from harness.commands.landscape import load_or_report
from harness.landscape.loader import DEFAULT_DIRECTORY

EXIT_USAGE = 2


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
