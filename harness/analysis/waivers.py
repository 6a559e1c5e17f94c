"""Waivers: added access a change may bring, accepted by an owner, for a time.

    - principal: prod:SecurityAudit         # label, ARN, or a pattern with * (prod:*)
      action: s3:GetObject                  # pattern, case-insensitive (s3:Get*)
      resource: arn:aws:s3:::securecart-prod-customer-data/*   # pattern
      owner: SecurityTeam
      reason: Incident 4711 needs a read of customer data for two weeks.
      expires: 2026-07-01                   # YYYY-MM-DD, inclusive

A waiver covers an added access until its expiry date, inclusive; an expired one covers
nothing and is listed as expired. `principal`, `action`, `resource`, `owner`, `reason` and
`expires` are all required (WaiverError names the entry otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.analysis.diff_result import Change, DiffResult, Waiver
from harness.analysis.findings import read_yaml_file
from harness.iam.wildcard import glob_match

REQUIRED = ("principal", "action", "resource", "owner", "reason", "expires")


class WaiverError(Exception):
    """The waiver file cannot be read, or an entry is malformed (the message names it)."""


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    _, data = read_yaml_file(path, WaiverError)
    if data is None:
        return ()
    if not isinstance(data, list):
        raise WaiverError(f"{path}: expected a list of waivers")
    return tuple(_waiver(raw, index, path) for index, raw in enumerate(data))


def _waiver(raw: Any, index: int, path: Path) -> Waiver:
    where = f"{path}: waiver [{index}]"
    if not isinstance(raw, dict):
        raise WaiverError(f"{where}: expected a mapping")
    unknown = sorted(str(key) for key in raw if key not in REQUIRED)
    if unknown:
        raise WaiverError(f"{where}: unknown key {unknown[0]!r} (expected: {', '.join(REQUIRED)})")
    missing = [key for key in REQUIRED if raw.get(key) in (None, "")]
    if missing:
        name = raw.get("principal", "?")
        raise WaiverError(f"{where} ({name}): missing {', '.join(missing)}")
    expires = raw["expires"]
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError as error:
            raise WaiverError(f"{where}: expires must be YYYY-MM-DD, not {expires!r}") from error
    if isinstance(expires, dt.datetime) or not isinstance(expires, dt.date):
        raise WaiverError(f"{where}: expires must be a date YYYY-MM-DD")
    return Waiver(
        principal=str(raw["principal"]).strip(),
        action=str(raw["action"]).strip(),
        resource=str(raw["resource"]).strip(),
        owner=str(raw["owner"]).strip(),
        reason=" ".join(str(raw["reason"]).split()),
        expires=expires,
        index=index,
    )


def covers(waiver: Waiver, change: Change) -> bool:
    """Whether the waiver's patterns match the change (regardless of its expiry)."""
    return (
        any(glob_match(waiver.principal, who) for who in (change.principal_label, change.principal))
        and glob_match(waiver.action, change.action, ignore_case=True)
        and glob_match(waiver.resource, change.resource)
    )


def apply_waivers(result: DiffResult, waivers: Sequence[Waiver], today: dt.date) -> DiffResult:
    """The result with each added access a live waiver covers marked, and the expired waivers
    listed (those whose date is before `today`)."""
    live = [w for w in waivers if w.expires >= today]
    expired = tuple(w for w in waivers if w.expires < today)
    added = tuple(
        replace(change, waiver=next((w for w in live if covers(w, change)), None))
        for change in result.added
    )
    return replace(result, added=added, expired_waivers=expired)
