"""Reading the `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
header and the request time that goes with it.

https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from harness.gateway.credentials import as_utc
from harness.gateway.sigv4.authorization import (
    COMPONENTS,
    LayoutProblem,
    Oddity,
    Tokens,
    layout_problem,
    tokens,
)
from harness.gateway.sigv4.canonical import ALGORITHM, SIGV4A_ALGORITHM
from harness.gateway.sigv4.claim import Claim, read_claim
from harness.gateway.sigv4.clock import AMZ_DATE_FORMAT, bad_date_message, parse_amz_date
from harness.gateway.sigv4.failures import (
    MSG_NO_DATE,
    S3_MSG_MECHANISM,
    S3_MSG_NO_DATE,
    Answer,
    AuthFailure,
    ErrorFamily,
    fail,
    s3_fail,
)
from harness.gateway.sigv4.request import SignedRequest, utf8


def parse_header_auth(request: SignedRequest, value: str, family: ErrorFamily) -> Claim:
    """The claim of the Authorization header `value`, or the family's error for its shape.

    AWS's checks come first, in AWS's order (the components AWS's reader finds, the date, the
    algorithm); then the header must be in the one layout the gateway reads (`authorization`).
    """
    read = tokens(value)
    if family is ErrorFamily.S3:
        _check_s3_algorithm(read.algorithm)
        _check_s3_components(read.components, read.bad_pair)
    amz_date, signed_at, date_problem = _header_date(request)
    if family is not ErrorFamily.S3:
        _check_components(value, read, family, date_problem)
    _check_layout(value, family)
    if signed_at is None:
        no_date = Answer("AccessDenied", 403, S3_MSG_NO_DATE)
        raise fail(family, AuthFailure.MALFORMED, date_problem or MSG_NO_DATE, no_date)
    token = request.header("x-amz-security-token")
    components = {name: read.components[name] for name in COMPONENTS}
    return read_claim(
        family, components, amz_date, signed_at, presigned=False, expires=None, token=token
    )


def _check_components(
    value: str, read: Tokens, family: ErrorFamily, date_problem: str | None
) -> None:
    """The query and JSON families' checks, with the front end's messages."""
    if read.bad_pair is not None:
        raise fail(family, AuthFailure.MALFORMED, _missing_equal_sign(value))
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not read.components.get(name)
    ]
    if problems or date_problem:
        raise fail(family, AuthFailure.MALFORMED, " ".join([*problems, date_problem or ""]).strip())
    if read.algorithm != ALGORITHM:
        message = f"Unsupported AWS 'algorithm': '{read.algorithm}'."
        raise fail(family, AuthFailure.UNSUPPORTED, message)


def _check_layout(value: str, family: ErrorFamily) -> None:
    """Refuse a header that is not in the one layout: AWS's IncompleteSignature (S3's
    AuthorizationHeaderMalformed). AWS's reader would take such a header (ignoring what it does
    not know), but the backend's reader could take it otherwise; the wording is ours, in the
    front end's style, since AWS has none for a header it accepts."""
    problem = layout_problem(value)
    if problem is None:
        return
    component = problem.component.strip(" ")
    s3_message = (
        "The authorization header is malformed; "
        f'the authorization component "{component}" is malformed.'
    )
    s3 = Answer("AuthorizationHeaderMalformed", 400, s3_message)
    raise fail(family, AuthFailure.MALFORMED, _layout_message(problem), s3)


def _layout_message(problem: LayoutProblem) -> str:
    if problem.oddity is Oddity.DUPLICATE:
        name = problem.component.strip().partition("=")[0]
        return f"Authorization header requires exactly one '{name}' parameter."
    digest = _digest(problem.component)
    if problem.oddity is Oddity.UNKNOWN:
        return (
            "Unknown parameter in Authorization header (hashed with SHA-256 and encoded with "
            f"Base64): '{digest}'. The parameters are 'Credential', 'SignedHeaders' and "
            "'Signature', spelt so, each once."
        )
    return (
        "Malformed parameter in Authorization header (hashed with SHA-256 and encoded with "
        f"Base64): '{digest}'. The header is '{ALGORITHM} Credential=..., SignedHeaders=..., "
        "Signature=...': one space after the algorithm, parameters separated by a comma and "
        "at most one space."
    )


def _missing_equal_sign(value: str) -> str:
    # AWS does not echo the header (it may hold a signature); it names it by hash.
    return (
        "Invalid key=value pair (missing equal-sign) in Authorization header "
        f"(hashed with SHA-256 and encoded with Base64): '{_digest(value)}'."
    )


def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(utf8(text)).digest()).decode()


def _check_s3_algorithm(algorithm: str) -> None:
    if algorithm in ("AWS", SIGV4A_ALGORITHM):  # SigV2 ("AWS AKID:sig") and SigV4a
        raise s3_fail(AuthFailure.UNSUPPORTED, "InvalidRequest", 400, S3_MSG_MECHANISM)
    if algorithm != ALGORITHM:
        raise s3_fail(
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
        raise s3_fail(AuthFailure.MALFORMED, "AuthorizationHeaderMalformed", 400, message)
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if not components.get(n)]
    if missing:
        message = (
            "The authorization header is malformed; the authorization header requires three "
            "components: Credential, SignedHeaders, and Signature."
        )
        raise s3_fail(
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
        parsed = parse_amz_date(amz_date)
        if parsed is None:
            return amz_date, None, bad_date_message(amz_date)
        return amz_date, parsed, None
    http_date = request.header("date")
    if http_date is None:
        return "", None, MSG_NO_DATE
    try:
        moment = as_utc(parsedate_to_datetime(http_date))
    except (TypeError, ValueError, IndexError, OverflowError):
        return http_date, None, bad_date_message(http_date)
    return moment.strftime(AMZ_DATE_FORMAT), moment, None
