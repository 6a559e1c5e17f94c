"""The gateway's own, unenforced access to the backend: an administrator in every account.

The gateway learns the world it decides about from the backend, through the AWS APIs, and it
forwards requests of principals the backend does not know by key (the root users it mints).
Both need credentials that the backend places in a given account. moto places keys issued by
its STS in the account of the role ARN they were issued for, so an AssumeRole into the
account's OrganizationAccountAccessRole, from a key moto does not know (its default account),
yields an administrator there — the same way the seeder enters accounts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.handlers import json_decode_policies

from harness.gateway.wsgi_client import wsgi_client

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

ACCESS_ROLE = "OrganizationAccountAccessRole"
_BOOTSTRAP_KEY = "securecart-gateway-bootstrap"
_SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class BackendKey:
    """Credentials the backend knows, acting as an administrator of one account."""

    access_key_id: str
    secret_access_key: str
    session_token: str


class BackendAccess:
    """Clients acting as an administrator of any account, answered in-process by the backend's
    (unenforced) WSGI app. Thread-safe; keys and clients are made once per account."""

    def __init__(self, backend: WSGIApplication, region: str = "us-east-1") -> None:
        self.backend = backend
        self.region = region
        self._keys: dict[str, BackendKey] = {}
        self._clients: dict[tuple[str, str, str, bool], Any] = {}
        self._lock = threading.Lock()

    def key(self, account: str) -> BackendKey:
        with self._lock:
            found = self._keys.get(account)
        if found is not None:
            return found
        sts = wsgi_client(self.backend, "sts", region=self.region,
                          access_key_id=_BOOTSTRAP_KEY, secret_access_key=_BOOTSTRAP_KEY)
        issued = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ACCESS_ROLE}",
            RoleSessionName="securecart-gateway",
            DurationSeconds=_SESSION_SECONDS,
        )["Credentials"]
        key = BackendKey(issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
        with self._lock:
            return self._keys.setdefault(account, key)

    def client(self, account: str, service: str, region: str | None = None, *,
               raw_policies: bool = False) -> Any:
        """An administrator client of `account`. `raw_policies`: IAM policy documents are left
        as IAM sent them (URL-encoded text), not turned into objects by botocore's after-call
        hook `json_decode_policies` (the positions AWS reports are counted in that text)."""
        region = region or self.region
        cache_key = (account, service, region, raw_policies)
        with self._lock:
            found = self._clients.get(cache_key)
        if found is not None:
            return found
        key = self.key(account)
        made = wsgi_client(self.backend, service, region=region,
                           access_key_id=key.access_key_id,
                           secret_access_key=key.secret_access_key,
                           session_token=key.session_token)
        if raw_policies:
            made.meta.events.unregister(f"after-call.{service}", json_decode_policies)
        with self._lock:
            return self._clients.setdefault(cache_key, made)


def paginated(client: Any, method: str, field: str, **params: Any) -> list[Any]:
    """Every item of the paginated list call `method` (`field`: the list in each page)."""
    items: list[Any] = []
    for page in client.get_paginator(method).paginate(**params):
        items.extend(page.get(field, []))
    return items
