"""What every seeding step shares: clients acting in each account, the error wrapper, and the
record of what seeding produced."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from harness.clients import make_client
from harness.landscape.model import Landscape

ACCESS_ROLE = "OrganizationAccountAccessRole"
"""The role the seeder assumes in each account. AWS Organizations creates it, with
AdministratorAccess, in every account it creates, trusting the management account."""

SESSION_NAME = "securecart-seed"
SESSION_SECONDS = 12 * 3600

_BOOTSTRAP_KEY = "securecart-bootstrap"
"""Credentials moto does not know: it answers them as its default account (123456789012),
outside the landscape. The seeder uses them only to obtain credentials in the landscape's
accounts (see `Clients.assume`)."""

# No retries: the backend is local, and a failure should surface at once, not after backoff.
_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)


class SeedError(RuntimeError):
    """Seeding failed; the message names the object ("seeding role DeployRole in account prod:
    <AWS error>"). The backend has been reset to empty."""


@contextmanager
def step(what: str) -> Iterator[None]:
    """Turn any failure inside into a SeedError that says what was being seeded."""
    try:
        yield
    except SeedError:
        raise
    except Exception as error:
        raise SeedError(f"{what}: {error}") from error


def list_all(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """Every item of a paginated list operation (`key`: the list in each page)."""
    pages = client.get_paginator(operation).paginate(**params)
    return [item for page in pages for item in page[key]]


@dataclass(frozen=True, slots=True)
class AccountCredentials:
    """Temporary credentials of the seeder's session in one account (administrator there)."""

    access_key_id: str
    secret_access_key: str
    session_token: str

    def session(self, region: str) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=region,
        )


class Clients:
    """boto3 clients against the endpoint, one per (account, service, region)."""

    def __init__(self, landscape: Landscape, endpoint_url: str) -> None:
        self.landscape = landscape
        self.endpoint_url = endpoint_url
        self.home = landscape.regions.home
        self.credentials: dict[str, AccountCredentials] = {}
        self.key_arns: dict[tuple[str, str], str] = {}
        """(account name, key name) → the ARN of the KMS key seeding created or found."""
        self._cache: dict[tuple[str | None, str, str], Any] = {}

    def client(self, account: str | None, service: str, region: str | None = None) -> Any:
        """A client acting in `account` (by name; None: the bootstrap identity)."""
        region = region or self.home
        key = (account, service, region)
        if key not in self._cache:
            if account is None:
                keys = {
                    "aws_access_key_id": _BOOTSTRAP_KEY,
                    "aws_secret_access_key": _BOOTSTRAP_KEY,
                }
            else:
                found = self.credentials[account]
                keys = {
                    "aws_access_key_id": found.access_key_id,
                    "aws_secret_access_key": found.secret_access_key,
                    "aws_session_token": found.session_token,
                }
            self._cache[key] = make_client(
                service,
                region=region,
                endpoint_url=self.endpoint_url,
                config=_CONFIG,
                **keys,
            )
        return self._cache[key]

    def assume(self, account: str, via: str | None) -> None:
        """Obtain administrator credentials in `account`: AssumeRole into its
        OrganizationAccountAccessRole from `via` (the management account, for members).

        The management account and accounts outside the organisation have no such role; they
        are entered from the bootstrap identity (`via` None). moto issues credentials for the
        account named in the role ARN without checking the role exists, which stands in for
        signing in as that account's owner."""
        account_id = self.landscape.account(account).account_id
        with step(f"obtaining credentials in account {account}"):
            found = self.client(via, "sts").assume_role(
                RoleArn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}",
                RoleSessionName=SESSION_NAME,
                DurationSeconds=SESSION_SECONDS,
            )["Credentials"]
        self.credentials[account] = AccountCredentials(
            found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"]
        )


@dataclass(frozen=True, slots=True)
class SeededLandscape:
    """What later parts need to know about a seeded backend: ids AWS chose, ARNs of what
    seeding created, and credentials to keep acting as each account's administrator."""

    landscape: Landscape
    endpoint_url: str
    organization_id: str
    root_id: str
    ou_ids: dict[str, str]
    """OU name → id."""
    account_ids: dict[str, str]
    """Account name → 12-digit id (the landscape's ids), for every account seeded."""
    scp_ids: dict[str, str]
    """SCP name → policy id (FullAWSAccess → p-FullAWSAccess)."""
    sso_instance_arn: str
    identity_store_id: str
    user_ids: dict[str, str]
    group_ids: dict[str, str]
    permission_set_arns: dict[str, str]
    provisioned_roles: dict[tuple[str, str], str]
    """(account name, permission set name) → ARN of its AWSReservedSSO_* role."""
    saml_provider_arns: dict[str, str]
    """Account name → ARN of the IAM SAML provider for the IdP (accounts with assignments)."""
    credentials: dict[str, AccountCredentials]
    clients: Clients = field(repr=False, compare=False)
    """The seeder's clients (one per account, service and region, made once)."""

    @property
    def key_arns(self) -> dict[tuple[str, str], str]:
        """(account name, key name) → the key ARN of each KMS key of the landscape. The
        landscape names a key by its alias (`Key.arn` is the alias ARN); the key id in the key
        ARN is the backend's choice, known once the key exists.
        https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN"""
        return dict(self.clients.key_arns)

    def account_session(self, account_name: str, region: str | None = None) -> boto3.Session:
        """A session as the seeder's administrator in the account; pass `endpoint_url` to its
        clients (or use `client`)."""
        return self.credentials[account_name].session(region or self.landscape.regions.home)

    def client(self, account_name: str, service: str, region: str | None = None) -> Any:
        """A client of the account's administrator session against the seeded endpoint (the
        same object on every call with the same arguments)."""
        return self.clients.client(account_name, service, region)
