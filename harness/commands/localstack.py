"""`securecart localstack install | status` — the virtualenv the harness runs LocalStack from as
a host process (`harness.backends.localstack`).

`install` creates it with the pinned packages (exit 0 once installed, 1 when installing
fails); `status` says where it is and whether it is ready (exit 0 ready, 1 not installed).
"""

from __future__ import annotations

import argparse
import sys
import time

from harness.backends import localstack

EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "localstack",
        help="the host-process LocalStack's virtualenv",
        description=(
            "`install` creates the virtualenv the harness runs LocalStack from (--backend "
            "localstack, when no endpoint is given and no Docker engine answers), with the "
            "pinned packages; `status` tells where it is and whether it is ready."),
    )
    parser.add_argument("action", choices=("install", "status"))
    parser.set_defaults(func=run_localstack)


def run_localstack(args: argparse.Namespace) -> int:
    where = localstack.cache_dir()
    if args.action == "status":
        ready = localstack.installed(where)
        print(f"LocalStack {localstack.LOCALSTACK_VERSION}: "
              f"{'installed' if ready else 'not installed'} in {where}\n"
              f"  lock: {localstack.LOCK}")
        return EXIT_OK if ready else EXIT_FAILED
    if localstack.installed(where):
        print(f"LocalStack {localstack.LOCALSTACK_VERSION} is installed in {where}")
        return EXIT_OK
    print(f"installing LocalStack {localstack.LOCALSTACK_VERSION} into {where} "
          f"(from {localstack.LOCK}) …", flush=True)
    started = time.perf_counter()
    try:
        localstack.install(where)
    except localstack.LocalStackError as error:
        print(f"securecart localstack: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"installed in {time.perf_counter() - started:.0f} s")
    return EXIT_OK
