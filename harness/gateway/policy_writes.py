"""Policy documents written through the gateway, judged as their service judges them.

moto and LocalStack store almost any text as a policy (moto keeps `{bad` as a bucket policy and
answers 200); AWS refuses a malformed document when it is written. A policy the backend holds
but the engine cannot read would then fail closed on every later request, so the gateway refuses
the write first, as AWS does: after the authorisation decision (AWS authorises the call, then
validates its input), with the error each service answers, in its protocol.

The document is read by the engine's own parser (`harness.iam.parse`) in the policy type the
operation writes — identity (IAM inline and managed policies, which may serve as permissions
boundaries; Identity Center inline policies), role trust, resource (S3, SNS, SQS, KMS, Secrets
Manager, DynamoDB), SCP or RCP. What the parser refuses is then *worded* as the service words
it (`Dialect`); size quotas are the service's, counted its way (`Quota`), not the parser's
defaults; the botocore model's constraints on the parameter (IAM's and KMS's Latin-1 pattern, a
maximum length) are checked first, as AWS's request front end does.

Where AWS's wording is known it is used verbatim; the sources are cited per dialect. Elsewhere
the service's documented error text is used. Operations that carry no IAM policy document (tag,
backup and other organisation policy types; STS session policies, which `sessions` checks) are
left alone: a false refusal is as wrong as a false acceptance.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

from harness import authref
from harness.gateway.protocol import ParsedOperation, ProtocolError
from harness.gateway.services import service_model
from harness.iam.errors import PolicyValidationError
from harness.iam.parse import MAX_DOCUMENT_CHARS, loads_strict, parse_policy, policy_size
from harness.iam.policy import Policy, PolicyType

__all__ = ["Answer", "check_policy_write", "judge_policy_write"]


@dataclass(frozen=True, slots=True)
class Answer:
    """The error a service answers a write with."""

    code: str
    status: int
    message: str


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


# --- what a service refuses ------------------------------------------------------------------


class Fault(Enum):
    """What is wrong with a document, in the terms the services' messages distinguish."""

    FIRST_BYTE = auto()  # S3: the text does not start with "{"
    NOT_JSON = auto()
    NOT_OBJECT = auto()
    SYNTAX = auto()  # a wrong type, an unknown element, a duplicate key
    VERSION = auto()
    STATEMENT_MISSING = auto()
    STATEMENT_EMPTY = auto()
    EFFECT_MISSING = auto()
    EFFECT = auto()
    SID = auto()
    PRINCIPAL_MISSING = auto()
    PRINCIPAL_EMPTY = auto()
    PRINCIPAL_FORBIDDEN = auto()
    PRINCIPAL = auto()
    ACTION_MISSING = auto()
    ACTION = auto()
    ACTION_OUT_OF_SCOPE = auto()  # an action of another service in a service's own policy
    RESOURCE_MISSING = auto()
    RESOURCE = auto()
    CONDITION = auto()


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault, with the parser's description of it (AWS's words where it has them)."""

    fault: Fault
    detail: str = ""


# A message is a fixed text, or made from the problem.
Message = str | Callable[[Problem], str]


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one service answers a document it refuses: its error code and status, and its
    message for each fault (`default` for the others)."""

    code: str
    messages: Mapping[Fault, Message]
    default: Message
    status: int = 400
    first_byte: bool = False  # the text must start with "{" (S3)

    def answer(self, problem: Problem) -> Answer:
        message = self.messages.get(problem.fault, self.default)
        text = message(problem) if callable(message) else message
        return Answer(self.code, self.status, text)


@dataclass(frozen=True, slots=True)
class Quota:
    """A size quota, counted the service's way, and the answer to a document beyond it."""

    limit: int
    count: Callable[[str], int]
    answer: Callable[[int], Answer]

    def check(self, text: str) -> Answer | None:
        size = self.count(text)
        return self.answer(size) if size > self.limit else None


# A check of its own a service makes on a document the grammar accepts.
Extra = Callable[[Policy], Problem | None]


@dataclass(frozen=True, slots=True)
class Written:
    """One policy document an operation writes.

    `types` are the policy types it may be (one, except for an organisation policy whose type
    the request does not say); `member` the request member that carries it, whose botocore
    constraints the front end checks (None inside a map).
    """

    text: str
    types: tuple[PolicyType, ...]
    dialect: Dialect
    quota: Quota | None = None
    member: str | None = None
    extras: tuple[Extra, ...] = ()


def _judge(parsed: ParsedOperation, written: Written) -> Answer | None:
    front = _front_end(parsed, written)
    if front is not None:
        return front
    problem = _problem(written)
    if problem is not None:
        return written.dialect.answer(problem)
    return written.quota.check(written.text) if written.quota is not None else None


def _judge_all(parsed: ParsedOperation, documents: list[Written]) -> Answer | None:
    for written in documents:
        answer = _judge(parsed, written)
        if answer is not None:
            return answer
    return None


# --- the request front end: the model's constraints on the member -----------------------------


def _front_end(parsed: ParsedOperation, written: Written) -> Answer | None:
    """AWS validates a request against its model before the service sees it: "1 validation
    error detected: Value '…' at 'policyDocument' failed to satisfy constraint: …" (IAM's
    policyDocumentType and KMS's PolicyType admit only tab, line feed, carriage return and
    U+0020–U+00FF; Secrets Manager's ResourcePolicy at most 20480 characters).
    https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (ValidationError)"""
    if written.member is None:
        return None
    metadata = _member_metadata(parsed, written.member)
    constraint = _violated(written.text, metadata)
    if constraint is None:
        return None
    code = "ValidationError" if parsed.protocol == "query" else "ValidationException"
    member = written.member[:1].lower() + written.member[1:]
    message = (f"1 validation error detected: Value '{written.text}' at '{member}' failed to "
               f"satisfy constraint: {constraint}")
    return Answer(code, 400, message)


def _member_metadata(parsed: ParsedOperation, member: str) -> Mapping[str, Any]:
    try:
        model = service_model(parsed.service, parsed.protocol or None)
        shape = model.operation_model(parsed.operation).input_shape.members[member]
    except Exception:  # no model to check against: the service's own checks still apply
        return {}
    metadata: Mapping[str, Any] = shape.metadata
    return metadata


def _violated(text: str, metadata: Mapping[str, Any]) -> str | None:
    maximum = metadata.get("max")
    if isinstance(maximum, int) and len(text) > maximum:
        return f"Member must have length less than or equal to {maximum}"
    pattern = metadata.get("pattern")
    if isinstance(pattern, str) and re.fullmatch(pattern, text, re.DOTALL) is None:
        return f"Member must satisfy regular expression pattern: {pattern}"
    return None


# --- reading the document --------------------------------------------------------------------


def _problem(written: Written) -> Problem | None:
    text = written.text
    if written.dialect.first_byte and not text.startswith("{"):
        return Problem(Fault.FIRST_BYTE)
    try:
        raw = loads_strict(text)
    except PolicyValidationError as error:
        return _classified(error)
    if not isinstance(raw, dict):
        return Problem(Fault.NOT_OBJECT)
    return _grammar(written)


def _grammar(written: Written) -> Problem | None:
    """The first problem of the document in the first type it may be, or None when it is a
    valid document of one of its types (and passes the service's own checks)."""
    first: Problem | None = None
    for policy_type in written.types:
        try:
            # The size quota is the service's (Quota), not the parser's default for the type.
            policy = parse_policy(written.text, policy_type, max_size=MAX_DOCUMENT_CHARS)
        except PolicyValidationError as error:
            first = first or _classified(error)
            continue
        found = _extra_problem(policy, written.extras)
        if found is None:
            return None
        first = first or found
    return first


def _extra_problem(policy: Policy, extras: tuple[Extra, ...]) -> Problem | None:
    for extra in extras:
        found = extra(policy)
        if found is not None:
            return found
    return None


# The parser's problems that name the fault outright (its texts are AWS's where AWS has one).
_BY_PROBLEM: Mapping[str, Fault] = {
    "Missing required field Statement": Fault.STATEMENT_MISSING,
    "Missing required field Effect": Fault.EFFECT_MISSING,
    "Missing required field Principal": Fault.PRINCIPAL_MISSING,
    "Policy document should not specify a principal.": Fault.PRINCIPAL_FORBIDDEN,
    "Policy statement must contain actions.": Fault.ACTION_MISSING,
    "Policy statement must contain resources.": Fault.RESOURCE_MISSING,
    "a Principal must name at least one principal": Fault.PRINCIPAL_EMPTY,
}
_BY_PREFIX: tuple[tuple[str, Fault], ...] = (
    ("not JSON", Fault.NOT_JSON),
    ("a policy document must be a JSON object", Fault.NOT_OBJECT),
    ("Statement must hold at least one", Fault.STATEMENT_EMPTY),
    ("Missing required field Version", Fault.VERSION),
    # Wrong types, duplicate keys, unknown elements, absurd nesting: the document's syntax.
    ("expected ", Fault.SYNTAX),
    ("Duplicate key", Fault.SYNTAX),
    ("Unknown element", Fault.SYNTAX),
    ("a statement holds", Fault.SYNTAX),  # Action and NotAction (… ) both
    ("nesting deeper", Fault.SYNTAX),
    ("cannot read the document", Fault.SYNTAX),
)
# Otherwise the element at fault, from the problem's location ('Statement[0] (Sid "x").Action[1]').
_BY_ELEMENT: Mapping[str, Fault] = {
    "Version": Fault.VERSION,
    "Sid": Fault.SID,
    "Effect": Fault.EFFECT,
    "Principal": Fault.PRINCIPAL,
    "NotPrincipal": Fault.PRINCIPAL,
    "Action": Fault.ACTION,
    "NotAction": Fault.ACTION,
    "Resource": Fault.RESOURCE,
    "NotResource": Fault.RESOURCE,
    "Condition": Fault.CONDITION,
}
_STATEMENT_PLACE = re.compile(r'Statement(?:\[\d+\])?(?: \(Sid ".*?"\))?\.?')


def _classified(error: PolicyValidationError) -> Problem:
    problem = error.problem
    if problem in _BY_PROBLEM:
        return Problem(_BY_PROBLEM[problem], problem)
    if problem.endswith("must list at least one principal"):
        return Problem(Fault.PRINCIPAL_EMPTY, problem)
    for prefix, fault in _BY_PREFIX:
        if problem.startswith(prefix):
            return Problem(fault, problem)
    return Problem(_BY_ELEMENT.get(_element(error.location), Fault.SYNTAX), problem)


def _element(location: str) -> str:
    """The policy element a parser location points into: 'Version', 'Action', …"""
    if location.startswith("Statement"):
        location = _STATEMENT_PLACE.sub("", location, count=1)
    return re.split(r"[.\[]", location, maxsplit=1)[0]


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
_S3 = Dialect(
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
_S3_SIZE = _quota(20480, _bytes, "MalformedPolicy", "The policy exceeds the maximum size of 20 KB.")

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


_IAM = Dialect(
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


_TRUST = Dialect(
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


_MANAGED_SIZE = _iam_limit("PolicySize", 6144)
_TRUST_SIZE = _iam_limit("ACLSizePerRole", 2048)
# Inline policies share one quota per identity: 2,048 characters for a user, 5,120 for a
# group, 10,240 for a role (reference_iam-quotas.html). One document beyond its identity's quota
# is refused whatever else the identity holds.
_INLINE_LIMITS = {"user": 2048, "group": 5120, "role": 10240}


def _inline_size(kind: str, name: str) -> Quota:
    return _quota(_INLINE_LIMITS[kind], policy_size, "LimitExceeded",
                  f"Maximum policy size of {{limit}} bytes exceeded for {kind} {name}",
                  status=409)


# SNS: InvalidParameter (400), "Invalid parameter: Policy Error: …" — "null" when the document
# cannot be read, PrincipalNotFound for a principal SNS does not know; an action of another
# service is "out of service scope" (moto's sns/models.py reproduces AWS's text).
# https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html#API_SetTopicAttributes_Errors
_SNS = Dialect(
    code="InvalidParameter",
    messages={
        Fault.PRINCIPAL: "Invalid parameter: Policy Error: PrincipalNotFound",
        Fault.ACTION_OUT_OF_SCOPE: "Invalid parameter: Policy statement action out of service "
                                   "scope!",
    },
    default="Invalid parameter: Policy Error: null",
)
# A topic policy of up to 30 KB.
_SNS_SIZE = _quota(30720, _bytes, "InvalidParameter", "Invalid parameter: Policy Error: null")

# SQS: InvalidAttributeValue (400), "Invalid value for the parameter Policy."; a queue policy is
# at most 8,192 bytes. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
_SQS_INVALID = "Invalid value for the parameter Policy."
_SQS = Dialect(code="InvalidAttributeValue", messages={}, default=_SQS_INVALID)
_SQS_SIZE = _quota(8192, _bytes, "InvalidAttributeValue", _SQS_INVALID)

# KMS: MalformedPolicyDocumentException (400), "The request was rejected because the specified
# policy is not syntactically or semantically correct."; principals are answered "Policy
# contains a statement with one or more invalid principals." A key policy is at most 32,768
# bytes (LimitExceededException). https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
_KMS_PRINCIPALS = "Policy contains a statement with one or more invalid principals."
_KMS = Dialect(
    code="MalformedPolicyDocumentException",
    messages={
        Fault.PRINCIPAL_MISSING: "Policy contains a statement with no principal.",
        Fault.PRINCIPAL_EMPTY: _KMS_PRINCIPALS,
        Fault.PRINCIPAL: _KMS_PRINCIPALS,
    },
    default="The request was rejected because the specified policy is not syntactically or "
            "semantically correct.",
)
_KMS_SIZE = _quota(32768, _bytes, "LimitExceededException",
                   "The request was rejected because a length constraint or quota was "
                   "exceeded.")

# Organizations: MalformedPolicyDocumentException (400), "The provided policy document does not
# meet the requirements of the specified policy type."; SCPs and RCPs are at most 5,120
# characters, white space included (ConstraintViolationException, reason
# POLICY_CONTENT_LIMIT_EXCEEDED). https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
_ORGANIZATIONS = Dialect(
    code="MalformedPolicyDocumentException",
    messages={},
    default="The provided policy document does not meet the requirements of the specified "
            "policy type.",
)
_ORGANIZATIONS_SIZE = _quota(5120, _characters, "ConstraintViolationException",
                             "You attempted to create a policy that is larger than the maximum "
                             "size.")

# IAM Identity Center: ValidationException (400) "Invalid PermissionsPolicy Document"; an inline
# policy is at most 10,240 bytes of non-white-space characters, answered as below.
# https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
_SSO = Dialect(code="ValidationException", messages={},
               default="Invalid PermissionsPolicy Document")
_SSO_SIZE = _quota(10240, _bytes_without_white_space, "ValidationException",
                   "Current size of the non-whitespace characters present in the InlinePolicy "
                   "Document is {size} bytes which has exceeded the maximum limit of {limit} "
                   "bytes")

# Secrets Manager: MalformedPolicyDocumentException (400), "You provided a resource-based policy
# with syntax errors." https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html
_SECRETS = Dialect(code="MalformedPolicyDocumentException", messages={},
                   default="You provided a resource-based policy with syntax errors.")

# DynamoDB: ValidationException (400), "One or more parameter values were invalid: Invalid
# policy document: " and the shared parser's words.
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
_DYNAMODB_PREFIX = "One or more parameter values were invalid: Invalid policy document: "


def _dynamodb_words(problem: Problem) -> str:
    shared = _SHARED.get(problem.fault, _detail)
    text = shared(problem) if callable(shared) else shared
    return _DYNAMODB_PREFIX + text


_DYNAMODB = Dialect(code="ValidationException", messages={}, default=_dynamodb_words)


# --- the services' own checks ----------------------------------------------------------------


# A bucket policy names S3's actions and, for directory buckets, S3 Express One Zone's.
_S3_VENDORS = ("s3", "s3express")


def _wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _bucket_resources(bucket: str) -> Extra:
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
    if not _wildcard(parts[2]) and parts[2] not in _S3_VENDORS:
        return False
    if parts[3] or parts[4]:
        return True
    named = parts[5].split("/", 1)[0]
    return _wildcard(named) or named == bucket


@functools.cache
def _known_actions(service: str) -> frozenset[str]:
    """The service's actions in lower case; empty when the reference is not at hand (then no
    action is refused for being unknown)."""
    return frozenset(name.lower() for name in authref.action_names(service))


def _own_actions(vendors: tuple[str, ...], *, known_only: bool) -> Extra:
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
    written = _member(parsed.params, "Policy", _RESOURCE, _S3, _S3_SIZE,
                      _bucket_resources(bucket), _own_actions(_S3_VENDORS, known_only=True))
    return _judge_all(parsed, _documents(written))


def _attribute(attributes: Any, name: str) -> str | None:
    if not isinstance(attributes, Mapping):
        return None
    value = attributes.get(name)
    return None if value is None else str(value)


def _topic_policy(text: str | None) -> Written | None:
    if text is None:
        return None
    return Written(text, _RESOURCE, _SNS, _SNS_SIZE, None,
                   (_own_actions(("sns",), known_only=False),))


def _set_topic_attributes(parsed: ParsedOperation) -> Answer | None:
    if parsed.params.get("AttributeName") != "Policy":
        return None
    text = _text(parsed.params, "AttributeValue")
    return _judge_all(parsed, _documents(_topic_policy(text if text is not None else "")))


def _create_topic(parsed: ParsedOperation) -> Answer | None:
    text = _attribute(parsed.params.get("Attributes"), "Policy")
    return _judge_all(parsed, _documents(_topic_policy(text)))


def _queue_policy(parsed: ParsedOperation) -> Answer | None:
    text = _attribute(parsed.params.get("Attributes"), "Policy")
    if not text:
        # An empty Policy removes the queue's policy (SetQueueAttributes, "Policy").
        return None
    return _judge_all(parsed, [Written(text, _RESOURCE, _SQS, _SQS_SIZE)])


def _key_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "Policy", _RESOURCE, _KMS, _KMS_SIZE)
    return _judge_all(parsed, _documents(written))


def _trust_policy(member: str) -> Callable[[ParsedOperation], Answer | None]:
    def check(parsed: ParsedOperation) -> Answer | None:
        written = _member(parsed.params, member, _TRUST_TYPE, _TRUST, _TRUST_SIZE)
        return _judge_all(parsed, _documents(written))

    return check


def _inline_policy(kind: str) -> Callable[[ParsedOperation], Answer | None]:
    name_member = f"{kind.capitalize()}Name"

    def check(parsed: ParsedOperation) -> Answer | None:
        quota = _inline_size(kind, str(parsed.params.get(name_member, "")))
        written = _member(parsed.params, "PolicyDocument", _IDENTITY, _IAM, quota)
        return _judge_all(parsed, _documents(written))

    return check


def _managed_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "PolicyDocument", _IDENTITY, _IAM, _MANAGED_SIZE)
    return _judge_all(parsed, _documents(written))


_ORGANIZATION_TYPES = {"SERVICE_CONTROL_POLICY": (PolicyType.SCP,),
                       "RESOURCE_CONTROL_POLICY": (PolicyType.RCP,)}


def _create_organization_policy(parsed: ParsedOperation) -> Answer | None:
    types = _ORGANIZATION_TYPES.get(str(parsed.params.get("Type", "")))
    if types is None:
        return None  # tag, backup, AI opt-out … policies are not IAM policy documents
    written = _member(parsed.params, "Content", types, _ORGANIZATIONS, _ORGANIZATIONS_SIZE)
    return _judge_all(parsed, _documents(written))


def _update_organization_policy(parsed: ParsedOperation) -> Answer | None:
    """UpdatePolicy does not say the policy's type. Every type's content is JSON; a document
    with a Statement is an SCP or an RCP (tag, backup and the other types have none), and is
    accepted when it is a valid one of either."""
    text = _text(parsed.params, "Content")
    if text is None:
        return None
    written = Written(text, (PolicyType.SCP, PolicyType.RCP), _ORGANIZATIONS,
                      _ORGANIZATIONS_SIZE, "Content")
    try:
        raw = loads_strict(text)
    except PolicyValidationError:
        return _ORGANIZATIONS.answer(Problem(Fault.NOT_JSON))
    if not isinstance(raw, dict) or "Statement" not in raw:
        return None
    return _judge_all(parsed, [written])


def _permission_set_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "InlinePolicy", _IDENTITY, _SSO, _SSO_SIZE)
    return _judge_all(parsed, _documents(written))


def _secret_policy(parsed: ParsedOperation) -> Answer | None:
    written = _member(parsed.params, "ResourcePolicy", _RESOURCE, _SECRETS)
    return _judge_all(parsed, _documents(written))


def _table_policy(member: str) -> Callable[[ParsedOperation], Answer | None]:
    def check(parsed: ParsedOperation) -> Answer | None:
        written = _member(parsed.params, member, _RESOURCE, _DYNAMODB)
        return _judge_all(parsed, _documents(written))

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
