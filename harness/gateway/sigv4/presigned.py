"""Reading a presigned query string (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, …).

https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from harness.gateway.sigv4.canonical import ALGORITHM
from harness.gateway.sigv4.claim import Claim, read_claim
from harness.gateway.sigv4.clock import bad_date_message, parse_amz_date
from harness.gateway.sigv4.failures import (
    S3_MSG_PRESIGN_PARAMS,
    Answer,
    AuthFailure,
    ErrorFamily,
    fail,
)
from harness.gateway.sigv4.query import count_param
from harness.gateway.sigv4.request import SignedRequest

# Presigned URLs live at most seven days (sigv4-query-string-auth.html, X-Amz-Expires).
MAX_PRESIGN_EXPIRES = 604800

_PRESIGN_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)


def parse_presigned(
    request: SignedRequest, params: Mapping[str, str], family: ErrorFamily
) -> Claim:
    """The claim of the query's parameters `params`, or the family's error for their shape."""
    _check_presign_params(request.query_string, params, family)
    algorithm = params["X-Amz-Algorithm"]
    if algorithm != ALGORITHM:
        raise fail(
            family,
            AuthFailure.UNSUPPORTED,
            f"Unsupported AWS 'algorithm': '{algorithm}'.",
            _query_error(f'X-Amz-Algorithm only supports "{ALGORITHM}"'),
        )
    amz_date = params["X-Amz-Date"]
    signed_at = parse_amz_date(amz_date)
    if signed_at is None:
        raise fail(
            family,
            AuthFailure.MALFORMED,
            bad_date_message(amz_date),
            _query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""),
        )
    expires = _presign_expires(params.get("X-Amz-Expires"), family)
    token = params.get("X-Amz-Security-Token", request.header("x-amz-security-token"))
    return read_claim(
        family, params, amz_date, signed_at, presigned=True, expires=expires, token=token
    )


def _check_presign_params(query: str, params: Mapping[str, str], family: ErrorFamily) -> None:
    # S3 requires all six; other services take a URL without X-Amz-Expires (15 minutes then).
    required = _PRESIGN_PARAMS if family is ErrorFamily.S3 else _PRESIGN_PARAMS[:5]
    missing = [name for name in required if not params.get(name)]
    repeated = [name for name in _PRESIGN_PARAMS if count_param(query, name) > 1]
    if not missing and not repeated:
        return
    message = "".join(
        f"AWS query-string parameters must include '{name}'. " for name in missing
    ) + "".join(f"AWS query-string parameter '{name}' must appear once. " for name in repeated)
    raise fail(
        family,
        AuthFailure.MALFORMED,
        message + "Re-examine the query-string parameters.",
        _query_error(S3_MSG_PRESIGN_PARAMS),
    )


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
    raise fail(family, AuthFailure.MALFORMED, problem, _query_error(problem))


def _query_error(message: str) -> Answer:
    """S3's answer to a presigned query it cannot read."""
    return Answer("AuthorizationQueryParametersError", 400, message)
