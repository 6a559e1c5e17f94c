"""`securecart` — the command line. Each command module contributes its subcommands through
`register(subparsers)`; this module only assembles them."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from harness.commands import (
    analyze,
    diff,
    identity,
    landscape,
    lint,
    localstack,
    mutate,
    run,
    simulate,
    up,
)

# In the order `securecart --help` lists them.
COMMAND_MODULES = (simulate, landscape, up, localstack, identity, run, lint, analyze, diff,
                   mutate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="securecart",
        description="Prove an AWS access-control design with Gherkin scenarios on an emulated AWS.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (the process's arguments when None) and run the chosen command."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)
