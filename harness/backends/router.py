"""One backend out of two: LocalStack for what it serves, embedded moto for the services
LocalStack community lacks — so a landscape seeds whole.

A request's service is the signing name of its SigV4 credential scope (the Authorization
header, or X-Amz-Credential in a presigned URL); an unsigned request (AssumeRoleWithSAML, an
anonymous S3 read) goes to LocalStack.

Accounts. Both emulators choose the account by access key: LocalStack reads a 12-digit key as
the account and encodes the account in the keys its STS issues; moto knows only its own keys
and honours an `x-moto-account-id` header over them. The gateway names an account explicitly
with that header when the key does not (an unsigned AssumeRoleWithSAML: the role's account; a
cross-account call to a service that looks resources up in the caller's account). So:
- to moto, a request always carries `x-moto-account-id`: the gateway's, else the account its
  key stands for in LocalStack;
- to LocalStack, the gateway's account, where it names one, replaces the key in the
  Authorization header (LocalStack does not verify signatures; it reads the key's account).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ACCOUNT_HEADER = "HTTP_X_MOTO_ACCOUNT_ID"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")
_QUERY_CREDENTIAL = re.compile(r"X-Amz-Credential=([^/&]+)(?:/|%2F)\d{8}(?:/|%2F)[^/&%]+"
                               r"(?:/|%2F)([^/&%]+)", re.IGNORECASE)


class ServiceRouter:
    """`primary` (LocalStack) answers every service but `secondary_services` (signing names),
    which `secondary` (embedded moto) answers."""

    def __init__(self, primary: WSGIApplication, secondary: WSGIApplication,
                 secondary_services: frozenset[str]) -> None:
        self.primary = primary
        self.secondary = secondary
        self.secondary_services = secondary_services

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        key, service = signing(environ)
        if service in self.secondary_services:
            account = environ.get(ACCOUNT_HEADER) or (account_of_key(key) if key else None)
            if account:
                environ[ACCOUNT_HEADER] = account
            return self.secondary(environ, start_response)
        account = environ.pop(ACCOUNT_HEADER, None)
        if account:
            _sign_as(environ, str(account), service)
        return self.primary(environ, start_response)


def signing(environ: WSGIEnvironment) -> tuple[str | None, str | None]:
    """The access key id and the service (signing name) of a signed request."""
    found = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if found is not None:
        return found.group(1), found.group(4)
    query = _QUERY_CREDENTIAL.search(str(environ.get("QUERY_STRING", "")))
    if query is not None:
        return query.group(1), query.group(2)
    return None, None


def account_of_key(access_key_id: str) -> str:
    """The account LocalStack places an access key in, by LocalStack's own rule: a 12-digit
    key is the account; the LSIA…/LKIA… keys its STS and IAM issue encode it; any other key
    is its default account."""
    from localstack.aws.accounts import get_account_id_from_access_key_id

    return str(get_account_id_from_access_key_id(access_key_id))


def _sign_as(environ: WSGIEnvironment, account: str, service: str | None) -> None:
    """Make the request's key the 12-digit `account` (an unsigned request gets an
    Authorization header that names it)."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    found = _CREDENTIAL.search(authorization)
    if found is not None:
        environ["HTTP_AUTHORIZATION"] = (authorization[:found.start(1)] + account
                                         + authorization[found.end(1):])
        return
    day = datetime.now(UTC).strftime("%Y%m%d")
    region = "us-east-1"
    environ["HTTP_AUTHORIZATION"] = (
        f"AWS4-HMAC-SHA256 Credential={account}/{day}/{region}/{service or 'sts'}/aws4_request, "
        "SignedHeaders=host, Signature=0")
