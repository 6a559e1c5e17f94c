"""`python -m harness.<area>` for one area's commands: the `securecart` parser with only the
subcommands that area's `register(subparsers)` adds (harness.cli assembles them all)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def run_registered(register: Callable[[Subparsers], None],
                   argv: Sequence[str] | None = None) -> int:
    """Parse `argv` (the process's arguments when None) and run the chosen command's `func`."""
    parser = argparse.ArgumentParser(prog="securecart")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result
