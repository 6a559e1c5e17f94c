"""`securecart` — the command line. Each command module contributes its subcommands through
`register(subparsers)`; this module only assembles them."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

# In the order `securecart --help` lists them (modules of harness.commands, imported when the
# parser is built: `securecart simulate` imports its own only, so that a batch starts quickly).
COMMAND_NAMES = ("simulate", "landscape", "up", "localstack", "identity", "run", "lint",
                 "analyze", "diff", "mutate")
_ALONE = frozenset({"simulate"})
"""Commands whose parser is built without the others' when the command line names them."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line's parser; with `only`, one whose sole command is `only` (the
    same parser for that command's arguments)."""
    parser = argparse.ArgumentParser(
        prog="securecart",
        description="Prove an AWS access-control design with Gherkin scenarios on an emulated AWS.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_NAMES if only is None else (only,):
        importlib.import_module(f"harness.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (the process's arguments when None) and run the chosen command."""
    given = list(sys.argv[1:] if argv is None else argv)
    only = given[0] if given and given[0] in _ALONE else None
    args = build_parser(only).parse_args(given)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)
