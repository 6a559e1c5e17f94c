"""A credential report of the seeded backend, like IAM's GetCredentialReport: per account its
IAM users, their password, MFA devices and access keys (with their age).
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html

It reads the emulated AWS, not the landscape: it starts `harness.stack.Stack` (moto embedded,
the landscape seeded; about ten seconds) and lists IAM through the backend's own administrator
clients. SecureCart's design has no IAM users ("No IAM users → use IAM roles with temporary
credentials"), so its report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from harness.landscape.model import Landscape


@dataclass(frozen=True, slots=True)
class AccessKey:
    key_id: str
    status: str
    created: datetime
    age_days: int


@dataclass(frozen=True, slots=True)
class UserCredentials:
    """One IAM user's long-term credentials."""

    account: str
    user: str
    arn: str
    created: datetime
    password: bool
    mfa_devices: tuple[str, ...]
    access_keys: tuple[AccessKey, ...]


@dataclass(frozen=True, slots=True)
class CredentialReport:
    generated: datetime
    accounts: tuple[str, ...]
    users: tuple[UserCredentials, ...]


def _pages(client: Any, method: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(method).paginate(**params):
        items += page[key]
    return items


def _age_days(created: datetime, now: datetime) -> int:
    return max(0, (now - created).days)


def _has_password(iam: Any, user: str) -> bool:
    try:
        iam.get_login_profile(UserName=user)
    except iam.exceptions.NoSuchEntityException:
        return False
    return True


def _user(iam: Any, account: str, entry: dict[str, Any], now: datetime) -> UserCredentials:
    name = entry["UserName"]
    keys = tuple(
        AccessKey(key["AccessKeyId"], key["Status"], key["CreateDate"],
                  _age_days(key["CreateDate"], now))
        for key in _pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
    )
    devices = tuple(
        device["SerialNumber"]
        for device in _pages(iam, "list_mfa_devices", "MFADevices", UserName=name)
    )
    return UserCredentials(account, name, entry["Arn"], entry["CreateDate"],
                           _has_password(iam, name), devices, keys)


def read_report(
    backend: Callable[[str, str], Any], landscape: Landscape, now: datetime | None = None
) -> CredentialReport:
    """The report of a running backend: `backend(account_name, service)` gives an
    administrator's client of that account (`Stack.backend`)."""
    moment = now or datetime.now(UTC)
    users: list[UserCredentials] = []
    for account in landscape.accounts:
        iam = backend(account.name, "iam")
        users += [_user(iam, account.name, entry, moment)
                  for entry in _pages(iam, "list_users", "Users")]
    return CredentialReport(moment, tuple(a.name for a in landscape.accounts), tuple(users))


def credential_report(landscape: Landscape) -> CredentialReport:
    """Start the stack with the landscape seeded, read the report, stop."""
    from harness.stack import Stack

    with Stack(landscape, tls_port=None) as stack:
        return read_report(stack.backend, landscape)


def render_report(report: CredentialReport) -> str:
    """The report as a table, one line per access key (a user without keys: one line)."""
    accounts = ", ".join(report.accounts)
    if not report.users:
        return f"no IAM users in any account ({accounts})\n"
    rows = [("account", "user", "password", "mfa", "access key", "status", "age (days)")]
    for user in report.users:
        mfa = str(len(user.mfa_devices))
        password = "yes" if user.password else "no"
        for key in user.access_keys or (None,):
            rows.append((user.account, user.user, password, mfa,
                         key.key_id if key else "-", key.status if key else "-",
                         str(key.age_days) if key else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    return "\n".join(lines) + "\n"


def report_json(report: CredentialReport) -> dict[str, Any]:
    return {
        "generated": report.generated.isoformat(),
        "accounts": list(report.accounts),
        "users": [
            {
                "account": user.account,
                "user": user.user,
                "arn": user.arn,
                "created": user.created.isoformat(),
                "password": user.password,
                "mfa_devices": list(user.mfa_devices),
                "access_keys": [
                    {"id": key.key_id, "status": key.status,
                     "created": key.created.isoformat(), "age_days": key.age_days}
                    for key in user.access_keys
                ],
            }
            for user in report.users
        ],
    }
