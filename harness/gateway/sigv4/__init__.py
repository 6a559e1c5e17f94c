"""Verify AWS Signature Version 4 the way AWS does, and answer failures with AWS's own errors.

A request is authenticated by one of: an `Authorization: AWS4-HMAC-SHA256 …` header, a presigned
query string (X-Amz-Algorithm, X-Amz-Credential, …), or nothing at all (anonymous, which only S3
accepts). The canonical request is rebuilt from the request as received — byte for byte what
botocore (botocore/auth.py) and the other SDKs sign — and the signature recomputed with the
secret of the access key found in the `CredentialStore`.

The modules, in the order a request meets them: request (the request as received), family
(which service it is for, routed as the gateway routes it, and whose errors answer it),
authorization (the one layout of the Authorization header the gateway reads), header_auth and
presigned (reading the signature's claim, held by claim), verify (clock, canonical, payload and
chunked), failures (the errors), authenticate (the whole flow, and the header to forward:
`canonical_authorization`).

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
"""

from harness.gateway.sigv4.authenticate import Authenticated, authenticate, canonical_authorization
from harness.gateway.sigv4.authorization import format_authorization
from harness.gateway.sigv4.canonical import (
    ALGORITHM,
    EMPTY_SHA256,
    SIGV4A_ALGORITHM,
    TERMINATOR,
    signing_key,
    string_to_sign,
)
from harness.gateway.sigv4.claim import request_scope
from harness.gateway.sigv4.clock import AMZ_DATE_FORMAT, MAX_SKEW
from harness.gateway.sigv4.failures import (
    MSG_EXPIRED_TOKEN,
    MSG_INVALID_TOKEN,
    MSG_MISSING_TOKEN,
    MSG_NO_DATE,
    MSG_SIGNATURE,
    S3_MSG_CREDENTIAL,
    S3_MSG_MECHANISM,
    S3_MSG_NO_DATE,
    S3_MSG_PRESIGN_PARAMS,
    S3_MSG_SIGNATURE,
    S3_MSG_UNKNOWN_KEY,
    AuthError,
    AuthFailure,
    ErrorFamily,
)
from harness.gateway.sigv4.family import (
    ANONYMOUS_SERVICES,
    S3_SERVICES,
    Endpoint,
    endpoint_of,
    error_family,
)
from harness.gateway.sigv4.payload import (
    STREAMING_ECDSA,
    STREAMING_ECDSA_TRAILER,
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
    UNSIGNED_PAYLOAD,
)
from harness.gateway.sigv4.presigned import MAX_PRESIGN_EXPIRES
from harness.gateway.sigv4.request import HeaderMap, SignedRequest, signed_request_from_environ

__all__ = [
    "ALGORITHM",
    "AMZ_DATE_FORMAT",
    "ANONYMOUS_SERVICES",
    "EMPTY_SHA256",
    "MAX_PRESIGN_EXPIRES",
    "MAX_SKEW",
    "MSG_EXPIRED_TOKEN",
    "MSG_INVALID_TOKEN",
    "MSG_MISSING_TOKEN",
    "MSG_NO_DATE",
    "MSG_SIGNATURE",
    "S3_MSG_CREDENTIAL",
    "S3_MSG_MECHANISM",
    "S3_MSG_NO_DATE",
    "S3_MSG_PRESIGN_PARAMS",
    "S3_MSG_SIGNATURE",
    "S3_MSG_UNKNOWN_KEY",
    "S3_SERVICES",
    "SIGV4A_ALGORITHM",
    "STREAMING_ECDSA",
    "STREAMING_ECDSA_TRAILER",
    "STREAMING_SIGNED",
    "STREAMING_SIGNED_TRAILER",
    "STREAMING_UNSIGNED_TRAILER",
    "TERMINATOR",
    "UNSIGNED_PAYLOAD",
    "AuthError",
    "AuthFailure",
    "Authenticated",
    "Endpoint",
    "ErrorFamily",
    "HeaderMap",
    "SignedRequest",
    "authenticate",
    "canonical_authorization",
    "endpoint_of",
    "error_family",
    "format_authorization",
    "request_scope",
    "signed_request_from_environ",
    "signing_key",
    "string_to_sign",
]
