"""The `resources` of an account file: buckets, topics, queues, KMS keys, tables, DB instances,
volumes, functions, trails, GuardDuty detectors and Config recorders."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType
from harness.landscape.context import Context
from harness.landscape.model import (
    KMS_ALIAS_PREFIX,
    ROOT,
    Bucket,
    ConfigRecorder,
    DbInstance,
    Function,
    GuardDutyDetector,
    Key,
    KeyAttribute,
    PolicyDocument,
    Queue,
    Resources,
    Table,
    Topic,
    Trail,
    Volume,
)
from harness.landscape.names import (
    ACCOUNT_ID,
    BUCKET_NAME,
    KMS_ALIAS_NAME,
    NAME,
    RESOURCE_NAME,
    read_name,
)
from harness.landscape.nodes import Node, unique
from harness.landscape.policies import KMS_POLICY_MAX, SNS_POLICY_MAX, SQS_POLICY_MAX
from harness.reference import default_key_policy


@dataclass(frozen=True)
class _Owner:
    """The account whose file is being read."""

    account: str
    account_id: str
    context: Context

    def region(self, node: Node) -> str:
        """The `region` of a resource: the home region when absent; one of the allowed."""
        regions = self.context.regions
        region = node.text("region", regions.home) or regions.home
        if region not in regions.allowed:
            node.at("region").error(
                f"region '{region}' is not in regions.allowed ({', '.join(regions.allowed)})"
            )
        return region

    def policy(self, node: Node, arn: str, max_size: int | None = None) -> PolicyDocument | None:
        """The resource policy of `node`, if it has one."""
        if not node.has("policy"):
            return None
        return self.context.policies.load(
            node.at("policy"), PolicyType.RESOURCE, arn, self.account, max_size
        )


def read_resources(node: Node, account: str, context: Context) -> Resources:
    owner = _Owner(account, context.accounts[account].account_id, context)
    node.fields(required=(), optional=tuple(_KINDS))
    fields: dict[str, tuple[Any, ...]] = {}
    for key, (reader, field_name, identity, what) in _KINDS.items():
        read = [(item, reader(item, owner)) for item in node.items(key)]
        built = [(item, value) for item, value in read if value is not None]
        unique([(item.at(identity), getattr(value, identity)) for item, value in built], what)
        fields[field_name] = tuple(value for _, value in built)
    return Resources(**fields)


def _bucket(node: Node, owner: _Owner) -> Bucket | None:
    if not node.fields(
        required=("name",),
        optional=("region", "policy", "encryption", "versioning", "block_public_access", "tags"),
    ):
        return None
    name = read_name(
        node, BUCKET_NAME, "an S3 bucket name (3–63 lower-case letters, digits, '.', '-')"
    )
    arn = f"arn:aws:s3:::{name}"
    encryption = node.text("encryption")
    if encryption is not None and encryption not in ("AES256", "aws:kms"):
        node.at("encryption").error(f"encryption {encryption!r} is not AES256 or aws:kms")
        encryption = None
    return Bucket(
        name=name,
        arn=arn,
        region=owner.region(node),
        policy=owner.policy(node, arn),
        encryption=cast(Literal["AES256", "aws:kms"] | None, encryption),
        versioning=node.flag("versioning", False),
        block_public_access=node.flag("block_public_access", True),
        tags=node.tags("tags"),
    )


def _topic(node: Node, owner: _Owner) -> Topic | None:
    if not node.fields(required=("name",), optional=("region", "policy")):
        return None
    name = read_name(node, RESOURCE_NAME, "an SNS topic name")
    region = owner.region(node)
    arn = f"arn:aws:sns:{region}:{owner.account_id}:{name}"
    return Topic(name=name, arn=arn, region=region, policy=owner.policy(node, arn, SNS_POLICY_MAX))


def _queue(node: Node, owner: _Owner) -> Queue | None:
    if not node.fields(required=("name",), optional=("region", "policy", "subscriptions")):
        return None
    name = read_name(node, RESOURCE_NAME, "an SQS queue name")
    region = owner.region(node)
    arn = f"arn:aws:sqs:{region}:{owner.account_id}:{name}"
    return Queue(
        name=name,
        arn=arn,
        region=region,
        policy=owner.policy(node, arn, SQS_POLICY_MAX),
        subscriptions=tuple(value for _, value in node.texts("subscriptions")),
    )


# --------------------------------------------------------------------------- KMS

_AWS_ALIAS_PREFIX = "alias/aws/"
"""Reserved for AWS managed keys; CreateAlias refuses it for a customer managed key.
https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html"""

KMS_DESCRIPTION_MAX = 8192
"""https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-Description"""


def _kms_key(node: Node, owner: _Owner) -> Key | None:
    if not node.fields(required=("name",), optional=("region", "description", "policy", "tags")):
        return None
    name = read_name(
        node, KMS_ALIAS_NAME, "a KMS alias name (1–250 letters, digits, '/', '_', '-')"
    )
    alias = name if name.startswith(KMS_ALIAS_PREFIX) else f"{KMS_ALIAS_PREFIX}{name}"
    if alias.startswith(_AWS_ALIAS_PREFIX):
        node.at("name").error(
            f"the alias '{alias}' is reserved: alias/aws/ names AWS managed keys, never a "
            "customer managed key"
        )
    elif name.startswith(KMS_ALIAS_PREFIX):
        node.at("name").error(
            f"write the name without 'alias/': the key's alias is alias/<name> ('{alias}')"
        )
    region = owner.region(node)
    arn = f"arn:aws:kms:{region}:{owner.account_id}:{KMS_ALIAS_PREFIX}{name}"
    description = node.text("description", "") or ""
    if len(description) > KMS_DESCRIPTION_MAX:
        node.at("description").error(
            f"a key description has at most {KMS_DESCRIPTION_MAX} characters, "
            f"not {len(description)}"
        )
    tags = node.tags("tags")
    for tag, _ in tags:
        if tag.lower().startswith("aws:"):
            node.at("tags").at(tag).error(f"tag key '{tag}': the prefix 'aws:' is AWS's own")
    if not ACCOUNT_ID.fullmatch(owner.account_id):
        return None  # organization.yaml's error says why; no policy can name the account
    document = owner.policy(node, arn, KMS_POLICY_MAX)
    if document is not None:
        key_policy = document.policy
    elif node.has("policy"):
        return None  # the policy file's error is recorded
    else:
        key_policy = parse_policy(
            json.dumps(default_key_policy(arn.split(":")[1], owner.account_id)),
            PolicyType.RESOURCE, f"{arn} default key policy"
        )
    return Key(
        name=name,
        arn=arn,
        region=region,
        key_policy=key_policy,
        description=description,
        policy=document,
        tags=tags,
    )


def _table(node: Node, owner: _Owner) -> Table | None:
    if not node.fields(required=("name", "partition_key"), optional=("region", "sort_key")):
        return None
    name = read_name(node, RESOURCE_NAME, "a DynamoDB table name")
    region = owner.region(node)
    partition = _key(node.at("partition_key"))
    sort = _key(node.at("sort_key")) if node.has("sort_key") else None
    if partition is None:
        return None
    return Table(
        name=name,
        arn=f"arn:aws:dynamodb:{region}:{owner.account_id}:table/{name}",
        region=region,
        partition_key=partition,
        sort_key=sort,
    )


def _key(node: Node) -> KeyAttribute | None:
    if not node.fields(required=("name", "type")):
        return None
    key_type = node.text("type", "S") or "S"
    if key_type not in ("S", "N", "B"):
        node.at("type").error(f"key type {key_type!r} is not S, N or B")
        key_type = "S"
    return KeyAttribute(node.text("name", "") or "", cast(Literal["S", "N", "B"], key_type))


def _db_instance(node: Node, owner: _Owner) -> DbInstance | None:
    if not node.fields(
        required=("identifier", "engine", "instance_class", "storage_encrypted"),
        optional=("region", "allocated_storage"),
    ):
        return None
    identifier = read_name(node, NAME, "a DB instance identifier", "identifier")
    region = owner.region(node)
    return DbInstance(
        identifier=identifier,
        arn=f"arn:aws:rds:{region}:{owner.account_id}:db:{identifier}",
        region=region,
        engine=node.text("engine", "") or "",
        instance_class=node.text("instance_class", "") or "",
        allocated_storage=node.number("allocated_storage", 20, 5, 65536),
        storage_encrypted=node.flag("storage_encrypted", False),
    )


def _volume(node: Node, owner: _Owner) -> Volume | None:
    if not node.fields(
        required=("name", "availability_zone", "size", "encrypted"), optional=("volume_type",)
    ):
        return None
    allowed = owner.context.regions.allowed
    zone = node.text("availability_zone", "") or ""
    region = zone[:-1]
    if zone and region not in allowed:
        node.at("availability_zone").error(
            f"availability zone '{zone}' is not in an allowed region ({', '.join(allowed)})"
        )
    return Volume(
        name=node.text("name", "") or "",
        region=region,
        availability_zone=zone,
        size=node.number("size", 8, 1, 65536),
        volume_type=node.text("volume_type", "gp3") or "gp3",
        encrypted=node.flag("encrypted", False),
    )


def _function(node: Node, owner: _Owner) -> Function | None:
    if not node.fields(required=("name", "role", "runtime", "handler"), optional=("region",)):
        return None
    name = read_name(node, RESOURCE_NAME, "a Lambda function name")
    region = owner.region(node)
    return Function(
        name=name,
        arn=f"arn:aws:lambda:{region}:{owner.account_id}:function:{name}",
        region=region,
        role=node.text("role", "") or "",
        runtime=node.text("runtime", "") or "",
        handler=node.text("handler", "") or "",
    )


def _trail(node: Node, owner: _Owner) -> Trail | None:
    if not node.fields(
        required=("name", "bucket"), optional=("region", "organization_trail", "multi_region")
    ):
        return None
    name = read_name(node, RESOURCE_NAME, "a CloudTrail trail name")
    region = owner.region(node)
    organization_trail = node.flag("organization_trail", False)
    if organization_trail and owner.context.accounts[owner.account].parent != ROOT:
        node.at("organization_trail").error(
            "an organisation trail is created in the management account"
        )
    return Trail(
        name=name,
        arn=f"arn:aws:cloudtrail:{region}:{owner.account_id}:trail/{name}",
        region=region,
        bucket_account="",  # found by references.check_resources, once every bucket is known
        bucket=node.text("bucket", "") or "",
        organization_trail=organization_trail,
        multi_region=node.flag("multi_region", True),
    )


def _detector(node: Node, owner: _Owner) -> GuardDutyDetector | None:
    if not node.fields(required=(), optional=("region", "enabled")):
        return None
    return GuardDutyDetector(region=owner.region(node), enabled=node.flag("enabled", True))


def _recorder(node: Node, owner: _Owner) -> ConfigRecorder | None:
    if not node.fields(required=(), optional=("name", "region", "role", "all_supported")):
        return None
    return ConfigRecorder(
        name=node.text("name", "default") or "default",
        region=owner.region(node),
        role=node.text("role"),
        all_supported=node.flag("all_supported", True),
    )


# YAML key → (reader, the Resources field, what must be unique, how errors name it)
_KINDS: dict[str, tuple[Callable[[Node, _Owner], Any], str, str, str]] = {
    "s3_buckets": (_bucket, "buckets", "name", "bucket"),
    "sns_topics": (_topic, "topics", "name", "topic"),
    "sqs_queues": (_queue, "queues", "name", "queue"),
    "kms_keys": (_kms_key, "keys", "name", "KMS key"),
    "dynamodb_tables": (_table, "tables", "name", "table"),
    "rds_instances": (_db_instance, "db_instances", "identifier", "DB instance"),
    "ebs_volumes": (_volume, "volumes", "name", "volume"),
    "lambda_functions": (_function, "functions", "name", "function"),
    "cloudtrail_trails": (_trail, "trails", "name", "trail"),
    "guardduty_detectors": (
        _detector,
        "guardduty_detectors",
        "region",
        "GuardDuty detector in region",
    ),
    "config_recorders": (_recorder, "config_recorders", "region", "Config recorder in region"),
}
