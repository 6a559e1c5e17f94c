"""The rules AWS applies outside any policy. Each cites the AWS page that states it; each has
its table of cases in tests/iam/cases/outside-policies.json.

Before the policies: actions no policy can deny. After the policies (AWS authorises a call,
then the service validates it): entities only AWS may change, refused with the service's own
error whatever the policies allowed. While assembling: KMS keys answer only to their key
policy, and RCPs bind actions that name no resource in the caller's account.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache

from harness import reference
from harness.authorization.question import Question
from harness.iam.context import ACCOUNTLESS, Request
from harness.iam.decision import Decision, Outcome, Rule
from harness.iam.parse import parse_policy
from harness.iam.policy import TRUST_ACTIONS, Policy, PolicyType

GET_CALLER_IDENTITY_PAGE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
GET_SESSION_TOKEN_PAGE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html"
PROTECTED_ROLES_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"
RESERVED_ROLES_PAGE = "https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html"
AWS_MANAGED_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies"
KMS_ALIAS_PAGE = "https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html"
KEY_POLICY_PAGE = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"
DEFAULT_KEY_POLICY_PAGE = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"

# "No permissions are required to perform this operation. If an administrator attaches a policy
# to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can
# still perform this operation." (GetCallerIdentity). "No permissions are required for users to
# perform this operation. [...] You cannot use policies to control authentication operations."
# (GetSessionToken)
_ALWAYS_ALLOWED = {
    "sts:getcalleridentity": GET_CALLER_IDENTITY_PAGE,
    "sts:getsessiontoken": GET_SESSION_TOKEN_PAGE,
}

# Roles only their service changes: IAM Identity Center's (path /aws-reserved/) and
# service-linked roles (path /aws-service-role/). IAM answers UnmodifiableEntity.
_PROTECTED_ROLE = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/(aws-reserved|aws-service-role)/"
                             r"(?:.*/)?(?P<name>[^/]+)")
_ROLE_CHANGES = frozenset(f"iam:{name}".lower() for name in (
    "CreateRole", "DeleteRole", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy",
    "AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy",
    "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "TagRole", "UntagRole",
    "PassRole",
))
# "You cannot change the permissions defined in AWS managed policies."
_AWS_MANAGED_POLICY = re.compile(r"arn:aws[a-z-]*:iam::aws:policy/.+")
_POLICY_CHANGES = frozenset(f"iam:{name}".lower() for name in (
    "CreatePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion",
    "DeletePolicy", "TagPolicy", "UntagPolicy",
))
# "The alias name for a customer managed key cannot begin with alias/aws/. The alias/aws/
# prefix is reserved for AWS managed key."
_AWS_ALIAS = re.compile(r"arn:aws[a-z-]*:kms:[^:]*:[0-9]{12}:alias/aws/.*")
_ALIAS_CHANGES = frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"})
_WILDCARDS = frozenset("*?")
_KMS_KEY = re.compile(r"arn:aws[a-z-]*:kms:[^:]*:(?P<account>[0-9]{12}):key/.+")


def before(question: Question, request: Request) -> Decision | None:
    """A decision no policy can change, taken before any policy is read; None otherwise."""
    page = _ALWAYS_ALLOWED.get(question.action.lower())
    # Only a principal of an account holds credentials to sign these calls with.
    if page is None or question.caller.kind in ACCOUNTLESS:
        return None
    return Decision(outcome=Outcome.ALLOWED, request=request,
                    rule=Rule("no permissions required", page))


def after(question: Question, decision: Decision) -> Decision:
    """The decision once the service has validated what the policies allowed: a protected
    entity refuses the change whatever the policies say. A denial stands as it is (AWS
    authorises before it validates)."""
    if not decision.allowed:
        return decision
    rule = _protected(question, decision)
    if rule is None:
        return decision
    return replace(decision, outcome=Outcome.EXPLICIT_DENY, denied_by=None, deciding=(),
                   rule=rule)


def _protected(question: Question, decision: Decision) -> Rule | None:
    action, resource = question.action.lower(), question.resource
    if action in _ROLE_CHANGES and (found := _PROTECTED_ROLE.fullmatch(resource)):
        page = RESERVED_ROLES_PAGE if found[1] == "aws-reserved" else PROTECTED_ROLES_PAGE
        if action == "iam:passrole":
            return Rule("protected role", page, "AccessDenied",
                        f"{_denied(question)} because the role {found['name']} is a protected "
                        "role that only AWS may pass", 403)
        return Rule("protected role", page, "UnmodifiableEntity",
                    f"Cannot perform the operation on the protected role '{found['name']}' - "
                    "this role is only modifiable by AWS")
    if action in _POLICY_CHANGES and _AWS_MANAGED_POLICY.fullmatch(resource):
        return Rule("AWS managed policy", AWS_MANAGED_PAGE, "AccessDenied",
                    f"{_denied(question)} because AWS managed policies can be changed only by "
                    "AWS", 403)
    if action in _ALIAS_CHANGES and _AWS_ALIAS.fullmatch(resource):
        alias = resource.split(":", 5)[5]
        if action == "kms:createalias":
            return Rule("AWS managed key alias", KMS_ALIAS_PAGE, "InvalidAliasNameException",
                        f"Alias {alias} must not begin with alias/aws/: the prefix is reserved "
                        "for AWS managed keys")
        return Rule("AWS managed key alias", KMS_ALIAS_PAGE, "AccessDeniedException",
                    f"{_denied(question)} because {alias} is the alias of an AWS managed key",
                    400)
    return None


def _denied(question: Question) -> str:
    return (f"User: {question.caller.label} is not authorized to perform: {question.action} "
            f"on resource: {question.resource}")


def resource_policy_required(question: Question, resource: Policy | None) -> bool:
    """Requests only a resource policy can let in: assuming a role whose trust policy is known
    (an identity policy of the caller's account is not enough, even in the same account), and
    any use of a KMS key ("No AWS principal, including the account root user or key creator,
    has any permissions to a KMS key unless they are explicitly allowed [...] in a key
    policy": KEY_POLICY_PAGE)."""
    if question.action.lower() in TRUST_ACTIONS and resource is not None:
        return True
    return question.service == "kms" and _KMS_KEY.fullmatch(question.resource) is not None


def default_resource_policy(question: Question, owner: str | None) -> Policy | None:
    """The policy a resource has when it was created without one: AWS's default key policy for
    a KMS key (it delegates to the account's IAM policies: DEFAULT_KEY_POLICY_PAGE)."""
    found = _KMS_KEY.fullmatch(question.resource) if question.service == "kms" else None
    if found is None or _WILDCARDS & set(question.resource):
        # "key/*" names no key: whose policy decides is not known, and no default stands in
        # for it — the request stays without a key policy, denied.
        return None
    partition = question.resource.split(":")[1]
    return _default_key_policy(partition, owner or found["account"])


@cache
def _default_key_policy(partition: str, account: str) -> Policy:
    document = json.dumps(reference.default_key_policy(partition, account))
    return parse_policy(document, PolicyType.RESOURCE, name="default key policy")


def names_no_resource(question: Question) -> bool:
    """Whether the action has no resource type in the Service Authorization Reference
    (s3:ListAllMyBuckets, sqs:ListQueues): then the RCPs of the caller's account apply.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-effects-on-permissions
    """
    if question.resource != "*":
        return False
    service, _, name = question.action.partition(":")
    found = reference.action(service.lower(), name)
    return found is not None and not found.resources
