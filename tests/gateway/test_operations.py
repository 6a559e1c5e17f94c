"""operation → authorisation requests: a table per service of (operation, params, expected
requests), covering the default 1:1 rule and every explicit rule; then the failures (unknown
operation, malformed parameters), which must fail closed with a message, never a KeyError."""

from __future__ import annotations

from typing import Any

import pytest

from harness.gateway.operations import (
    AuthorizationRequest,
    InvalidParameters,
    UnmappedOperation,
    authorization_requests,
)

REGION = "eu-west-1"
ME = "111111111111"
OTHER = "222222222222"

# Expected request: (action, resource, {key: values} that must be present with these values).
Expected = tuple[str, str, dict[str, tuple[str, ...]]]


def _map(service: str, operation: str, params: dict[str, Any]) -> tuple[AuthorizationRequest, ...]:
    return authorization_requests(service, operation, params, region=REGION, account=ME)


def _check(service: str, operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    got = _map(service, operation, params)
    assert [(r.action, r.resource) for r in got] == [(a, res) for a, res, _ in expected]
    for request, (_, _, keys) in zip(got, expected, strict=True):
        for key, values in keys.items():
            assert request.key(key) == values, (request.action, key, request.keys)
        assert request.key("aws:RequestedRegion") == (REGION,)


def _table(cases: list[tuple[str, dict[str, Any], list[Expected]]]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("operation", "params", "expected"), cases, ids=[case[0] for case in cases]
    )


# --- S3 -----------------------------------------------------------------------------------
B = "arn:aws:s3:::orders"
S3_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    ("GetObject", {"Bucket": "orders", "Key": "a/b.json"}, [("s3:GetObject", f"{B}/a/b.json", {})]),
    (
        "GetObject",
        {"Bucket": "orders", "Key": "k", "VersionId": "v1"},
        [("s3:GetObjectVersion", f"{B}/k", {"s3:versionid": ("v1",)})],
    ),
    ("HeadObject", {"Bucket": "orders", "Key": "k"}, [("s3:GetObject", f"{B}/k", {})]),
    ("HeadBucket", {"Bucket": "orders"}, [("s3:ListBucket", B, {})]),
    (
        "ListObjectsV2",
        {"Bucket": "orders", "Prefix": "2024/", "Delimiter": "/"},
        [("s3:ListBucket", B, {"s3:prefix": ("2024/",), "s3:delimiter": ("/",)})],
    ),
    ("ListObjects", {"Bucket": "orders"}, [("s3:ListBucket", B, {})]),
    ("ListObjectVersions", {"Bucket": "orders"}, [("s3:ListBucketVersions", B, {})]),
    ("ListBuckets", {}, [("s3:ListAllMyBuckets", "*", {})]),
    (
        "PutObject",
        {"Bucket": "orders", "Key": "k", "ServerSideEncryption": "aws:kms", "CacheControl": None},
        [("s3:PutObject", f"{B}/k", {"s3:x-amz-server-side-encryption": ("aws:kms",)})],
    ),
    (
        "PutObject",
        {"Bucket": "orders", "Key": "k", "Tagging": "team=orders&env=prod", "ACL": "private"},
        [
            (
                "s3:PutObject",
                f"{B}/k",
                {
                    "s3:RequestObjectTag/team": ("orders",),
                    "s3:RequestObjectTagKeys": ("team", "env"),
                    "s3:x-amz-acl": ("private",),
                },
            ),
            ("s3:PutObjectTagging", f"{B}/k", {"s3:RequestObjectTag/env": ("prod",)}),
        ],
    ),
    (
        "CopyObject",
        {"Bucket": "orders", "Key": "copy", "CopySource": "/src/a%20b/c?versionId=7"},
        [
            ("s3:GetObjectVersion", "arn:aws:s3:::src/a b/c", {"s3:versionid": ("7",)}),
            ("s3:PutObject", f"{B}/copy", {"s3:x-amz-copy-source": ("/src/a%20b/c?versionId=7",)}),
        ],
    ),
    (
        "UploadPartCopy",
        {"Bucket": "orders", "Key": "k", "CopySource": "src/x", "PartNumber": 1, "UploadId": "u"},
        [("s3:GetObject", "arn:aws:s3:::src/x", {}), ("s3:PutObject", f"{B}/k", {})],
    ),
    (
        "DeleteObjects",
        {"Bucket": "orders", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "2"}]}},
        [("s3:DeleteObject", f"{B}/a", {}), ("s3:DeleteObjectVersion", f"{B}/b", {})],
    ),
    ("DeleteObject", {"Bucket": "orders", "Key": "k"}, [("s3:DeleteObject", f"{B}/k", {})]),
    ("CreateMultipartUpload", {"Bucket": "orders", "Key": "k"}, [("s3:PutObject", f"{B}/k", {})]),
    (
        "UploadPart",
        {"Bucket": "orders", "Key": "k", "PartNumber": 1, "UploadId": "u"},
        [("s3:PutObject", f"{B}/k", {})],
    ),
    (
        "CompleteMultipartUpload",
        {"Bucket": "orders", "Key": "k", "UploadId": "u"},
        [("s3:PutObject", f"{B}/k", {})],
    ),
    (
        "ListParts",
        {"Bucket": "orders", "Key": "k", "UploadId": "u"},
        [("s3:ListMultipartUploadParts", f"{B}/k", {})],
    ),
    ("ListMultipartUploads", {"Bucket": "orders"}, [("s3:ListBucketMultipartUploads", B, {})]),
    ("GetBucketCors", {"Bucket": "orders"}, [("s3:GetBucketCORS", B, {})]),
    ("DeleteBucketCors", {"Bucket": "orders"}, [("s3:PutBucketCORS", B, {})]),
    ("GetBucketEncryption", {"Bucket": "orders"}, [("s3:GetEncryptionConfiguration", B, {})]),
    ("DeleteBucketLifecycle", {"Bucket": "orders"}, [("s3:PutLifecycleConfiguration", B, {})]),
    ("DeleteBucketTagging", {"Bucket": "orders"}, [("s3:PutBucketTagging", B, {})]),
    ("GetPublicAccessBlock", {"Bucket": "orders"}, [("s3:GetBucketPublicAccessBlock", B, {})]),
    ("DeleteBucketPolicy", {"Bucket": "orders"}, [("s3:DeleteBucketPolicy", B, {})]),
    (
        "CreateBucket",
        {
            "Bucket": "orders",
            "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"},
            "ObjectLockEnabledForBucket": True,
        },
        [
            ("s3:CreateBucket", B, {"s3:locationconstraint": ("eu-west-1",)}),
            ("s3:PutBucketObjectLockConfiguration", B, {}),
            ("s3:PutBucketVersioning", B, {}),
        ],
    ),
    (
        "PutBucketReplication",
        {"Bucket": "orders", "ReplicationConfiguration": {"Role": f"arn:aws:iam::{ME}:role/r"}},
        [
            ("s3:PutReplicationConfiguration", B, {}),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:role/r",
                {"iam:PassedToService": ("s3.amazonaws.com",)},
            ),
        ],
    ),
    (
        "GetObject",
        {"Bucket": f"arn:aws:s3:{REGION}:{OTHER}:accesspoint/ap", "Key": "k"},
        [("s3:GetObject", f"arn:aws:s3:{REGION}:{OTHER}:accesspoint/ap/object/k", {})],
    ),
]


@_table(S3_CASES)
def test_s3(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("s3", operation, params, expected)


def test_s3_requests_leave_the_owner_to_the_gateway() -> None:
    (request,) = _map("s3", "GetObject", {"Bucket": "b", "Key": "k"})
    assert request.resource_account is None
    assert not request.resource_policy_required


def test_s3_put_without_encryption_header_has_no_key() -> None:
    """The SCP's Null test on s3:x-amz-server-side-encryption must see the key absent."""
    (request,) = _map("s3", "PutObject", {"Bucket": "b", "Key": "k"})
    assert request.key("s3:x-amz-server-side-encryption") is None


def test_keys_the_action_does_not_support_are_dropped() -> None:
    """s3:prefix is a ListBucket key: GetObject never carries it."""
    (request,) = _map("s3", "GetObject", {"Bucket": "b", "Key": "k", "Prefix": "x"})
    assert request.key("s3:prefix") is None


# --- SNS / SQS -------------------------------------------------------------------------------
TOPIC = f"arn:aws:sns:{REGION}:{OTHER}:order-events"
QUEUE = f"arn:aws:sqs:{REGION}:{OTHER}:order-queue"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{OTHER}/order-queue"
SNS_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    ("Publish", {"TopicArn": TOPIC, "Message": "m"}, [("sns:Publish", TOPIC, {})]),
    (
        "PublishBatch",
        {"TopicArn": TOPIC, "PublishBatchRequestEntries": [{"Id": "1", "Message": "m"}]},
        [("sns:Publish", TOPIC, {})],
    ),
    (
        "CreateTopic",
        {"Name": "t", "Tags": [{"Key": "team", "Value": "orders"}]},
        [
            (
                "sns:CreateTopic",
                f"arn:aws:sns:{REGION}:{ME}:t",
                {"aws:RequestTag/team": ("orders",), "aws:TagKeys": ("team",)},
            ),
            ("sns:TagResource", f"arn:aws:sns:{REGION}:{ME}:t", {"aws:TagKeys": ("team",)}),
        ],
    ),
    (
        "Subscribe",
        {"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": QUEUE},
        [("sns:Subscribe", TOPIC, {"sns:Protocol": ("sqs",), "sns:Endpoint": (QUEUE,)})],
    ),
    ("Unsubscribe", {"SubscriptionArn": f"{TOPIC}:0b1c"}, [("sns:Unsubscribe", TOPIC, {})]),
    ("ListTopics", {}, [("sns:ListTopics", "*", {})]),
]


@_table(SNS_CASES)
def test_sns(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("sns", operation, params, expected)


def test_a_topic_arn_keeps_its_own_account() -> None:
    (request,) = _map("sns", "Publish", {"TopicArn": TOPIC, "Message": "m"})
    assert request.resource_account == OTHER


SQS_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    ("SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "x"}, [("sqs:SendMessage", QUEUE, {})]),
    (
        "SendMessage",
        {"QueueUrl": f"http://localhost:4566/{OTHER}/order-queue", "MessageBody": "x"},
        [("sqs:SendMessage", QUEUE, {})],
    ),
    (
        "SendMessageBatch",
        {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "1", "MessageBody": "x"}]},
        [("sqs:SendMessage", QUEUE, {})],
    ),
    (
        "DeleteMessageBatch",
        {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "1", "ReceiptHandle": "r"}]},
        [("sqs:DeleteMessage", QUEUE, {})],
    ),
    (
        "ChangeMessageVisibilityBatch",
        {"QueueUrl": QUEUE_URL, "Entries": []},
        [("sqs:ChangeMessageVisibility", QUEUE, {})],
    ),
    ("ReceiveMessage", {"QueueUrl": QUEUE_URL}, [("sqs:ReceiveMessage", QUEUE, {})]),
    (
        "CreateQueue",
        {"QueueName": "q", "tags": {"team": "orders"}},
        [
            ("sqs:CreateQueue", f"arn:aws:sqs:{REGION}:{ME}:q", {"aws:TagKeys": ("team",)}),
            ("sqs:TagQueue", f"arn:aws:sqs:{REGION}:{ME}:q", {}),
        ],
    ),
    (
        "GetQueueUrl",
        {"QueueName": "order-queue", "QueueOwnerAWSAccountId": OTHER},
        [("sqs:GetQueueUrl", QUEUE, {})],
    ),
    ("ListQueues", {}, [("sqs:ListQueues", "*", {})]),
]


@_table(SQS_CASES)
def test_sqs(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("sqs", operation, params, expected)


# --- Lambda ----------------------------------------------------------------------------------
FN = f"arn:aws:lambda:{REGION}:{ME}:function:orders-processor"
ROLE = f"arn:aws:iam::{ME}:role/orders-processor"
LAMBDA_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "CreateFunction",
        {"FunctionName": "orders-processor", "Role": ROLE, "Code": {}, "Tags": {"team": "o"}},
        [
            ("lambda:CreateFunction", FN, {"aws:RequestTag/team": ("o",)}),
            ("iam:PassRole", ROLE, {"iam:PassedToService": ("lambda.amazonaws.com",)}),
            ("lambda:TagResource", FN, {"aws:TagKeys": ("team",)}),
        ],
    ),
    (
        "UpdateFunctionConfiguration",
        {"FunctionName": "orders-processor", "Role": ROLE},
        [
            ("lambda:UpdateFunctionConfiguration", FN, {}),
            ("iam:PassRole", ROLE, {"iam:PassedToService": ("lambda.amazonaws.com",)}),
        ],
    ),
    ("Invoke", {"FunctionName": "orders-processor"}, [("lambda:InvokeFunction", FN, {})]),
    (
        "Invoke",
        {"FunctionName": "orders-processor", "Qualifier": "live"},
        [("lambda:InvokeFunction", f"{FN}:live", {})],
    ),
    ("InvokeWithResponseStream", {"FunctionName": FN}, [("lambda:InvokeFunction", FN, {})]),
    (
        "GetFunction",
        {"FunctionName": f"{OTHER}:function:f:3"},
        [("lambda:GetFunction", f"arn:aws:lambda:{REGION}:{OTHER}:function:f:3", {})],
    ),
    (
        "GetLayerVersionByArn",
        {"Arn": f"arn:aws:lambda:{REGION}:{OTHER}:layer:deps:4"},
        [("lambda:GetLayerVersion", f"arn:aws:lambda:{REGION}:{OTHER}:layer:deps:4", {})],
    ),
    (
        "CreateEventSourceMapping",
        {"FunctionName": "orders-processor", "EventSourceArn": QUEUE},
        [("lambda:CreateEventSourceMapping", "*", {"lambda:FunctionArn": (FN,)})],
    ),
    (
        "AddPermission",
        {"FunctionName": FN, "StatementId": "s", "Action": "x", "Principal": "sns.amazonaws.com"},
        [("lambda:AddPermission", FN, {"lambda:Principal": ("sns.amazonaws.com",)})],
    ),
    ("ListFunctions", {}, [("lambda:ListFunctions", "*", {})]),
]


@_table(LAMBDA_CASES)
def test_lambda(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("lambda", operation, params, expected)


# --- DynamoDB / RDS --------------------------------------------------------------------------
T = f"arn:aws:dynamodb:{REGION}:{ME}:table/orders"
DYNAMODB_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    ("GetItem", {"TableName": "orders", "Key": {}}, [("dynamodb:GetItem", T, {})]),
    (
        "Query",
        {"TableName": "orders", "IndexName": "by-customer", "Select": "COUNT"},
        [("dynamodb:Query", f"{T}/index/by-customer", {"dynamodb:Select": ("COUNT",)})],
    ),
    (
        "BatchGetItem",
        {"RequestItems": {"orders": {"Keys": []}, "customers": {"Keys": []}}},
        [
            ("dynamodb:BatchGetItem", T, {}),
            ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:{REGION}:{ME}:table/customers", {}),
        ],
    ),
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "orders", "Item": {}}},
                {"ConditionCheck": {"TableName": "orders", "Key": {}}},
                {"Delete": {"TableName": "orders", "Key": {}}},
            ]
        },
        [
            ("dynamodb:PutItem", T, {"dynamodb:EnclosingOperation": ("TransactWriteItems",)}),
            ("dynamodb:ConditionCheckItem", T, {}),
            ("dynamodb:DeleteItem", T, {}),
        ],
    ),
    (
        "TransactGetItems",
        {"TransactItems": [{"Get": {"TableName": "orders", "Key": {}}}]},
        [("dynamodb:GetItem", T, {})],
    ),
    (
        "ExecuteStatement",
        {"Statement": 'SELECT * FROM "orders" WHERE id = ?'},
        [("dynamodb:PartiQLSelect", T, {})],
    ),
    (
        "BatchExecuteStatement",
        {
            "Statements": [
                {"Statement": "INSERT INTO orders VALUE {'id': 1}"},
                {"Statement": "UPDATE orders SET a = 1 WHERE id = 1"},
            ]
        },
        [("dynamodb:PartiQLInsert", T, {}), ("dynamodb:PartiQLUpdate", T, {})],
    ),
    (
        "CreateTable",
        {"TableName": "orders", "Tags": [{"Key": "team", "Value": "o"}]},
        [
            ("dynamodb:CreateTable", T, {"aws:RequestTag/team": ("o",)}),
            ("dynamodb:TagResource", T, {}),
        ],
    ),
    ("DeleteTable", {"TableName": T}, [("dynamodb:DeleteTable", T, {})]),
    ("ListTables", {}, [("dynamodb:ListTables", "*", {})]),
]


@_table(DYNAMODB_CASES)
def test_dynamodb(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("dynamodb", operation, params, expected)


DB = f"arn:aws:rds:{REGION}:{ME}:db:orders-db"
RDS_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "CreateDBInstance",
        {
            "DBInstanceIdentifier": "orders-db",
            "DBInstanceClass": "db.t3.micro",
            "Engine": "postgres",
            "StorageEncrypted": False,
            "MonitoringRoleArn": f"arn:aws:iam::{ME}:role/rds-monitoring",
            "Tags": [{"Key": "env", "Value": "prod"}],
        },
        [
            (
                "rds:CreateDBInstance",
                DB,
                {
                    "rds:StorageEncrypted": ("false",),
                    "rds:DatabaseEngine": ("postgres",),
                    "rds:DatabaseClass": ("db.t3.micro",),
                    "aws:RequestTag/env": ("prod",),
                    "aws:TagKeys": ("env",),
                },
            ),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:role/rds-monitoring",
                {"iam:PassedToService": ("monitoring.rds.amazonaws.com",)},
            ),
            ("rds:AddTagsToResource", DB, {}),
        ],
    ),
    (
        "DeleteDBInstance",
        {"DBInstanceIdentifier": "orders-db", "SkipFinalSnapshot": True},
        [("rds:DeleteDBInstance", DB, {})],
    ),
    ("DescribeDBInstances", {}, [("rds:DescribeDBInstances", "*", {})]),
    (
        "DescribeDBInstances",
        {"DBInstanceIdentifier": "orders-db"},
        [("rds:DescribeDBInstances", DB, {})],
    ),
]


@_table(RDS_CASES)
def test_rds(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("rds", operation, params, expected)


def test_create_db_cluster_storage_encrypted() -> None:
    (request,) = _map(
        "rds",
        "CreateDBCluster",
        {"DBClusterIdentifier": "c", "Engine": "aurora-postgresql", "StorageEncrypted": True},
    )[:1]
    assert request.key("rds:StorageEncrypted") == ("true",)


# --- EC2 / ECS -------------------------------------------------------------------------------
EC2 = f"arn:aws:ec2:{REGION}:{ME}"
EC2_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "CreateVolume",
        {"AvailabilityZone": "eu-west-1a", "Size": 8, "Encrypted": False, "VolumeType": "gp3"},
        [
            (
                "ec2:CreateVolume",
                f"{EC2}:volume/*",
                {
                    "ec2:Encrypted": ("false",),
                    "ec2:VolumeSize": ("8",),
                    "ec2:VolumeType": ("gp3",),
                    "ec2:Region": (REGION,),
                },
            )
        ],
    ),
    (
        "TerminateInstances",
        {"InstanceIds": ["i-1", "i-2"]},
        [
            ("ec2:TerminateInstances", f"{EC2}:instance/i-1", {}),
            ("ec2:TerminateInstances", f"{EC2}:instance/i-2", {}),
        ],
    ),
    (
        "AuthorizeSecurityGroupIngress",
        {"GroupId": "sg-1"},
        [("ec2:AuthorizeSecurityGroupIngress", f"{EC2}:security-group/sg-1", {})],
    ),
    ("DescribeInstances", {}, [("ec2:DescribeInstances", "*", {})]),
    (
        "CreateInternetGateway",
        {},
        [("ec2:CreateInternetGateway", f"{EC2}:internet-gateway/*", {})],
    ),
    (
        "RunInstances",
        {
            "ImageId": "ami-1",
            "MinCount": 1,
            "MaxCount": 1,
            "InstanceType": "t3.micro",
            "SecurityGroupIds": ["sg-1"],
            "IamInstanceProfile": {"Name": "app"},
            "TagSpecifications": [
                {"ResourceType": "instance", "Tags": [{"Key": "team", "Value": "o"}]}
            ],
        },
        [
            ("ec2:RunInstances", f"arn:aws:ec2:{REGION}::image/ami-1", {}),
            (
                "ec2:RunInstances",
                f"{EC2}:instance/*",
                {"aws:RequestTag/team": ("o",), "ec2:InstanceType": ("t3.micro",)},
            ),
            ("ec2:RunInstances", f"{EC2}:network-interface/*", {}),
            ("ec2:RunInstances", f"{EC2}:security-group/sg-1", {}),
            ("ec2:RunInstances", f"{EC2}:subnet/*", {}),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:instance-profile/app",
                {"iam:PassedToService": ("ec2.amazonaws.com",)},
            ),
            (
                "ec2:CreateTags",
                f"{EC2}:instance/*",
                {"ec2:CreateAction": ("RunInstances",), "aws:TagKeys": ("team",)},
            ),
        ],
    ),
]


@_table(EC2_CASES)
def test_ec2(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("ec2", operation, params, expected)


def test_create_volume_without_encrypted_has_no_key() -> None:
    """The SCP uses BoolIfExists: an absent ec2:Encrypted must stay absent."""
    (request,) = _map("ec2", "CreateVolume", {"AvailabilityZone": "eu-west-1a", "Size": 8})
    assert request.key("ec2:Encrypted") is None


ECS = f"arn:aws:ecs:{REGION}:{ME}"
ECS_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "RegisterTaskDefinition",
        {
            "family": "orders-api",
            "containerDefinitions": [],
            "taskRoleArn": f"arn:aws:iam::{ME}:role/orders-api",
            "executionRoleArn": f"arn:aws:iam::{ME}:role/exec",
        },
        [
            ("ecs:RegisterTaskDefinition", f"{ECS}:task-definition/orders-api:*", {}),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:role/orders-api",
                {"iam:PassedToService": ("ecs-tasks.amazonaws.com",)},
            ),
            ("iam:PassRole", f"arn:aws:iam::{ME}:role/exec", {}),
        ],
    ),
    (
        "UpdateService",
        {"cluster": "prod", "service": "orders-api"},
        [("ecs:UpdateService", f"{ECS}:service/prod/orders-api", {})],
    ),
    (
        "DescribeServices",
        {"services": ["orders-api"]},
        [("ecs:DescribeServices", f"{ECS}:service/default/orders-api", {})],
    ),
    (
        "CreateCluster",
        {"clusterName": "prod", "tags": [{"key": "team", "value": "o"}]},
        [
            ("ecs:CreateCluster", f"{ECS}:cluster/prod", {"aws:RequestTag/team": ("o",)}),
            ("ecs:TagResource", f"{ECS}:cluster/prod", {"ecs:CreateAction": ("CreateCluster",)}),
        ],
    ),
]


@_table(ECS_CASES)
def test_ecs(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("ecs", operation, params, expected)


# --- IAM / STS -------------------------------------------------------------------------------
BOUNDARY = f"arn:aws:iam::{ME}:policy/developer-boundary"
IAM_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "CreateRole",
        {
            "RoleName": "app",
            "Path": "/workloads/",
            "AssumeRolePolicyDocument": "{}",
            "PermissionsBoundary": BOUNDARY,
            "Tags": [{"Key": "team", "Value": "o"}],
        },
        [
            (
                "iam:CreateRole",
                f"arn:aws:iam::{ME}:role/workloads/app",
                {"iam:PermissionsBoundary": (BOUNDARY,), "aws:TagKeys": ("team",)},
            ),
            ("iam:TagRole", f"arn:aws:iam::{ME}:role/workloads/app", {}),
        ],
    ),
    (
        "CreateRole",
        {"RoleName": "app", "AssumeRolePolicyDocument": "{}"},
        [("iam:CreateRole", f"arn:aws:iam::{ME}:role/app", {})],
    ),
    (
        "AttachRolePolicy",
        {"RoleName": "app", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        [
            (
                "iam:AttachRolePolicy",
                f"arn:aws:iam::{ME}:role/app",
                {"iam:PolicyARN": ("arn:aws:iam::aws:policy/ReadOnlyAccess",)},
            )
        ],
    ),
    (
        "PutRolePermissionsBoundary",
        {"RoleName": "app", "PermissionsBoundary": BOUNDARY},
        [
            (
                "iam:PutRolePermissionsBoundary",
                f"arn:aws:iam::{ME}:role/app",
                {"iam:PermissionsBoundary": (BOUNDARY,)},
            )
        ],
    ),
    (
        "CreatePolicyVersion",
        {"PolicyArn": BOUNDARY, "PolicyDocument": "{}"},
        [("iam:CreatePolicyVersion", BOUNDARY, {})],
    ),
    (
        "CreatePolicy",
        {"PolicyName": "p", "Path": "/team/", "PolicyDocument": "{}"},
        [("iam:CreatePolicy", f"arn:aws:iam::{ME}:policy/team/p", {})],
    ),
    (
        "AddRoleToInstanceProfile",
        {"InstanceProfileName": "app", "RoleName": "app"},
        [
            ("iam:AddRoleToInstanceProfile", f"arn:aws:iam::{ME}:instance-profile/app", {}),
            ("iam:PassRole", f"arn:aws:iam::{ME}:role/app", {}),
        ],
    ),
    ("ListRoles", {}, [("iam:ListRoles", "*", {})]),
]


@_table(IAM_CASES)
def test_iam(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("iam", operation, params, expected)


VENDOR_ROLE = f"arn:aws:iam::{OTHER}:role/VendorSupportRole"
STS_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "AssumeRole",
        {"RoleArn": VENDOR_ROLE, "RoleSessionName": "s", "ExternalId": "securecart-vendor"},
        [
            (
                "sts:AssumeRole",
                VENDOR_ROLE,
                {"sts:ExternalId": ("securecart-vendor",), "sts:RoleSessionName": ("s",)},
            )
        ],
    ),
    (
        "AssumeRole",
        {
            "RoleArn": VENDOR_ROLE,
            "RoleSessionName": "s",
            "Tags": [{"Key": "project", "Value": "x"}],
            "SourceIdentity": "alice",
        },
        [
            ("sts:AssumeRole", VENDOR_ROLE, {"aws:RequestTag/project": ("x",)}),
            ("sts:TagSession", VENDOR_ROLE, {"aws:TagKeys": ("project",)}),
            ("sts:SetSourceIdentity", VENDOR_ROLE, {"sts:SourceIdentity": ("alice",)}),
        ],
    ),
    ("GetCallerIdentity", {}, []),
    ("GetSessionToken", {}, []),  # no permission needed (API_GetSessionToken)
]


@_table(STS_CASES)
def test_sts(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("sts", operation, params, expected)


def test_assume_role_needs_the_trust_policy() -> None:
    (request,) = _map("sts", "AssumeRole", {"RoleArn": VENDOR_ROLE, "RoleSessionName": "s"})
    assert request.resource_policy_required
    assert request.resource_account == OTHER


# --- KMS, CloudTrail, GuardDuty, Config, Organizations, SSO, Identity Store -----------------
KEY = f"arn:aws:kms:{REGION}:{ME}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KMS_CASES: list[tuple[str, dict[str, Any], list[Expected]]] = [
    (
        "Encrypt",
        {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "EncryptionContext": {"app": "o"}},
        [
            (
                "kms:Encrypt",
                KEY,
                {
                    "kms:EncryptionContext:app": ("o",),
                    "kms:EncryptionContextKeys": ("app",),
                    "kms:CallerAccount": (ME,),
                },
            )
        ],
    ),
    (
        "Decrypt",
        {"KeyId": "alias/orders", "CiphertextBlob": b"x"},
        [
            (
                "kms:Decrypt",
                f"arn:aws:kms:{REGION}:{ME}:alias/orders",
                {"kms:RequestAlias": ("alias/orders",)},
            )
        ],
    ),
    (
        "ReEncrypt",
        {"CiphertextBlob": b"x", "SourceKeyId": KEY, "DestinationKeyId": KEY},
        [("kms:ReEncryptFrom", KEY, {}), ("kms:ReEncryptTo", KEY, {})],
    ),
    (
        "CreateAlias",
        {"AliasName": "alias/orders", "TargetKeyId": KEY},
        [
            ("kms:CreateAlias", f"arn:aws:kms:{REGION}:{ME}:alias/orders", {}),
            ("kms:CreateAlias", KEY, {}),
        ],
    ),
    (
        "ScheduleKeyDeletion",
        {"KeyId": KEY, "PendingWindowInDays": 7},
        [("kms:ScheduleKeyDeletion", KEY, {"kms:ScheduleKeyDeletionPendingWindowInDays": ("7",)})],
    ),
    (
        "CreateKey",
        {"KeySpec": "SYMMETRIC_DEFAULT", "Tags": [{"TagKey": "team", "TagValue": "o"}]},
        [
            (
                "kms:CreateKey",
                "*",
                {"kms:KeySpec": ("SYMMETRIC_DEFAULT",), "aws:RequestTag/team": ("o",)},
            ),
            ("kms:TagResource", f"arn:aws:kms:{REGION}:{ME}:key/*", {}),
        ],
    ),
]


@_table(KMS_CASES)
def test_kms(operation: str, params: dict[str, Any], expected: list[Expected]) -> None:
    _check("kms", operation, params, expected)


def test_kms_key_requests_need_the_key_policy() -> None:
    (request,) = _map("kms", "Encrypt", {"KeyId": KEY, "Plaintext": b"x"})
    assert request.resource_policy_required


TRAIL = f"arn:aws:cloudtrail:{REGION}:{ME}:trail/securecart-org-trail"
SECURITY_CASES: list[tuple[str, str, dict[str, Any], list[Expected]]] = [
    (
        "cloudtrail",
        "StopLogging",
        {"Name": "securecart-org-trail"},
        [("cloudtrail:StopLogging", TRAIL, {})],
    ),
    ("cloudtrail", "DeleteTrail", {"Name": TRAIL}, [("cloudtrail:DeleteTrail", TRAIL, {})]),
    (
        "cloudtrail",
        "CreateTrail",
        {
            "Name": "securecart-org-trail",
            "S3BucketName": "logs",
            "CloudWatchLogsRoleArn": f"arn:aws:iam::{ME}:role/ct",
        },
        [
            ("cloudtrail:CreateTrail", TRAIL, {}),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:role/ct",
                {"iam:PassedToService": ("cloudtrail.amazonaws.com",)},
            ),
        ],
    ),
    (
        "guardduty",
        "DeleteDetector",
        {"DetectorId": "d1"},
        [("guardduty:DeleteDetector", f"arn:aws:guardduty:{REGION}:{ME}:detector/d1", {})],
    ),
    # The reference lists no resource type for guardduty:ArchiveFindings: the request is on "*".
    (
        "guardduty",
        "ArchiveFindings",
        {"DetectorId": "d1", "FindingIds": ["f"]},
        [("guardduty:ArchiveFindings", "*", {})],
    ),
    (
        "config",
        "StopConfigurationRecorder",
        {"ConfigurationRecorderName": "default"},
        [
            (
                "config:StopConfigurationRecorder",
                f"arn:aws:config:{REGION}:{ME}:configuration-recorder/default/*",
                {},
            )
        ],
    ),
    (
        "config",
        "DeleteConfigRule",
        {"ConfigRuleName": "r"},
        [("config:DeleteConfigRule", f"arn:aws:config:{REGION}:{ME}:config-rule/*", {})],
    ),
    ("organizations", "LeaveOrganization", {}, [("organizations:LeaveOrganization", "*", {})]),
    (
        "organizations",
        "CreatePolicy",
        {"Name": "p", "Content": "{}", "Description": "d", "Type": "SERVICE_CONTROL_POLICY"},
        [
            (
                "organizations:CreatePolicy",
                f"arn:aws:organizations::{ME}:policy/o-*/service_control_policy/p-*",
                {"organizations:PolicyType": ("SERVICE_CONTROL_POLICY",)},
            )
        ],
    ),
    (
        "organizations",
        "MoveAccount",
        {"AccountId": OTHER, "SourceParentId": "r-ab12", "DestinationParentId": "ou-ab12-cd34"},
        [
            ("organizations:MoveAccount", f"arn:aws:organizations::{ME}:account/o-*/{OTHER}", {}),
            ("organizations:MoveAccount", f"arn:aws:organizations::{ME}:ou/o-*/ou-ab12-cd34", {}),
            ("organizations:MoveAccount", f"arn:aws:organizations::{ME}:root/o-*/r-ab12", {}),
        ],
    ),
    (
        "sso-admin",
        "CreateAccountAssignment",
        {
            "InstanceArn": "arn:aws:sso:::instance/ssoins-1",
            "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-2",
            "TargetId": OTHER,
            "TargetType": "AWS_ACCOUNT",
            "PrincipalType": "GROUP",
            "PrincipalId": "g",
        },
        [
            ("sso:CreateAccountAssignment", f"arn:aws:sso:::account/{OTHER}", {}),
            ("sso:CreateAccountAssignment", "arn:aws:sso:::instance/ssoins-1", {}),
            ("sso:CreateAccountAssignment", "arn:aws:sso:::permissionSet/ssoins-1/ps-2", {}),
        ],
    ),
    (
        "identitystore",
        "DescribeUser",
        {"IdentityStoreId": "d-1", "UserId": "u-1"},
        [
            ("identitystore:DescribeUser", f"arn:aws:identitystore::{ME}:identitystore/d-1", {}),
            ("identitystore:DescribeUser", "arn:aws:identitystore:::user/u-1", {}),
        ],
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    SECURITY_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in SECURITY_CASES],
)
def test_security_services(
    service: str, operation: str, params: dict[str, Any], expected: list[Expected]
) -> None:
    _check(service, operation, params, expected)


# --- CloudFormation, CloudWatch Logs, AWS Support -------------------------------------------
STACK = f"arn:aws:cloudformation:{REGION}:{ME}:stack"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ME}:log-group"
MANAGEMENT_CASES: list[tuple[str, str, dict[str, Any], list[Expected]]] = [
    # A stack named by name: its ID is the service's to choose, '*'.
    (
        "cloudformation",
        "CreateStack",
        {
            "StackName": "securecart-orders",
            "TemplateURL": "https://s3.amazonaws.com/t/orders.json",
            "ResourceTypes": ["AWS::Lambda::Function"],
        },
        [
            (
                "cloudformation:CreateStack",
                f"{STACK}/securecart-orders/*",
                {
                    "cloudformation:TemplateUrl": ("https://s3.amazonaws.com/t/orders.json",),
                    "cloudformation:ResourceTypes": ("AWS::Lambda::Function",),
                },
            )
        ],
    ),
    # A service role is passed to CloudFormation.
    (
        "cloudformation",
        "CreateStack",
        {"StackName": "securecart-orders", "RoleARN": f"arn:aws:iam::{ME}:role/cfn"},
        [
            (
                "cloudformation:CreateStack",
                f"{STACK}/securecart-orders/*",
                {"cloudformation:RoleArn": (f"arn:aws:iam::{ME}:role/cfn",)},
            ),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:role/cfn",
                {"iam:PassedToService": ("cloudformation.amazonaws.com",)},
            ),
        ],
    ),
    # A stack ID is the stack's ARN, which keeps its own account.
    (
        "cloudformation",
        "UpdateStack",
        {"StackName": f"arn:aws:cloudformation:{REGION}:{OTHER}:stack/securecart-orders/1a2b"},
        [
            (
                "cloudformation:UpdateStack",
                f"arn:aws:cloudformation:{REGION}:{OTHER}:stack/securecart-orders/1a2b",
                {},
            )
        ],
    ),
    (
        "cloudformation",
        "ExecuteChangeSet",
        {
            "StackName": "securecart-orders",
            "ChangeSetName": f"arn:aws:cloudformation:{REGION}:{ME}:changeSet/release-7/9f",
        },
        [
            (
                "cloudformation:ExecuteChangeSet",
                f"{STACK}/securecart-orders/*",
                {"cloudformation:ChangeSetName": ("release-7",)},
            )
        ],
    ),
    (
        "cloudformation",
        "DescribeStacks",
        {"StackName": "securecart-orders"},
        [("cloudformation:DescribeStacks", f"{STACK}/securecart-orders/*", {})],
    ),
    # The reference's stack type is optional for DescribeStacks: all stacks are on "*".
    ("cloudformation", "DescribeStacks", {}, [("cloudformation:DescribeStacks", "*", {})]),
    # Log streams are in their group's ARN; the group's own actions are on log-group:<name>:*.
    (
        "logs",
        "CreateLogStream",
        {"logGroupName": "/aws/lambda/orders-processor", "logStreamName": "2026/11/01/a"},
        [
            (
                "logs:CreateLogStream",
                f"{LOG_GROUP}:/aws/lambda/orders-processor:log-stream:2026/11/01/a",
                {},
            )
        ],
    ),
    (
        "logs",
        "PutLogEvents",
        {"logGroupName": "/ecs/orders-api", "logStreamName": "s", "logEvents": []},
        [("logs:PutLogEvents", f"{LOG_GROUP}:/ecs/orders-api:log-stream:s", {})],
    ),
    (
        "logs",
        "CreateLogGroup",
        {"logGroupName": "/aws/lambda/orders-processor", "tags": {"team": "orders"}},
        [
            (
                "logs:CreateLogGroup",
                f"{LOG_GROUP}:/aws/lambda/orders-processor:*",
                {"aws:RequestTag/team": ("orders",)},
            )
        ],
    ),
    (
        "logs",
        "FilterLogEvents",
        {"logGroupName": "/ecs/orders-api", "filterPattern": "o-1001"},
        [("logs:FilterLogEvents", f"{LOG_GROUP}:/ecs/orders-api:*", {})],
    ),
    # logGroupIdentifier: a name, or an ARN (with or without ':*') that keeps its own account.
    (
        "logs",
        "DescribeLogStreams",
        {"logGroupIdentifier": f"arn:aws:logs:{REGION}:{OTHER}:log-group:/ecs/orders-api:*"},
        [
            (
                "logs:DescribeLogStreams",
                f"arn:aws:logs:{REGION}:{OTHER}:log-group:/ecs/orders-api:*",
                {},
            )
        ],
    ),
    (
        "logs",
        "GetLogEvents",
        {"logGroupIdentifier": "/ecs/orders-api", "logStreamName": "s"},
        [("logs:GetLogEvents", f"{LOG_GROUP}:/ecs/orders-api:log-stream:s", {})],
    ),
    (
        "logs",
        "StartQuery",
        {
            "logGroupNames": ["/a", "/b"],
            "queryString": "fields @message",
            "startTime": 1,
            "endTime": 2,
        },
        [
            ("logs:StartQuery", f"{LOG_GROUP}:/a:*", {}),
            ("logs:StartQuery", f"{LOG_GROUP}:/b:*", {}),
        ],
    ),
    # The tagging calls are the exception: the log group's ARN without ':*'.
    (
        "logs",
        "TagResource",
        {"resourceArn": f"{LOG_GROUP}:/ecs/orders-api", "tags": {"team": "orders"}},
        [("logs:TagResource", f"{LOG_GROUP}:/ecs/orders-api", {"aws:TagKeys": ("team",)})],
    ),
    (
        "logs",
        "PutSubscriptionFilter",
        {
            "logGroupName": "/ecs/orders-api",
            "filterName": "f",
            "filterPattern": "",
            "destinationArn": f"arn:aws:logs:{REGION}:{ME}:destination:siem",
            "roleArn": f"arn:aws:iam::{ME}:role/cwl-to-siem",
        },
        [
            ("logs:PutSubscriptionFilter", f"arn:aws:logs:{REGION}:{ME}:destination:siem", {}),
            ("logs:PutSubscriptionFilter", f"{LOG_GROUP}:/ecs/orders-api:*", {}),
            (
                "iam:PassRole",
                f"arn:aws:iam::{ME}:role/cwl-to-siem",
                {"iam:PassedToService": ("logs.amazonaws.com",)},
            ),
        ],
    ),
    ("logs", "DescribeLogGroups", {}, [("logs:DescribeLogGroups", "*", {})]),
    # AWS Support's actions have no resource type.
    ("support", "DescribeCases", {}, [("support:DescribeCases", "*", {})]),
    (
        "support",
        "CreateCase",
        {"subject": "s", "communicationBody": "b"},
        [("support:CreateCase", "*", {})],
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    MANAGEMENT_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in MANAGEMENT_CASES],
)
def test_management_services(
    service: str, operation: str, params: dict[str, Any], expected: list[Expected]
) -> None:
    _check(service, operation, params, expected)


@pytest.mark.parametrize(
    ("service", "operation", "params", "message"),
    [
        ("cloudformation", "DescribeStacks", {"StackName": "arn:aws:s3:::b"}, "not a stack ID"),
        ("cloudformation", "CreateStack", {"StackName": "no spaces"}, "not a stack name"),
        ("logs", "CreateLogStream", {"logGroupName": "a:b", "logStreamName": "s"}, "log group"),
        (
            "logs",
            "DescribeLogStreams",
            {"logGroupIdentifier": "arn:aws:logs:eu-west-1:111111111111:destination:d"},
            "not a log group ARN",
        ),
    ],
)
def test_malformed_management_parameters_fail_closed(
    service: str, operation: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidParameters) as caught:
        _map(service, operation, params)
    assert message in str(caught.value)


# --- failing closed --------------------------------------------------------------------------
def test_unknown_operation_names_service_and_operation() -> None:
    with pytest.raises(UnmappedOperation) as caught:
        _map("s3", "FrobnicateBucket", {"Bucket": "b"})
    assert caught.value.service == "s3" and caught.value.operation == "FrobnicateBucket"
    assert "s3:FrobnicateBucket" in str(caught.value)


def test_unknown_service() -> None:
    with pytest.raises(UnmappedOperation, match="route53:ListHostedZones"):
        _map("route53", "ListHostedZones", {})


def test_unsupported_operation_fails_closed_with_its_reason() -> None:
    with pytest.raises(UnmappedOperation, match=r"s3:CreateSession.*s3express"):
        _map("s3", "CreateSession", {"Bucket": "b"})


@pytest.mark.parametrize(
    ("service", "operation", "params", "message"),
    [
        ("s3", "GetObject", {"Key": "k"}, "Bucket is missing"),
        ("s3", "PutObject", {"Bucket": "b"}, "Key is missing"),
        ("s3", "GetObject", {"Bucket": ["b"], "Key": "k"}, "Bucket is not a string"),
        ("s3", "ListObjectsV2", {"Bucket": {"x": 1}}, "Bucket"),
        ("s3", "CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "nokey"}, "CopySource"),
        ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{}]}}, "no Key"),
        ("sqs", "SendMessage", {"QueueUrl": "garbage", "MessageBody": "x"}, "not a queue URL"),
        ("sqs", "SendMessage", {"MessageBody": "x"}, "QueueUrl is missing"),
        ("sns", "Publish", {"TopicArn": "not-an-arn", "Message": "m"}, "not an SNS topic"),
        ("sts", "AssumeRole", {"RoleArn": "x", "RoleSessionName": "s"}, "RoleArn is not"),
        ("lambda", "Invoke", {"FunctionName": "a b c"}, "not a function name"),
        ("dynamodb", "BatchGetItem", {"RequestItems": []}, "RequestItems"),
        ("dynamodb", "ExecuteStatement", {"Statement": "DROP TABLE x"}, "PartiQL"),
        ("ec2", "CreateVolume", {"TagSpecifications": "x"}, "TagSpecifications"),
        ("iam", "CreateRole", {"RoleName": "r", "Tags": [{"Value": "v"}]}, "no key"),
        ("kms", "Encrypt", {"KeyId": "arn:aws:s3:::b"}, "not a KMS key"),
        (
            "lambda",
            "CreateFunction",
            {"FunctionName": "f", "Role": "arn:aws:iam::1:user/u"},
            "not a role ARN",
        ),
    ],
)
def test_malformed_parameters_fail_closed(
    service: str, operation: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidParameters) as caught:
        _map(service, operation, params)
    assert message in str(caught.value)
    assert f"{service}:{operation}" in str(caught.value)


def test_parameters_that_are_not_a_structure() -> None:
    with pytest.raises(InvalidParameters):
        authorization_requests("s3", "GetObject", ["b"], region=REGION, account=ME)  # type: ignore[arg-type]


def test_partition_is_used_in_arns() -> None:
    (request,) = authorization_requests(
        "dynamodb",
        "GetItem",
        {"TableName": "t"},
        region="cn-north-1",
        account=ME,
        partition="aws-cn",
    )
    assert request.resource == f"arn:aws-cn:dynamodb:cn-north-1:{ME}:table/t"
