"""Date condition operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
DateGreaterThan, DateGreaterThanEquals.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date

"You must specify date/time values with one of the W3C implementations of the ISO 8601 date
formats (http://www.w3.org/TR/NOTE-datetime) or in epoch (UNIX) time." Both sides — the policy
value and the context value (aws:CurrentTime is ISO 8601, aws:EpochTime is epoch seconds) — may
use either form; both become an instant (microseconds since the epoch, UTC) and are compared as
instants, so "2020-01-01T00:00:00Z" equals "1577836800" and "2020-01-01T01:00:00+01:00".

Accepted forms:
- epoch seconds: digits, optionally with a fraction ("1577836800", "1577836800.5"). A bare
  four-digit number is epoch seconds, not a year — the same reading iam-simulate gives
  (cloud-copilot/iam-simulate, src/condition/date/date.ts).
- the W3C profile: YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm, YYYY-MM-DDThh:mm:ss and
  YYYY-MM-DDThh:mm:ss.s…, each with a time zone designator Z or ±hh:mm. Leniently, a missing
  designator means UTC, and ±hhmm is read like ±hh:mm.

No wildcards ("Wildcards are not permitted for date condition operators") and no policy variables.
A context value that is not a date matches nothing, for DateNotEquals too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from harness.iam.conditions.ordered import ordered_operators

# re.ASCII: \d would otherwise match the digits of every script, which AWS does not read.
_EPOCH = re.compile(r"(\d+)(?:\.(\d+))?\Z", re.ASCII)
_ISO = re.compile(
    r"(\d{4})-(\d{2})"
    r"(?:-(\d{2})"
    r"(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\Z",
    re.ASCII,
)
_EPOCH_START = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=4096)
def parse_instant(text: str) -> int | None:
    """Microseconds since 1970-01-01T00:00:00Z, or None if `text` is not a date AWS accepts."""
    epoch = _EPOCH.match(text)
    if epoch is not None:
        return int(epoch.group(1)) * 1_000_000 + _microseconds(epoch.group(2))
    iso = _ISO.match(text)
    if iso is None:
        return None
    return _iso_instant(iso)


def _microseconds(fraction: str | None) -> int:
    return int((fraction or "")[:6].ljust(6, "0"))


def _iso_instant(match: re.Match[str]) -> int | None:
    year, month, day, hour, minute, second, fraction, zulu, sign, tz_hour, tz_minute = (
        match.groups()
    )
    try:
        zone = UTC
        if sign is not None and zulu is None:
            offset = timedelta(hours=int(tz_hour), minutes=int(tz_minute))
            zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year),
            int(month),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            _microseconds(fraction),
            tzinfo=zone,
        )
    except (ValueError, OverflowError):  # month 13, hour 24, offset beyond ±24h, …
        return None
    return (moment - _EPOCH_START) // _MICROSECOND


OPERATORS = ordered_operators("Date", parse_instant, "ISO 8601 dates or epoch seconds")
