"""What the gateway remembers of the credentials issued through it, as AWS does: who each
session is, whether it used MFA, its session policies and tags, its source identity.

The backend issues the keys (STS AssumeRole*, GetSessionToken, GetFederationToken; IAM
CreateAccessKey); the gateway reads them from the response and records the principal and the
session context from the request — what AWS's STS would remember.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from harness.gateway.backend_state import BackendState, BackendStateError
from harness.gateway.credentials import Credential, CredentialStore, SessionContext
from harness.iam.context import PrincipalKind
from harness.iam.errors import PolicyValidationError
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType

ISSUING_OPERATIONS = frozenset({
    ("sts", "AssumeRole"), ("sts", "AssumeRoleWithSAML"), ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "GetSessionToken"), ("sts", "GetFederationToken"), ("iam", "CreateAccessKey"),
})
_ASSUMING = ("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity")
# Sessions of a role chain are limited to one hour, whatever the role allows.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining
CHAINED_SESSION_SECONDS = 3600


class SessionRequestError(ValueError):
    """A request AWS's STS refuses outside the policy evaluation, with AWS's code and status."""

    def __init__(self, message: str, code: str = "ValidationError", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def check_caller(operation: str, caller: Credential | None) -> None:
    """What STS refuses to a kind of caller before looking at any policy.

    The root user cannot assume roles; temporary credentials cannot get a session token or a
    federation token. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
    https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
    """
    if caller is None:
        return
    if operation == "AssumeRole" and caller.kind is PrincipalKind.ROOT:
        raise SessionRequestError("Roles may not be assumed by root accounts.", "AccessDenied",
                                  403)
    if operation in ("GetSessionToken", "GetFederationToken") and caller.temporary:
        raise SessionRequestError(f"Cannot call {operation} with session credentials",
                                  "AccessDenied", 403)


def check_request(operation: str, params: Mapping[str, Any], state: BackendState,
                  caller: Credential | None) -> None:
    """What STS validates in an authorised request that would issue a session: the duration
    against the role's MaxSessionDuration (and the one-hour limit of role chaining), and the
    session policies, which must be valid policies that exist.
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_RequestParameters
    """
    if operation in _ASSUMING:
        _check_duration(params, state, caller)
    if operation in _ASSUMING or operation == "GetFederationToken":
        _session_policies(params, state, _policy_account(params, caller))


def _check_duration(params: Mapping[str, Any], state: BackendState, caller: Credential | None
                    ) -> None:
    duration = params.get("DurationSeconds")
    if duration is None:
        return
    if not 900 <= int(duration) <= 43200:
        raise SessionRequestError(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
            "satisfy constraint: Member must have value between 900 and 43200")
    if (caller is not None and caller.kind is PrincipalKind.ROLE_SESSION
            and int(duration) > CHAINED_SESSION_SECONDS):
        raise SessionRequestError("The requested DurationSeconds exceeds the 1 hour session "
                                  "limit for roles assumed by role chaining.")
    role_arn = str(params.get("RoleArn", ""))
    if int(duration) > state.role(role_arn).max_session_duration:
        raise SessionRequestError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


def record(operation: str, params: Mapping[str, Any], body: bytes, issuer: Credential | None,
           store: CredentialStore, state: BackendState, now: datetime, *, mfa: bool = False,
           provider: str | None = None, claims: tuple[tuple[str, str], ...] = (),
           assertion_tags: tuple[tuple[str, str], ...] = ()) -> Credential | None:
    """Record the credentials a successful response issued; None if it issued none."""
    fields = _fields(body)
    if "AccessKeyId" not in fields or "SecretAccessKey" not in fields:
        return None
    if operation == "CreateAccessKey":
        if issuer is None:
            return None
        return _record(store, _access_key(fields, params, state, issuer.account))
    expires = _time(fields.get("Expiration"))
    # A federation token without a session policy has no permissions: the engine denies a
    # federated user's request that no session policy allows (harness.iam.evaluate).
    policies = _session_policies(params, state, _policy_account(params, issuer))
    session = SessionContext(
        issued_at=now,
        mfa_authenticated_at=now if (mfa or _mfa_given(params)) else None,
        session_policies=tuple(text for _, text in policies),
        session_policy_names=tuple(name for name, _ in policies),
        session_tags=(*assertion_tags, *_tags(params), *_inherited_tags(issuer)),
        transitive_tag_keys=tuple(params.get("TransitiveTagKeys", ())),
        source_identity=params.get("SourceIdentity") or (
            issuer.session.source_identity if issuer and issuer.session else None),
        federated_provider=provider,
        claims=claims,
    )
    common: dict[str, Any] = {
        "access_key_id": fields["AccessKeyId"],
        "secret_access_key": fields["SecretAccessKey"],
        "session_token": fields.get("SessionToken"),
        "expires_at": expires,
        "session": session,
    }
    if operation in ("GetSessionToken",) and issuer is not None:
        return _record(store, Credential(account=issuer.account, kind=issuer.kind,
                                         arn=issuer.arn, identity_arn=issuer.identity_arn,
                                         user_id=issuer.user_id, **common))
    if operation == "GetFederationToken" and issuer is not None:
        arn = fields.get("Arn", "")
        return _record(store, Credential(
            account=issuer.account, kind=PrincipalKind.FEDERATED_USER, arn=arn,
            identity_arn=issuer.arn, user_id=f"{issuer.account}:{params.get('Name', '')}",
            **common))
    role_arn = str(params.get("RoleArn", ""))
    account = role_arn.split(":")[4]
    return _record(store, Credential(
        account=account, kind=PrincipalKind.ROLE_SESSION, arn=fields.get("Arn", ""),
        identity_arn=role_arn, user_id=fields.get("AssumedRoleId"), **common))


def _record(store: CredentialStore, credential: Credential) -> Credential:
    store.add(credential)
    return credential


def _access_key(fields: Mapping[str, str], params: Mapping[str, Any], state: BackendState,
                account: str) -> Credential:
    user_name = fields.get("UserName") or str(params.get("UserName", ""))
    user_arn, user_id = state.user_details(account, user_name)
    return Credential(
        access_key_id=fields["AccessKeyId"], secret_access_key=fields["SecretAccessKey"],
        account=account, kind=PrincipalKind.USER, arn=user_arn, identity_arn=user_arn,
        user_id=user_id)


def _fields(body: bytes) -> dict[str, str]:
    """Leaf elements of an STS/IAM XML response by local name (first occurrence)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return {}
    fields: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if len(element) == 0 and element.text is not None:
            fields.setdefault(name, element.text.strip())
    return fields


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _mfa_given(params: Mapping[str, Any]) -> bool:
    """An MFA device serial and a code: the emulated MFA accepts any six-digit code."""
    code = str(params.get("TokenCode", ""))
    return bool(params.get("SerialNumber")) and len(code) == 6 and code.isdigit()


def _policy_account(params: Mapping[str, Any], caller: Credential | None) -> str | None:
    """Where a session's managed policies are looked up: the role's account, or the account
    of the user asking for a federation token."""
    role_arn = str(params.get("RoleArn", ""))
    if role_arn.count(":") >= 5:
        return role_arn.split(":")[4]
    return caller.account if caller is not None else None


def _session_policies(params: Mapping[str, Any], state: BackendState, account: str | None
                      ) -> tuple[tuple[str, str], ...]:
    """The session's policies as (name, document): the inline one, then the managed ones, named
    by their ARNs (AccessDenied messages name them). Each must be a valid session policy, as
    STS answers MalformedPolicyDocument otherwise."""
    policies: list[tuple[str, str]] = []
    if params.get("Policy"):
        policies.append(("session policy", str(params["Policy"])))
    for entry in params.get("PolicyArns", ()) or ():
        arn = entry.get("arn") if isinstance(entry, Mapping) else None
        if not arn or not account:
            raise SessionRequestError("PolicyArns: each entry needs an arn",
                                      "MalformedPolicyDocument")
        try:
            policies.append((str(arn), state.managed_policy_text(account, str(arn))))
        except BackendStateError as error:
            raise SessionRequestError(f"Policy {arn} does not exist or is not attachable.",
                                      "MalformedPolicyDocument") from error
    for name, text in policies:
        try:
            parse_policy(text, PolicyType.SESSION, name=name)
        except PolicyValidationError as error:
            raise SessionRequestError(error.problem + (f" at {error.location}"
                                                       if error.location else ""),
                                      "MalformedPolicyDocument") from error
    return tuple(policies)


def _tags(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((str(t["Key"]), str(t["Value"])) for t in params.get("Tags", ()) or ())


def _inherited_tags(issuer: Credential | None) -> tuple[tuple[str, str], ...]:
    """Transitive session tags pass to the next session of a role chain.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining
    """
    if issuer is None or issuer.session is None:
        return ()
    transitive = set(issuer.session.transitive_tag_keys)
    return tuple((k, v) for k, v in issuer.session.session_tags if k in transitive)
