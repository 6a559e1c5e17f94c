"""Policies AWS writes, not the customer: AWS managed policies, as moto carries them (one JSON
text of every policy, 4.7 MB, by name, each with its Path and Document; parsed once per process
for whoever needs it: the moto backend loads them into IAM, the identity checks and the offline
analysis read documents), and the default key policy KMS gives a key created without one."""

from __future__ import annotations

import functools
import json
from typing import Any


@functools.cache
def aws_managed_table() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    table: dict[str, Any] = json.loads(aws_managed_policies_data)
    return table


DEFAULT_KEY_POLICY_SID = "Enable IAM User Permissions"


def default_key_policy(partition: str, account: str) -> dict[str, Any]:
    """The key policy AWS KMS gives a key created through the API without one: one statement
    delegating every KMS action on the key to the account, so that the account's IAM policies
    decide (a key policy grants the account nothing unless it says so).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
    """
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": DEFAULT_KEY_POLICY_SID,
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }
