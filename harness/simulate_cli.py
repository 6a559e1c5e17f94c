"""`securecart simulate [FILE] | --batch FILE.jsonl` — the command around harness.simulate."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from harness.iam.errors import PolicyValidationError
from harness.iam.parse import loads_strict
from harness.simulate import SimulationInputError, simulate


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="decide requests offline, like AWS's IAM policy simulator",
        description="Read a SimulateCustomPolicy-shaped request (JSON) and print AWS's "
        "EvaluationResults. With --batch, read one request per line and write one result per line.",
    )
    parser.add_argument(
        "request", nargs="?", default="-", help="request file (default: standard input)"
    )
    parser.add_argument(
        "--batch", metavar="FILE.jsonl", help="one request per line; '-' for standard input"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.batch is not None:
        with _open(args.batch) as stream:
            return run_batch(stream, sys.stdout)
    with _open(args.request) as stream:
        text = stream.read()
    try:
        result = simulate(loads_strict(text))
    except (SimulationInputError, PolicyValidationError) as exc:
        print(f"securecart simulate: {exc}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run_batch(stream: IO[str], out: IO[str]) -> int:
    """Every line gets exactly one answer line, in order; a bad line answers {"Error": …}."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        answer: dict[str, Any]
        try:
            answer = simulate(loads_strict(line))
        except (SimulationInputError, PolicyValidationError) as exc:
            answer = {"Error": f"line {number}: {exc}"}
        out.write(json.dumps(answer) + "\n")
    return 0


def _open(path: str) -> IO[str]:
    if path == "-":
        return open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        print(f"securecart simulate: cannot read {path}: {exc.strerror}", file=sys.stderr)
        raise SystemExit(2) from exc
