"""Amazon S3: the operations whose IAM action is not their name, and the request headers that
become s3: condition keys.

Sources: "Required permissions for Amazon S3 API operations"
https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html ,
each API's "Permissions" section (https://docs.aws.amazon.com/AmazonS3/latest/API/) and the
"API operations defined by Amazon S3" table of the Service Authorization Reference
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html .
Bucket and object ARNs carry no account (arn:aws:s3:::bucket/key): requests leave
resource_account None and the gateway finds the owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote

from harness.gateway.operations import default_rule
from harness.gateway.operations.params import ParameterError, name, present, values_at
from harness.gateway.operations.results import AuthorizationRequest
from harness.gateway.operations.rules.common import (
    action,
    pass_role,
    plus,
    same,
    versioned,
    when,
)
from harness.gateway.operations.spec import Call, Rule, ServiceSpec, Source


def _bucket(call: Call) -> str | None:
    bucket = name(call.params, "Bucket")
    if bucket is None:
        return None
    if not bucket or ("/" in bucket and not bucket.startswith("arn:")):
        raise ParameterError(f"Bucket is not a bucket name: {bucket!r}")
    return bucket


def _key(call: Call) -> str | None:
    key = name(call.params, "Key")
    if key == "":
        raise ParameterError("Key is empty")
    return key


def _bucket_arn(call: Call) -> list[str] | None:
    bucket = _bucket(call)
    if bucket is None or bucket.startswith("arn:"):
        return None
    return [f"arn:{call.env.partition}:s3:::{bucket}"]


def _object_arn(call: Call) -> list[str] | None:
    bucket, key = _bucket(call), _key(call)
    if bucket is None or key is None or bucket.startswith("arn:"):
        return None
    return [f"arn:{call.env.partition}:s3:::{bucket}/{key}"]


def _access_point_arn(call: Call) -> list[str] | None:
    bucket = name(call.params, "Bucket")
    if bucket is None or ":accesspoint/" not in bucket:
        return None
    return [bucket]


def _access_point_object_arn(call: Call) -> list[str] | None:
    access_point, key = _access_point_arn(call), _key(call)
    if access_point is None or key is None:
        return None
    return [f"{access_point[0]}/object/{key}"]


def _copy_source(call: Call) -> tuple[str, str | None]:
    """The source object's ARN and version of a copy: CopySource is "bucket/key",
    "/bucket/key", URL-encoded, with "?versionId=…", or an access point's object ARN."""
    source = name(call.params, "CopySource")
    if not source:
        raise ParameterError("the required parameter CopySource is missing")
    path, _, query = source.partition("?")
    version = parse_qs(query).get("versionId", [None])[0]
    path = unquote(path).lstrip("/")
    if path.startswith("arn:"):
        if "/object/" not in path:
            raise ParameterError(f"CopySource is not an object: {source!r}")
        return path, version
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise ParameterError(f"CopySource is not bucket/key: {source!r}")
    return f"arn:{call.env.partition}:s3:::{bucket}/{key}", version


def _read_source(call: Call) -> list[AuthorizationRequest]:
    arn, version = _copy_source(call)
    if version is None:
        return [default_rule.on(call, "GetObject", arn, resource_type="object")]
    keys = [("s3:versionid", (version,))]
    return [default_rule.on(call, "GetObjectVersion", arn, resource_type="object", keys=keys)]


_GRANTS = ("ACL", "GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")


def _with_acl(then: Rule) -> Rule:
    def rule(call: Call) -> list[AuthorizationRequest]:
        return then(call) if any(present(call.params, p) for p in _GRANTS) else []

    return rule


def _object_write(name: str = "PutObject") -> Rule:
    """An object write (PutObject, CreateMultipartUpload, the target of a copy) and the extra
    permissions its headers need: tags → s3:PutObjectTagging, object-lock headers →
    s3:PutObjectRetention / s3:PutObjectLegalHold.

    ACL headers need no s3:PutObjectAcl: s3:PutObject itself carries s3:x-amz-acl and the
    s3:x-amz-grant-* keys, and AWS's own delivery policies grant s3:PutObject alone to writers
    that send `x-amz-acl: bucket-owner-full-control` — CloudTrail's bucket policy
    (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)
    and the S3 guide's "Granting s3:PutObject permission with a condition requiring the bucket
    owner to get full control"
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-condition-keys.html)."""
    return plus(
        action(name),
        when("Tagging", action("PutObjectTagging")),
        when("ObjectLockMode", action("PutObjectRetention")),
        when("ObjectLockLegalHoldStatus", action("PutObjectLegalHold")),
    )


def _copy(call: Call) -> list[AuthorizationRequest]:
    """CopyObject / UploadPartCopy: read the source, write the target."""
    if call.operation == "CopyObject":
        target = _object_write()(call)
    else:
        target = default_rule.requests(call, "PutObject")
    return [*_read_source(call), *target]


def _delete_objects(call: Call) -> list[AuthorizationRequest]:
    """DeleteObjects: s3:DeleteObject on each key (s3:DeleteObjectVersion for a version). AWS
    answers per key; the gateway can only allow or deny the whole call."""
    entries = values_at(call.params, "Delete.Objects[]")
    if not entries:
        raise ParameterError("the required parameter Delete.Objects is missing or empty")
    made: list[AuthorizationRequest] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not entry.get("Key"):
            raise ParameterError("Delete.Objects: an entry has no Key")
        version = entry.get("VersionId")
        action_name = "DeleteObjectVersion" if version else "DeleteObject"
        params = {"Bucket": call.params.get("Bucket"), "Key": entry["Key"], "VersionId": version}
        found = default_rule.requests(call, action_name, params=params)
        made.extend(r for r in found if r not in made)
    return made


def _create_bucket() -> Rule:
    """CreateBucket and what its headers add: ACL → s3:PutBucketAcl, object lock →
    s3:PutBucketObjectLockConfiguration + s3:PutBucketVersioning, ObjectOwnership →
    s3:PutBucketOwnershipControls, tags → s3:TagResource."""
    return plus(
        same,
        _with_acl(action("PutBucketAcl")),
        when(
            "ObjectLockEnabledForBucket",
            plus(action("PutBucketObjectLockConfiguration"), action("PutBucketVersioning")),
        ),
        when("ObjectOwnership", action("PutBucketOwnershipControls")),
        when("CreateBucketConfiguration.Tags", action("TagResource")),
    )


# PutBucketReplication hands S3 the replication role: iam:PassRole.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
_replication = plus(
    action("PutReplicationConfiguration"),
    pass_role("ReplicationConfiguration.Role", "s3.amazonaws.com"),
)


RULES: dict[str, Rule] = {
    # Objects
    "GetObject": versioned("GetObject", "GetObjectVersion"),
    "HeadObject": versioned("GetObject", "GetObjectVersion"),
    "SelectObjectContent": action("GetObject"),
    "GetObjectAcl": versioned("GetObjectAcl", "GetObjectVersionAcl"),
    "PutObjectAcl": versioned("PutObjectAcl", "PutObjectVersionAcl"),
    "GetObjectTagging": versioned("GetObjectTagging", "GetObjectVersionTagging"),
    "PutObjectTagging": versioned("PutObjectTagging", "PutObjectVersionTagging"),
    "DeleteObjectTagging": versioned("DeleteObjectTagging", "DeleteObjectVersionTagging"),
    "GetObjectAttributes": versioned("GetObjectAttributes", "GetObjectVersionAttributes"),
    "DeleteObject": versioned("DeleteObject", "DeleteObjectVersion"),
    "DeleteObjects": _delete_objects,
    "PutObject": _object_write(),
    "CreateMultipartUpload": _object_write(),
    "UploadPart": action("PutObject"),
    "CompleteMultipartUpload": action("PutObject"),
    "CopyObject": _copy,
    "UploadPartCopy": _copy,
    "ListParts": action("ListMultipartUploadParts"),
    # Buckets: listing
    "ListBuckets": action("ListAllMyBuckets"),
    "HeadBucket": action("ListBucket"),
    "ListObjects": action("ListBucket"),
    "ListObjectsV2": action("ListBucket"),
    "ListObjectVersions": action("ListBucketVersions"),
    "ListMultipartUploads": action("ListBucketMultipartUploads"),
    "CreateBucket": _create_bucket(),
    # Buckets: configuration, whose actions are named after the configuration, and whose
    # Delete… operations are authorised as the Put… of that configuration.
    "GetBucketAccelerateConfiguration": action("GetAccelerateConfiguration"),
    "PutBucketAccelerateConfiguration": action("PutAccelerateConfiguration"),
    "GetBucketAnalyticsConfiguration": action("GetAnalyticsConfiguration"),
    "ListBucketAnalyticsConfigurations": action("GetAnalyticsConfiguration"),
    "PutBucketAnalyticsConfiguration": action("PutAnalyticsConfiguration"),
    "DeleteBucketAnalyticsConfiguration": action("PutAnalyticsConfiguration"),
    "DeleteBucketCors": action("PutBucketCORS"),
    "GetBucketEncryption": action("GetEncryptionConfiguration"),
    "PutBucketEncryption": action("PutEncryptionConfiguration"),
    "DeleteBucketEncryption": action("PutEncryptionConfiguration"),
    "GetBucketIntelligentTieringConfiguration": action("GetIntelligentTieringConfiguration"),
    "ListBucketIntelligentTieringConfigurations": action("GetIntelligentTieringConfiguration"),
    "PutBucketIntelligentTieringConfiguration": action("PutIntelligentTieringConfiguration"),
    "DeleteBucketIntelligentTieringConfiguration": action("PutIntelligentTieringConfiguration"),
    "GetBucketInventoryConfiguration": action("GetInventoryConfiguration"),
    "ListBucketInventoryConfigurations": action("GetInventoryConfiguration"),
    "PutBucketInventoryConfiguration": action("PutInventoryConfiguration"),
    "DeleteBucketInventoryConfiguration": action("PutInventoryConfiguration"),
    "GetBucketLifecycle": action("GetLifecycleConfiguration"),
    "GetBucketLifecycleConfiguration": action("GetLifecycleConfiguration"),
    "PutBucketLifecycle": action("PutLifecycleConfiguration"),
    "PutBucketLifecycleConfiguration": action("PutLifecycleConfiguration"),
    "DeleteBucketLifecycle": action("PutLifecycleConfiguration"),
    "GetBucketMetadataConfiguration": action("GetBucketMetadataTableConfiguration"),
    "GetBucketMetricsConfiguration": action("GetMetricsConfiguration"),
    "ListBucketMetricsConfigurations": action("GetMetricsConfiguration"),
    "PutBucketMetricsConfiguration": action("PutMetricsConfiguration"),
    "DeleteBucketMetricsConfiguration": action("PutMetricsConfiguration"),
    "GetBucketNotificationConfiguration": action("GetBucketNotification"),
    "PutBucketNotificationConfiguration": action("PutBucketNotification"),
    "DeleteBucketOwnershipControls": action("PutBucketOwnershipControls"),
    "GetBucketReplication": action("GetReplicationConfiguration"),
    "PutBucketReplication": _replication,
    "DeleteBucketReplication": action("PutReplicationConfiguration"),
    "DeleteBucketTagging": action("PutBucketTagging"),
    "GetObjectLockConfiguration": action("GetBucketObjectLockConfiguration"),
    "PutObjectLockConfiguration": action("PutBucketObjectLockConfiguration"),
    "GetPublicAccessBlock": action("GetBucketPublicAccessBlock"),
    "PutPublicAccessBlock": action("PutBucketPublicAccessBlock"),
    "DeletePublicAccessBlock": action("PutBucketPublicAccessBlock"),
}

UNSUPPORTED: dict[str, str] = {
    # Directory buckets (S3 Express One Zone) are authorised under another prefix, s3express,
    # which the harness does not emulate.
    "CreateSession": "directory buckets only (s3express:CreateSession): not emulated",
    "ListDirectoryBuckets": "directory buckets only (s3express:ListAllMyDirectoryBuckets)",
    "RenameObject": "directory buckets only (s3express): not emulated",
    # S3 Object Lambda answers a Lambda's GetObject (prefix s3-object-lambda): not emulated.
    "WriteGetObjectResponse": "S3 Object Lambda (s3-object-lambda:WriteGetObjectResponse)",
    # S3 Metadata creates and deletes S3 Tables resources (s3tables:* on a table bucket) with
    # the configuration; the harness does not model S3 Tables.
    "CreateBucketMetadataConfiguration": "needs s3tables permissions the harness does not model",
    "DeleteBucketMetadataConfiguration": "needs s3tables permissions the harness does not model",
}


def _header(name: str) -> tuple[Source, ...]:
    return (Source(name),)


SPEC = ServiceSpec(
    botocore="s3",
    prefix="s3",
    binders={
        "bucket": _bucket_arn,
        "object": _object_arn,
        "accesspoint": _access_point_arn,
        "accesspointobject": _access_point_object_arn,
    },
    variables={"BucketName": (Source("Bucket"),), "ObjectName": (Source("Key"),)},
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-policy-keys
    keys={
        "s3:x-amz-server-side-encryption": _header("ServerSideEncryption"),
        "s3:x-amz-server-side-encryption-aws-kms-key-id": _header("SSEKMSKeyId"),
        "s3:x-amz-server-side-encryption-customer-algorithm": _header("SSECustomerAlgorithm"),
        "s3:x-amz-acl": _header("ACL"),
        "s3:x-amz-grant-full-control": _header("GrantFullControl"),
        "s3:x-amz-grant-read": _header("GrantRead"),
        "s3:x-amz-grant-read-acp": _header("GrantReadACP"),
        "s3:x-amz-grant-write": _header("GrantWrite"),
        "s3:x-amz-grant-write-acp": _header("GrantWriteACP"),
        "s3:x-amz-storage-class": _header("StorageClass"),
        "s3:x-amz-copy-source": _header("CopySource"),
        "s3:x-amz-metadata-directive": _header("MetadataDirective"),
        "s3:x-amz-website-redirect-location": _header("WebsiteRedirectLocation"),
        "s3:object-lock-mode": (Source("ObjectLockMode"), Source("Retention.Mode")),
        "s3:object-lock-retain-until-date": (
            Source("ObjectLockRetainUntilDate"),
            Source("Retention.RetainUntilDate"),
        ),
        "s3:object-lock-legal-hold": (
            Source("ObjectLockLegalHoldStatus"),
            Source("LegalHold.Status"),
        ),
        "s3:if-match": _header("IfMatch"),
        "s3:if-none-match": _header("IfNoneMatch"),
        "s3:prefix": _header("Prefix"),
        "s3:delimiter": _header("Delimiter"),
        "s3:max-keys": _header("MaxKeys"),
        "s3:versionid": _header("VersionId"),
        "s3:locationconstraint": _header("CreateBucketConfiguration.LocationConstraint"),
    },
    rules=RULES,
    unsupported=UNSUPPORTED,
)
