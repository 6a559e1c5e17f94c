"""Which operations change the backend, and which change what a decision reads.

The gateway drops its cached reads of a service after a write that may have changed a policy,
an attachment, a tag or an owner (`changes_decisions`); the stack skips the reset between
scenarios when nothing was written since the last one (`changes_state`).
"""

from __future__ import annotations

# Writes of data, not of anything a decision reads (policies, attachments, tags, owners): they
# leave the gateway's cache as it is. S3 object tags are no condition key the gateway sets.
DATA_PLANE_WRITES = frozenset({
    ("s3", "PutObject"), ("s3", "CopyObject"), ("s3", "DeleteObject"), ("s3", "DeleteObjects"),
    ("s3", "CreateMultipartUpload"), ("s3", "UploadPart"), ("s3", "UploadPartCopy"),
    ("s3", "CompleteMultipartUpload"), ("s3", "AbortMultipartUpload"),
    ("sns", "Publish"), ("sns", "PublishBatch"),
    ("sqs", "SendMessage"), ("sqs", "SendMessageBatch"), ("sqs", "ReceiveMessage"),
    ("sqs", "DeleteMessage"), ("sqs", "DeleteMessageBatch"), ("sqs", "ChangeMessageVisibility"),
    ("sqs", "ChangeMessageVisibilityBatch"), ("sqs", "PurgeQueue"),
    ("dynamodb", "PutItem"), ("dynamodb", "UpdateItem"), ("dynamodb", "DeleteItem"),
    ("dynamodb", "BatchWriteItem"), ("dynamodb", "TransactWriteItems"),
    ("lambda", "Invoke"), ("logs", "PutLogEvents"),
    ("kms", "Encrypt"), ("kms", "Decrypt"), ("kms", "GenerateDataKey"), ("kms", "ReEncrypt"),
})
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select",
                  "Lookup", "Search", "Simulate", "Check", "Validate", "Preview")


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


def changes_state(service: str, operation: str) -> bool:
    """Whether the backend may hold something new after the call. STS is left out: the
    sessions it issues are known only to whoever holds their keys, and the gateway forgets
    them at every reset."""
    return not (service == "sts" or is_read(operation))


def changes_decisions(service: str, operation: str) -> bool:
    """Whether the call may change a policy, an attachment, a tag or an owner of its service
    (data-plane writes change none of them)."""
    return changes_state(service, operation) and (service, operation) not in DATA_PLANE_WRITES
