"""Steps 3–5 of the gateway for one authorisation request: the question the request asks (the
caller and its credential's session, how the request arrived, the operation's own keys) put to
the one authorization path (harness.authorization), with the backend — read through the
BackendState's cache — as the source of the policies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from harness.authorization import (
    Organization,
    PrincipalPolicies,
    Question,
    Session,
    Transport,
)
from harness.authorization.decide import decision_for
from harness.authorization.source import Levels
from harness.gateway.backend_state import BackendState
from harness.gateway.credentials import Credential
from harness.gateway.operations import AuthorizationRequest
from harness.iam.context import Caller, ContextKeys, PrincipalKind
from harness.iam.decision import Decision
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType
from harness.reference import condition_key_type

__all__ = ["Asker", "BackendSource", "Transport", "decide", "now"]

# The services whose resources hold a resource-based policy the BackendState reads.
_POLICY_HOLDERS = frozenset({"s3", "sns", "sqs", "lambda", "kms"})


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks: a credential, or a caller with none (anonymous S3, an IdP assertion)."""

    caller: Caller
    credential: Credential | None = None


def decide(asker: Asker, wanted: AuthorizationRequest, transport: Transport, state: BackendState,
           known_accounts: tuple[str, ...]) -> Decision:
    """The decision for one authorisation request. What reading the backend raises
    (BackendStateError) propagates: the gateway refuses the request, saying why."""
    credential = asker.credential
    return decision_for(
        Question(
            caller=asker.caller,
            action=wanted.action,
            resource=state.iam_arn(wanted.resource, known_accounts),
            resource_account=wanted.resource_account,
            keys=_request_keys(wanted),
            transport=transport,
            session=_session(credential) if credential is not None else None,
            user_id=credential.user_id if credential is not None else None,
            source_account=_service_field(asker, "account"),
            source_arn=_service_field(asker, "source_arn"),
            resource_policy_required=wanted.resource_policy_required,
        ),
        BackendSource(state, known_accounts, signed=credential is not None),
    )


def _request_keys(wanted: AuthorizationRequest) -> ContextKeys:
    keys = ContextKeys()
    for name, values in wanted.keys:
        key_type = condition_key_type(name)
        keys.set(name, values, multivalued=bool(key_type and key_type.startswith("ArrayOf")))
    return keys


def _service_field(asker: Asker, name: str) -> str | None:
    """aws:SourceAccount / aws:SourceArn of a service acting for a resource."""
    credential = asker.credential
    if credential is None or asker.caller.kind is not PrincipalKind.SERVICE:
        return None
    value: str | None = getattr(credential, name)
    return value


def _session(credential: Credential) -> Session | None:
    session = credential.session
    if session is None:
        return None
    policies = None
    if session.session_policies:
        names = session.session_policy_names
        policies = tuple(
            _session_policy(text, names[i] if i < len(names) else "session policy")
            for i, text in enumerate(session.session_policies))
    return Session(
        issued_at=session.issued_at,
        mfa_present=session.mfa_present,
        mfa_authenticated_at=session.mfa_authenticated_at,
        source_identity=session.source_identity,
        federated_provider=session.federated_provider,
        tags=session.session_tags,
        policies=policies,
    )


@lru_cache(maxsize=1024)
def _session_policy(text: str, name: str) -> Policy:
    return parse_policy(text, PolicyType.SESSION, name=name)


@dataclass(frozen=True, slots=True)
class BackendSource:
    """The policies the backend holds, read through the BackendState's cache. `signed` is False
    for a request no credential signed (anonymous, an IdP assertion): it carries no identity's
    policies."""

    state: BackendState
    known_accounts: tuple[str, ...]
    signed: bool = True

    def principal(self, caller: Caller) -> PrincipalPolicies:
        if not self.signed:
            return PrincipalPolicies()
        if caller.kind is PrincipalKind.ROLE_SESSION:
            role = self.state.role(caller.identity_arn or "")
            return PrincipalPolicies(role.policies, role.boundary, role.tags)
        user = self.state.user(caller.identity_arn or caller.arn)
        # A federated user's session carries its own tags, not the user's.
        tags = user.tags if caller.kind is PrincipalKind.USER else ()
        return PrincipalPolicies(user.policies, user.boundary, tags)

    def organization(self, account: str) -> Organization | None:
        return self.state.organization(account)

    def scps(self, account: str) -> Levels | None:
        return self.state.scps(account)

    def rcps(self, account: str) -> Levels | None:
        return self.state.rcps(account)

    def owner(self, resource: str) -> str | None:
        """S3 ARNs name no account: the bucket's owner is looked up."""
        if resource.startswith("arn:aws:s3:::"):
            bucket = resource.split(":::", 1)[1].split("/", 1)[0]
            if bucket and "*" not in bucket:
                return self.state.bucket_owner(bucket, self.known_accounts)
        return None

    def trust_policy(self, role_arn: str) -> Policy | None:
        return self.state.role_trust(role_arn)

    def resource_policy(self, service: str, resource: str, owner: str | None, region: str
                        ) -> Policy | None:
        if service not in _POLICY_HOLDERS or owner is None or resource == "*":
            return None
        return self.state.resource_policy(service, _policy_holder(service, resource), owner,
                                          region)

    def resource_tags(self, service: str, resource: str, owner: str, region: str
                      ) -> Sequence[tuple[str, str]]:
        return self.state.resource_tags(service, resource, owner, region)


def _policy_holder(service: str, resource: str) -> str:
    """The ARN of what holds the policy: the bucket of an object, the function of a version."""
    if service == "s3":
        return "arn:aws:s3:::" + resource.split(":::", 1)[1].split("/", 1)[0]
    if service == "lambda":
        return ":".join(resource.split(":")[:7])
    return resource


def now() -> datetime:
    return datetime.now(UTC)
