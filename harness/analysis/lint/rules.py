"""The rules of `securecart lint`: each check's id, severity, title and explanation, in the order
they are documented (docs/analysis.md) and reported in SARIF."""

from __future__ import annotations

from harness.analysis.findings import STALE_RULE, Rule, Severity

UNKNOWN_SERVICE = "unknown-service"
UNKNOWN_ACTION = "unknown-action"
RESOURCE_TYPE_MISMATCH = "resource-type-mismatch"
ACTION_WITHOUT_RESOURCE_TYPES = "action-without-resource-types"
UNKNOWN_CONDITION_KEY = "unknown-condition-key"
CONDITION_TYPE_MISMATCH = "condition-type-mismatch"
FORALLVALUES_SINGLE_VALUED = "forallvalues-with-single-valued-key"
FORANYVALUE_SINGLE_VALUED = "foranyvalue-with-single-valued-key"
MISSING_SET_OPERATOR = "missing-set-operator"
UNSUPPORTED_CONDITION_KEY = "unsupported-condition-key"
ALLOW_WITH_NOT_ACTION = "allow-with-not-action"
ALLOW_WITH_NOT_RESOURCE = "allow-with-not-resource"
ADMIN_ACCESS = "admin-access"
PUBLIC_PRINCIPAL = "public-principal"
MISSING_MFA = "missing-mfa"
REDUNDANT_STATEMENT = "redundant-statement"

RULES: tuple[Rule, ...] = (
    Rule(
        UNKNOWN_SERVICE,
        Severity.ERROR,
        "Unknown service prefix",
        "The service prefix of an action is not in AWS's service authorization reference: the "
        "action matches no request, so an Allow grants nothing and a Deny (or a NotAction "
        "exemption) protects nothing. Usually a typo.",
    ),
    Rule(
        UNKNOWN_ACTION,
        Severity.ERROR,
        "Unknown action",
        "The action is not in AWS's service authorization reference for its service, or a "
        "wildcard matches no action of the service: the statement does not cover what it names.",
    ),
    Rule(
        RESOURCE_TYPE_MISMATCH,
        Severity.ERROR,
        "Resource ARN fits none of the action's resource types",
        "An action applies only to resources of the types the reference lists for it (e.g. "
        "s3:GetObject to objects, arn:aws:s3:::bucket/key, not to the bucket). When no resource "
        "of the statement can be of one of those types, the statement never applies to the "
        "action; a resource that fits none of the statement's actions applies to nothing.",
    ),
    Rule(
        ACTION_WITHOUT_RESOURCE_TYPES,
        Severity.ERROR,
        "Action without resource-level permissions given specific resources",
        "The reference lists no resource type for the action: it is authorised only against "
        "Resource \"*\", so a statement naming specific ARNs never applies to it.",
    ),
    Rule(
        UNKNOWN_CONDITION_KEY,
        Severity.ERROR,
        "Unknown condition key",
        "The condition key is neither a global aws: key, nor a key of its service in the "
        "reference, nor a key any action of the statement supports. A missing key makes most "
        "operators false (and negated ones true): the condition does not test what it means to.",
    ),
    Rule(
        CONDITION_TYPE_MISMATCH,
        Severity.ERROR,
        "Condition operator does not fit the key's type",
        "The operator compares values of another type than the reference gives the key (e.g. "
        "NumericLessThan on a String key, Bool on an ARN key, Date operators on non-dates): the "
        "values the key holds do not parse as the operator's type, so the comparison fails.",
    ),
    Rule(
        FORALLVALUES_SINGLE_VALUED,
        Severity.SECURITY,
        "ForAllValues with a single-valued key",
        "ForAllValues is true when every value of the request's key matches — and also when the "
        "request has no value for the key at all. On a key that holds at most one value (the "
        "reference gives it no ArrayOf type) it only adds that: an Allow grants requests without "
        "the key. Access Analyzer's security warning \"ForAllValues with single valued key\"; "
        "remove ForAllValues:.",
    ),
    Rule(
        FORANYVALUE_SINGLE_VALUED,
        Severity.WARNING,
        "ForAnyValue with a single-valued key",
        "AWS: \"Do not use a condition set operator with a single-valued context key\". On a "
        "single-valued key ForAnyValue is false when the key is missing, which turns a negated "
        "operator (ForAnyValue:StringNotEquals) into the opposite of the plain one for requests "
        "without the key. Remove ForAnyValue:.",
    ),
    Rule(
        MISSING_SET_OPERATOR,
        Severity.ERROR,
        "Multivalued key without a set operator",
        "The key can hold several values in one request (the reference types it ArrayOf…, e.g. "
        "aws:TagKeys, aws:PrincipalOrgPaths, aws:CalledVia): AWS requires ForAnyValue or "
        "ForAllValues to say how the request's values compare with the policy's. Access "
        "Analyzer's error \"Missing qualifier\". Null, which tests only presence, needs none.",
    ),
    Rule(
        UNSUPPORTED_CONDITION_KEY,
        Severity.ERROR,
        "Condition key that none of the statement's actions supports",
        "A service's condition key is in a request's context only for the actions that list it, "
        "themselves or through one of their resource types. When no action of the statement "
        "does, the key is always missing: an Allow it guards grants nothing (or everything, "
        "with IfExists or a negated operator), a Deny it guards protects nothing — as Access "
        "Analyzer's \"Deny with unsupported tag condition key for service\" warns for tags.",
    ),
    Rule(
        ALLOW_WITH_NOT_ACTION,
        Severity.SECURITY,
        "Allow with NotAction",
        "Allow with NotAction grants every action of every service except those listed, "
        "including services and actions AWS adds later. List the actions to allow instead.",
    ),
    Rule(
        ALLOW_WITH_NOT_RESOURCE,
        Severity.SECURITY,
        "Allow with NotResource",
        "Allow with NotResource grants the actions on every resource except those listed, "
        "including resources created later. List the resources to allow instead.",
    ),
    Rule(
        ADMIN_ACCESS,
        Severity.SECURITY,
        "Administrator access",
        "An Allow of \"*\", \"*:*\" or \"iam:*\" on every resource — or an AWS managed policy "
        "that is one (AdministratorAccess, IAMFullAccess) — grants full control of the account "
        "(iam:* lets the holder grant itself anything). SCPs, RCPs and permissions boundaries "
        "are not checked: they grant nothing. Accept it where the design intends it.",
    ),
    Rule(
        PUBLIC_PRINCIPAL,
        Severity.SECURITY,
        "Allow to any principal without a condition",
        "A resource or trust policy that allows Principal \"*\" (or {\"AWS\": \"*\"}) "
        "without a Condition opens the resource (or the role) to "
        "any AWS account, and for some services to anonymous callers. Name the principals, or "
        "restrict with aws:PrincipalOrgID, aws:SourceArn or aws:SourceAccount.",
    ),
    Rule(
        MISSING_MFA,
        Severity.SECURITY,
        "Permission set without the MFA deny",
        "Every permission set's inline policy must deny every action when "
        "aws:MultiFactorAuthPresent is false: a statement Deny \"*\" on \"*\" with "
        "BoolIfExists {aws:MultiFactorAuthPresent: false} and no other condition "
        "(docs/landscape.md, identity-center.yaml). Without it a session signed in without MFA "
        "keeps the permission set's access.",
    ),
    Rule(
        REDUNDANT_STATEMENT,
        Severity.SUGGESTION,
        "Redundant statement",
        "Another statement of the same effect in the same policy covers this one: its actions "
        "and resources include these (by wildcard), its principal is the same, and its "
        "conditions are the same or it has none. The statement changes nothing.",
    ),
    STALE_RULE,
)
RULE_IDS = frozenset(rule.id for rule in RULES)

SEVERITY = {rule.id: rule.severity for rule in RULES}
