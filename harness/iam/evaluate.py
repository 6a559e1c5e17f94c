"""AWS's policy evaluation logic, in the order of its flowchart.

Read beside:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

1. An explicit Deny in any applicable policy denies. A resource-based Deny with NotPrincipal
   applies to every caller under a permissions boundary, whatever it lists (`has_boundary`).
2. SCPs of the caller's account: every level of the organisation path (root, each OU, the
   account) must allow. Not applied to the management account's principals, service-linked
   roles, or callers outside any account (services, anonymous, identity-provider assertions).
3. RCPs of the resource's account: the same, for the resource side (not for resources of the
   management account, nor for service-linked roles).
4. Same account: an identity-based policy allowing it (within the permissions boundary and
   session policy, when there are ones), or a resource-based policy that names the caller
   closely enough to grant by itself (see principals.py; a role's trust policy naming a user
   grants within the user's boundary: `_Grant.resource_grant_bounded`). Cross-account: both the
   identity side and the resource-based policy must allow. Some resources can't be reached by
   identity policies alone (a role's trust policy, a KMS key policy): `resource_policy_required`.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.iam.compiled import compiled_statements
from harness.iam.conditions import conditions_match
from harness.iam.context import ACCOUNTLESS, Caller, PrincipalKind, Request
from harness.iam.decision import Decision, MatchedStatement, Outcome
from harness.iam.matching import resource_matches
from harness.iam.policy import Effect, Policy, PolicyType, Statement
from harness.iam.principals import PrincipalMatch, statement_principal_match

# The order in which a denial is attributed when several policy types deny.
_DENY_ORDER = (
    PolicyType.SCP,
    PolicyType.RCP,
    PolicyType.TRUST,
    PolicyType.RESOURCE,
    PolicyType.IDENTITY,
    PolicyType.BOUNDARY,
    PolicyType.SESSION,
)


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that bears on one request.

    `scps` are the SCPs along the caller's account path, one tuple per level (root first, the
    account last); None when the caller's account is in no organisation. `rcps` likewise for the
    resource owner's account. `session` is None when the session has no session policy.
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundary: Policy | None = None
    session: tuple[Policy, ...] | None = None
    scps: tuple[tuple[Policy, ...], ...] | None = None
    rcps: tuple[tuple[Policy, ...], ...] | None = None
    management_account: str | None = None
    resource_policy_required: bool = False


class _Scan:
    """What one policy type said about the request: its applying Allow statements with how
    closely each names the caller, and whether any Deny applied."""

    __slots__ = ("allows", "denied")

    def __init__(self) -> None:
        self.allows: list[tuple[MatchedStatement, PrincipalMatch]] = []
        self.denied = False

    @property
    def allowed(self) -> bool:
        return bool(self.allows)

    def best_match(self) -> PrincipalMatch:
        return max((level for _, level in self.allows), default=PrincipalMatch.NONE)


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """Decide one request. Fails closed: any error becomes an implicit deny that says why."""
    try:
        return _Evaluation(request, policies).decide()
    except Exception as exc:
        return Decision(
            outcome=Outcome.IMPLICIT_DENY, request=request, error=f"{type(exc).__name__}: {exc}"
        )


class _Evaluation:
    __slots__ = ("bounded", "denies", "matched", "missing", "policies", "request", "unmet")

    def __init__(self, request: Request, policies: PolicySet) -> None:
        self.request = request
        self.policies = policies
        self.bounded = has_boundary(request.caller, policies)
        self.missing: set[str] = set()
        self.matched: list[MatchedStatement] = []
        self.unmet: list[MatchedStatement] = []
        self.denies: list[MatchedStatement] = []

    def decide(self) -> Decision:
        request, policies, caller = self.request, self.policies, self.request.caller
        scp_levels = policies.scps if _scps_apply(caller, policies) else None
        rcp_levels = policies.rcps if _rcps_apply(request, policies) else None
        scps = None if scp_levels is None else [self._scan_all(level) for level in scp_levels]
        rcps = None if rcp_levels is None else [self._scan_all(level) for level in rcp_levels]
        resource = self._scan(policies.resource) if policies.resource else _Scan()
        identity = self._scan_all(policies.identity)
        boundary = self._scan(policies.boundary) if policies.boundary else None
        session = self._scan_all(policies.session) if policies.session is not None else None

        organizations_ok = None if scps is None else all(level.allowed for level in scps)
        rcps_ok = None if rcps is None else all(level.allowed for level in rcps)
        details = _Details(
            organizations=_detail(organizations_ok, scps),
            rcps=_detail(rcps_ok, rcps),
            boundary=_detail(boundary.allowed, [boundary]) if boundary is not None else None,
        )
        if self.denies:
            denied_by = min((s.policy_type for s in self.denies), key=_DENY_ORDER.index)
            deciding = tuple(s for s in self.denies if s.policy_type is denied_by)
            return self._decision(Outcome.EXPLICIT_DENY, denied_by, details, deciding)
        if organizations_ok is False:
            return self._decision(Outcome.IMPLICIT_DENY, PolicyType.SCP, details)
        if rcps_ok is False:
            return self._decision(Outcome.IMPLICIT_DENY, PolicyType.RCP, details)

        grant = _Grant(caller, request, policies, resource, identity, boundary, session)
        if grant.allowed():
            return self._decision(Outcome.ALLOWED, None, details, grant.deciding())
        return self._decision(Outcome.IMPLICIT_DENY, grant.missing_allow(), details)

    def _decision(
        self,
        outcome: Outcome,
        denied_by: PolicyType | None,
        details: _Details,
        deciding: tuple[MatchedStatement, ...] = (),
    ) -> Decision:
        return Decision(
            outcome=outcome,
            request=self.request,
            denied_by=denied_by,
            deciding=deciding,
            matched=tuple(self.matched),
            unmet=tuple(self.unmet),
            missing_keys=tuple(sorted(self.missing, key=str.lower)) if self.missing else (),
            allowed_by_organizations=details.organizations,
            allowed_by_rcps=details.rcps,
            allowed_by_boundary=details.boundary,
        )

    def _scan_all(self, policies: tuple[Policy, ...]) -> _Scan:
        scan = _Scan()
        for policy in policies:
            self._scan(policy, scan)
        return scan

    def _scan(self, policy: Policy, into: _Scan | None = None) -> _Scan:
        scan = into if into is not None else _Scan()
        action = self.request.action
        for compiled in compiled_statements(policy):
            if not compiled.covers_action(action):
                continue
            level = self._covers(policy, compiled.statement)
            if level is PrincipalMatch.NONE:
                continue
            if compiled.statement.conditions and not self._conditions_hold(policy,
                                                                           compiled.statement):
                self.unmet.append(compiled.matched)
                continue
            self.matched.append(compiled.matched)
            if compiled.is_deny:
                scan.denied = True
                self.denies.append(compiled.matched)
            else:
                scan.allows.append((compiled.matched, level))
        return scan

    def _covers(self, policy: Policy, statement: Statement) -> PrincipalMatch:
        """How a statement whose Action covers the request covers its resource and caller (its
        Resource and Principal elements): NONE if one of them does not."""
        request = self.request
        variables = policy.variables_enabled
        if statement.resources is not None:
            if not resource_matches(statement.resources, request.resource, request.keys, variables):
                return PrincipalMatch.NONE
        elif statement.not_resources is not None and resource_matches(
            statement.not_resources, request.resource, request.keys, variables
        ):
            return PrincipalMatch.NONE
        return statement_principal_match(
            statement.principal,
            statement.not_principal,
            request.caller,
            # A NotPrincipal Deny ignores its list for a caller under a permissions boundary
            # (see principals.statement_principal_match for AWS's words).
            deny_to_bounded_caller=self.bounded and statement.effect is Effect.DENY,
        )

    def _conditions_hold(self, policy: Policy, statement: Statement) -> bool:
        return conditions_match(statement.conditions, self.request.keys,
                                variables_enabled=policy.variables_enabled, missing=self.missing)


@dataclass(frozen=True, slots=True)
class _Details:
    """Per policy type, whether it allowed: None when the type took no part."""

    organizations: bool | None
    rcps: bool | None
    boundary: bool | None


def _detail(allowed: bool | None, scans: list[_Scan] | None) -> bool | None:
    """AWS reports a type as not allowing when it lacks an Allow or holds a matching Deny."""
    if allowed is None or scans is None:
        return None
    return allowed and not any(scan.denied for scan in scans)


def has_boundary(caller: Caller, policies: PolicySet) -> bool:
    """Whether a permissions boundary limits the caller in this evaluation, exactly where step 4
    applies one (`_Grant`): an IAM user or role with a boundary attached, and a session of such a
    role, which the role's boundary limits (a federated user likewise, when its IAM user's
    boundary is given). Not the root user, who carries no policies and can have no boundary
    ("permissions boundaries for IAM entities (users or roles)"), nor callers outside any
    account. A session policy is no permissions boundary: AWS ties the NotPrincipal pitfall to
    "IAM users or roles that have a permissions boundary policy attached" and says nothing of
    session policies, so they do not trigger it.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    """
    return (
        policies.boundary is not None
        and caller.kind is not PrincipalKind.ROOT
        and caller.kind not in ACCOUNTLESS
    )


def _scps_apply(caller: Caller, policies: PolicySet) -> bool:
    """SCPs restrict the principals of member accounts, root users included; not the management
    account's, not service-linked roles, not callers outside any account.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#scp-effects-on-permissions
    """
    return (
        policies.scps is not None
        and caller.kind not in ACCOUNTLESS
        and caller.account is not None
        and caller.account != policies.management_account
        and not caller.service_linked
    )


def _rcps_apply(request: Request, policies: PolicySet) -> bool:
    """RCPs restrict access to member accounts' resources, whoever asks, except service-linked
    roles; resources of the management account are not affected.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    """
    # An action that names no resource (s3:ListAllMyBuckets) has no resource account: the
    # caller's account's RCPs are given then (harness.authorization), and apply.
    return (
        policies.rcps is not None
        and (policies.management_account is None
             or request.resource_account != policies.management_account)
        and not request.caller.service_linked
    )


def _allowed_without_session_policy(caller: Caller) -> bool:
    """Whether a caller that carries no session policy passes the session-policy step: every
    caller but a federated user. "If there is no session policy, the code checks whether the
    principal is a role session. If the principal is a role session, then the request is
    Allowed. Otherwise, the request is implicitly denied"; callers that are no session principal
    never reach the check
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
    For GetFederationToken: "if you do not pass a policy with the GetFederationToken API call,
    the resulting temporary security credentials have no permissions. However, a resource-based
    policy can provide additional permissions for the session" — a grant naming the session
    itself, which no session policy limits (`_Grant.resource_grants_alone`).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html
    """
    return caller.kind is not PrincipalKind.FEDERATED_USER


class _Grant:
    """Step 4: whether the identity side, the resource side, or both let the request through."""

    def __init__(
        self,
        caller: Caller,
        request: Request,
        policies: PolicySet,
        resource: _Scan,
        identity: _Scan,
        boundary: _Scan | None,
        session: _Scan | None,
    ) -> None:
        self.caller = caller
        self.policies = policies
        self.resource = resource
        self.identity = identity
        self.resource_type = (
            policies.resource.policy_type if policies.resource else (PolicyType.RESOURCE)
        )
        self.resource_match = resource.best_match()
        if caller.kind is PrincipalKind.ROOT:
            # The root user has full access to its own account; it carries no policies.
            self.identity_ok, self.boundary_ok, self.session_ok = True, True, True
        elif caller.kind in ACCOUNTLESS:
            self.identity_ok, self.boundary_ok, self.session_ok = False, True, True
        else:
            self.identity_ok = identity.allowed
            self.boundary_ok = boundary is None or boundary.allowed
            self.session_ok = (
                session.allowed if session is not None else _allowed_without_session_policy(caller)
            )
        self.same_account = caller.account is not None and (
            request.resource_account is None or request.resource_account == caller.account
        )

    @property
    def identity_path(self) -> bool:
        return self.identity_ok and self.boundary_ok and self.session_ok

    @property
    def resource_grant_bounded(self) -> bool:
        """Whether the resource policy grants only within the caller's permissions boundary and
        session policy. So it does when it names the role of a session (or the IAM user behind a
        federated user: principals.py): "Resource-based policies that grant permissions to an
        IAM role ARN are limited by an implicit deny in a permissions boundary or session policy"
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html).
        A resource policy naming an IAM user is not limited by the user's boundary, except a
        role's trust policy: "If a user is listed as the principal in a role's trust policy but
        cannot assume the role, check the user's permissions boundary. If a permissions boundary
        is set for the user, then it must allow the sts:AssumeRole action."
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html)
        """
        match = self.resource_match
        return match is PrincipalMatch.ROLE or (
            match is PrincipalMatch.USER and self.resource_type is PolicyType.TRUST
        )

    @property
    def resource_grants_alone(self) -> bool:
        """A same-account resource policy that names the caller closely enough to grant without
        an identity policy, within the boundary and the session policy when they bound it
        (`resource_grant_bounded`); naming the account only delegates to the account's identity
        policies."""
        if self.resource_match in (PrincipalMatch.NONE, PrincipalMatch.ACCOUNT):
            return False
        if self.resource_grant_bounded:
            return self.boundary_ok and self.session_ok
        return True

    def allowed(self) -> bool:
        if self.caller.kind in ACCOUNTLESS:
            return self.resource_match is not PrincipalMatch.NONE
        if self.policies.resource_policy_required and self.resource_match is PrincipalMatch.NONE:
            return False
        if self.same_account:
            return self.identity_path or self.resource_grants_alone
        return self.identity_path and self.resource_match is not PrincipalMatch.NONE

    def deciding(self) -> tuple[MatchedStatement, ...]:
        granting: list[MatchedStatement] = []
        if self.identity_path and self.caller.kind is not PrincipalKind.ROOT:
            granting.extend(statement for statement, _ in self.identity.allows)
        granting.extend(statement for statement, _ in self.resource.allows)
        return tuple(granting)

    def missing_allow(self) -> PolicyType:
        """The policy type whose missing Allow explains an implicit deny, in flowchart order."""
        resource_missing = self.resource_match is PrincipalMatch.NONE
        if self.caller.kind in ACCOUNTLESS:
            return self.resource_type
        if self.policies.resource_policy_required and resource_missing:
            return self.resource_type
        # A same-account grant that the boundary and session policy bound (to the caller's role,
        # or to a user in a trust policy) stands in for an identity-based policy: only the
        # boundary or the session policy can be what it lacks.
        bounded_grant = self.same_account and self.resource_grant_bounded
        if not (self.identity_ok or bounded_grant):
            return PolicyType.IDENTITY
        if not self.boundary_ok:
            return PolicyType.BOUNDARY
        if not self.session_ok:
            return PolicyType.SESSION
        return self.resource_type
