"""Authentication failures, and the error code, message and HTTP status each service family
answers them with.

https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ErrorFamily(StrEnum):
    """Which set of error codes a service answers authentication failures with."""

    S3 = "s3"
    QUERY = "query"  # awsQuery and rest-xml services (IAM, STS, SNS, Route 53, …), and the
    # former query services over JSON, whose clients read the query code (SQS)
    EC2 = "ec2"
    JSON = "json"  # awsJson services (DynamoDB, KMS, …): …Exception codes, HTTP 400
    REST_JSON = "rest-json"  # restJson services (Lambda, API Gateway): …Exception codes, HTTP 403


class AuthFailure(StrEnum):
    """Why authentication failed, independent of the wording of the service family."""

    MISSING_AUTHENTICATION = "missing-authentication"
    MALFORMED = "malformed"
    UNSUPPORTED = "unsupported"
    HEADERS_NOT_SIGNED = "headers-not-signed"
    UNKNOWN_KEY = "unknown-key"
    INVALID_TOKEN = "invalid-token"
    EXPIRED_TOKEN = "expired-token"
    SIGNATURE_MISMATCH = "signature-mismatch"
    REQUEST_TIME = "request-time"
    PAYLOAD = "payload"


class AuthError(Exception):
    """An authentication failure, as AWS would answer it: `code`, `message` and HTTP `status`
    for the service's error family; `details` holds the extra elements S3 puts in its error
    document (AWSAccessKeyId, StringToSign, CanonicalRequest, RequestTime, …)."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int,
        *,
        reason: AuthFailure,
        family: ErrorFamily,
        details: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.reason = reason
        self.family = family
        self.details: dict[str, str] = dict(details or {})


@dataclass(frozen=True, slots=True)
class Answer:
    """What a family answers: a code, an HTTP status, and a message of its own (None: the
    message the failure site words, which names what is wrong)."""

    code: str
    status: int
    message: str | None = None


_KINDS = {
    AuthFailure.MISSING_AUTHENTICATION: "missing",
    AuthFailure.MALFORMED: "incomplete",
    AuthFailure.UNSUPPORTED: "incomplete",
    AuthFailure.HEADERS_NOT_SIGNED: "incomplete",
    AuthFailure.UNKNOWN_KEY: "invalid",
    AuthFailure.INVALID_TOKEN: "invalid",
    AuthFailure.EXPIRED_TOKEN: "expired",
    AuthFailure.SIGNATURE_MISMATCH: "signature",
    AuthFailure.PAYLOAD: "signature",
    AuthFailure.REQUEST_TIME: "time",
}
_EC2_AUTH = "AWS was not able to validate the provided access credentials"
# The answers of the non-S3 families (S3's are given at each failure site, they vary more).
# Query: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html; JSON (all 400):
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html;
# REST-JSON (Lambda, API Gateway front door) answers the JSON codes with 403; EC2:
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
_ANSWERS: dict[ErrorFamily, dict[str, Answer]] = {
    ErrorFamily.QUERY: {
        "missing": Answer("MissingAuthenticationToken", 403),
        "incomplete": Answer("IncompleteSignature", 400),
        "invalid": Answer("InvalidClientTokenId", 403),
        "expired": Answer("ExpiredToken", 403),
        "signature": Answer("SignatureDoesNotMatch", 403),
        "time": Answer("SignatureDoesNotMatch", 403),
    },
    ErrorFamily.JSON: {
        "missing": Answer("MissingAuthenticationTokenException", 400),
        "incomplete": Answer("IncompleteSignatureException", 400),
        "invalid": Answer("UnrecognizedClientException", 400),
        "expired": Answer("ExpiredTokenException", 400),
        "signature": Answer("InvalidSignatureException", 400),
        "time": Answer("InvalidSignatureException", 400),
    },
    ErrorFamily.REST_JSON: {
        "missing": Answer(
            "MissingAuthenticationTokenException", 403, "Missing Authentication Token"
        ),
        "incomplete": Answer("IncompleteSignatureException", 403),
        "invalid": Answer("UnrecognizedClientException", 403),
        "expired": Answer("ExpiredTokenException", 403),
        "signature": Answer("InvalidSignatureException", 403),
        "time": Answer("InvalidSignatureException", 403),
    },
    # S3's fallbacks; each S3 failure site names S3's exact answer.
    ErrorFamily.S3: {
        "missing": Answer("AccessDenied", 403, "Access Denied"),
        "incomplete": Answer("AuthorizationHeaderMalformed", 400),
        "invalid": Answer("InvalidAccessKeyId", 403),
        "expired": Answer("ExpiredToken", 400, "The provided token has expired."),
        "signature": Answer("SignatureDoesNotMatch", 403),
        "time": Answer("RequestTimeTooSkewed", 403),
    },
    ErrorFamily.EC2: {
        "missing": Answer("MissingAuthenticationToken", 401),
        "incomplete": Answer("IncompleteSignature", 400),
        "invalid": Answer("AuthFailure", 401, _EC2_AUTH),
        "expired": Answer("RequestExpired", 400, "Request has expired."),
        "signature": Answer("AuthFailure", 401, _EC2_AUTH),
        "time": Answer("RequestExpired", 400),
    },
}

MSG_MISSING_TOKEN = "Request is missing Authentication Token"
MSG_INVALID_TOKEN = "The security token included in the request is invalid."
MSG_EXPIRED_TOKEN = "The security token included in the request is expired"
MSG_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
S3_MSG_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
S3_MSG_UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records."
S3_MSG_MECHANISM = (
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)
S3_MSG_PRESIGN_PARAMS = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
S3_MSG_CREDENTIAL = (
    'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
MSG_NO_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
S3_MSG_NO_DATE = "AWS authentication requires a valid Date or x-amz-date header"


def fail(
    family: ErrorFamily,
    reason: AuthFailure,
    message: str,
    s3: Answer | None = None,
    details: Mapping[str, str] | None = None,
) -> AuthError:
    """The error for `reason` in the family's words; `s3` is S3's answer when it differs."""
    answer = _ANSWERS[family][_KINDS[reason]]
    if family is ErrorFamily.S3 and s3 is not None:
        answer = s3
    return AuthError(
        answer.code,
        answer.message or message,
        answer.status,
        reason=reason,
        family=family,
        details=details,
    )


def s3_fail(
    reason: AuthFailure,
    code: str,
    status: int,
    message: str,
    details: Mapping[str, str] | None = None,
) -> AuthError:
    """An error only S3 answers (the caller knows the family is S3)."""
    return AuthError(code, message, status, reason=reason, family=ErrorFamily.S3, details=details)


def signature_mismatch(family: ErrorFamily, details: Mapping[str, str]) -> AuthError:
    """The signature, or a chunk's, is not the one the secret gives."""
    return fail(
        family,
        AuthFailure.SIGNATURE_MISMATCH,
        MSG_SIGNATURE,
        Answer("SignatureDoesNotMatch", 403, S3_MSG_SIGNATURE),
        details,
    )
