"""`securecart up` — an emulated AWS, seeded with the landscape, behind the enforcing gateway,
until interrupted.

    securecart up [--backend moto] [--port N] [--tls-port N] [--host 127.0.0.1]
                  [--landscape DIR] [--decision-log FILE]

Starts the harness (`harness.stack.Stack`: moto seeded with the landscape, the gateway in front,
served over HTTPS and plain HTTP), records the endpoints and the credentials chains start from
for the other commands (`harness.backends.state`), opens the endpoint, prints the endpoints and
how to use them, and runs until SIGINT or SIGTERM, then stops cleanly and removes the record.
Until it opens, the ports answer 503 (`GET /_securecart/health` says what it is doing; 200 once
open): a client waiting for it polls that route, and nothing answers it as moto before then.
Exit 0 after a clean stop; 1 when the landscape is invalid, seeding fails or a port cannot be
bound.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from harness.backends import BACKENDS
from harness.backends.localstack import (
    LocalStackError,
    add_localstack_options,
    localstack_options,
)
from harness.backends.moto import LOOPBACK
from harness.backends.readiness import HEALTH_PATH
from harness.backends.state import UpState, clear_state, write_state

if TYPE_CHECKING:
    from harness.stack import Stack

EXIT_OK, EXIT_FAILED = 0, 1
LOG_DIR = Path(".securecart") / "logs"
"""Where the log of a LocalStack that `up` starts goes."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "up",
        help="start an emulated AWS seeded with the landscape, behind the enforcing gateway",
        description=(
            "Start the backend on loopback, seed the landscape into it through the AWS APIs, "
            "put the enforcing gateway in front, print the endpoints, and run until "
            "interrupted (Ctrl-C)."
        ),
    )
    parser.add_argument("--backend", choices=BACKENDS, default="moto", help="default: moto")
    add_localstack_options(parser)
    parser.add_argument(
        "--port", type=int, default=0, help="plain-HTTP port (default: a free one)"
    )
    parser.add_argument(
        "--tls-port", type=int, default=0, help="HTTPS port (default: a free one)"
    )
    parser.add_argument(
        "--host",
        default=LOOPBACK,
        help=f"address to listen on (default: {LOOPBACK}; an emulator with a self-signed "
        "certificate for loopback names: listen elsewhere only on a network you trust)",
    )
    parser.add_argument(
        "--landscape",
        type=Path,
        default=None,
        metavar="DIR",
        help="landscape directory (default: fixtures/securecart)",
    )
    parser.add_argument(
        "--decision-log",
        type=Path,
        default=None,
        metavar="FILE",
        help="append every access decision to FILE as a JSON line (default: not written)",
    )
    parser.set_defaults(func=run_up)


def run_up(args: argparse.Namespace) -> int:
    from harness.landscape.errors import InvalidLandscape
    from harness.landscape.layout import DEFAULT_DIRECTORY
    from harness.landscape.loader import load_landscape
    from harness.seeding.context import SeedError
    from harness.stack import Stack

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
    stack = Stack(
        landscape,
        host=args.host,
        port=args.port,
        tls_port=args.tls_port,
        log_path=args.decision_log,
        backend=args.backend,
        localstack=localstack_options(args, log_dir=LOG_DIR),
    )
    with _stop_on_signals(stop):
        started = time.perf_counter()
        try:
            stack.start(open_endpoint=False)
        except (SeedError, LocalStackError) as error:
            return _fail(str(error))
        except OSError as error:
            return _fail(f"cannot serve on {args.host}: {error}")
        try:
            # The record first: a client that sees the endpoint ready finds it.
            write_state(_state(stack, directory, args.backend))
            stack.open_endpoint()
            _announce(stack, time.perf_counter() - started, args.decision_log)
            while not stop.wait(0.5):
                pass
        finally:
            clear_state(pid=os.getpid())
            stack.stop()
    print("securecart up: stopped", flush=True)
    return EXIT_OK


def _state(stack: Stack, directory: Path, backend: str) -> UpState:
    return UpState(
        endpoint_url=stack.url,
        landscape_dir=str(directory.resolve()),
        pid=os.getpid(),
        backend=backend,
        http_url=stack.http_url,
        ca_bundle=str(stack.ca_bundle) if stack.ca_bundle else None,
        gateway=True,
        callers=stack.callers().to_json(),
    )


def _announce(stack: Stack, seconds: float, decision_log: Path | None) -> None:
    landscape = stack.landscape
    lines = [
        f"securecart up: landscape {landscape.name} ({len(landscape.accounts)} accounts) "
        f"seeded into {stack.server.describe()} in {seconds:.1f} s, behind the enforcing "
        "gateway",
        "",
    ]
    if stack.ca_bundle is not None:
        lines.append(f"  HTTPS  {stack.url}   (CA bundle {stack.ca_bundle})")
    lines += [f"  HTTP   {stack.http_url}   (aws:SecureTransport is false here)",
              f"  ready  curl -fsS {stack.http_url}{HEALTH_PATH}   (503 until ready)", ""]
    lines.append(f"  export AWS_ENDPOINT_URL={stack.url}")
    if stack.ca_bundle is not None:
        lines.append(f"  export AWS_CA_BUNDLE={stack.ca_bundle}")
    lines += [
        "  securecart profiles                    # AWS CLI profiles for people and roles",
        "  securecart login alice --account dev   # credentials as alice, via the IdP",
        "  securecart assume DeployRole --account prod --as shared-services:ci-deployer",
        "",
    ]
    if decision_log is not None:
        from harness.gateway.decision_log import policies_path

        lines.append(f"Access decisions are appended to {decision_log} (the policies they "
                     f"name to {policies_path(decision_log)}).")
    lines.append("Other securecart commands find this endpoint on their own. Stop with Ctrl-C.")
    print("\n".join(lines), flush=True)


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
