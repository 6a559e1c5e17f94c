"""Authenticating a request: by its Authorization header, its presigned query string, or (S3
only) as anonymous; the outcome, or AWS's error for the service's family; and the Authorization
header to forward, rebuilt from what was verified (`canonical_authorization`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from harness.gateway.credentials import Credential, CredentialStore, as_utc
from harness.gateway.sigv4.authorization import format_authorization
from harness.gateway.sigv4.claim import Claim, request_scope, s3_malformed
from harness.gateway.sigv4.failures import (
    MSG_MISSING_TOKEN,
    S3_MSG_MECHANISM,
    Answer,
    AuthError,
    AuthFailure,
    ErrorFamily,
    fail,
)
from harness.gateway.sigv4.family import Endpoint, endpoint_of
from harness.gateway.sigv4.header_auth import parse_header_auth
from harness.gateway.sigv4.presigned import parse_presigned
from harness.gateway.sigv4.query import form_params, query_params
from harness.gateway.sigv4.request import SignedRequest
from harness.gateway.sigv4.verify import verify


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Who signed the request. `credential` is None for an anonymous (unsigned) S3 request.
    `payload_signed` is False when the signature does not cover the body (UNSIGNED-PAYLOAD,
    presigned S3 URLs, STREAMING-UNSIGNED-PAYLOAD-TRAILER). `claim` is the verified signature
    (None for an anonymous request)."""

    credential: Credential | None
    service: str
    region: str
    signed_at: datetime
    presigned: bool
    payload_signed: bool = True
    claim: Claim | None = None

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
    routed: str | None = None,
) -> Authenticated:
    """Authenticate `request` as AWS would, or raise AuthError with AWS's answer.

    The request is routed as the gateway routes it (`family.endpoint_of`): by the signing name
    of its credential scope, else by `service` (a signing name, the gateway's hint), else by its
    shape; `protocol` (botocore's protocol name) overrides the protocol it is found to speak;
    `routed` is the service the gateway already found for it (`protocol.detect_service`).
    The service found chooses the error family, and whether an unsigned request is anonymous
    (S3 only) or refused with the service's MissingAuthenticationToken.
    """
    moment = as_utc(now) if now is not None else datetime.now(UTC)
    params = query_params(request.query_string)
    authorization = request.header("authorization")
    presign = any(name in params for name in ("X-Amz-Algorithm", "X-Amz-Credential"))
    presign = presign or "X-Amz-Signature" in params
    scope = request_scope(request)
    endpoint = endpoint_of(request, scope[0] if scope else service, protocol, routed)
    family = endpoint.family
    if authorization is not None and presign:
        raise _both_mechanisms(family)
    if authorization is not None:
        claim = parse_header_auth(request, authorization, family)
    elif presign:
        claim = parse_presigned(request, params, family)
    else:
        return _unsigned(request, params, endpoint, moment)
    _check_scope(claim, endpoint)
    credential, payload_signed = verify(request, claim, store, moment)
    return Authenticated(
        credential,
        claim.service,
        claim.region,
        claim.signed_at,
        presigned=claim.presigned,
        payload_signed=payload_signed,
        claim=claim,
    )


def canonical_authorization(
    authenticated: Authenticated, *, access_key_id: str | None = None
) -> str | None:
    """The Authorization header to forward in place of the client's: `AWS4-HMAC-SHA256
    Credential=<key>/<scope>, SignedHeaders=<…>, Signature=<…>`, built from the verified
    components only, so that the backend reads the scope and key the gateway verified and
    nothing else. `access_key_id` replaces the verified key (the backend key a minted key is
    forwarded as). None when the request was not signed in the header (presigned, anonymous):
    such a request has no Authorization header to forward.
    """
    claim = authenticated.claim
    if claim is None or claim.presigned:
        return None
    key = access_key_id if access_key_id is not None else claim.access_key_id
    return format_authorization(f"{key}/{claim.scope}", claim.signed_headers, claim.signature)


def _check_scope(claim: Claim, endpoint: Endpoint) -> None:
    """The credential must be scoped to the service the request is for: the backend routes by
    the scope, the gateway authorises the service it routed to, and they must be the same."""
    if endpoint.accepts_scope(claim.service):
        return
    expected = endpoint.signing_name or ""
    problem = f'incorrect service "{claim.service}". This endpoint belongs to "{expected}".'
    raise fail(
        endpoint.family,
        AuthFailure.SIGNATURE_MISMATCH,
        f"Credential should be scoped to correct service: '{expected}'.",
        s3_malformed(problem, claim.presigned),
    )


def _unsigned(
    request: SignedRequest, params: Mapping[str, str], endpoint: Endpoint, moment: datetime
) -> Authenticated:
    family = endpoint.family
    if _sigv2_params(request, params):
        raise fail(
            family,
            AuthFailure.UNSUPPORTED,
            "Signature Version 2 is not supported by this endpoint; sign with AWS4-HMAC-SHA256.",
            Answer("InvalidRequest", 400, S3_MSG_MECHANISM),
        )
    if not endpoint.anonymous_allowed:
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
