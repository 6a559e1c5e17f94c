"""The policy set of one request: whose policies, which organisation levels, which resource
policy. Each side's management-account exemption is applied here, because the caller's and the
resource's organisations may differ (a cross-organisation request), each with its own
management account.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#scp-effects-on-permissions
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-effects-on-permissions
"""

from __future__ import annotations

from harness.authorization import rules
from harness.authorization.context import Parties
from harness.authorization.question import Question
from harness.authorization.source import NO_POLICIES, PolicySource, PrincipalPolicies
from harness.iam.context import Caller, PrincipalKind
from harness.iam.evaluate import PolicySet
from harness.iam.policy import TRUST_ACTIONS, Policy
from harness.reference import rcp_services

# The callers whose IAM identity carries policies (a role is asked about directly by the
# simulator, as AWS's SimulatePrincipalPolicy is).
_POLICY_CARRIERS = frozenset({PrincipalKind.ROLE_SESSION, PrincipalKind.ROLE,
                              PrincipalKind.USER, PrincipalKind.FEDERATED_USER})


def parties(question: Question, source: PolicySource) -> Parties:
    """The resource's owner and both sides' organisations, asked of the source once."""
    caller = question.caller
    owner = question.resource_account
    if owner is None and question.resource != "*":
        owner = source.owner(question.resource)
    caller_org = source.organization(caller.account) if caller.account else None
    resource_org = source.organization(owner) if owner else None
    return Parties(owner, caller_org, resource_org, principal_policies(caller, source))


def principal_policies(caller: Caller, source: PolicySource) -> PrincipalPolicies:
    return source.principal(caller) if caller.kind in _POLICY_CARRIERS else NO_POLICIES


def policy_set(question: Question, sides: Parties, source: PolicySource) -> PolicySet:
    resource = _resource_policy(question, sides.resource_account, source)
    required = question.resource_policy_required or rules.resource_policy_required(
        question, resource)
    if resource is None and required:
        resource = rules.default_resource_policy(question, sides.resource_account)
    session = question.session
    return PolicySet(
        identity=sides.principal.identity,
        resource=resource,
        boundary=sides.principal.boundary,
        session=session.policies if session is not None else None,
        scps=_scp_levels(question.caller, sides, source),
        rcps=_rcp_levels(question, sides, source),
        management_account=None,
        resource_policy_required=required,
    )


def _scp_levels(caller: Caller, sides: Parties, source: PolicySource
                ) -> tuple[tuple[Policy, ...], ...] | None:
    """SCPs restrict the principals of member accounts; a management account is exempt from its
    own organisation's SCPs."""
    org = sides.caller_org
    if caller.account is None or org is None or caller.account == org.management_account:
        return None
    return source.scps(caller.account)


def _rcp_levels(question: Question, sides: Parties, source: PolicySource
                ) -> tuple[tuple[Policy, ...], ...] | None:
    """RCPs restrict the resources of member accounts, for the services that support them."""
    if question.service not in rcp_services():
        return None
    account, org = sides.resource_account, sides.resource_org
    if account is None and rules.names_no_resource(question):
        account, org = question.caller.account, sides.caller_org
    if account is None or org is None or account == org.management_account:
        return None
    return source.rcps(account)


def _resource_policy(question: Question, owner: str | None, source: PolicySource
                     ) -> Policy | None:
    if question.action.lower() in TRUST_ACTIONS and ":role/" in question.resource:
        return source.trust_policy(question.resource)
    return source.resource_policy(question.service, question.resource, owner, question.region)
