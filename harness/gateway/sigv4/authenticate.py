"""Authenticating a request: by its Authorization header, its presigned query string, or (S3
only) as anonymous; the outcome, or AWS's error for the service's family."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from harness.gateway.credentials import Credential, CredentialStore, as_utc
from harness.gateway.sigv4.failures import (
    MSG_MISSING_TOKEN,
    S3_MSG_MECHANISM,
    Answer,
    AuthError,
    AuthFailure,
    ErrorFamily,
    fail,
)
from harness.gateway.sigv4.family import guess_family
from harness.gateway.sigv4.header_auth import parse_header_auth
from harness.gateway.sigv4.presigned import parse_presigned
from harness.gateway.sigv4.query import form_params, query_params
from harness.gateway.sigv4.request import SignedRequest
from harness.gateway.sigv4.verify import verify


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Who signed the request. `credential` is None for an anonymous (unsigned) S3 request.
    `payload_signed` is False when the signature does not cover the body (UNSIGNED-PAYLOAD,
    presigned S3 URLs, STREAMING-UNSIGNED-PAYLOAD-TRAILER)."""

    credential: Credential | None
    service: str
    region: str
    signed_at: datetime
    presigned: bool
    payload_signed: bool = True

    @property
    def anonymous(self) -> bool:
        return self.credential is None


def authenticate(
    request: SignedRequest,
    store: CredentialStore,
    *,
    now: datetime | None = None,
    service: str | None = None,
    protocol: str | None = None,
) -> Authenticated:
    """Authenticate `request` as AWS would, or raise AuthError with AWS's answer.

    `service` (a signing name) and `protocol` (botocore's protocol name) are optional hints from
    the gateway: they only choose the error family when the request itself does not say (an
    unsigned request; a header too malformed to name its service). An unsigned request is
    anonymous for S3 and MissingAuthenticationToken for every other service.
    """
    moment = as_utc(now) if now is not None else datetime.now(UTC)
    params = query_params(request.query_string)
    authorization = request.header("authorization")
    presign = any(name in params for name in ("X-Amz-Algorithm", "X-Amz-Credential"))
    presign = presign or "X-Amz-Signature" in params
    family = guess_family(request, params, service, protocol)
    if authorization is not None and presign:
        raise _both_mechanisms(family)
    if authorization is not None:
        claim = parse_header_auth(request, authorization, family)
    elif presign:
        claim = parse_presigned(request, params, family)
    else:
        return _unsigned(request, params, family, moment)
    credential, payload_signed = verify(request, claim, store, moment)
    return Authenticated(
        credential,
        claim.service,
        claim.region,
        claim.signed_at,
        presigned=claim.presigned,
        payload_signed=payload_signed,
    )


def _unsigned(
    request: SignedRequest, params: Mapping[str, str], family: ErrorFamily, moment: datetime
) -> Authenticated:
    if _sigv2_params(request, params):
        raise fail(
            family,
            AuthFailure.UNSUPPORTED,
            "Signature Version 2 is not supported by this endpoint; sign with AWS4-HMAC-SHA256.",
            Answer("InvalidRequest", 400, S3_MSG_MECHANISM),
        )
    if family is not ErrorFamily.S3:
        raise fail(family, AuthFailure.MISSING_AUTHENTICATION, MSG_MISSING_TOKEN)
    # S3 serves anonymous requests; its bucket and object policies decide what they may do.
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
    return Authenticated(None, "s3", "us-east-1", moment, presigned=False, payload_signed=False)


def _sigv2_params(request: SignedRequest, params: Mapping[str, str]) -> bool:
    fields = {**form_params(request), **params}
    return "AWSAccessKeyId" in fields and ("Signature" in fields or "SignatureVersion" in fields)


def _both_mechanisms(family: ErrorFamily) -> AuthError:
    message = (
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
        "query string parameter or the Authorization header should be specified"
    )
    return fail(family, AuthFailure.MALFORMED, message, Answer("InvalidArgument", 400, message))
