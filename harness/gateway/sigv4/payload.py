"""The payload hash: what the client declared it signed, and whether the body matches it."""

from __future__ import annotations

import hashlib
import re

from harness.gateway.sigv4.chunked import verify_chunks
from harness.gateway.sigv4.claim import Claim
from harness.gateway.sigv4.failures import (
    MSG_SIGNATURE,
    S3_MSG_MECHANISM,
    AuthFailure,
    ErrorFamily,
    fail,
    s3_fail,
)
from harness.gateway.sigv4.query import query_params
from harness.gateway.sigv4.request import SignedRequest

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_ECDSA = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
STREAMING_ECDSA_TRAILER = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
_PAYLOAD_MARKERS = (
    UNSIGNED_PAYLOAD,
    STREAMING_UNSIGNED_TRAILER,
    STREAMING_SIGNED,
    STREAMING_SIGNED_TRAILER,
    STREAMING_ECDSA,
    STREAMING_ECDSA_TRAILER,
)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def declared_payload(request: SignedRequest, claim: Claim) -> str:
    """The payload hash that goes into the canonical request.

    S3 takes it from x-amz-content-sha256 (required with the Authorization header; a presigned
    URL signs UNSIGNED-PAYLOAD). Other services hash the body, unless the client declared the
    hash in x-amz-content-sha256 (botocore then signs that header's value).
    """
    declared = request.header("x-amz-content-sha256")
    if claim.family is ErrorFamily.S3:
        if claim.presigned:
            return query_params(request.query_string).get("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD)
        if declared is None:
            raise s3_fail(
                AuthFailure.PAYLOAD,
                "InvalidRequest",
                400,
                "Missing required header for this request: x-amz-content-sha256",
            )
        _check_s3_declared(declared)
        return declared
    if declared is not None:
        return declared
    return hashlib.sha256(request.body).hexdigest()


def check_payload(request: SignedRequest, claim: Claim, key: bytes, declared: str) -> bool:
    """After the signature matched: does the body match what was signed? True when the
    signature covers the body."""
    if declared in (UNSIGNED_PAYLOAD, STREAMING_UNSIGNED_TRAILER):
        return False
    if declared in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER) and claim.family is ErrorFamily.S3:
        verify_chunks(request, claim, key, trailer=declared == STREAMING_SIGNED_TRAILER)
        return True
    actual = hashlib.sha256(request.body).hexdigest()
    if _HEX64.fullmatch(declared) and declared.lower() == actual:
        return True
    if claim.family is ErrorFamily.S3:
        raise s3_fail(
            AuthFailure.PAYLOAD,
            "XAmzContentSHA256Mismatch",
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            {"ClientComputedContentSHA256": declared, "S3ComputedContentSHA256": actual},
        )
    # Outside S3 the declared hash is only botocore's shortcut for hashing the body: a body that
    # differs from it is a body that was not signed.
    raise fail(claim.family, AuthFailure.PAYLOAD, MSG_SIGNATURE)


def _check_s3_declared(declared: str) -> None:
    """S3 takes a SHA-256 or one of its markers in x-amz-content-sha256, and no SigV4a."""
    if declared in (STREAMING_ECDSA, STREAMING_ECDSA_TRAILER):
        raise s3_fail(AuthFailure.UNSUPPORTED, "InvalidRequest", 400, S3_MSG_MECHANISM)
    if declared not in _PAYLOAD_MARKERS and not _HEX64.fullmatch(declared):
        message = (
            "x-amz-content-sha256 must be "
            + ", ".join(_PAYLOAD_MARKERS[:-1])
            + f" or {_PAYLOAD_MARKERS[-1]} or a valid sha256 value."
        )
        raise s3_fail(
            AuthFailure.PAYLOAD,
            "InvalidArgument",
            400,
            message,
            {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": declared},
        )
