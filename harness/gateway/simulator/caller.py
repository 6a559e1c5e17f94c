"""The simulated caller: CallerArn, else the principal simulated, else an unnamed principal.

"You can specify the ARN of an IAM user, group, or role. You cannot specify the ARN of an
assumed role, federated user, or a service principal." A group is simulated as a principal of
its account that no policy can name.
"""

from __future__ import annotations

import re
from typing import Any

from harness.gateway.simulator.errors import invalid
from harness.iam.context import Caller, PrincipalKind
from harness.simulation.custom_policy import SimulationInputError, parse_caller

ENTITY_ARN = re.compile(r"arn:(aws[\w-]*):iam::(\d{12}):(user|group|role)/(?:[^/]+/)*([^/]+)")
"""An IAM user's, group's or role's ARN: (partition, account, kind, name)."""


def named_caller(arn: Any, field: str) -> Caller:
    if not isinstance(arn, str) or not ENTITY_ARN.fullmatch(arn):
        raise invalid(f"{field}: '{arn}' is not the ARN of an IAM user, group or role")
    if ":group/" in arn:
        parts = arn.split(":")
        return Caller(PrincipalKind.USER, arn, parts[4], arn, partition=parts[1])
    try:
        return parse_caller(arn)
    except SimulationInputError as error:
        raise invalid(f"{field}: {error.problem}") from error


def is_group(caller: Caller) -> bool:
    return ":group/" in caller.arn


def unnamed_caller(account: str) -> Caller:
    """SimulateCustomPolicy without CallerArn: the policies' holder, a principal of `account`
    whose name the policies never learn (no aws:username, no aws:PrincipalArn)."""
    return Caller(PrincipalKind.USER, "", account)
