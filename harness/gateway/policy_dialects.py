"""How each service answers a policy document it refuses: its error code and words (`Dialect`),
its size quota counted its way (`Quota`), and the checks of its own it makes on a document the
grammar accepts (`Extra`). Where AWS's wording is known it is used verbatim; the sources are
cited per service.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

from harness import reference
from harness.gateway.policy_judging import (
    Answer,
    Dialect,
    Extra,
    Fault,
    Message,
    Problem,
    Quota,
)
from harness.iam.policy import Policy
from harness.iam.type_rules import policy_size

# --- sizes -----------------------------------------------------------------------------------


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _characters(text: str) -> int:
    return len(text)


def _bytes_without_white_space(text: str) -> int:
    return _bytes(text) - sum(text.count(c) for c in " \t\n\r")


def _quota(limit: int, count: Callable[[str], int], code: str, message: str,
           status: int = 400) -> Quota:
    """`message` may use {limit} and {size}."""
    return Quota(limit, count, lambda size: Answer(
        code, status, message.format(limit=limit, size=size)))


# --- the services' wording -------------------------------------------------------------------

# The policy parser several services share (S3 bucket policies, IAM role trust policies,
# DynamoDB resource policies) answers in these words. Observed answers: S3
# https://github.com/aws/aws-cli/issues/2779 ("Policies must be valid JSON and the first byte
# must be '{'"), https://github.com/cn-terraform/terraform-aws-s3-static-website/issues/38
# ("Missing required field Principal cannot be empty!"), https://github.com/docker/docs/pull/6361
# ("Missing required field Principal"), "The policy must contain a valid version string" and
# "This policy contains invalid Json" (Terraform and SDK reports of PutBucketPolicy), "Could not
# parse the policy: Statement is empty!" and "Missing required field Effect" (DynamoDB
# PutResourcePolicy answers).
_SHARED: Mapping[Fault, Message] = {
    Fault.NOT_JSON: "This policy contains invalid Json",
    Fault.NOT_OBJECT: "This policy contains invalid Json",
    Fault.VERSION: "The policy must contain a valid version string",
    Fault.STATEMENT_MISSING: "Missing required field Statement",
    Fault.STATEMENT_EMPTY: "Could not parse the policy: Statement is empty!",
    Fault.EFFECT_MISSING: "Missing required field Effect",
    Fault.EFFECT: lambda problem: f"Invalid effect: {_quoted(problem.detail)}",
    Fault.PRINCIPAL_MISSING: "Missing required field Principal",
    Fault.PRINCIPAL_EMPTY: "Missing required field Principal cannot be empty!",
    Fault.ACTION_MISSING: "Missing required field Action",
}


def _quoted(detail: str) -> str:
    """The value a parser problem quotes first ('Invalid Effect "allow": …' → allow)."""
    found = re.search(r'"(.*?)"', detail)
    return found.group(1) if found else detail


def _detail(problem: Problem) -> str:
    return problem.detail


# S3: MalformedPolicy (400). "Invalid principal in policy":
# https://repost.aws/knowledge-center/s3-invalid-principal-in-policy-error; "Policy has invalid
# resource" and "Policy has invalid action": AWS's PutBucketPolicy answers reported in
# https://github.com/aws-samples/aws-serverless-appsync-app/issues/4 and reproduced by S3-compatible
# servers tested against AWS (versitygw).
S3 = Dialect(
    code="MalformedPolicy",
    first_byte=True,
    messages={
        **_SHARED,
        Fault.FIRST_BYTE: "Policies must be valid JSON and the first byte must be '{'",
        Fault.PRINCIPAL: "Invalid principal in policy",
        Fault.ACTION: "Policy has invalid action",
        Fault.ACTION_OUT_OF_SCOPE: "Policy has invalid action",
        Fault.RESOURCE: "Policy has invalid resource",
    },
    default=_detail,
)
# "Bucket policies are limited to 20 KB in size" (bytes as sent). S3's wording for it is not
# documented; the code is the one S3 answers every policy it refuses with.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
S3_SIZE = _quota(20480, _bytes, "MalformedPolicy", "The policy exceeds the maximum size of 20 KB.")

# IAM identity policies: MalformedPolicyDocument (400). IAM answers a syntax error (a wrong type,
# an unknown element or condition operator, an Effect other than allow/deny in any case, a bad
# Version, no statement) with "Syntax errors in policy."; an Effect in the wrong case or a date
# that is none fails "legacy parsing"; otherwise it names the rule (the parser's texts for those
# are IAM's, without the value it prefixes). moto's iam/policy_validation.py reproduces IAM's
# answers in this order.
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html#API_CreatePolicy_Errors
_IAM_SYNTAX = "Syntax errors in policy."
_IAM_LEGACY = "The policy failed legacy parsing"
_IAM_VALUE_PREFIX = re.compile(r'^Invalid (?:action|Sid) ".*?": ')
_SID_NOT_UNIQUE = "Statement IDs (SID) in a single policy must be unique."


def _iam_words(problem: Problem) -> str:
    detail = _IAM_VALUE_PREFIX.sub("", problem.detail)
    return _SID_NOT_UNIQUE if detail.startswith(_SID_NOT_UNIQUE) else detail


def _iam_effect(problem: Problem) -> str:
    effect = _quoted(problem.detail)
    return _IAM_LEGACY if effect.lower() in ("allow", "deny") else _IAM_SYNTAX


def _iam_condition(problem: Problem) -> str:
    if problem.detail.startswith("Invalid Condition type"):
        return _IAM_SYNTAX
    if problem.detail.startswith("Date operator"):
        return _IAM_LEGACY
    return _iam_words(problem)


IAM = Dialect(
    code="MalformedPolicyDocument",
    messages={
        **{fault: _IAM_SYNTAX for fault in (
            Fault.NOT_JSON, Fault.NOT_OBJECT, Fault.SYNTAX, Fault.VERSION,
            Fault.STATEMENT_MISSING, Fault.STATEMENT_EMPTY, Fault.EFFECT_MISSING)},
        Fault.EFFECT: _iam_effect,
        Fault.CONDITION: _iam_condition,
    },
    default=_iam_words,
)
# Trust policies go through the shared parser. "This policy contains invalid Json", "Has
# prohibited field Resource" and "AssumeRole policy may only specify STS AssumeRole actions."
# are IAM's answers to CreateRole as LocalStack's IAM provider reproduces them (snapshot-tested
# against AWS).
_TRUST_ACTIONS_ONLY = "AssumeRole policy may only specify STS AssumeRole actions."


def _trust_action(problem: Problem) -> str:
    if "a role trust policy allows only sts: actions" in problem.detail:
        return _TRUST_ACTIONS_ONLY
    return _iam_words(problem)


def _trust_resource(problem: Problem) -> str:
    return problem.detail.removesuffix(".")


TRUST = Dialect(
    code="MalformedPolicyDocument",
    messages={**_SHARED, Fault.SYNTAX: _IAM_SYNTAX, Fault.ACTION: _trust_action,
              Fault.RESOURCE: _trust_resource},
    default=_iam_words,
)


def _iam_limit(quota_name: str, limit: int) -> Quota:
    """IAM's LimitExceeded (409): "Cannot exceed quota for PolicySize: 6144". IAM does not count
    white space. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"""
    return _quota(limit, policy_size, "LimitExceeded",
                  f"Cannot exceed quota for {quota_name}: {{limit}}", status=409)


MANAGED_SIZE = _iam_limit("PolicySize", 6144)
TRUST_SIZE = _iam_limit("ACLSizePerRole", 2048)
# Inline policies share one quota per identity: 2,048 characters for a user, 5,120 for a
# group, 10,240 for a role (reference_iam-quotas.html). One document beyond its identity's quota
# is refused whatever else the identity holds.
_INLINE_LIMITS = {"user": 2048, "group": 5120, "role": 10240}


def inline_size(kind: str, name: str) -> Quota:
    return _quota(_INLINE_LIMITS[kind], policy_size, "LimitExceeded",
                  f"Maximum policy size of {{limit}} bytes exceeded for {kind} {name}",
                  status=409)


# SNS: InvalidParameter (400), "Invalid parameter: Policy Error: …" — "null" when the document
# cannot be read, PrincipalNotFound for a principal SNS does not know; an action of another
# service is "out of service scope" (moto's sns/models.py reproduces AWS's text).
# https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html#API_SetTopicAttributes_Errors
SNS = Dialect(
    code="InvalidParameter",
    messages={
        Fault.PRINCIPAL: "Invalid parameter: Policy Error: PrincipalNotFound",
        Fault.ACTION_OUT_OF_SCOPE: "Invalid parameter: Policy statement action out of service "
                                   "scope!",
    },
    default="Invalid parameter: Policy Error: null",
)
# A topic policy of up to 30 KB.
SNS_SIZE = _quota(30720, _bytes, "InvalidParameter", "Invalid parameter: Policy Error: null")

# SQS: InvalidAttributeValue (400), "Invalid value for the parameter Policy."; a queue policy is
# at most 8,192 bytes. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
_SQS_INVALID = "Invalid value for the parameter Policy."
SQS = Dialect(code="InvalidAttributeValue", messages={}, default=_SQS_INVALID)
SQS_SIZE = _quota(8192, _bytes, "InvalidAttributeValue", _SQS_INVALID)

# KMS: MalformedPolicyDocumentException (400), "The request was rejected because the specified
# policy is not syntactically or semantically correct."; principals are answered "Policy
# contains a statement with one or more invalid principals." A key policy is at most 32,768
# bytes (LimitExceededException). https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
_KMS_PRINCIPALS = "Policy contains a statement with one or more invalid principals."
KMS = Dialect(
    code="MalformedPolicyDocumentException",
    messages={
        Fault.PRINCIPAL_MISSING: "Policy contains a statement with no principal.",
        Fault.PRINCIPAL_EMPTY: _KMS_PRINCIPALS,
        Fault.PRINCIPAL: _KMS_PRINCIPALS,
    },
    default="The request was rejected because the specified policy is not syntactically or "
            "semantically correct.",
)
KMS_SIZE = _quota(32768, _bytes, "LimitExceededException",
                   "The request was rejected because a length constraint or quota was "
                   "exceeded.")

# Organizations: MalformedPolicyDocumentException (400), "The provided policy document does not
# meet the requirements of the specified policy type."; SCPs and RCPs are at most 5,120
# characters, white space included (ConstraintViolationException, reason
# POLICY_CONTENT_LIMIT_EXCEEDED). https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
ORGANIZATIONS = Dialect(
    code="MalformedPolicyDocumentException",
    messages={},
    default="The provided policy document does not meet the requirements of the specified "
            "policy type.",
)
ORGANIZATIONS_SIZE = _quota(5120, _characters, "ConstraintViolationException",
                             "You attempted to create a policy that is larger than the maximum "
                             "size.")

# IAM Identity Center: ValidationException (400) "Invalid PermissionsPolicy Document"; an inline
# policy is at most 10,240 bytes of non-white-space characters, answered as below.
# https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
SSO = Dialect(code="ValidationException", messages={},
               default="Invalid PermissionsPolicy Document")
SSO_SIZE = _quota(10240, _bytes_without_white_space, "ValidationException",
                   "Current size of the non-whitespace characters present in the InlinePolicy "
                   "Document is {size} bytes which has exceeded the maximum limit of {limit} "
                   "bytes")

# Secrets Manager: MalformedPolicyDocumentException (400), "You provided a resource-based policy
# with syntax errors." https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
SECRETS = Dialect(code="MalformedPolicyDocumentException", messages={},
                   default="You provided a resource-based policy with syntax errors.")

# DynamoDB: ValidationException (400), "One or more parameter values were invalid: Invalid
# policy document: " and the shared parser's words.
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
_DYNAMODB_PREFIX = "One or more parameter values were invalid: Invalid policy document: "


def _dynamodb_words(problem: Problem) -> str:
    shared = _SHARED.get(problem.fault, _detail)
    text = shared(problem) if callable(shared) else shared
    return _DYNAMODB_PREFIX + text


DYNAMODB = Dialect(code="ValidationException", messages={}, default=_dynamodb_words)


# --- the services' own checks ----------------------------------------------------------------


# A bucket policy names S3's actions and, for directory buckets, S3 Express One Zone's.
S3_VENDORS = ("s3", "s3express")


def _wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def bucket_resources(bucket: str) -> Extra:
    """S3: "Each policy must cover only a single bucket and resources within that bucket";
    another service's ARN, or another bucket named without wildcards, is an invalid resource.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"""
    def check(policy: Policy) -> Problem | None:
        for statement in policy.statements:
            for resource in statement.resources or statement.not_resources or ():
                if not _within_bucket(resource, bucket):
                    return Problem(Fault.RESOURCE, f"{resource} is not within {bucket}")
        return None

    return check


def _within_bucket(resource: str, bucket: str) -> bool:
    """Whether `resource` may name the bucket or its objects. Only a plain bucket ARN
    (arn:aws:s3:::name/…) is judged; an access point's or anything else S3 names with a region
    and account is left to S3."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if not _wildcard(parts[2]) and parts[2] not in S3_VENDORS:
        return False
    if parts[3] or parts[4]:
        return True
    named = parts[5].split("/", 1)[0]
    return _wildcard(named) or named == bucket


@functools.cache
def _known_actions(service: str) -> frozenset[str]:
    """The service's actions in lower case; empty when the reference is not at hand (then no
    action is refused for being unknown)."""
    return frozenset(name.lower() for name in reference.action_names(service))


def own_actions(vendors: tuple[str, ...], *, known_only: bool) -> Extra:
    """A service's own policy names only its own actions (SNS: "out of service scope"); S3 also
    refuses an action it does not have, as listed in the Service Authorization Reference."""
    def check(policy: Policy) -> Problem | None:
        for statement in policy.statements:
            for action in statement.actions or ():
                vendor, _, name = action.partition(":")
                vendor = vendor.lower()
                if action == "*" or _wildcard(vendor):
                    continue
                if vendor not in vendors:
                    return Problem(Fault.ACTION_OUT_OF_SCOPE, action)
                known = _known_actions(vendor) if known_only else frozenset()
                if known and not _wildcard(name) and name.lower() not in known:
                    return Problem(Fault.ACTION, action)
        return None

    return check
