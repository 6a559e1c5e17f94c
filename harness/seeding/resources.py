"""The resources of every account, kind by kind across accounts, in the order they depend on
each other: buckets before the trails that deliver to them (possibly in another account),
topics before the queues subscribed to them, roles (seeded earlier) before functions. KMS keys
come before the stores whose data they may encrypt.

Each resource is created if missing, and what the landscape sets on it (policies, encryption,
versioning, public access block, tags, subscriptions) is applied again, without moving any
timestamp when nothing changes. Settings the landscape leaves out are not removed from an
existing resource (a bucket policy dropped from the landscape stays until the backend is reset),
nor are resources the landscape does not name: reseeding converges a backend seeded from the
same landscape, and a fresh one matches exactly."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from harness.landscape.model import (
    Account,
    Bucket,
    ConfigRecorder,
    DbInstance,
    Function,
    GuardDutyDetector,
    Key,
    Queue,
    Resources,
    Table,
    Topic,
    Trail,
    Volume,
)
from harness.seeding.context import Clients, step

Seeder = Callable[[Clients, Account, Any], None]


def seed_resources(clients: Clients) -> None:
    accounts = clients.landscape.accounts
    for kind, items, seeder in _KINDS:
        for account in accounts:
            for item in items(account.resources):
                label = getattr(item, "name", None) or getattr(item, "identifier", item.region)
                with step(f"seeding {kind} {label} in account {account.name}"):
                    seeder(clients, account, item)


def _not_found(error: Exception, *codes: str) -> bool:
    response = getattr(error, "response", {})
    return response.get("Error", {}).get("Code") in codes


# --------------------------------------------------------------------------- S3


def _bucket(clients: Clients, account: Account, bucket: Bucket) -> None:
    s3 = clients.client(account.name, "s3", bucket.region)
    name = bucket.name
    if name not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        location = (
            {}
            if bucket.region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": bucket.region}}
        )
        s3.create_bucket(Bucket=name, **location)
    if bucket.policy is not None:
        s3.put_bucket_policy(Bucket=name, Policy=bucket.policy.to_json())
    if bucket.encryption is not None:
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": bucket.encryption}}
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    if bucket.versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if bucket.block_public_access:
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    if bucket.tags:
        s3.put_bucket_tagging(
            Bucket=name,
            Tagging={"TagSet": [{"Key": key, "Value": value} for key, value in bucket.tags]},
        )


# --------------------------------------------------------------------------- SNS, SQS


def _topic(clients: Clients, account: Account, topic: Topic) -> None:
    sns = clients.client(account.name, "sns", topic.region)
    arn = sns.create_topic(Name=topic.name)["TopicArn"]  # returns the topic if it exists
    if topic.policy is not None:
        sns.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=topic.policy.to_json()
        )


def _queue(clients: Clients, account: Account, queue: Queue) -> None:
    sqs = clients.client(account.name, "sqs", queue.region)
    attributes = {} if queue.policy is None else {"Policy": queue.policy.to_json()}
    try:
        url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    except Exception as error:
        if not _not_found(error, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise
        sqs.create_queue(QueueName=queue.name, Attributes=attributes)
    else:
        # Compared first: setting them, even unchanged, moves LastModifiedTimestamp.
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(attributes))
        current = {k: json.loads(v) for k, v in found.get("Attributes", {}).items()}
        if current != {k: json.loads(v) for k, v in attributes.items()}:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    sns = clients.client(account.name, "sns", queue.region)
    for topic in queue.subscriptions:
        topic_arn = f"arn:aws:sns:{queue.region}:{account.account_id}:{topic}"
        found = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        if all((s["Protocol"], s["Endpoint"]) != ("sqs", queue.arn) for s in found):
            sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)


# --------------------------------------------------------------------------- KMS


def _kms_key(clients: Clients, account: Account, key: Key) -> None:
    """The key, found by its alias (AWS chooses the key id, so the alias is the landscape's name
    for it), with its key policy, description and tags.

    The key policy is always sent: the landscape's, or AWS's default key policy
    (`default_key_policy`). moto 5.2.5 and LocalStack 4.13.1 give a key created without a policy
    the same default as AWS (`generate_default_policy`, `_get_default_key_policy`), but sending
    it makes the key hold exactly what the landscape says on either backend, and lets a reseed
    put it back. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    The alias is created after the key: CreateKey takes none.
    https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
    """
    kms = clients.client(account.name, "kms", key.region)
    wanted = key.policy_json()
    try:
        found = kms.describe_key(KeyId=key.alias)["KeyMetadata"]
    except Exception as error:
        if not _not_found(error, "NotFoundException"):
            raise
        tags = [{"TagKey": tag, "TagValue": value} for tag, value in key.tags]
        created = kms.create_key(
            Policy=wanted,
            Description=key.description,
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            **({"Tags": tags} if tags else {}),
        )["KeyMetadata"]
        kms.create_alias(AliasName=key.alias, TargetKeyId=created["KeyId"])
        clients.key_arns[(account.name, key.name)] = created["Arn"]
        return
    key_id = found["KeyId"]
    clients.key_arns[(account.name, key.name)] = found["Arn"]
    # A key left pending deletion or disabled by a scenario is usable again after a reseed.
    if found.get("KeyState") == "PendingDeletion":
        kms.cancel_key_deletion(KeyId=key_id)
    if found.get("KeyState") in ("PendingDeletion", "Disabled"):
        kms.enable_key(KeyId=key_id)
    current = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    if json.loads(current) != json.loads(wanted):
        kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=wanted)
    if found.get("Description", "") != key.description:
        kms.update_key_description(KeyId=key_id, Description=key.description)
    listed = kms.list_resource_tags(KeyId=key_id).get("Tags", [])
    present = {tag["TagKey"]: tag["TagValue"] for tag in listed}
    missing = [(tag, value) for tag, value in key.tags if present.get(tag) != value]
    if missing:
        kms.tag_resource(
            KeyId=key_id, Tags=[{"TagKey": tag, "TagValue": value} for tag, value in missing]
        )


# --------------------------------------------------------------------------- data stores


def _table(clients: Clients, account: Account, table: Table) -> None:
    dynamodb = clients.client(account.name, "dynamodb", table.region)
    try:
        dynamodb.describe_table(TableName=table.name)
        return
    except dynamodb.exceptions.ResourceNotFoundException:
        pass
    keys = [(table.partition_key, "HASH")]
    if table.sort_key is not None:
        keys.append((table.sort_key, "RANGE"))
    dynamodb.create_table(
        TableName=table.name,
        KeySchema=[{"AttributeName": key.name, "KeyType": role} for key, role in keys],
        AttributeDefinitions=[
            {"AttributeName": key.name, "AttributeType": key.type} for key, _ in keys
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _db_instance(clients: Clients, account: Account, db: DbInstance) -> None:
    rds = clients.client(account.name, "rds", db.region)
    try:
        rds.describe_db_instances(DBInstanceIdentifier=db.identifier)
        return
    except rds.exceptions.DBInstanceNotFoundFault:
        pass
    rds.create_db_instance(
        DBInstanceIdentifier=db.identifier,
        Engine=db.engine,
        DBInstanceClass=db.instance_class,
        AllocatedStorage=db.allocated_storage,
        StorageEncrypted=db.storage_encrypted,
        MasterUsername="securecart",
        MasterUserPassword="not-a-secret-emulated-db",
    )


def _volume(clients: Clients, account: Account, volume: Volume) -> None:
    ec2 = clients.client(account.name, "ec2", volume.region)
    found = ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": [volume.name]}])
    if found["Volumes"]:
        return
    ec2.create_volume(
        AvailabilityZone=volume.availability_zone,
        Size=volume.size,
        VolumeType=volume.volume_type,
        Encrypted=volume.encrypted,
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": volume.name}]}
        ],
    )


# --------------------------------------------------------------------------- compute


def function_zip(handler: str) -> bytes:
    """A deployment package whose module answers `handler` (e.g. index.handler → index.py).
    moto stores it; creating a function needs no Docker (invoking one would)."""
    module, _, function = handler.rpartition(".")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            f"{module.replace('.', '/')}.py", f"def {function}(event, context):\n    return {{}}\n"
        )
    return buffer.getvalue()


def _function(clients: Clients, account: Account, function: Function) -> None:
    lambda_ = clients.client(account.name, "lambda", function.region)
    try:
        lambda_.get_function(FunctionName=function.name)
        return
    except lambda_.exceptions.ResourceNotFoundException:
        pass
    lambda_.create_function(
        FunctionName=function.name,
        Runtime=function.runtime,
        Role=account.role(function.role).arn,
        Handler=function.handler,
        Code={"ZipFile": function_zip(function.handler)},
    )


# --------------------------------------------------------------------------- security tooling


def _trail(clients: Clients, account: Account, trail: Trail) -> None:
    cloudtrail = clients.client(account.name, "cloudtrail", trail.region)
    found = cloudtrail.describe_trails(trailNameList=[trail.name])["trailList"]
    if not found:
        cloudtrail.create_trail(
            Name=trail.name,
            S3BucketName=trail.bucket,
            IsMultiRegionTrail=trail.multi_region,
            IsOrganizationTrail=trail.organization_trail,
        )
    # Checked first: starting again would move StartLoggingTime, and the state with it.
    if not cloudtrail.get_trail_status(Name=trail.name).get("IsLogging"):
        cloudtrail.start_logging(Name=trail.name)


def _detector(clients: Clients, account: Account, detector: GuardDutyDetector) -> None:
    guardduty = clients.client(account.name, "guardduty", detector.region)
    found = guardduty.list_detectors()["DetectorIds"]
    if not found:
        guardduty.create_detector(Enable=detector.enabled)
        return
    status = guardduty.get_detector(DetectorId=found[0])["Status"]
    if (status == "ENABLED") != detector.enabled:
        guardduty.update_detector(DetectorId=found[0], Enable=detector.enabled)


def _recorder(clients: Clients, account: Account, recorder: ConfigRecorder) -> None:
    config = clients.client(account.name, "config", recorder.region)
    role_arn = (
        account.role(recorder.role).arn
        if recorder.role
        else f"arn:aws:iam::{account.account_id}:role/aws-service-role/"
        "config.amazonaws.com/AWSServiceRoleForConfig"
    )
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": recorder.name,
            "roleARN": role_arn,
            "recordingGroup": {
                "allSupported": recorder.all_supported,
                "includeGlobalResourceTypes": recorder.all_supported,
            },
        }
    )


_KINDS: Sequence[tuple[str, Callable[[Resources], Sequence[Any]], Seeder]] = (
    ("KMS key", lambda r: r.keys, _kms_key),
    ("bucket", lambda r: r.buckets, _bucket),
    ("topic", lambda r: r.topics, _topic),
    ("queue", lambda r: r.queues, _queue),
    ("table", lambda r: r.tables, _table),
    ("DB instance", lambda r: r.db_instances, _db_instance),
    ("volume", lambda r: r.volumes, _volume),
    ("function", lambda r: r.functions, _function),
    ("trail", lambda r: r.trails, _trail),
    ("GuardDuty detector in", lambda r: r.guardduty_detectors, _detector),
    ("Config recorder", lambda r: r.config_recorders, _recorder),
)
