"""Where things are in the landscape: which account owns a bucket, a table, a topic."""

from __future__ import annotations

from harness.landscape.model import Account, Key, Landscape


def bucket_owner(landscape: Landscape, bucket: str) -> Account:
    for account in landscape.accounts:
        if any(found.name == bucket for found in account.resources.buckets):
            return account
    raise AssertionError(f"no account of the landscape owns a bucket named {bucket!r}")


def kms_key(landscape: Landscape, name: str) -> tuple[Account, Key]:
    """The KMS key of that name (its alias without `alias/`) and the account that owns it."""
    found = [(account, key) for account in landscape.accounts
             for key in account.resources.keys if key.name == name]
    assert found, f"no account of the landscape has a KMS key named {name!r}"
    assert len(found) == 1, (
        f"the KMS key name {name!r} is used in {', '.join(a.name for a, _ in found)}: "
        "a step names one key")
    return found[0]


def topic_arn(landscape: Landscape, topic: str, account: str) -> str:
    topics = landscape.account(account).resources.topics
    found = next((t for t in topics if t.name == topic), None)
    assert found is not None, f"no topic {topic!r} in the {account} account"
    return found.arn


def boundary_arn(account_id: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:policy/{name}"


def role_trust(account_id: str) -> str:
    """A workload role's trust policy: ECS tasks of the same account (as the landscape's own
    workload roles trust)."""
    return (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole", '
        f'"Condition": {{"StringEquals": {{"aws:SourceAccount": "{account_id}"}}}}}}]}}'
    )
