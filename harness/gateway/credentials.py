"""Access keys and the principals behind them: what AWS looks up when a request arrives signed.

AWS keeps, for every access key, the secret that verifies the signature and the principal the
key belongs to; for temporary credentials also the session token and what the session carries
(MFA, session policies, session tags, source identity). The gateway holds the same in a
`CredentialStore`; the STS emulation adds to it, a scenario reset restores a snapshot.

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from harness.iam.context import Caller, PrincipalKind

# The kinds of principal that can hold an access key. A role never signs by itself: it acts
# through a role session (ROLE_SESSION); service, SAML and web-identity principals never hold keys.
CREDENTIAL_KINDS = frozenset(
    {
        PrincipalKind.ROOT,
        PrincipalKind.USER,
        PrincipalKind.ROLE_SESSION,
        PrincipalKind.FEDERATED_USER,
        # The harness acting as an AWS service (Lambda assuming a function's execution role):
        # in AWS the service signs with credentials of its own.
        PrincipalKind.SERVICE,
    }
)

# Service-linked roles live under this path; SCPs and RCPs do not restrict them.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
SERVICE_LINKED_ROLE_PATH = "/aws-service-role/"


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What AWS remembers about a temporary-credential session, beyond the keys.

    `session_policies` are JSON documents (inline, and managed policy ARNs resolved to their
    documents by whoever issued the session); `session_tags` override the role's tags for
    aws:PrincipalTag/*; `claims` carries the saml:* / web-identity keys of the assertion.
    """

    issued_at: datetime
    mfa_authenticated_at: datetime | None = None
    session_policies: tuple[str, ...] = ()
    # The name of each session policy, by position: its ARN, or "session policy" for the
    # inline one (AccessDenied messages name the ARN).
    session_policy_names: tuple[str, ...] = ()
    session_tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    federated_provider: str | None = None
    claims: tuple[tuple[str, str], ...] = ()

    @property
    def mfa_present(self) -> bool:
        """aws:MultiFactorAuthPresent."""
        return self.mfa_authenticated_at is not None


@dataclass(frozen=True, slots=True)
class Credential:
    """One access key and the principal it authenticates as.

    `arn` is the caller ARN AWS reports (GetCallerIdentity's Arn: the assumed-role ARN for a
    session); `identity_arn` the IAM identity behind it (the role's ARN with its path for a
    session, the calling user's ARN for a federated user); `user_id` is aws:userid (AIDA… for a
    user, AROA…:session-name for a role session, the account id for root).
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)  # never in logs
    account: str
    kind: PrincipalKind
    arn: str
    identity_arn: str | None = None
    user_id: str | None = None
    session_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    session: SessionContext | None = None
    # For a SERVICE credential: the resource the service acts for (aws:SourceArn); `account`
    # is then that resource's account (aws:SourceAccount), not the caller's.
    source_arn: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CREDENTIAL_KINDS:
            raise ValueError(f"a {self.kind.value} principal cannot hold an access key")
        if not self.access_key_id or not self.secret_access_key:
            raise ValueError("a credential needs an access key id and a secret access key")

    @property
    def temporary(self) -> bool:
        """Temporary credentials (STS) are the ones with a session token."""
        return self.session_token is not None

    @property
    def partition(self) -> str:
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"

    @property
    def service_linked(self) -> bool:
        """A session of a service-linked role: the role's path starts with /aws-service-role/."""
        if self.kind is not PrincipalKind.ROLE_SESSION or self.identity_arn is None:
            return False
        resource = self.identity_arn.split(":", 5)[-1]  # role/<path>/<name>
        return resource.startswith("role" + SERVICE_LINKED_ROLE_PATH)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and as_utc(self.expires_at) <= as_utc(now)

    def caller(self) -> Caller:
        """The engine's view of this principal."""
        if self.kind is PrincipalKind.SERVICE:
            return Caller(kind=self.kind, arn=self.arn, service=self.arn,
                          partition=self.partition)
        identity = self.identity_arn
        if identity is None and self.kind in (PrincipalKind.ROOT, PrincipalKind.USER):
            identity = self.arn
        return Caller(
            kind=self.kind,
            arn=self.arn,
            account=self.account,
            identity_arn=identity,
            service_linked=self.service_linked,
            partition=self.partition,
        )


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (AWS's timestamps are all UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class CredentialStore:
    """Access key id → Credential, shared by the gateway's threads (readers) and STS (writer)."""

    def __init__(self, credentials: Mapping[str, Credential] | None = None) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, Credential] = dict(credentials or {})

    def add(self, credential: Credential) -> None:
        with self._lock:
            self._by_key[credential.access_key_id] = credential

    def get(self, access_key_id: str) -> Credential | None:
        with self._lock:
            return self._by_key.get(access_key_id)

    def remove(self, access_key_id: str) -> None:
        with self._lock:
            self._by_key.pop(access_key_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)

    def __contains__(self, access_key_id: object) -> bool:
        with self._lock:
            return access_key_id in self._by_key

    def snapshot(self) -> dict[str, Credential]:
        """A copy of the store's content (Credentials are immutable, so a shallow copy)."""
        with self._lock:
            return dict(self._by_key)

    def restore(self, snapshot: Mapping[str, Credential]) -> None:
        """Replace the content with a snapshot taken earlier (scenario reset)."""
        with self._lock:
            self._by_key = dict(snapshot)
