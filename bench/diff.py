"""How long `securecart diff` takes on the canonical landscape.

    python -m bench.diff [--base REF] [--full]

Prints the size of the request space, the engine decisions made per side, and the times (the
request space, the comparison, the whole command with git). With `--base HEAD` (the default)
both sides are the same landscape and the diff is empty. Then two changes, each made to a copy
of the landscape: a widened bucket policy (a resource policy: only requests on that bucket are
looked at) and a statement added to an SCP attached at the root (every member principal's policy
set changes; only the requests the new statement's Action covers are looked at, once the lone
statement's checks — "statement checks" — tell where it applies). `--full` also evaluates every
request on both sides of the unchanged landscape with no shortcut (`diff_sides(...,
exhaustive=True)`: what the diff's result must equal; over a minute).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from harness.analysis.diff import diff_sides
from harness.analysis.diff_base import compare
from harness.analysis.offline import Offline
from harness.analysis.requests import request_space
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape


def _widen_log_archive(directory: Path) -> None:
    """The dev account may read the central logs: dev's readers gain access."""
    path = directory / "policies/resources/s3/securecart-log-archive.json"
    document = json.loads(path.read_text())
    document["Statement"].append({
        "Sid": "BenchDevAccountReads", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444444444444:root"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::securecart-log-archive/*"})
    path.write_text(json.dumps(document))


def _tighten_root_scp(directory: Path) -> None:
    path = directory / "policies/scp/deny-leave-organization.json"
    document = json.loads(path.read_text())
    document["Statement"].append({
        "Sid": "BenchDenyKmsKeyDeletion", "Effect": "Deny",
        "Action": "kms:ScheduleKeyDeletion", "Resource": "*"})
    path.write_text(json.dumps(document))


CHANGES = (
    ("a bucket policy widened", _widen_log_archive),
    ("a statement added to an SCP at the root", _tighten_root_scp),
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.diff")
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--full", action="store_true",
                        help="also evaluate every request on both sides, with no shortcut")
    args = parser.parse_args()

    started = time.perf_counter()
    result, ref = compare(Path(DEFAULT_DIRECTORY), args.base, None)
    command = time.perf_counter() - started
    print(f"securecart diff --base {ref}: {command:.2f} s (git, two loads, the diff)")
    print(f"  request space: {result.request_space} requests")
    print(f"  decisions: base {result.decisions[0]}, head {result.decisions[1]}")
    print(f"  added {len(result.added)}, removed {len(result.removed)}")

    base, head = Offline(load_landscape()), Offline(load_landscape())
    started = time.perf_counter()
    space = request_space([base, head])
    built = time.perf_counter() - started
    print(f"  request space built in {built:.2f} s: {len(space.principals)} principals x "
          f"{len(space.actions)} actions x {len(space.resources)} resource ARNs "
          f"(services expanded: {', '.join(space.services)})")
    for label, edit in CHANGES:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "landscape"
            shutil.copytree(DEFAULT_DIRECTORY, copy)
            edit(copy)
            changed = Offline(load_landscape(copy))
            started = time.perf_counter()
            found = diff_sides(base, changed)
            seconds = time.perf_counter() - started
        print(f"  {label}: {seconds:.2f} s, decisions base {found.decisions[0]}, head "
              f"{found.decisions[1]}, statement checks {found.statement_checks}; "
              f"added {len(found.added)}, removed {len(found.removed)}")
    if args.full:
        full = diff_sides(base, head, space, exhaustive=True)
        rate = sum(full.decisions) / full.seconds if full.seconds else 0.0
        print(f"  --full: decisions base {full.decisions[0]}, head {full.decisions[1]} in "
              f"{full.seconds:.2f} s ({rate:.0f} decisions/s)")


if __name__ == "__main__":
    main()
