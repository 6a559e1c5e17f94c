"""Verifying a claim: the request time, the signed headers, the access key and its session
token, the signature, and the payload it covers."""

from __future__ import annotations

from datetime import datetime

from harness.gateway.credentials import Credential, CredentialStore
from harness.gateway.sigv4.canonical import (
    canonical_requests,
    same,
    sign,
    signing_key,
    string_to_sign,
)
from harness.gateway.sigv4.claim import Claim
from harness.gateway.sigv4.clock import check_time
from harness.gateway.sigv4.failures import (
    MSG_EXPIRED_TOKEN,
    MSG_INVALID_TOKEN,
    S3_MSG_UNKNOWN_KEY,
    Answer,
    AuthFailure,
    ErrorFamily,
    fail,
    signature_mismatch,
)
from harness.gateway.sigv4.payload import check_payload, declared_payload
from harness.gateway.sigv4.request import SignedRequest


def verify(
    request: SignedRequest, claim: Claim, store: CredentialStore, moment: datetime
) -> tuple[Credential, bool]:
    """The credential that signed the request, and whether the signature covers the body; or
    the first failure in the order AWS checks (S3 checks a presigned URL's time last)."""
    s3 = claim.family is ErrorFamily.S3
    if not (s3 and claim.presigned):
        check_time(claim, moment)
    payload_hash = declared_payload(request, claim)
    _check_signed_headers(request, claim)
    credential = _lookup(claim, store, moment)
    key = signing_key(credential.secret_access_key, claim.scope_date, claim.region, claim.service)
    _check_signature(request, claim, key, payload_hash)
    if s3 and claim.presigned:
        check_time(claim, moment)
    return credential, check_payload(request, claim, key, payload_hash)


def _check_signed_headers(request: SignedRequest, claim: Claim) -> None:
    """Host must be signed; S3 also wants every x-amz-* header present signed."""
    names = set(claim.header_names)
    unsigned = [] if "host" in names else ["host"]
    if claim.family is ErrorFamily.S3:
        unsigned += sorted(
            name.lower()
            for name in request.headers
            if name.lower().startswith("x-amz-") and name.lower() not in names
        )
    if not unsigned:
        return
    raise fail(
        claim.family,
        AuthFailure.HEADERS_NOT_SIGNED,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        Answer(
            "AccessDenied", 403, "There were headers present in the request which were not signed"
        ),
        {"HeadersNotSigned": ", ".join(unsigned)},
    )


def _lookup(claim: Claim, store: CredentialStore, moment: datetime) -> Credential:
    """The credential of the access key, with its session token checked and not expired."""
    credential = store.get(claim.access_key_id)
    # A temporary key is only known together with its token: without one, AWS (S3 included)
    # answers as for an unknown key.
    if credential is None or (credential.session_token is not None and claim.token is None):
        raise fail(
            claim.family,
            AuthFailure.UNKNOWN_KEY,
            MSG_INVALID_TOKEN,
            Answer("InvalidAccessKeyId", 403, S3_MSG_UNKNOWN_KEY),
            {"AWSAccessKeyId": claim.access_key_id},
        )
    if claim.token is not None and not same(claim.token, credential.session_token or ""):
        raise fail(
            claim.family,
            AuthFailure.INVALID_TOKEN,
            MSG_INVALID_TOKEN,
            Answer("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
        )
    if credential.expired(moment):
        raise fail(
            claim.family,
            AuthFailure.EXPIRED_TOKEN,
            MSG_EXPIRED_TOKEN,
            Answer("ExpiredToken", 400, "The provided token has expired."),
        )
    return credential


def _check_signature(request: SignedRequest, claim: Claim, key: bytes, payload_hash: str) -> None:
    """Recompute the signature over each canonical form a conforming client may have signed
    (see `canonical_requests`) and compare in constant time."""
    candidates = canonical_requests(
        request,
        claim.signed_headers,
        payload_hash,
        s3=claim.family is ErrorFamily.S3,
        presigned=claim.presigned,
    )
    for canonical in candidates:
        to_sign = string_to_sign(claim.amz_date, claim.scope, canonical)
        if same(sign(key, to_sign), claim.signature):
            return
    details = {
        "AWSAccessKeyId": claim.access_key_id,
        "SignatureProvided": claim.signature,
        "StringToSign": string_to_sign(claim.amz_date, claim.scope, candidates[0]),
        "CanonicalRequest": candidates[0],
    }
    raise signature_mismatch(claim.family, details)
