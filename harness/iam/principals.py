"""Does a resource-based (or trust) policy's Principal element name the caller — and how closely?

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

How a statement names the caller matters to the evaluation, not only whether it does:
- naming the *account* (its id or root ARN) delegates to the account: the caller still needs an
  identity-based policy that allows the action;
- naming the IAM *role* (for a role session) grants like an identity policy of the role would:
  the session's permissions boundary and session policy still limit it;
- naming the IAM *user*, or the *session* itself (assumed-role / federated-user ARN), or everyone
  (`"*"`), grants to the caller directly — but a role's trust policy naming a user grants within
  the user's permissions boundary (evaluate.py, `_Grant.resource_grant_bounded`).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
"""

from __future__ import annotations

from enum import IntEnum

from harness.iam.context import Caller, PrincipalKind
from harness.iam.policy import PrincipalSpec


class PrincipalMatch(IntEnum):
    """How closely a Principal element names the caller; higher is closer."""

    NONE = 0
    ACCOUNT = 1
    ROLE = 2
    USER = 3
    DIRECT = 4


_ACCOUNT_ROOT_SUFFIX = ":root"


def _account_of_value(value: str) -> str | None:
    """The account a value names as a whole: `123456789012` or `arn:aws:iam::123456789012:root`."""
    if value.isdigit() and len(value) == 12:
        return value
    if value.startswith("arn:") and value.endswith(_ACCOUNT_ROOT_SUFFIX):
        parts = value.split(":")
        if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
            return parts[4]
    return None


def _aws_value_match(value: str, caller: Caller) -> PrincipalMatch:
    if value == "*":
        return PrincipalMatch.DIRECT
    account = _account_of_value(value)
    if account is not None:
        return PrincipalMatch.ACCOUNT if account == caller.account else PrincipalMatch.NONE
    if value == caller.arn:
        if caller.kind is PrincipalKind.USER:
            return PrincipalMatch.USER
        if caller.kind is PrincipalKind.ROLE:
            return PrincipalMatch.ROLE
        return PrincipalMatch.DIRECT
    if caller.identity_arn is not None and value == caller.identity_arn:
        if caller.kind is PrincipalKind.ROLE_SESSION:
            return PrincipalMatch.ROLE
        if caller.kind is PrincipalKind.FEDERATED_USER:
            # A federated user's session is limited by its session policy even when the
            # resource names the IAM user behind it.
            return PrincipalMatch.ROLE
    return PrincipalMatch.NONE


def principal_match(spec: PrincipalSpec, caller: Caller) -> PrincipalMatch:
    """The closest way any value of the element names the caller."""
    if spec.wildcard:
        return PrincipalMatch.DIRECT
    best = PrincipalMatch.NONE
    if caller.kind not in (PrincipalKind.SERVICE, PrincipalKind.ANONYMOUS):
        for value in spec.values("AWS"):
            best = max(best, _aws_value_match(value, caller))
    if caller.kind is PrincipalKind.SERVICE and caller.service in spec.values("Service"):
        best = PrincipalMatch.DIRECT
    if caller.kind in (
        PrincipalKind.SAML,
        PrincipalKind.WEB_IDENTITY,
    ) and caller.provider in spec.values("Federated"):
        best = PrincipalMatch.DIRECT
    return best


def _excluded_by(not_principal: PrincipalSpec, caller: Caller) -> bool:
    """NotPrincipal excludes a caller only when it lists every form of the caller: its account,
    its own ARN and, for a role session, the role — AWS's documented pitfall is that listing the
    role alone still denies the role's sessions.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    """
    if not_principal.wildcard:
        return True
    if caller.kind is PrincipalKind.SERVICE:
        return caller.service in not_principal.values("Service")
    if caller.kind in (PrincipalKind.SAML, PrincipalKind.WEB_IDENTITY):
        return caller.provider in not_principal.values("Federated")
    if caller.kind is PrincipalKind.ANONYMOUS:
        return False
    listed = set(not_principal.values("AWS"))
    listed_accounts = {_account_of_value(v) for v in listed} - {None}
    forms_listed = caller.account in listed_accounts and (
        caller.kind is PrincipalKind.ROOT or caller.arn in listed
    )
    if caller.kind is PrincipalKind.ROLE_SESSION:
        return forms_listed and caller.identity_arn in listed
    return forms_listed


def statement_principal_match(
    principal: PrincipalSpec | None,
    not_principal: PrincipalSpec | None,
    caller: Caller,
    *,
    deny_to_bounded_caller: bool = False,
) -> PrincipalMatch:
    """How a statement's Principal or NotPrincipal names the caller. A NotPrincipal statement
    applies to everyone it does not exclude, which names the caller as directly as `"*"` does.

    `deny_to_bounded_caller` is set by the evaluation for a Deny statement when a permissions
    boundary limits the caller. Such a caller is never excluded, whatever NotPrincipal lists:
    "The `NotPrincipal` element with a `Deny` effect will always deny any IAM principal that has
    a permissions boundary policy attached, regardless of the values specified in the
    `NotPrincipal` element."
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html,
    the same words on https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
    Only the NotPrincipal values are disregarded: the statement's Action, Resource and Condition
    still decide whether it applies.
    """
    if principal is not None:
        return principal_match(principal, caller)
    if not_principal is not None:
        if deny_to_bounded_caller:
            return PrincipalMatch.DIRECT
        return PrincipalMatch.NONE if _excluded_by(not_principal, caller) else PrincipalMatch.DIRECT
    # Identity-based policy types have no Principal: the policy's holder is the principal.
    return PrincipalMatch.DIRECT
