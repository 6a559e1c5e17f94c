"""Identities that act in the emulated AWS: people signing in through the IdP, and workloads,
pipelines, vendors and services assuming roles.

    harness.identity.saml      SAML responses: build, encode, parse; `assertion_used_mfa`
    harness.identity.idp       `EmulatedIdP`: signs users in (MFA or not), issues assertions
    harness.identity.login     IdP → Identity Center role → STS AssumeRoleWithSAML: `login`
    harness.identity.callers   where role chains start: root users, services, standing
                               sessions, and who administers an account
    harness.identity.assume    role sessions for workloads, pipelines, vendors, services: `assume`;
                               `check_trust`, the engine's trust decision for use without the
                               enforcing gateway
    harness.identity.profiles  an AWS config file with a `credential_process` profile per
                               assignment
    harness.identity.discovery the endpoint, the running `securecart up`, the CA bundle and
                               the landscape the commands use when not told

This module holds what they share: the error every command reports, and credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

__all__ = ["AwsError", "Credentials", "IdentityError", "call_sts", "parse_time", "sts_client"]


class IdentityError(Exception):
    """Signing in or assuming a role failed; the message says why, in words for the user."""


class AwsError(IdentityError):
    """STS refused (or would refuse) the call; worded as the AWS CLI prints AWS's errors."""

    def __init__(self, code: str, operation: str, message: str) -> None:
        super().__init__(
            f"An error occurred ({code}) when calling the {operation} operation: {message}"
        )
        self.code = code
        self.operation = operation
        self.aws_message = message


@dataclass(frozen=True, slots=True)
class Credentials:
    """Credentials of one principal, and its ARN as GetCallerIdentity reports it: the
    assumed-role ARN of a role session (temporary: with a session token and an expiration), the
    root user's ARN (long-term keys: neither), or a service principal's name (the keys the
    harness endpoint mints for a service: neither)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    arn: str
    session_token: str | None = field(default=None, repr=False)
    expiration: datetime | None = None

    @classmethod
    def from_sts(cls, response: dict[str, Any]) -> Credentials:
        """From an AssumeRole / AssumeRoleWithSAML response (boto3's shape)."""
        found = response["Credentials"]
        return cls(
            access_key_id=found["AccessKeyId"],
            secret_access_key=found["SecretAccessKey"],
            session_token=found["SessionToken"],
            expiration=parse_time(found["Expiration"]),
            arn=response["AssumedRoleUser"]["Arn"],
        )

    @property
    def temporary(self) -> bool:
        return self.session_token is not None

    def process_output(self) -> dict[str, Any]:
        """The JSON a `credential_process` prints (SessionToken and Expiration only for
        temporary credentials, as the format allows).
        https://docs.aws.amazon.com/cli/v1/userguide/cli-configure-sourcing-external.html"""
        output: dict[str, Any] = {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
        }
        if self.session_token is not None:
            output["SessionToken"] = self.session_token
        if self.expiration is not None:
            output["Expiration"] = self.expiration.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return output

    def client(
        self,
        service: str,
        endpoint_url: str,
        region: str,
        verify: str | bool | None = None,
        *,
        shared: bool = True,
    ) -> Any:
        """A boto3 client acting as this principal (`verify`: a CA bundle for HTTPS): the
        process's shared one (`harness.clients.shared_client`), or with `shared=False` one of
        the caller's own, on which it may register event handlers."""
        return _client(service, endpoint_url, region, self, verify=verify, shared=shared)


def parse_time(value: datetime | str) -> datetime:
    """An STS timestamp (boto3 gives datetimes, JSON strings) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def sts_client(
    endpoint_url: str,
    region: str,
    credentials: Credentials | None = None,
    *,
    verify: str | bool | None = None,
    **keys: str,
) -> Any:
    """An STS client against the endpoint. With no credentials, `keys` gives
    aws_access_key_id / aws_secret_access_key (e.g. placeholders for unsigned calls).
    `verify`: the CA bundle of an HTTPS endpoint (None: botocore's default, AWS_CA_BUNDLE)."""
    return _client("sts", endpoint_url, region, credentials, verify=verify, keys=keys)


@cache
def _config() -> Any:
    from botocore.config import Config

    # No retries: the backend is local, a failure should surface at once.
    return Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)


def _client(
    service: str,
    endpoint_url: str,
    region: str,
    credentials: Credentials | None,
    *,
    verify: str | bool | None = None,
    shared: bool = True,
    keys: dict[str, str] | None = None,
) -> Any:
    """The process's shared client for these credentials (`harness.clients.shared_client`:
    register no event handlers on it), or a new one when not `shared`."""
    from harness.clients import make_client, shared_client

    keys = dict(keys or {})
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials.access_key_id,
            "aws_secret_access_key": credentials.secret_access_key,
        }
        if credentials.session_token is not None:
            keys["aws_session_token"] = credentials.session_token
    make = shared_client if shared else make_client
    return make(
        service, region=region, endpoint_url=endpoint_url, config=_config(), verify=verify, **keys
    )


def call_sts(method: Callable[..., Any], operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Call STS, turning botocore's errors into AwsError (AWS refused) or IdentityError (the
    endpoint could not be reached or answered nonsense)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response: dict[str, Any] = method(**params)
        return response
    except ClientError as error:
        details = error.response.get("Error", {})
        raise AwsError(
            str(details.get("Code", "Unknown")), operation, str(details.get("Message", ""))
        ) from error
    except BotoCoreError as error:
        raise IdentityError(f"calling {operation}: {error}") from error
