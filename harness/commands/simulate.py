"""`securecart simulate [FILE] | --batch FILE.jsonl | --cases FILE...` — the command around
harness.simulation.custom_policy; requests are read and answered by harness.simulation.inputs.

A request that cannot be answered — text that is not UTF-8, an empty file, a request too long,
JSON that is not a request — gets one error naming the file and exit 2; in a batch, an
{"Error": "line N: …"} answer to that line while the other lines go on. No input ends in a
traceback: a failure of the simulator itself is AWS's InternalFailure, for that request only
(exit 1). With --cases, each case of the case files (harness/simulation/cases.py, the format of
tests/iam/cases/) is run and compared with the answer it expects.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, NoReturn

from harness.simulation.custom_policy import escaped, shown
from harness.simulation.inputs import (
    EXIT_FAILURE,
    EXIT_INVALID,
    STDIN,
    decide,
    read_bounded,
    run_batch,
    run_cases,
)

EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="decide requests offline, like AWS's IAM policy simulator",
        description="Read a SimulateCustomPolicy-shaped request (JSON) and print AWS's "
        "EvaluationResults. With --batch, read one request per line and write one result per line. "
        "With --cases, run the cases of case files and report those whose answer differs from "
        "the expected one.",
    )
    parser.add_argument(
        "request", nargs="?", default="-", help="request file (default: standard input)"
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--batch", metavar="FILE.jsonl", help="one request per line; '-' for standard input"
    )
    modes.add_argument(
        "--cases",
        nargs="+",
        metavar="FILE",
        help="case files (as tests/iam/cases/*.json): exit 0 when every case agrees, 1 when "
        "some disagree, 2 when a file cannot be read",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.cases is not None:
            if args.request != "-":
                print("securecart simulate: --cases takes no request file", file=sys.stderr)
                return EXIT_INVALID
            return run_cases(args.cases, sys.stdout, sys.stderr)
        if args.batch is not None:
            return _run_batch_file(args.batch)
        return _run_single(args.request)
    except BrokenPipeError:
        # The reader left (`… | head -1`): stop writing, without a traceback, as the Python
        # documentation advises (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        _silence_stdout()
        return EXIT_FAILURE
    except OSError as error:
        # Reading failed midway or writing failed (a full disk): said once, no traceback, and
        # no second failure when the interpreter flushes what is still buffered at exit.
        print(f"securecart simulate: {escaped(str(error))}", file=sys.stderr)
        _silence_stdout()
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _run_single(path: str) -> int:
    source = _source(path)
    with _open(path, source) as stream:
        data = _read(stream, source)
    outcome = decide(data, source)
    if outcome.result is None:
        print(f"securecart simulate: {escaped(outcome.error)}", file=sys.stderr)
        return outcome.status
    json.dump(outcome.result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
    return 0


def _run_batch_file(path: str) -> int:
    source = _source(path)
    with _open(path, source) as stream:
        return run_batch(stream, sys.stdout, source)


def _read(stream: IO[bytes], source: str) -> bytes:
    try:
        return read_bounded(stream)
    except OSError as error:
        _cannot_read(source, error)


def _source(path: str) -> str:
    return STDIN if path == "-" else shown(path, limit=200)


def _open(path: str, source: str) -> IO[bytes]:
    try:
        if path == "-":
            return open(0, "rb", closefd=False)  # fd 0 stays open for the interpreter
        return open(path, "rb")
    except OSError as error:
        _cannot_read(source, error)


def _cannot_read(source: str, error: OSError) -> NoReturn:
    print(f"securecart simulate: cannot read {source}: {error.strerror}", file=sys.stderr)
    raise SystemExit(EXIT_INVALID) from error


def _silence_stdout() -> None:
    # Point standard output at /dev/null, so that the interpreter's last flush at exit does not
    # hit the closed pipe (or the full disk) again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
