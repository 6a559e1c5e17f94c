"""Signing in as a person: IdP → Identity Center role → STS AssumeRoleWithSAML.

    result = login(landscape, endpoint, "alice", "dev", "DeveloperReadOnly")
    result.credentials.process_output()     # credential_process JSON
    result.used_mfa                          # what the assertion says

The user's assignments come from the landscape's Identity Center (directly, or through their
groups). In each assigned account, provisioning made the role
`AWSReservedSSO_<permission set>_<suffix>` trusting the account's SAML provider for the IdP
(`harness.seeding.identity_center.provisioned_role`); the same function names it here, so login
needs no state beyond the landscape. The IdP issues a SAML response for that one role, lasting
the permission set's session duration, and STS exchanges it for credentials.
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.iam import Caller, PrincipalKind
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType
from harness.identity import AwsError, Credentials, IdentityError, call_sts, sts_client
from harness.identity.assume import (
    TrustCheck,
    TrustQuestion,
    check_trust,
    request_keys,
)
from harness.identity.idp import EmulatedIdP, SignIn
from harness.identity.saml import RolePair, SamlAssertion, encode_response
from harness.landscape.model import Landscape
from harness.seeding.identity_center import provisioned_role

# moto serves an unsigned request (AssumeRoleWithSAML is one) as its default account and files
# the new session there, where GetCallerIdentity with the new keys does not find it (moto 5.2.5,
# sts/models.py). This header makes moto serve the call as the role's account instead; AWS and
# other backends ignore it, and the enforcing gateway drops it (a client may not steer the
# backend) and names the role's account itself.
MOTO_ACCOUNT_HEADER = "x-moto-account-id"


def _add_account_header(params: dict[str, Any], **_: Any) -> None:
    """The role's account, for moto (`MOTO_ACCOUNT_HEADER`)."""
    parts = str(params["body"].get("RoleArn", "")).split(":")
    if len(parts) > 4 and parts[4]:
        params["headers"][MOTO_ACCOUNT_HEADER] = parts[4]


@dataclass(frozen=True, slots=True)
class LoginTarget:
    """The role a user signs in to: one (account, permission set) assignment."""

    user: str
    account: str
    account_id: str
    permission_set: str
    role_arn: str
    provider_arn: str
    session_duration: int
    trust: dict[str, Any]
    max_session_duration: int


@dataclass(frozen=True, slots=True)
class LoginResult:
    credentials: Credentials
    target: LoginTarget
    assertion: SamlAssertion
    saml_response: str

    @property
    def used_mfa(self) -> bool:
        return self.assertion.used_mfa


# --------------------------------------------------------------------------- assignments


def assignments_of(landscape: Landscape, user_name: str) -> dict[str, tuple[str, ...]]:
    """Account name → the permission sets the user is assigned there (directly or through a
    group), accounts and sets in the landscape's order."""
    center = landscape.identity_center
    user = center.user(user_name)
    found: dict[str, list[str]] = {}
    for assignment in center.assignments:
        applies = (
            assignment.principal in user.groups
            if assignment.principal_type == "GROUP"
            else assignment.principal == user.user_name
        )
        if applies:
            sets = found.setdefault(assignment.account, [])
            if assignment.permission_set not in sets:
                sets.append(assignment.permission_set)
    order = [account.name for account in landscape.accounts]
    return {name: tuple(found[name]) for name in sorted(found, key=order.index)}


def describe_assignments(assignments: Mapping[str, tuple[str, ...]]) -> str:
    """`dev: DeveloperReadOnly, DeveloperPowerUser; staging: DeveloperReadOnly`"""
    if not assignments:
        return "none"
    return "; ".join(f"{account}: {', '.join(sets)}" for account, sets in assignments.items())


def resolve_target(
    landscape: Landscape, user_name: str, account_name: str, permission_set: str | None = None
) -> LoginTarget:
    """The Identity Center role for the user in the account; IdentityError when the user has no
    assignment there, or several and none was chosen."""
    EmulatedIdP(landscape.identity_center).user(user_name)  # unknown user → IdentityError
    assignments = assignments_of(landscape, user_name)
    sets = assignments.get(account_name, ())
    if not sets:
        raise IdentityError(
            f"{user_name} has no assignment in account {account_name} "
            f"(assignments: {describe_assignments(assignments)})"
        )
    if permission_set is None:
        if len(sets) > 1:
            raise IdentityError(
                f"{user_name} has several permission sets in account {account_name}: "
                f"{', '.join(sets)}; choose one with --permission-set"
            )
        permission_set = sets[0]
    elif permission_set not in sets:
        raise IdentityError(
            f"{user_name} has no assignment of permission set {permission_set} in account "
            f"{account_name} (assignments there: {', '.join(sets)})"
        )
    center = landscape.identity_center
    account = landscape.account(account_name)
    provider_arn = (
        f"arn:aws:iam::{account.account_id}:saml-provider/"
        f"{center.provider().saml_provider_name}"
    )
    chosen = center.permission_set(permission_set)
    spec = provisioned_role(chosen, account, provider_arn)
    return LoginTarget(
        user=user_name,
        account=account_name,
        account_id=account.account_id,
        permission_set=permission_set,
        role_arn=f"arn:aws:iam::{account.account_id}:role{spec.path}{spec.name}",
        provider_arn=provider_arn,
        session_duration=chosen.session_seconds,
        trust=spec.trust,
        max_session_duration=spec.max_session_duration,
    )


# --------------------------------------------------------------------------- signing in


def sign_in(
    landscape: Landscape,
    user_name: str,
    account_name: str,
    permission_set: str | None = None,
    *,
    use_mfa: bool = True,
    idp: EmulatedIdP | None = None,
) -> tuple[LoginTarget, SignIn, SamlAssertion]:
    """Everything before STS: the target role, the IdP sign-in, and the assertion."""
    idp = idp or EmulatedIdP(landscape.identity_center)
    target = resolve_target(landscape, user_name, account_name, permission_set)
    signed_in = idp.authenticate(user_name, use_mfa=use_mfa)
    assertion = idp.issue(
        signed_in,
        RolePair(target.role_arn, target.provider_arn),
        session_duration=target.session_duration,
    )
    return target, signed_in, assertion


def saml_trust_question(
    landscape: Landscape, target: LoginTarget, assertion: SamlAssertion
) -> TrustQuestion:
    """AssumeRoleWithSAML as the engine sees it: the SAML provider calls, with saml:* keys."""
    keys = request_keys(landscape.regions.home)
    for name, value in assertion.context_keys(target.provider_arn).items():
        keys.set(name, value)
    actions: tuple[str, ...] = ("sts:AssumeRoleWithSAML",)
    if assertion.principal_tags:
        actions += ("sts:TagSession",)
    return TrustQuestion(
        caller=Caller(PrincipalKind.SAML, target.provider_arn, provider=target.provider_arn),
        role_arn=target.role_arn,
        role_account=target.account_id,
        trust=parse_policy(target.trust, PolicyType.TRUST, f"{target.role_arn} trust policy"),
        max_session_duration=target.max_session_duration,
        actions=actions,
        keys=keys,
        duration=target.session_duration,
    )


def login(
    landscape: Landscape,
    endpoint_url: str,
    user_name: str,
    account_name: str,
    permission_set: str | None = None,
    *,
    use_mfa: bool = True,
    idp: EmulatedIdP | None = None,
    trust_check: TrustCheck | None = check_trust,
    verify: str | bool | None = None,
) -> LoginResult:
    """Sign `user_name` in and exchange the assertion for credentials in `account_name`.
    Against the enforcing endpoint pass `trust_check=None`: the gateway decides the trust.
    `verify`: the CA bundle of an HTTPS endpoint."""
    target, _, assertion = sign_in(
        landscape, user_name, account_name, permission_set, use_mfa=use_mfa, idp=idp
    )
    if trust_check is not None:
        trust_check(saml_trust_question(landscape, target, assertion))
    encoded = encode_response(assertion)
    # AssumeRoleWithSAML is unsigned (the assertion authenticates); placeholder keys only keep
    # botocore from looking for credentials.
    client = sts_client(
        endpoint_url,
        landscape.regions.home,
        verify=verify,
        aws_access_key_id="securecart-saml",
        aws_secret_access_key="securecart-saml",
    )

    # The client is the process's shared one: the handler is registered once (by its id), and
    # reads the account from the call itself.
    client.meta.events.register("before-call.sts.AssumeRoleWithSAML", _add_account_header,
                                unique_id=MOTO_ACCOUNT_HEADER)
    response = call_sts(
        client.assume_role_with_saml,
        "AssumeRoleWithSAML",
        {
            "RoleArn": target.role_arn,
            "PrincipalArn": target.provider_arn,
            "SAMLAssertion": encoded,
            "DurationSeconds": target.session_duration,
        },
    )
    credentials = Credentials.from_sts(response)
    if not credentials.arn.startswith(f"arn:aws:sts::{target.account_id}:assumed-role/"):
        raise AwsError(
            "InvalidResponse",
            "AssumeRoleWithSAML",
            f"the backend issued a session outside account {target.account}: {credentials.arn}",
        )
    return LoginResult(credentials, target, assertion, encoded)
