"""`securecart diff [--base REF] [--landscape DIR] [--format text|json|sarif] [--waivers FILE]`:
the access a change to the landscape adds and removes, decided offline by the policy engine.

The base is the landscape directory at git revision REF (default: `git merge-base HEAD main`;
`harness.analysis.diff_base`); the head is the working tree. Both are asked the same requests
(`harness.analysis.requests`); `harness.analysis.diff` compares.

Exit 1 when access was added that no live waiver covers, 0 otherwise, 2 on usage errors (a bad
REF, a landscape that does not load on either side, a malformed waiver file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.analysis.diff_base import DiffError, compare
from harness.analysis.diff_formats import render_text, sarif, to_json
from harness.analysis.findings import dumps
from harness.landscape.loader import DEFAULT_DIRECTORY

EXIT_USAGE = 2


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


def run_diff(args: argparse.Namespace) -> int:
    directory = args.landscape if args.landscape is not None else DEFAULT_DIRECTORY
    try:
        result, ref = compare(Path(directory), args.base, args.waivers)
    except DiffError as error:
        print(f"securecart diff: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(result, ref), indent=2) + "\n")
    elif args.format == "sarif":
        sys.stdout.write(dumps(sarif(result, Path(directory))))
    else:
        sys.stdout.write(render_text(result, ref))
    return result.exit_status
