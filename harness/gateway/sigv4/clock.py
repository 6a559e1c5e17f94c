"""Request times: the ISO 8601 basic dates SigV4 signs, and how long a signature holds."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

from harness.gateway.sigv4.claim import Claim
from harness.gateway.sigv4.failures import (
    Answer,
    AuthError,
    AuthFailure,
    ErrorFamily,
    fail,
    s3_fail,
)

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# AWS accepts a request whose timestamp is within 15 minutes of its clock.
MAX_SKEW = timedelta(minutes=15)

_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_S3_SKEWED = Answer(
    "RequestTimeTooSkewed",
    403,
    "The difference between the request time and the current time is too large.",
)


@functools.lru_cache(maxsize=256)
def parse_amz_date(value: str) -> datetime | None:
    # Cached: every request of the same second carries the same string (strptime is slow).
    if not _AMZ_DATE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def bad_date_message(value: str) -> str:
    return (
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def check_time(claim: Claim, moment: datetime) -> None:
    """A signature holds 15 minutes either side of the request time; a presigned URL from its
    X-Amz-Date until X-Amz-Expires seconds later."""
    if claim.signed_at > moment + MAX_SKEW:
        raise _not_yet_valid(claim, moment)
    window = MAX_SKEW if claim.expires is None else timedelta(seconds=claim.expires)
    if claim.signed_at + window < moment:
        raise _expired(claim, moment, window)


def _expired(claim: Claim, moment: datetime, window: timedelta) -> AuthError:
    if claim.presigned and claim.family is ErrorFamily.S3:
        details = {
            "X-Amz-Expires": str(claim.expires),
            "Expires": _iso8601(claim.signed_at + window),
            "ServerTime": _iso8601(moment),
        }
        return s3_fail(
            AuthFailure.REQUEST_TIME, "AccessDenied", 403, "Request has expired", details
        )
    span = "15 min." if claim.expires is None else f"{claim.expires} sec."
    return _skewed(
        claim,
        moment,
        f"Signature expired: {_iso(claim.signed_at)} is now earlier than "
        f"{_iso(moment - window)} ({_iso(moment)} - {span})",
    )


def _not_yet_valid(claim: Claim, moment: datetime) -> AuthError:
    if claim.presigned and claim.family is ErrorFamily.S3:
        return s3_fail(AuthFailure.REQUEST_TIME, "AccessDenied", 403, "Request is not valid yet")
    return _skewed(
        claim,
        moment,
        f"Signature not yet current: {_iso(claim.signed_at)} is still later than "
        f"{_iso(moment + MAX_SKEW)} ({_iso(moment)} + 15 min.)",
    )


def _skewed(claim: Claim, moment: datetime, message: str) -> AuthError:
    details = {
        "RequestTime": _iso(claim.signed_at),
        "ServerTime": _iso8601(moment),
        "MaxAllowedSkewMilliseconds": str(int(MAX_SKEW.total_seconds() * 1000)),
    }
    return fail(claim.family, AuthFailure.REQUEST_TIME, message, _S3_SKEWED, details)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(AMZ_DATE_FORMAT)


def _iso8601(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
