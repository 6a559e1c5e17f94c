"""Verify AWS Signature Version 4 the way AWS does, and answer failures with AWS's own errors.

A request is authenticated by one of: an `Authorization: AWS4-HMAC-SHA256 …` header, a presigned
query string (X-Amz-Algorithm, X-Amz-Credential, …), or nothing at all (anonymous, which only S3
accepts). The canonical request is rebuilt from the request as received — byte for byte what
botocore (botocore/auth.py) and the other SDKs sign — and the signature recomputed with the
secret of the access key found in the `CredentialStore`.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from urllib.parse import quote, unquote, unquote_to_bytes

from harness.gateway.credentials import Credential, CredentialStore, as_utc

ALGORITHM = "AWS4-HMAC-SHA256"
SIGV4A_ALGORITHM = "AWS4-ECDSA-P256-SHA256"
TERMINATOR = "aws4_request"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# AWS accepts a request whose timestamp is within 15 minutes of its clock.
MAX_SKEW = timedelta(minutes=15)
# Presigned URLs live at most seven days (sigv4-query-string-auth.html, X-Amz-Expires).
MAX_PRESIGN_EXPIRES = 604800

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
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

# Signing names whose requests S3 authenticates (S3's errors, S3's canonical URI, anonymous OK).
S3_SERVICES = frozenset({"s3", "s3-object-lambda"})

_PRESIGN_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_CREDENTIAL_IN_HEADER = re.compile(r"Credential=([^,\s]*)")


# --------------------------------------------------------------------------------------------
# The request


class HeaderMap(Mapping[str, str]):
    """HTTP headers with case-insensitive names. A name given twice keeps both values, joined
    with a comma, which is how SigV4 canonicalises repeated headers."""

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in pairs:
            lowered = name.lower()
            if lowered in self._items:
                first_name, first_value = self._items[lowered]
                self._items[lowered] = (first_name, f"{first_value},{value}")
            else:
                self._items[lowered] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"HeaderMap({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """An HTTP request as received. `path` and `query_string` are raw (percent-encoded, as on
    the wire); `headers` is looked up case-insensitively (any Mapping is wrapped in a HeaderMap)."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes = b""

    def __post_init__(self) -> None:
        if not isinstance(self.headers, HeaderMap):
            object.__setattr__(self, "headers", HeaderMap(self.headers))

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def signed_request_from_environ(environ: Mapping[str, object], body: bytes) -> SignedRequest:
    """Build a SignedRequest from a WSGI environ and the body already read from wsgi.input.

    The signature covers the path as the client encoded it, so the raw request target
    (werkzeug's RAW_URI, or REQUEST_URI) is used when the server provides it. Otherwise the path
    is re-encoded from PATH_INFO, which PEP 3333 hands over percent-decoded as latin-1 text; that
    is exact for every path an SDK produces except one holding an encoded slash (%2F).
    """
    method = str(environ.get("REQUEST_METHOD") or "GET")
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw_uri, str) and raw_uri:
        path, query = _split_request_target(raw_uri)
    else:
        decoded = str(environ.get("SCRIPT_NAME") or "") + str(environ.get("PATH_INFO") or "")
        path = quote(_wsgi_bytes(decoded), safe="/~") or "/"
        query = str(environ.get("QUERY_STRING") or "")
    return SignedRequest(method, path, query, HeaderMap(_environ_headers(environ)), body)


def _split_request_target(target: str) -> tuple[str, str]:
    if "://" in target.split("?", 1)[0]:  # absolute-form (a request through a proxy)
        after_scheme = target.split("://", 1)[1]
        slash = after_scheme.find("/")
        target = after_scheme[slash:] if slash >= 0 else "/"
    target = target.split("#", 1)[0]
    path, _, query = target.partition("?")
    return path or "/", query


def _environ_headers(environ: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            yield key[5:].replace("_", "-").lower(), str(value)
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value not in (None, ""):
            yield key.replace("_", "-").lower(), str(value)


def _wsgi_bytes(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # a server that decoded as UTF-8 despite PEP 3333
        return _utf8(text)


def _utf8(text: str) -> bytes:
    # surrogatepass: a header or path may carry anything; never fail on encoding.
    return text.encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------------------------
# Errors


class ErrorFamily(StrEnum):
    """Which set of error codes a service answers authentication failures with."""

    S3 = "s3"
    QUERY = "query"  # awsQuery and rest-xml services: IAM, STS, SNS, SQS (query), Route 53, …
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
class _Answer:
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
_ANSWERS: dict[ErrorFamily, dict[str, _Answer]] = {
    ErrorFamily.QUERY: {
        "missing": _Answer("MissingAuthenticationToken", 403),
        "incomplete": _Answer("IncompleteSignature", 400),
        "invalid": _Answer("InvalidClientTokenId", 403),
        "expired": _Answer("ExpiredToken", 403),
        "signature": _Answer("SignatureDoesNotMatch", 403),
        "time": _Answer("SignatureDoesNotMatch", 403),
    },
    ErrorFamily.JSON: {
        "missing": _Answer("MissingAuthenticationTokenException", 400),
        "incomplete": _Answer("IncompleteSignatureException", 400),
        "invalid": _Answer("UnrecognizedClientException", 400),
        "expired": _Answer("ExpiredTokenException", 400),
        "signature": _Answer("InvalidSignatureException", 400),
        "time": _Answer("InvalidSignatureException", 400),
    },
    ErrorFamily.REST_JSON: {
        "missing": _Answer(
            "MissingAuthenticationTokenException", 403, "Missing Authentication Token"
        ),
        "incomplete": _Answer("IncompleteSignatureException", 403),
        "invalid": _Answer("UnrecognizedClientException", 403),
        "expired": _Answer("ExpiredTokenException", 403),
        "signature": _Answer("InvalidSignatureException", 403),
        "time": _Answer("InvalidSignatureException", 403),
    },
    # S3's fallbacks; each S3 failure site names S3's exact answer.
    ErrorFamily.S3: {
        "missing": _Answer("AccessDenied", 403, "Access Denied"),
        "incomplete": _Answer("AuthorizationHeaderMalformed", 400),
        "invalid": _Answer("InvalidAccessKeyId", 403),
        "expired": _Answer("ExpiredToken", 400, "The provided token has expired."),
        "signature": _Answer("SignatureDoesNotMatch", 403),
        "time": _Answer("RequestTimeTooSkewed", 403),
    },
    ErrorFamily.EC2: {
        "missing": _Answer("MissingAuthenticationToken", 401),
        "incomplete": _Answer("IncompleteSignature", 400),
        "invalid": _Answer("AuthFailure", 401, _EC2_AUTH),
        "expired": _Answer("RequestExpired", 400, "Request has expired."),
        "signature": _Answer("AuthFailure", 401, _EC2_AUTH),
        "time": _Answer("RequestExpired", 400),
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


def _fail(
    family: ErrorFamily,
    reason: AuthFailure,
    message: str,
    s3: _Answer | None = None,
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


_PROTOCOL_FAMILIES = {
    "query": ErrorFamily.QUERY,
    "ec2": ErrorFamily.EC2,
    "rest-xml": ErrorFamily.QUERY,
    "json": ErrorFamily.JSON,
    "smithy-rpc-v2-cbor": ErrorFamily.JSON,
    "rest-json": ErrorFamily.REST_JSON,
}


def error_family(
    service: str | None, headers: Mapping[str, str], protocol: str | None = None
) -> ErrorFamily:
    """The family of errors a service answers with: S3 by signing name, then the botocore
    protocol name when the caller knows it, then the request's shape (X-Amz-Target or an
    application/x-amz-json content type mark a JSON service), else the query family."""
    if service in S3_SERVICES:
        return ErrorFamily.S3
    if service == "ec2":
        return ErrorFamily.EC2
    if protocol in _PROTOCOL_FAMILIES:
        return _PROTOCOL_FAMILIES[protocol]
    lookup = headers if isinstance(headers, HeaderMap) else HeaderMap(headers)
    content_type = lookup.get("content-type", "").lower()
    if "x-amz-target" in lookup or content_type.startswith("application/x-amz-json"):
        return ErrorFamily.JSON
    return ErrorFamily.QUERY


# --------------------------------------------------------------------------------------------
# The outcome


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


# What a request claims about its signature, once parsed and checked for shape.
@dataclass(frozen=True, slots=True)
class _Claim:
    family: ErrorFamily
    presigned: bool
    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: str
    signature: str
    amz_date: str
    signed_at: datetime
    expires: int | None
    token: str | None

    @property
    def scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/{TERMINATOR}"

    @property
    def header_names(self) -> list[str]:
        return [name.strip().lower() for name in self.signed_headers.split(";")]


# --------------------------------------------------------------------------------------------
# Entry points


def request_scope(request: SignedRequest) -> tuple[str, str] | None:
    """(service, region) of the credential scope, without verifying anything; None when the
    request carries no parseable SigV4 credential (unsigned, SigV2, malformed)."""
    credential: str | None = None
    authorization = request.header("authorization")
    if authorization is not None:
        found = _CREDENTIAL_IN_HEADER.search(authorization)
        credential = found.group(1) if found else None
    else:
        credential = _query_params(request.query_string).get("X-Amz-Credential")
    if credential is None:
        return None
    parts = credential.split("/")
    if len(parts) != 5 or not parts[3]:
        return None
    return parts[3], parts[2]


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
    params = _query_params(request.query_string)
    authorization = request.header("authorization")
    presign = any(name in params for name in ("X-Amz-Algorithm", "X-Amz-Credential"))
    presign = presign or "X-Amz-Signature" in params
    family = _guess_family(request, params, service, protocol)
    if authorization is not None and presign:
        raise _both_mechanisms(family)
    if authorization is not None:
        claim = _parse_header_auth(request, authorization, family)
    elif presign:
        claim = _parse_presigned(request, params, family)
    else:
        return _unsigned(request, params, family, moment)
    return _verify(request, claim, store, moment)


# --------------------------------------------------------------------------------------------
# Unsigned requests


def _guess_family(
    request: SignedRequest,
    params: Mapping[str, str],
    service: str | None,
    protocol: str | None,
) -> ErrorFamily:
    """The credential scope names the service; failing that the gateway's hints; failing both,
    the request's shape: JSON or a query API call (Action=…), else S3 (whose REST requests
    carry nothing that names the service)."""
    scoped = request_scope(request)
    if scoped is not None:
        return error_family(scoped[0], request.headers, protocol)
    if service is not None or protocol is not None:
        return error_family(service, request.headers, protocol)
    family = error_family(None, request.headers)
    if family is ErrorFamily.QUERY and not _looks_like_query_api(request, params):
        return ErrorFamily.S3
    return family


def _unsigned(
    request: SignedRequest, params: Mapping[str, str], family: ErrorFamily, moment: datetime
) -> Authenticated:
    if _sigv2_params(request, params):
        raise _fail(
            family,
            AuthFailure.UNSUPPORTED,
            "Signature Version 2 is not supported by this endpoint; sign with AWS4-HMAC-SHA256.",
            _Answer("InvalidRequest", 400, S3_MSG_MECHANISM),
        )
    if family is not ErrorFamily.S3:
        raise _fail(family, AuthFailure.MISSING_AUTHENTICATION, MSG_MISSING_TOKEN)
    # S3 serves anonymous requests; its bucket and object policies decide what they may do.
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
    return Authenticated(None, "s3", "us-east-1", moment, presigned=False, payload_signed=False)


def _looks_like_query_api(request: SignedRequest, params: Mapping[str, str]) -> bool:
    return "Action" in params or "Action" in _form_params(request)


def _sigv2_params(request: SignedRequest, params: Mapping[str, str]) -> bool:
    fields = {**_form_params(request), **params}
    return "AWSAccessKeyId" in fields and ("Signature" in fields or "SignatureVersion" in fields)


def _form_params(request: SignedRequest) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    return _query_params(request.body.decode("utf-8", "replace"))


def _both_mechanisms(family: ErrorFamily) -> AuthError:
    message = (
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
        "query string parameter or the Authorization header should be specified"
    )
    return _fail(family, AuthFailure.MALFORMED, message, _Answer("InvalidArgument", 400, message))


# --------------------------------------------------------------------------------------------
# Parsing: the Authorization header


def _parse_header_auth(request: SignedRequest, value: str, family: ErrorFamily) -> _Claim:
    algorithm, _, rest = value.strip().partition(" ")
    if family is ErrorFamily.S3:
        _check_s3_algorithm(algorithm)
    components, bad_pair = _auth_components(rest)
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not components.get(name)
    ]
    amz_date, signed_at, date_problem = _header_date(request)
    if family is ErrorFamily.S3:
        _check_s3_components(components, bad_pair)
    elif bad_pair is not None:
        raise _fail(family, AuthFailure.MALFORMED, _missing_equal_sign(value))
    elif problems or date_problem:
        raise _fail(
            family, AuthFailure.MALFORMED, " ".join([*problems, date_problem or ""]).strip()
        )
    elif algorithm != ALGORITHM:
        message = f"Unsupported AWS 'algorithm': '{algorithm}'."
        raise _fail(family, AuthFailure.UNSUPPORTED, message)
    if signed_at is None:
        no_date = _Answer("AccessDenied", 403, S3_MSG_NO_DATE)
        raise _fail(family, AuthFailure.MALFORMED, date_problem or MSG_NO_DATE, no_date)
    access_key, scope_date, region, service = _parse_credential(
        components["Credential"], amz_date, family, presigned=False
    )
    return _Claim(
        family=family,
        presigned=False,
        access_key_id=access_key,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=components["SignedHeaders"],
        signature=components["Signature"],
        amz_date=amz_date,
        signed_at=signed_at,
        expires=None,
        token=request.header("x-amz-security-token"),
    )


def _auth_components(rest: str) -> tuple[dict[str, str], str | None]:
    """Credential=…, SignedHeaders=…, Signature=… (comma-separated, spaces optional); the
    second value is the first component without an equal sign, if any."""
    components: dict[str, str] = {}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        name, equal, component = part.partition("=")
        if not equal:
            return components, part
        components[name.strip()] = component.strip()
    return components, None


def _missing_equal_sign(value: str) -> str:
    # AWS does not echo the header (it may hold a signature); it names it by hash.
    digest = base64.b64encode(hashlib.sha256(_utf8(value)).digest()).decode()
    return (
        "Invalid key=value pair (missing equal-sign) in Authorization header "
        f"(hashed with SHA-256 and encoded with Base64): '{digest}'."
    )


def _check_s3_algorithm(algorithm: str) -> None:
    if algorithm in ("AWS", SIGV4A_ALGORITHM):  # SigV2 ("AWS AKID:sig") and SigV4a
        raise _s3_fail(AuthFailure.UNSUPPORTED, "InvalidRequest", 400, S3_MSG_MECHANISM)
    if algorithm != ALGORITHM:
        raise _s3_fail(
            AuthFailure.UNSUPPORTED,
            "InvalidArgument",
            400,
            "Unsupported Authorization Type",
            {"ArgumentName": "Authorization", "ArgumentValue": algorithm},
        )


def _check_s3_components(components: Mapping[str, str], bad_pair: str | None) -> None:
    if bad_pair is not None:
        message = (
            "The authorization header is malformed; "
            f'the authorization component "{bad_pair}" is malformed.'
        )
        raise _s3_fail(AuthFailure.MALFORMED, "AuthorizationHeaderMalformed", 400, message)
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if not components.get(n)]
    if missing:
        message = (
            "The authorization header is malformed; the authorization header requires three "
            "components: Credential, SignedHeaders, and Signature."
        )
        raise _s3_fail(
            AuthFailure.MALFORMED,
            "AuthorizationHeaderMalformed",
            400,
            message,
            {"MissingComponents": ", ".join(missing)},
        )


def _header_date(request: SignedRequest) -> tuple[str, datetime | None, str | None]:
    """The request time from X-Amz-Date, else Date; (ISO basic string, datetime, problem).
    The string to sign always carries the ISO 8601 basic form."""
    amz_date = request.header("x-amz-date")
    if amz_date is not None:
        parsed = _parse_amz_date(amz_date)
        if parsed is None:
            return amz_date, None, _bad_date_message(amz_date)
        return amz_date, parsed, None
    http_date = request.header("date")
    if http_date is None:
        return "", None, MSG_NO_DATE
    try:
        moment = as_utc(parsedate_to_datetime(http_date))
    except (TypeError, ValueError, IndexError, OverflowError):
        return http_date, None, _bad_date_message(http_date)
    return moment.strftime(AMZ_DATE_FORMAT), moment, None


def _parse_amz_date(value: str) -> datetime | None:
    if not _AMZ_DATE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _bad_date_message(value: str) -> str:
    return (
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def _parse_credential(
    credential: str, amz_date: str, family: ErrorFamily, *, presigned: bool
) -> tuple[str, str, str, str]:
    """AKID/YYYYMMDD/region/service/aws4_request → (akid, date, region, service)."""
    parts = credential.split("/")
    if len(parts) != 5:
        message = (
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
        raise _fail(
            family, AuthFailure.MALFORMED, message, _s3_malformed(S3_MSG_CREDENTIAL, presigned)
        )
    access_key, scope_date, region, service, terminator = parts
    if not access_key:
        raise _fail(
            family,
            AuthFailure.UNKNOWN_KEY,
            MSG_INVALID_TOKEN,
            _s3_malformed(
                "a non-empty Access Key (AKID) must be provided in the credential.", presigned
            ),
        )
    if terminator != TERMINATOR:
        raise _fail(
            family,
            AuthFailure.SIGNATURE_MISMATCH,
            "Credential should be scoped with a valid terminator: "
            f"'{TERMINATOR}', not '{terminator}'.",
            _s3_malformed(
                f'incorrect terminal "{terminator}". This endpoint uses "{TERMINATOR}".',
                presigned,
            ),
        )
    if scope_date != amz_date[:8]:
        raise _fail(
            family,
            AuthFailure.SIGNATURE_MISMATCH,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
            _s3_malformed(
                f'Invalid credential date "{scope_date}". '
                f'This date is not the same as X-Amz-Date: "{amz_date[:8]}".',
                presigned,
            ),
        )
    return access_key, scope_date, region, service


def _s3_malformed(problem: str, presigned: bool) -> _Answer:
    if presigned:
        message = "Error parsing the X-Amz-Credential parameter; " + problem
        return _Answer("AuthorizationQueryParametersError", 400, message)
    message = "The authorization header is malformed; " + problem
    return _Answer("AuthorizationHeaderMalformed", 400, message)


def _s3_fail(
    reason: AuthFailure,
    code: str,
    status: int,
    message: str,
    details: Mapping[str, str] | None = None,
) -> AuthError:
    return AuthError(code, message, status, reason=reason, family=ErrorFamily.S3, details=details)


# --------------------------------------------------------------------------------------------
# Parsing: presigned query strings


def _parse_presigned(
    request: SignedRequest, params: Mapping[str, str], family: ErrorFamily
) -> _Claim:
    _check_presign_params(request.query_string, params, family)
    algorithm = params["X-Amz-Algorithm"]
    if algorithm != ALGORITHM:
        raise _fail(
            family,
            AuthFailure.UNSUPPORTED,
            f"Unsupported AWS 'algorithm': '{algorithm}'.",
            _Answer(
                "AuthorizationQueryParametersError",
                400,
                f'X-Amz-Algorithm only supports "{ALGORITHM}"',
            ),
        )
    amz_date = params["X-Amz-Date"]
    signed_at = _parse_amz_date(amz_date)
    if signed_at is None:
        raise _fail(
            family,
            AuthFailure.MALFORMED,
            _bad_date_message(amz_date),
            _Answer(
                "AuthorizationQueryParametersError",
                400,
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            ),
        )
    expires = _presign_expires(params.get("X-Amz-Expires"), family)
    access_key, scope_date, region, service = _parse_credential(
        params["X-Amz-Credential"], amz_date, family, presigned=True
    )
    return _Claim(
        family=family,
        presigned=True,
        access_key_id=access_key,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=params["X-Amz-SignedHeaders"],
        signature=params["X-Amz-Signature"],
        amz_date=amz_date,
        signed_at=signed_at,
        expires=expires,
        token=params.get("X-Amz-Security-Token", request.header("x-amz-security-token")),
    )


def _check_presign_params(query: str, params: Mapping[str, str], family: ErrorFamily) -> None:
    # S3 requires all six; other services take a URL without X-Amz-Expires (15 minutes then).
    required = _PRESIGN_PARAMS if family is ErrorFamily.S3 else _PRESIGN_PARAMS[:5]
    missing = [name for name in required if not params.get(name)]
    repeated = [name for name in _PRESIGN_PARAMS if _count_param(query, name) > 1]
    if not missing and not repeated:
        return
    message = "".join(
        f"AWS query-string parameters must include '{name}'. " for name in missing
    ) + "".join(f"AWS query-string parameter '{name}' must appear once. " for name in repeated)
    raise _fail(
        family,
        AuthFailure.MALFORMED,
        message + "Re-examine the query-string parameters.",
        _Answer("AuthorizationQueryParametersError", 400, S3_MSG_PRESIGN_PARAMS),
    )


def _count_param(query: str, name: str) -> int:
    return sum(1 for key, _ in _raw_pairs(query) if _decode(key) == name)


def _presign_expires(value: str | None, family: ErrorFamily) -> int | None:
    if value is None:
        return None
    problem: str | None = None
    if not re.fullmatch(r"-?[0-9]{1,12}", value):
        problem = "X-Amz-Expires should be a number"
    elif int(value) < 0:
        problem = "X-Amz-Expires must be non-negative"
    elif int(value) > MAX_PRESIGN_EXPIRES:
        problem = "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    elif int(value) == 0:  # the documented range is 1..604800
        problem = "X-Amz-Expires must be at least 1 second"
    if problem is None:
        return int(value)
    raise _fail(
        family,
        AuthFailure.MALFORMED,
        problem,
        _Answer("AuthorizationQueryParametersError", 400, problem),
    )


# --------------------------------------------------------------------------------------------
# Verification


def _verify(
    request: SignedRequest, claim: _Claim, store: CredentialStore, moment: datetime
) -> Authenticated:
    s3 = claim.family is ErrorFamily.S3
    if not (s3 and claim.presigned):
        _check_time(claim, moment)
    payload_hash = _declared_payload(request, claim)
    _check_signed_headers(request, claim)
    credential = _lookup(claim, store, moment)
    key = signing_key(credential.secret_access_key, claim.scope_date, claim.region, claim.service)
    _check_signature(request, claim, key, payload_hash)
    if s3 and claim.presigned:
        _check_time(claim, moment)
    payload_signed = _check_payload(request, claim, key, payload_hash)
    return Authenticated(
        credential,
        claim.service,
        claim.region,
        claim.signed_at,
        presigned=claim.presigned,
        payload_signed=payload_signed,
    )


def _check_time(claim: _Claim, moment: datetime) -> None:
    """A signature holds 15 minutes either side of the request time; a presigned URL from its
    X-Amz-Date until X-Amz-Expires seconds later."""
    if claim.signed_at > moment + MAX_SKEW:
        raise _not_yet_valid(claim, moment)
    window = MAX_SKEW if claim.expires is None else timedelta(seconds=claim.expires)
    if claim.signed_at + window < moment:
        raise _expired(claim, moment, window)


_S3_SKEWED = _Answer(
    "RequestTimeTooSkewed",
    403,
    "The difference between the request time and the current time is too large.",
)


def _expired(claim: _Claim, moment: datetime, window: timedelta) -> AuthError:
    if claim.presigned and claim.family is ErrorFamily.S3:
        details = {
            "X-Amz-Expires": str(claim.expires),
            "Expires": _iso8601(claim.signed_at + window),
            "ServerTime": _iso8601(moment),
        }
        return _s3_fail(
            AuthFailure.REQUEST_TIME, "AccessDenied", 403, "Request has expired", details
        )
    span = "15 min." if claim.expires is None else f"{claim.expires} sec."
    message = (
        f"Signature expired: {_iso(claim.signed_at)} is now earlier than "
        f"{_iso(moment - window)} ({_iso(moment)} - {span})"
    )
    return _fail(
        claim.family, AuthFailure.REQUEST_TIME, message, _S3_SKEWED, _skew_details(claim, moment)
    )


def _not_yet_valid(claim: _Claim, moment: datetime) -> AuthError:
    if claim.presigned and claim.family is ErrorFamily.S3:
        return _s3_fail(AuthFailure.REQUEST_TIME, "AccessDenied", 403, "Request is not valid yet")
    message = (
        f"Signature not yet current: {_iso(claim.signed_at)} is still later than "
        f"{_iso(moment + MAX_SKEW)} ({_iso(moment)} + 15 min.)"
    )
    return _fail(
        claim.family, AuthFailure.REQUEST_TIME, message, _S3_SKEWED, _skew_details(claim, moment)
    )


def _skew_details(claim: _Claim, moment: datetime) -> dict[str, str]:
    return {
        "RequestTime": _iso(claim.signed_at),
        "ServerTime": _iso8601(moment),
        "MaxAllowedSkewMilliseconds": str(int(MAX_SKEW.total_seconds() * 1000)),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(AMZ_DATE_FORMAT)


def _iso8601(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lookup(claim: _Claim, store: CredentialStore, moment: datetime) -> Credential:
    """The credential of the access key, with its session token checked and not expired."""
    credential = store.get(claim.access_key_id)
    s3_unknown = _Answer("InvalidAccessKeyId", 403, S3_MSG_UNKNOWN_KEY)
    key_detail = {"AWSAccessKeyId": claim.access_key_id}
    if credential is None:
        raise _fail(
            claim.family, AuthFailure.UNKNOWN_KEY, MSG_INVALID_TOKEN, s3_unknown, key_detail
        )
    if credential.session_token is not None and claim.token is None:
        # A temporary key is only known together with its token: without one, AWS (S3 included)
        # answers as for an unknown key.
        raise _fail(
            claim.family, AuthFailure.UNKNOWN_KEY, MSG_INVALID_TOKEN, s3_unknown, key_detail
        )
    if claim.token is not None and not _same(claim.token, credential.session_token or ""):
        raise _fail(
            claim.family,
            AuthFailure.INVALID_TOKEN,
            MSG_INVALID_TOKEN,
            _Answer("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
        )
    if credential.expired(moment):
        raise _fail(
            claim.family,
            AuthFailure.EXPIRED_TOKEN,
            MSG_EXPIRED_TOKEN,
            _Answer("ExpiredToken", 400, "The provided token has expired."),
        )
    return credential


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(_utf8(left), _utf8(right))


def _check_signed_headers(request: SignedRequest, claim: _Claim) -> None:
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
    raise _fail(
        claim.family,
        AuthFailure.HEADERS_NOT_SIGNED,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        _Answer(
            "AccessDenied", 403, "There were headers present in the request which were not signed"
        ),
        {"HeadersNotSigned": ", ".join(unsigned)},
    )


# --------------------------------------------------------------------------------------------
# Payload


def _declared_payload(request: SignedRequest, claim: _Claim) -> str:
    """The payload hash that goes into the canonical request.

    S3 takes it from x-amz-content-sha256 (required with the Authorization header; a presigned
    URL signs UNSIGNED-PAYLOAD). Other services hash the body, unless the client declared the
    hash in x-amz-content-sha256 (botocore then signs that header's value).
    """
    declared = request.header("x-amz-content-sha256")
    if claim.family is ErrorFamily.S3:
        if claim.presigned:
            return _query_params(request.query_string).get("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD)
        if declared is None:
            raise _s3_fail(
                AuthFailure.PAYLOAD,
                "InvalidRequest",
                400,
                "Missing required header for this request: x-amz-content-sha256",
            )
        if declared in (STREAMING_ECDSA, STREAMING_ECDSA_TRAILER):
            raise _s3_fail(AuthFailure.UNSUPPORTED, "InvalidRequest", 400, S3_MSG_MECHANISM)
        if declared not in _PAYLOAD_MARKERS and not _HEX64.fullmatch(declared):
            message = (
                "x-amz-content-sha256 must be "
                + ", ".join(_PAYLOAD_MARKERS[:-1])
                + f" or {_PAYLOAD_MARKERS[-1]} or a valid sha256 value."
            )
            raise _s3_fail(
                AuthFailure.PAYLOAD,
                "InvalidArgument",
                400,
                message,
                {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": declared},
            )
        return declared
    if declared is not None:
        return declared
    return hashlib.sha256(request.body).hexdigest()


def _check_payload(request: SignedRequest, claim: _Claim, key: bytes, declared: str) -> bool:
    """After the signature matched: does the body match what was signed? True when the
    signature covers the body."""
    if declared in (UNSIGNED_PAYLOAD, STREAMING_UNSIGNED_TRAILER):
        return False
    if declared in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER) and claim.family is ErrorFamily.S3:
        _verify_chunks(request, claim, key, trailer=declared == STREAMING_SIGNED_TRAILER)
        return True
    actual = hashlib.sha256(request.body).hexdigest()
    if _HEX64.fullmatch(declared) and declared.lower() == actual:
        return True
    if claim.family is ErrorFamily.S3:
        raise _s3_fail(
            AuthFailure.PAYLOAD,
            "XAmzContentSHA256Mismatch",
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            {"ClientComputedContentSHA256": declared, "S3ComputedContentSHA256": actual},
        )
    # Outside S3 the declared hash is only botocore's shortcut for hashing the body: a body that
    # differs from it is a body that was not signed.
    raise _fail(claim.family, AuthFailure.PAYLOAD, MSG_SIGNATURE)


def _verify_chunks(request: SignedRequest, claim: _Claim, key: bytes, *, trailer: bool) -> None:
    """Verify an aws-chunked body signed chunk by chunk, and its decoded length.

    Each chunk is `hex-size;chunk-signature=sig\\r\\n data \\r\\n`; its signature chains from the
    previous one, starting at the seed (the request's signature); a zero-size chunk ends the
    body, followed for the -TRAILER variant by trailing headers and x-amz-trailer-signature.
    https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
    https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
    """
    body, position, previous = request.body, 0, claim.signature
    decoded_length = 0
    while True:
        size, signature, start = _chunk_header(body, position)
        data = body[start : start + size]
        if len(data) != size:
            raise _incomplete_body()
        string_to_sign = "\n".join(
            (
                "AWS4-HMAC-SHA256-PAYLOAD",
                claim.amz_date,
                claim.scope,
                previous,
                EMPTY_SHA256,
                hashlib.sha256(data).hexdigest(),
            )
        )
        previous = _check_chunk_signature(key, string_to_sign, signature, claim)
        decoded_length += size
        position = start + size
        if size == 0:
            break
        if body[position : position + 2] != b"\r\n":
            raise _incomplete_body()
        position += 2
    _check_body_end(body[position:], claim, key, previous, trailer)
    expected_length = request.header("x-amz-decoded-content-length")
    if expected_length is not None and expected_length.strip() != str(decoded_length):
        raise _incomplete_body()


def _chunk_header(body: bytes, position: int) -> tuple[int, str, int]:
    end = body.find(b"\r\n", position)
    if end < 0:
        raise _incomplete_body()
    line = body[position:end].decode("latin-1")
    size_text, _, extension = line.partition(";")
    name, _, signature = extension.partition("=")
    if not re.fullmatch(r"[0-9a-fA-F]{1,16}", size_text) or name.strip() != "chunk-signature":
        raise _incomplete_body()
    return int(size_text, 16), signature.strip(), end + 2


def _check_chunk_signature(key: bytes, string_to_sign: str, given: str, claim: _Claim) -> str:
    expected = hmac.new(key, _utf8(string_to_sign), hashlib.sha256).hexdigest()
    if not _same(expected, given):
        raise _fail(
            claim.family,
            AuthFailure.SIGNATURE_MISMATCH,
            MSG_SIGNATURE,
            _Answer("SignatureDoesNotMatch", 403, S3_MSG_SIGNATURE),
            {"AWSAccessKeyId": claim.access_key_id, "StringToSign": string_to_sign},
        )
    return expected


def _check_body_end(rest: bytes, claim: _Claim, key: bytes, previous: str, trailer: bool) -> None:
    if not trailer:
        if rest not in (b"", b"\r\n"):
            raise _incomplete_body()
        return
    lines = rest.decode("latin-1").split("\r\n")
    headers: list[str] = []
    signature: str | None = None
    for line in lines:
        if not line:
            continue
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-amz-trailer-signature":
            signature = value.strip()
        else:
            headers.append(f"{name.strip().lower()}:{value.strip()}\n")
    if signature is None:
        raise _incomplete_body()
    string_to_sign = "\n".join(
        (
            "AWS4-HMAC-SHA256-TRAILER",
            claim.amz_date,
            claim.scope,
            previous,
            hashlib.sha256(_utf8("".join(headers))).hexdigest(),
        )
    )
    _check_chunk_signature(key, string_to_sign, signature, claim)


def _incomplete_body() -> AuthError:
    return _s3_fail(
        AuthFailure.PAYLOAD, "IncompleteBody", 400, "The request body terminated unexpectedly"
    )


# --------------------------------------------------------------------------------------------
# The signature


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")."""
    key = _utf8("AWS4" + secret)
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, _utf8(part), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    digest = hashlib.sha256(_utf8(canonical_request)).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def _check_signature(request: SignedRequest, claim: _Claim, key: bytes, payload_hash: str) -> None:
    """Recompute the signature over each canonical form a conforming client may have signed
    (see `_canonical_requests`) and compare in constant time."""
    candidates = _canonical_requests(request, claim, payload_hash)
    given = _utf8(claim.signature)
    for canonical in candidates:
        to_sign = string_to_sign(claim.amz_date, claim.scope, canonical)
        expected = hmac.new(key, _utf8(to_sign), hashlib.sha256).hexdigest()
        if hmac.compare_digest(_utf8(expected), given):
            return
    to_sign = string_to_sign(claim.amz_date, claim.scope, candidates[0])
    raise _fail(
        claim.family,
        AuthFailure.SIGNATURE_MISMATCH,
        MSG_SIGNATURE,
        _Answer("SignatureDoesNotMatch", 403, S3_MSG_SIGNATURE),
        {
            "AWSAccessKeyId": claim.access_key_id,
            "SignatureProvided": claim.signature,
            "StringToSign": to_sign,
            "CanonicalRequest": candidates[0],
        },
    )


def _canonical_requests(request: SignedRequest, claim: _Claim, payload_hash: str) -> list[str]:
    """The canonical requests to try, AWS's own form first.

    The URI: S3 signs the path as it is, other services the path with dot segments and repeated
    slashes removed and then percent-encoded once more (botocore's _normalize_url_path). Besides
    the wire form, S3's path is also tried re-encoded from its decoded bytes (the documented
    UriEncode), which is what clients that send some characters unencoded sign.
    The query: each name and value decoded and UriEncoded, sorted; also botocore's form, which
    sorts the pairs as they are on the wire without re-encoding them.
    """
    uris = _canonical_uris(request.path, s3=claim.family is ErrorFamily.S3)
    queries = _canonical_queries(request.query_string, presigned=claim.presigned)
    headers = _canonical_headers(request.headers, claim.header_names)
    method = request.method
    forms = [
        "\n".join((method, uri, query, headers, claim.signed_headers, payload_hash))
        for uri in uris
        for query in queries
    ]
    return list(dict.fromkeys(forms))


def _canonical_uris(raw_path: str, *, s3: bool) -> list[str]:
    path = raw_path or "/"
    if not s3:
        return [quote(_utf8(_remove_dot_segments(path)), safe="/~")]
    return list(dict.fromkeys((_uri_encode(unquote_to_bytes(_utf8(path)), slash=False), path)))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, and empty segments dropped (AWS collapses repeated slashes)."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last or "/"


def _uri_encode(value: bytes, *, slash: bool) -> str:
    """UriEncode of the SigV4 documentation: every byte but A-Z a-z 0-9 - _ . ~ as %XY; the
    slash too unless it separates path segments."""
    return quote(value, safe="~" if slash else "/~")


def _canonical_queries(query: str, *, presigned: bool) -> list[str]:
    pairs = [
        (key, value)
        for key, value in _raw_pairs(query)
        if not (presigned and _decode(key) == "X-Amz-Signature")
    ]
    encoded = sorted((_requote(key), _requote(value)) for key, value in pairs)
    aws_form = "&".join(f"{key}={value}" for key, value in encoded)
    botocore_form = "&".join(f"{key}={value}" for key, value in sorted(pairs))
    return list(dict.fromkeys((aws_form, botocore_form)))


def _requote(component: str) -> str:
    # A raw '+' in a query is a space to every server behind the gateway (form decoding), so it
    # is canonicalised as the %20 that SigV4 clients sign for a space.
    return _uri_encode(unquote_to_bytes(_utf8(component.replace("+", " "))), slash=True)


def _canonical_headers(headers: Mapping[str, str], names: list[str]) -> str:
    """`name:value\\n` for each signed header, in the order signed; values trimmed and inner runs
    of white space collapsed (the documented Trimall, as botocore does it)."""
    return "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in names)


# --------------------------------------------------------------------------------------------
# Query strings


def _raw_pairs(query: str) -> list[tuple[str, str]]:
    """The query's name=value pairs as on the wire (a name without '=' has an empty value)."""
    if not query:
        return []
    return [(key, value) for key, _, value in (pair.partition("=") for pair in query.split("&"))]


def _decode(text: str) -> str:
    # '+' stays '+': SigV4 clients encode a space as %20, and tokens hold literal pluses.
    return unquote(text, errors="replace")


def _query_params(query: str) -> dict[str, str]:
    """Decoded parameters, the first value of each name."""
    params: dict[str, str] = {}
    for key, value in _raw_pairs(query):
        params.setdefault(_decode(key), _decode(value))
    return params
