"""`securecart landscape validate [DIR]`, `securecart landscape show [DIR]`, and
`securecart landscape import` (harness.commands.landscape_import).

DIR defaults to the checked-in SecureCart landscape (fixtures/securecart). Both exit 0 when the
landscape is valid and 2 when it is not, with every error on stderr, one a line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.commands import landscape_import
from harness.landscape.errors import InvalidLandscape
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape
from harness.landscape.model import Landscape
from harness.landscape.render import render_landscape

EXIT_OK = 0
EXIT_INVALID = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "landscape",
        help="validate, show or import a landscape (organisation, identities, resources)",
        description="Work with a landscape directory: YAML for structure, one JSON per policy.",
    )
    commands = parser.add_subparsers(dest="landscape_command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check a landscape and report every error",
        description="Load a landscape, validate it (policies through the policy engine) and "
        "report every error with file, place and problem. Exit 0 valid, 2 invalid.",
    )
    _directory_argument(validate)
    validate.set_defaults(func=run_validate)

    show = commands.add_parser(
        "show",
        help="print the organisation as a tree with what is attached where",
        description="Print the organisation tree: OUs, accounts, SCP attachments, Identity "
        "Center assignments, roles, policies and resources. Exit 0 valid, 2 invalid.",
    )
    _directory_argument(show)
    show.set_defaults(func=run_show)
    landscape_import.register(commands)


def _directory_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the landscape directory (default: {DEFAULT_DIRECTORY})",
    )


def load_or_report(directory: Path | None) -> Landscape | None:
    """The landscape, or None after printing every error and their count on stderr (as
    `securecart landscape validate` does; other commands load landscapes this way too)."""
    try:
        return load_landscape(directory)
    except InvalidLandscape as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        count = len(invalid.errors)
        print(f"landscape invalid: {count} error{'s' if count != 1 else ''}", file=sys.stderr)
        return None


def run_validate(args: argparse.Namespace) -> int:
    landscape = load_or_report(args.directory)
    if landscape is None:
        return EXIT_INVALID
    center = landscape.identity_center
    policies = sum(1 for _ in landscape.policies())
    print(
        f"landscape {landscape.name} is valid: {len(landscape.accounts)} accounts, "
        f"{len(landscape.organization.ous)} OUs, {len(landscape.scps)} SCPs, "
        f"{len(center.permission_sets)} permission sets, {len(center.assignments)} assignments, "
        f"{policies} policy documents"
    )
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    landscape = load_or_report(args.directory)
    if landscape is None:
        return EXIT_INVALID
    sys.stdout.write(render_landscape(landscape))
    return EXIT_OK
