"""AWS's AccessDenied error messages, with the policy type that denied and how.

https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html#access_denied_error_messages
  "User: <arn> is not authorized to perform: <action> on resource: <arn>
   with an explicit deny in a service control policy"
  "... because no identity-based policy allows the <action> action"
Since 2025 AWS appends the ARN of the denying policy when the policy is in the caller's account
(identity-based policies and SCPs); the engine appends it when the policy's name is an ARN.
"""

from __future__ import annotations

from harness.iam.context import present_values
from harness.iam.decision import Decision, Outcome
from harness.iam.policy import PolicyType

# Types whose denials AWS explains with the policy's ARN, when it has one.
_ARN_NAMED = (
    PolicyType.IDENTITY,
    PolicyType.SCP,
    PolicyType.RCP,
    PolicyType.BOUNDARY,
    PolicyType.SESSION,
)


def _article(phrase: str) -> str:
    return "an" if phrase[0] in "aeiou" else "a"


def _type_phrase(policy_type: PolicyType) -> str:
    # A role's trust policy is a resource-based policy; AWS words its denials that way.
    phrase: str = (PolicyType.RESOURCE if policy_type is PolicyType.TRUST else policy_type).value
    return phrase


def _named_to(decision: Decision, denied_by: PolicyType) -> bool:
    """An RCP belongs to the resource's organisation: AWS names it only to callers of the same
    account or organisation."""
    if denied_by is not PolicyType.RCP:
        return True
    request = decision.request
    if request.caller.account is not None and request.caller.account == request.resource_account:
        return True
    # An empty organisation id is no organisation (context.present_values): two of them are not
    # the same one.
    caller_org = present_values(request.keys.get_values("aws:PrincipalOrgID"))
    resource_org = present_values(request.keys.get_values("aws:ResourceOrgID"))
    return bool(caller_org) and caller_org == resource_org


def access_denied_message(decision: Decision) -> str:
    request = decision.request
    if decision.rule is not None and decision.rule.message is not None:
        return decision.rule.message  # the service's own words for a rule outside policies
    head = f"User: {request.caller.label} is not authorized to perform: {request.action}"
    if request.resource != "*":
        # An action on no particular resource (ec2:DescribeInstances) is reported without one.
        head += f" on resource: {request.resource}"
    if decision.error is not None:
        return f"{head} because the request could not be authorized: {decision.error}"
    denied_by = decision.denied_by
    if decision.outcome is Outcome.EXPLICIT_DENY and denied_by is not None:
        phrase = _type_phrase(denied_by)
        suffix = ""
        arns = [
            s.policy_name
            for s in decision.deciding
            if s.policy_type is denied_by and s.policy_name.startswith("arn:")
        ]
        if denied_by in _ARN_NAMED and arns and _named_to(decision, denied_by):
            suffix = f": {arns[0]}"
        return f"{head} with an explicit deny in {_article(phrase)} {phrase}{suffix}"
    if denied_by is PolicyType.TRUST or denied_by is None:
        # AWS gives no reason when a role's trust policy does not let the caller assume it.
        return head
    return f"{head} because no {_type_phrase(denied_by)} allows the {request.action} action"
