"""`securecart` — the command line. Each area contributes its subcommands through a
`register(subparsers)` function in its own module; this module only assembles them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

# Modules that define `register(subparsers) -> None`; each added parser sets `func`.
COMMAND_MODULES = (
    "harness.simulate_cli",
    "harness.landscape.commands",
    "harness.backends.commands",
    "harness.identity.commands",
    "harness.run",
    "harness.analysis.lint_command",
    "harness.analysis.analyze_command",
    "harness.analysis.diff_command",
    "harness.analysis.mutate_command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="securecart",
        description="Prove an AWS access-control design with Gherkin scenarios on an emulated AWS.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        register: Callable[[Subparsers], None] = import_module(module_name).register
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
