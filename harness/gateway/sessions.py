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

from harness.gateway.credentials import Credential, CredentialStore, SessionContext
from harness.gateway.world import World
from harness.iam.context import PrincipalKind

ISSUING_OPERATIONS = frozenset({
    ("sts", "AssumeRole"), ("sts", "AssumeRoleWithSAML"), ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "GetSessionToken"), ("sts", "GetFederationToken"), ("iam", "CreateAccessKey"),
})


class SessionRequestError(ValueError):
    """A request AWS's STS refuses before any authorisation (ValidationError)."""


def check_duration(operation: str, params: Mapping[str, Any], world: World) -> None:
    """DurationSeconds may not exceed the role's MaxSessionDuration.
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_RequestParameters
    """
    if operation not in ("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"):
        return
    duration = params.get("DurationSeconds")
    if duration is None:
        return
    if not 900 <= int(duration) <= 43200:
        raise SessionRequestError(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to "
            "satisfy constraint: Member must have value between 900 and 43200")
    role_arn = str(params.get("RoleArn", ""))
    if int(duration) > world.role(role_arn).max_session_duration:
        raise SessionRequestError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")


def record(operation: str, params: Mapping[str, Any], body: bytes, issuer: Credential | None,
           store: CredentialStore, world: World, now: datetime, *, mfa: bool = False,
           provider: str | None = None, claims: tuple[tuple[str, str], ...] = (),
           assertion_tags: tuple[tuple[str, str], ...] = ()) -> Credential | None:
    """Record the credentials a successful response issued; None if it issued none."""
    fields = _fields(body)
    if "AccessKeyId" not in fields or "SecretAccessKey" not in fields:
        return None
    if operation == "CreateAccessKey":
        if issuer is None:
            return None
        return _record(store, _access_key(fields, params, world, issuer.account))
    expires = _time(fields.get("Expiration"))
    session = SessionContext(
        issued_at=now,
        mfa_authenticated_at=now if (mfa or _mfa_given(params)) else None,
        session_policies=_session_policies(params, world),
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


def _access_key(fields: Mapping[str, str], params: Mapping[str, Any], world: World,
                account: str) -> Credential:
    user_name = fields.get("UserName") or str(params.get("UserName", ""))
    user_arn, user_id = world.user_details(account, user_name)
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


def _session_policies(params: Mapping[str, Any], world: World) -> tuple[str, ...]:
    policies: list[str] = []
    if params.get("Policy"):
        policies.append(str(params["Policy"]))
    role_arn = str(params.get("RoleArn", ""))
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else None
    for entry in params.get("PolicyArns", ()) or ():
        arn = entry.get("arn") if isinstance(entry, Mapping) else None
        if arn and account:
            policies.append(world.managed_policy_text(account, str(arn)))
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
