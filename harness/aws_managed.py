"""AWS managed policies, as moto carries them: one JSON text of every policy (4.7 MB), by name,
each with its Path and Document. Parsed once per process, for whoever needs it (the moto
backend loads them into IAM; the identity checks and the offline analysis read documents)."""

from __future__ import annotations

import functools
import json
from typing import Any


@functools.cache
def aws_managed_table() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    table: dict[str, Any] = json.loads(aws_managed_policies_data)
    return table
