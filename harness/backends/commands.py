"""`securecart up` — an emulated AWS, seeded with the landscape, until interrupted.

    securecart up [--backend moto] [--port N] [--host 127.0.0.1] [--landscape DIR]

Starts the backend, seeds the landscape through the AWS APIs, prints the endpoint and how to
use it, records it for the other commands (`harness.backends.state`), and runs until SIGINT or
SIGTERM, then stops cleanly and removes the record. Exit 0 after a clean stop; 1 when the
landscape is invalid or seeding fails.
Runnable on its own: `python -m harness.backends.commands up`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from harness.backends.moto import LOOPBACK, MotoServer
from harness.backends.state import UpState, clear_state, write_state

BACKENDS = ("moto",)
EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "up",
        help="start an emulated AWS seeded with the landscape",
        description=(
            "Start the backend on loopback, seed the landscape into it through the AWS APIs, "
            "print the endpoint, and run until interrupted (Ctrl-C)."
        ),
    )
    parser.add_argument("--backend", choices=BACKENDS, default="moto", help="default: moto")
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on (default: a free one)"
    )
    parser.add_argument(
        "--host",
        default=LOOPBACK,
        help=f"address to listen on (default: {LOOPBACK}; the backend authenticates nobody, "
        "so listen elsewhere only on a network you trust)",
    )
    parser.add_argument(
        "--landscape",
        type=Path,
        default=None,
        metavar="DIR",
        help="landscape directory (default: fixtures/securecart)",
    )
    parser.set_defaults(func=run_up)


def run_up(args: argparse.Namespace) -> int:
    from harness.landscape.errors import InvalidLandscape
    from harness.landscape.layout import DEFAULT_DIRECTORY
    from harness.landscape.loader import load_landscape
    from harness.seed import SeedError

    directory: Path = args.landscape or DEFAULT_DIRECTORY
    try:
        landscape = load_landscape(directory)
    except (InvalidLandscape, OSError) as error:
        return _fail(f"the landscape {directory} is invalid:\n{error}")
    if not _is_loopback(args.host):
        print(
            f"securecart up: warning: listening on {args.host}, beyond this machine",
            file=sys.stderr,
        )

    stop = threading.Event()
    with _stop_on_signals(stop), MotoServer(host=args.host, port=args.port) as server:
        started = time.perf_counter()
        try:
            server.seed(landscape)
        except SeedError as error:
            return _fail(str(error))
        seconds = time.perf_counter() - started
        write_state(UpState(server.url, str(directory.resolve()), os.getpid(), args.backend))
        try:
            _announce(server.url, landscape.name, len(landscape.accounts), seconds)
            while not stop.wait(0.5):
                pass
        finally:
            clear_state(pid=os.getpid())
    print("securecart up: stopped", flush=True)
    return EXIT_OK


def _announce(url: str, name: str, accounts: int, seconds: float) -> None:
    print(
        f"securecart up: moto at {url}, seeded with landscape {name} "
        f"({accounts} accounts) in {seconds:.1f} s\n"
        "\n"
        f"  export AWS_ENDPOINT_URL={url}\n"
        "  securecart profiles                    # AWS CLI profiles for people and roles\n"
        "  securecart login alice --account dev   # credentials as alice, via the IdP\n"
        "\n"
        "Other securecart commands find this endpoint on their own. Stop with Ctrl-C.",
        flush=True,
    )


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (instead of raising in the middle of a request)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fail(message: str) -> int:
    print(f"securecart up: {message}", file=sys.stderr)
    return EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="securecart")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
