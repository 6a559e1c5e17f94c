"""The emulated identity provider (standing in for Okta / Azure AD): it signs users in, with or
without MFA, and issues the SAML responses that AWS STS exchanges for role sessions.

    idp = EmulatedIdP(landscape.identity_center)
    sign_in = idp.authenticate("alice")                       # MFA: alice is enrolled
    sign_in = idp.authenticate("alice", use_mfa=False)        # password only
    assertion = idp.issue(sign_in, RolePair(role_arn, provider_arn), session_duration=28800)

Users are the landscape's Identity Center users. A user enrolled in MFA signs in with it unless
told not to; a user who is not enrolled (dave) can never produce an MFA context. The IdP knows
nothing of accounts or permission sets: `harness.identity.login` chooses the role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from harness.identity import IdentityError
from harness.identity.saml import (
    MFA_CONTEXT,
    PASSWORD_CONTEXT,
    PRINCIPAL_TAG_PREFIX,
    RolePair,
    SamlAssertion,
    lifetime,
)
from harness.landscape.model import IdentityCenter, IdentityProvider, User

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SignIn:
    """One authentication at the IdP: who, when, and whether a second factor was used."""

    user: User
    at: datetime
    mfa: bool

    @property
    def amr(self) -> tuple[str, ...]:
        """Authentication methods (RFC 8176): password, plus mfa and the factor when used."""
        return ("pwd", "mfa", "otp") if self.mfa else ("pwd",)

    @property
    def authn_context(self) -> str:
        return MFA_CONTEXT if self.mfa else PASSWORD_CONTEXT


class EmulatedIdP:
    """The landscape's external IdP. `clock` is injectable so that tests can fix instants."""

    def __init__(self, center: IdentityCenter, clock: Clock = _now) -> None:
        self.center = center
        self.provider: IdentityProvider = center.provider()
        self.clock = clock

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    def user(self, user_name: str) -> User:
        try:
            return self.center.user(user_name)
        except KeyError:
            known = ", ".join(user.user_name for user in self.center.users)
            raise IdentityError(
                f"{user_name} is not a user of the IdP {self.provider.name} (users: {known})"
            ) from None

    def authenticate(self, user_name: str, *, use_mfa: bool = True) -> SignIn:
        """Sign `user_name` in. MFA is used when the user is enrolled and `use_mfa` is set."""
        user = self.user(user_name)
        return SignIn(user=user, at=self.clock(), mfa=user.mfa and use_mfa)

    def issue(
        self,
        sign_in: SignIn,
        role: RolePair,
        *,
        session_duration: int | None = None,
        principal_tags: tuple[tuple[str, str], ...] = (),
    ) -> SamlAssertion:
        """The SAML response for `sign_in`, for one role. The session is named after the user
        (as Identity Center names it: the user name) and the subject is the user's e-mail."""
        if self.provider.protocol != "SAML":
            raise IdentityError(
                f"the IdP {self.provider.name} speaks {self.provider.protocol}, not SAML"
            )
        for key, _ in principal_tags:
            if not key or PRINCIPAL_TAG_PREFIX in key:
                raise IdentityError(f"invalid principal tag key {key!r}")
        issued, expires = lifetime(self.clock())
        return SamlAssertion(
            issuer=self.issuer,
            subject=sign_in.user.email,
            roles=(role,),
            session_name=sign_in.user.user_name,
            session_duration=session_duration,
            principal_tags=principal_tags,
            issue_instant=issued,
            not_on_or_after=expires,
            authn_instant=sign_in.at,
            authn_context=sign_in.authn_context,
            amr=sign_in.amr,
        )
