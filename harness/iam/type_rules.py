"""What each policy type allows where it departs from the common grammar, and its size quota.

- quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
- SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
- RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from harness.iam.errors import PolicyValidationError
from harness.iam.policy import PolicyType

__all__ = ["DEFAULT_MAX_SIZE", "RULES", "TypeRules", "check_size", "policy_size"]

# Size quotas, in characters. IAM: managed policies 6,144, role trust policies 2,048 by default
# (reference_iam-quotas.md; inline policies share 2,048/5,120/10,240 per user/group/role — the
# managed figure is the one a single identity policy or boundary must meet). Session policies:
# 2,048 (same page, "Role session policies"). SCPs and RCPs: 5,120
# (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
# Resource policies differ by service; S3's 20 KB bucket-policy limit is the default
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html), callers pass
# max_size for others (SQS 8 KB, SNS 30 KB, KMS 32 KB, ...).
DEFAULT_MAX_SIZE: Mapping[PolicyType, int] = MappingProxyType(
    {
        PolicyType.IDENTITY: 6144,
        PolicyType.BOUNDARY: 6144,
        PolicyType.TRUST: 2048,
        PolicyType.SESSION: 2048,
        PolicyType.SCP: 5120,
        PolicyType.RCP: 5120,
        PolicyType.RESOURCE: 20480,
    }
)


@dataclass(frozen=True, slots=True)
class TypeRules:
    """What a policy type allows, where it departs from the common grammar."""

    principal: Literal["forbidden", "required", "wildcard-only"]
    not_principal: bool  # NotPrincipal allowed in place of Principal
    resource: Literal["required", "prohibited"]
    not_action: bool
    version_required: bool  # "Version": "2012-10-17" must be present
    sid_alphanumeric: bool
    sid_unique: bool
    latin1_only: bool  # IAM/STS character set for the document text
    whitespace_counts: bool  # towards the size quota
    sts_actions_only: bool
    allow_only_full_access: bool


# IAM's own policies. "You cannot use the Principal element in an identity-based policy"
# (reference_policies_elements_principal.md); Sid: "In IAM, the Sid value must be unique within
# a JSON policy" and "supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers
# (0-9)" (reference_policies_elements_sid.md); "Policy documents can contain only the following
# Unicode characters: horizontal tab (U+0009), linefeed (U+000A), carriage return (U+000D), and
# characters in the range U+0020 to U+00FF" and "IAM does not count white space when calculating
# the size of a policy" (reference_iam-quotas.md). STS's Policy parameter has the same pattern.
_IAM = TypeRules(
    principal="forbidden",
    not_principal=False,
    resource="required",
    not_action=True,
    version_required=False,
    sid_alphanumeric=True,
    sid_unique=True,
    latin1_only=True,
    whitespace_counts=False,
    sts_actions_only=False,
    allow_only_full_access=False,
)

RULES: Mapping[PolicyType, TypeRules] = MappingProxyType(
    {
        PolicyType.IDENTITY: _IAM,
        PolicyType.BOUNDARY: _IAM,
        PolicyType.SESSION: _IAM,
        # A trust policy names who may assume the role; IAM refuses a Resource in it ("Has
        # prohibited field Resource.") and any action outside sts:; NotPrincipal is refused too:
        # "You cannot use the NotPrincipal element in an IAM identity-based policy nor in an IAM
        # role trust policy" (reference_policies_elements_notprincipal.md).
        PolicyType.TRUST: replace(
            _IAM, principal="required", resource="prohibited", sts_actions_only=True
        ),
        # Resource policies belong to the services: S3 accepts Sids such as "Allow get requests"
        # and does not demand unique Sids, so neither IAM Sid rule nor IAM's character set applies.
        PolicyType.RESOURCE: replace(
            _IAM,
            principal="required",
            not_principal=True,
            sid_alphanumeric=False,
            sid_unique=False,
            latin1_only=False,
        ),
        # SCPs: the full IAM language since September 2025 (Condition, NotAction, NotResource and
        # resource ARNs in Allow statements too), but still no Principal or NotPrincipal. "Every
        # SCP must include a Version element with the value 2012-10-17" and "All characters in
        # your SCP count against its maximum size" (orgs_manage_policies_scps_syntax).
        PolicyType.SCP: replace(
            _IAM,
            version_required=True,
            sid_alphanumeric=False,
            latin1_only=False,
            whitespace_counts=True,
        ),
        # RCPs: Principal must be "*" (principals are narrowed with conditions), no NotPrincipal
        # or NotAction, "The effect of Allow is only supported for the RCPFullAWSAccess policy",
        # Version 2012-10-17 required, every character counts (orgs_manage_policies_rcps_syntax).
        PolicyType.RCP: replace(
            _IAM,
            principal="wildcard-only",
            not_action=False,
            version_required=True,
            sid_alphanumeric=False,
            latin1_only=False,
            whitespace_counts=True,
            allow_only_full_access=True,
        ),
    }
)


def policy_size(document_text: str) -> int:
    """The characters of a document as IAM counts them against its quotas: white space is not
    counted (reference_iam-quotas.md). White space is the four JSON white-space characters, the
    only ones a policy document may contain."""
    return len(document_text) - sum(document_text.count(c) for c in " \t\n\r")


def check_size(text: str, rules: TypeRules, limit: int) -> None:
    """Refuse a document whose text is over `limit` characters as its type counts them."""
    size = len(text) if rules.whitespace_counts else policy_size(text)
    if size > limit:
        # AWS's words (IAM's LimitExceeded message), then the count it does not give.
        raise PolicyValidationError(f"Cannot exceed quota for PolicySize: {limit} (size {size})")
