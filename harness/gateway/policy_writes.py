"""Policy documents written through the gateway, judged as their service judges them.

moto and LocalStack store almost any text as a policy (moto keeps `{bad` as a bucket policy and
answers 200); AWS refuses a malformed document when it is written. A policy the backend holds
but the engine cannot read would then fail closed on every later request, so the gateway refuses
the write first, as AWS does: after the authorisation decision (AWS authorises the call, then
validates its input), with the error each service answers, in its protocol.

This module says which operations write which documents; `policy_judging` how a document is
judged, `policy_dialects` how each service words its answer. The document is read by the
engine's own parser (`harness.iam.parse`) in the policy type the operation writes — identity
(IAM inline and managed policies, which may serve as permissions boundaries; Identity Center
inline policies), role trust, resource (S3, SNS, SQS, KMS, Secrets Manager, DynamoDB), SCP or
RCP. What the parser refuses is then *worded* as the service words it (`Dialect`); size quotas
are the service's, counted its way (`Quota`), not the parser's defaults; the botocore model's
constraints on the parameter (IAM's and KMS's Latin-1 pattern, a maximum length) are checked
first, as AWS's request front end does.

Where AWS's wording is known it is used verbatim; the sources are cited per dialect. Elsewhere
the service's documented error text is used. Operations that carry no IAM policy document (tag,
backup and other organisation policy types; STS session policies, which `sessions` checks) are
left alone: a false refusal is as wrong as a false acceptance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from harness.gateway import policy_dialects as dialects
from harness.gateway.policy_judging import (
    Answer,
    Dialect,
    Extra,
    Fault,
    Problem,
    Quota,
    Written,
    judge_all,
)
from harness.gateway.protocol import ParsedOperation, ProtocolError
from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import loads_strict
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType

__all__ = ["check_policy_write", "judge_policy_write"]


def check_policy_write(parsed: ParsedOperation) -> None:
    """Raise the ProtocolError AWS answers when `parsed` writes a policy document the service
    would refuse; return when it writes none, or only documents the service accepts."""
    answer = judge_policy_write(parsed)
    if answer is not None:
        raise ProtocolError(answer.code, answer.message, answer.status,
                            service=parsed.service, protocol=parsed.protocol)


def judge_policy_write(parsed: ParsedOperation) -> Answer | None:
    """The service's refusal of the policy documents `parsed` writes, or None."""
    check = _CHECKS.get((parsed.service, parsed.operation))
    return check(parsed) if check is not None else None


# --- the operations --------------------------------------------------------------------------

_IDENTITY = (PolicyType.IDENTITY,)
_RESOURCE = (PolicyType.RESOURCE,)
_TRUST_TYPE = (PolicyType.TRUST,)


def _text(params: Mapping[str, Any], member: str) -> str | None:
    value = params.get(member)
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _documents(*found: Written | None) -> list[Written]:
    return [written for written in found if written is not None]


def _member(params: Mapping[str, Any], member: str, types: tuple[PolicyType, ...],
            dialect: Dialect, quota: Quota | None = None, *extras: Extra) -> Written | None:
    text = _text(params, member)
    if text is None:
        return None
    return Written(text, types, dialect, quota, member, extras)


def _bucket_policy(parsed: ParsedOperation) -> Answer | None:
    bucket = str(parsed.params.get("Bucket", ""))
    written = _member(parsed.params, "Policy", _RESOURCE, dialects.S3, dialects.S3_SIZE,
                      dialects.bucket_resources(bucket),
                      dialects.own_actions(dialects.S3_VENDORS, known_only=True))
    return judge_all(parsed, _documents(written))


def _attribute(attributes: Any, name: str) -> str | None:
    if not isinstance(attributes, Mapping):
        return None
    value = attributes.get(name)
    return None if value is None else str(value)


def _topic_policy(text: str | None) -> Written | None:
    if text is None:
        return None
    return Written(text, _RESOURCE, dialects.SNS, dialects.SNS_SIZE, None,
                   (dialects.own_actions(("sns",), known_only=False),))


def _set_topic_attributes(parsed: ParsedOperation) -> Answer | None:
    if parsed.params.get("AttributeName") != "Policy":
        return None
    text = _text(parsed.params, "AttributeValue")
    return judge_all(parsed, _documents(_topic_policy(text if text is not None else "")))


def _create_topic(parsed: ParsedOperation) -> Answer | None:
    text = _attribute(parsed.params.get("Attributes"), "Policy")
    return judge_all(parsed, _documents(_topic_policy(text)))


def _queue_policy(parsed: ParsedOperation) -> Answer | None:
    text = _attribute(parsed.params.get("Attributes"), "Policy")
    if not text:
        # An empty Policy removes the queue's policy (SetQueueAttributes, "Policy").
        return None
    return judge_all(parsed, [Written(text, _RESOURCE, dialects.SQS, dialects.SQS_SIZE)])


def _key_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "Policy", _RESOURCE, dialects.KMS, dialects.KMS_SIZE)
    return judge_all(parsed, _documents(written))


def _trust_policy(member: str) -> Callable[[ParsedOperation], Answer | None]:
    def check(parsed: ParsedOperation) -> Answer | None:
        written = _member(parsed.params, member, _TRUST_TYPE, dialects.TRUST, dialects.TRUST_SIZE)
        return judge_all(parsed, _documents(written))

    return check


def _inline_policy(kind: str) -> Callable[[ParsedOperation], Answer | None]:
    name_member = f"{kind.capitalize()}Name"

    def check(parsed: ParsedOperation) -> Answer | None:
        quota = dialects.inline_size(kind, str(parsed.params.get(name_member, "")))
        written = _member(parsed.params, "PolicyDocument", _IDENTITY, dialects.IAM, quota)
        return judge_all(parsed, _documents(written))

    return check


def _managed_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "PolicyDocument", _IDENTITY, dialects.IAM,
                      dialects.MANAGED_SIZE)
    return judge_all(parsed, _documents(written))


_ORGANIZATION_TYPES = {"SERVICE_CONTROL_POLICY": (PolicyType.SCP,),
                       "RESOURCE_CONTROL_POLICY": (PolicyType.RCP,)}


def _create_organization_policy(parsed: ParsedOperation) -> Answer | None:
    types = _ORGANIZATION_TYPES.get(str(parsed.params.get("Type", "")))
    if types is None:
        return None  # tag, backup, AI opt-out … policies are not IAM policy documents
    written = _member(parsed.params, "Content", types, dialects.ORGANIZATIONS,
                      dialects.ORGANIZATIONS_SIZE)
    return judge_all(parsed, _documents(written))


def _update_organization_policy(parsed: ParsedOperation) -> Answer | None:
    """UpdatePolicy does not say the policy's type. Every type's content is JSON; a document
    with a Statement is an SCP or an RCP (tag, backup and the other types have none), and is
    accepted when it is a valid one of either."""
    text = _text(parsed.params, "Content")
    if text is None:
        return None
    written = Written(text, (PolicyType.SCP, PolicyType.RCP), dialects.ORGANIZATIONS,
                      dialects.ORGANIZATIONS_SIZE, "Content")
    try:
        raw = loads_strict(text)
    except PolicyValidationError:
        return dialects.ORGANIZATIONS.answer(Problem(Fault.NOT_JSON))
    if not isinstance(raw, dict) or "Statement" not in raw:
        return None
    return judge_all(parsed, [written])


def _permission_set_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "InlinePolicy", _IDENTITY, dialects.SSO, dialects.SSO_SIZE)
    return judge_all(parsed, _documents(written))


def _secret_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "ResourcePolicy", _RESOURCE, dialects.SECRETS)
    return judge_all(parsed, _documents(written))


def _table_policy(member: str) -> Callable[[ParsedOperation], Answer | None]:
    def check(parsed: ParsedOperation) -> Answer | None:
        written = _member(parsed.params, member, _RESOURCE, dialects.DYNAMODB)
        return judge_all(parsed, _documents(written))

    return check


# Lambda writes the statement itself from AddPermission's parameters; what the caller can get
# wrong there is the principal: "The provided principal was invalid. Please check the principal
# and try again." (InvalidParameterValueException, 400). Lambda reads "*" as everyone, an account
# id or an ARN as an AWS principal, anything else as a service principal.
# https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
_LAMBDA_PRINCIPAL = Answer("InvalidParameterValueException", 400,
                           "The provided principal was invalid. Please check the principal and "
                           "try again.")
_ACCOUNT_ID = re.compile(r"\d{12}")


def _lambda_principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if _ACCOUNT_ID.fullmatch(principal) or principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def _add_permission(parsed: ParsedOperation) -> Answer | None:
    principal = _text(parsed.params, "Principal")
    if principal is None:
        return None
    statement = {"Effect": "Allow", "Principal": _lambda_principal(principal),
                 "Action": "lambda:InvokeFunction", "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    try:
        parse_policy(document, PolicyType.RESOURCE)
    except PolicyValidationError:
        return _LAMBDA_PRINCIPAL
    return None


_CHECKS: Mapping[tuple[str, str], Callable[[ParsedOperation], Answer | None]] = {
    ("s3", "PutBucketPolicy"): _bucket_policy,
    ("sns", "SetTopicAttributes"): _set_topic_attributes,
    ("sns", "CreateTopic"): _create_topic,
    ("sqs", "SetQueueAttributes"): _queue_policy,
    ("sqs", "CreateQueue"): _queue_policy,
    ("kms", "PutKeyPolicy"): _key_policy,
    ("kms", "CreateKey"): _key_policy,
    ("lambda", "AddPermission"): _add_permission,
    ("iam", "CreateRole"): _trust_policy("AssumeRolePolicyDocument"),
    ("iam", "UpdateAssumeRolePolicy"): _trust_policy("PolicyDocument"),
    ("iam", "PutRolePolicy"): _inline_policy("role"),
    ("iam", "PutUserPolicy"): _inline_policy("user"),
    ("iam", "PutGroupPolicy"): _inline_policy("group"),
    ("iam", "CreatePolicy"): _managed_policy,
    ("iam", "CreatePolicyVersion"): _managed_policy,
    ("organizations", "CreatePolicy"): _create_organization_policy,
    ("organizations", "UpdatePolicy"): _update_organization_policy,
    ("sso-admin", "PutInlinePolicyToPermissionSet"): _permission_set_policy,
    ("secretsmanager", "PutResourcePolicy"): _secret_policy,
    ("dynamodb", "PutResourcePolicy"): _table_policy("Policy"),
    ("dynamodb", "CreateTable"): _table_policy("ResourcePolicy"),
}
