"""Policy documents → the validated model of `harness.iam.policy`, or a PolicyValidationError that
names the place.

The rules are AWS's, each cited where it is applied:

- grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
  (one page per element: _version, _id, _statement, _sid, _effect, _principal, _notprincipal,
  _action, _notaction, _resource, _notresource, _condition)
- quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
- SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
- RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html

Where AWS answers with a message of its own (IAM's MalformedPolicyDocument texts, as moto's
iam/policy_validation.py reproduces them), the problem uses AWS's words, prefixed by the value at
fault when AWS does not name it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from itertools import accumulate
from types import MappingProxyType
from typing import Any, Literal

from harness.iam.conditions import is_known_operator, validate_condition_values
from harness.iam.errors import PolicyValidationError
from harness.iam.policy import (
    VERSION_2008,
    VERSION_2012,
    Condition,
    Effect,
    Policy,
    PolicyType,
    PrincipalSpec,
    Statement,
)

__all__ = [
    "DEFAULT_MAX_SIZE",
    "MAX_DOCUMENT_CHARS",
    "MAX_NESTING",
    "loads_strict",
    "parse_policy",
    "policy_size",
]

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

# Inputs beyond these are refused before any parsing: no policy comes near them (the largest
# quota is 20 KB; the deepest legal document nests six levels: document, Statement list,
# statement, Condition, operator, value list), and the json module parses recursively.
MAX_DOCUMENT_CHARS = 1_048_576
MAX_NESTING = 64


# --- Policy types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
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
_IAM = _Rules(
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

_RULES: Mapping[PolicyType, _Rules] = MappingProxyType(
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


# --- Entry points ------------------------------------------------------------------------------


def parse_policy(
    document: str | bytes | Mapping[str, Any],
    policy_type: PolicyType,
    name: str = "",
    *,
    max_size: int | None = None,
    source: str | None = None,
) -> Policy:
    """Validate a policy document as AWS would for `policy_type` and return its model.

    `document` is JSON text (bytes are read as UTF-8) or an already-parsed mapping. `max_size`
    overrides the size quota of DEFAULT_MAX_SIZE. Every failure is a PolicyValidationError.
    """
    try:
        return _parse(document, policy_type, name, max_size, source)
    except PolicyValidationError as error:
        raise error.in_policy(name) from None
    except Exception as error:
        # Fail closed with the one error type callers handle: whatever slipped past the checks
        # must not surface as a KeyError deep inside the gateway.
        problem = f"cannot read the document ({type(error).__name__}: {error})"
        raise PolicyValidationError(problem, "", name) from error


def loads_strict(text: str | bytes) -> Any:
    """json.loads, refusing what IAM refuses: duplicate keys (naming the key and its path),
    NaN and Infinity, absurd size or nesting. Errors are PolicyValidationErrors; a JSON syntax
    error reads 'not JSON: <reason> at line L column C'."""
    return _loads(_as_text(text), keep_numbers=False)


def policy_size(document_text: str) -> int:
    """The characters of a document as IAM counts them against its quotas: white space is not
    counted (reference_iam-quotas.md). White space is the four JSON white-space characters, the
    only ones a policy document may contain."""
    return len(document_text) - sum(document_text.count(c) for c in " \t\n\r")


def _parse(
    document: object,
    policy_type: PolicyType,
    name: str,
    max_size: int | None,
    source: str | None,
) -> Policy:
    if not isinstance(policy_type, PolicyType):
        raise PolicyValidationError(f"unknown policy type {policy_type!r}")
    rules = _RULES[policy_type]
    if isinstance(document, (str, bytes)):
        text = _as_text(document)
        if rules.latin1_only:
            _check_latin1(text)
        raw = _loads(text, keep_numbers=True)
    elif isinstance(document, Mapping):
        raw = _plain(document, "", 0)
        # The size of a parsed document is that of the compact JSON a client would send.
        text = _compact_json(raw)
        _check_length(len(text))
    else:
        raise PolicyValidationError(
            f"a policy document is JSON text or a mapping, not {type(document).__name__}"
        )
    policy = _read_document(raw, policy_type, rules, name, source)
    _check_size(text, rules, DEFAULT_MAX_SIZE[policy_type] if max_size is None else max_size)
    return policy


# --- JSON --------------------------------------------------------------------------------------


class _Number:
    """A JSON number kept as written. AWS reads condition values as strings, so 1.50 stays
    "1.50" and 1e2 stays "1e2", where float() would make them "1.5" and "100.0"."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _ObjectWithDuplicate(dict[str, Any]):
    """An object in which a key appears twice; IAM refuses it: "Individual elements must not
    contain multiple instances of the same key" (grammar notes). `duplicate` is the key."""

    duplicate: str


class _NonFiniteNumber(Exception):
    pass


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_CONSTANT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(NaN|-?Infinity)', re.DOTALL)
_NOT_LATIN1 = re.compile(r"[^\t\n\r\x20-\xff]")


def _as_text(document: str | bytes) -> str:
    if isinstance(document, bytes):
        _check_length(len(document))
        try:
            return document.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PolicyValidationError(
                f"not UTF-8: {error.reason}", f"byte {error.start}"
            ) from None
    if not isinstance(document, str):
        raise PolicyValidationError(f"not JSON text: {type(document).__name__}")
    _check_length(len(document))
    return document


def _check_length(length: int) -> None:
    if length > MAX_DOCUMENT_CHARS:
        raise PolicyValidationError(
            f"a document of {length} characters is far beyond any policy size quota "
            f"(refused above {MAX_DOCUMENT_CHARS})"
        )


def _check_nesting(text: str) -> None:
    # Fewer opening brackets than the limit can't nest deeper than it: skip the scan.
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return
    # Brackets inside strings do not nest; strip the strings, then follow the depth.
    brackets = _BRACKET.findall(_STRING.sub("", text))
    depth = max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)
    if depth > MAX_NESTING:
        raise PolicyValidationError(f"nesting deeper than {MAX_NESTING} levels")


def _check_latin1(text: str) -> None:
    found = _NOT_LATIN1.search(text)
    if found:
        raise PolicyValidationError(
            f"character U+{ord(found.group()):04X} is not allowed: IAM policy documents may contain"
            " only tab, line feed, carriage return and characters U+0020 to U+00FF",
            _line_column(text, found.start()),
        )


def _loads(text: str, *, keep_numbers: bool) -> Any:
    _check_nesting(text)
    duplicates_seen = False

    def make_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates_seen
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        duplicates_seen = True
        marked = _ObjectWithDuplicate(pairs)
        marked.duplicate = _first_repeated([key for key, _ in pairs])
        return marked

    number = _Number if keep_numbers else None
    try:
        value = json.loads(
            text,
            object_pairs_hook=make_object,
            parse_int=number,
            parse_float=number,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        # json says "Unterminated string starting at"; the place follows in `where`.
        problem = f"not JSON: {error.msg.removesuffix(' at')}"
        raise PolicyValidationError(problem, where) from None
    except _NonFiniteNumber as error:
        problem = f"not JSON: {error} is not a number JSON allows"
        raise PolicyValidationError(problem, _constant_location(text)) from None
    except (ValueError, RecursionError) as error:  # e.g. an integer too long for int()
        raise PolicyValidationError(f"not JSON: {error}") from None
    if duplicates_seen:
        _raise_first_duplicate(value)
    return value


def _reject_constant(name: str) -> Any:
    raise _NonFiniteNumber(name)


def _constant_location(text: str) -> str:
    for found in _CONSTANT.finditer(text):
        if found.group(1):
            return _line_column(text, found.start(1))
    return ""


def _line_column(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    return f"line {line} column {column}"


def _first_repeated(keys: list[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _raise_first_duplicate(value: Any, path: str = "") -> None:
    """Raise for the first object holding a duplicate key, in document order (depth-bounded by
    _check_nesting)."""
    if isinstance(value, _ObjectWithDuplicate):
        raise PolicyValidationError(
            f'Duplicate key "{value.duplicate}"', _child(path, value.duplicate)
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _raise_first_duplicate(item, _child(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _raise_first_duplicate(item, f"{path}[{index}]")


def _plain(value: Any, path: str, depth: int) -> Any:
    """A caller's already-parsed document as the values _loads gives: dict, list, str, bool,
    _Number, None. Anything JSON cannot hold is refused here, with its place."""
    if depth > MAX_NESTING:
        raise PolicyValidationError(f"nesting deeper than {MAX_NESTING} levels", path)
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        try:
            return _Number(str(value))
        except ValueError:  # more digits than int→str allows
            raise PolicyValidationError("integer too long", path) from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PolicyValidationError(f"not JSON: {value} is not a number JSON allows", path)
        return _Number(repr(value))
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise PolicyValidationError(f"object key {key!r} is not a string", path)
            plain[key] = _plain(item, _child(path, key), depth + 1)
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    raise PolicyValidationError(f"a {type(value).__name__} is not a JSON value", path)


def _compact_json(value: Any) -> str:
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, dict):
        members = (f"{json.dumps(key)}:{_compact_json(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact_json(item) for item in value) + "]"
    return json.dumps(value)


def _check_size(text: str, rules: _Rules, limit: int) -> None:
    size = len(text) if rules.whitespace_counts else policy_size(text)
    if size > limit:
        # AWS's words (IAM's LimitExceeded message), then the count it does not give.
        raise PolicyValidationError(f"Cannot exceed quota for PolicySize: {limit} (size {size})")


# --- The document ------------------------------------------------------------------------------

_DOCUMENT_ELEMENTS = ("Version", "Id", "Statement")
_STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def _read_document(
    raw: Any, policy_type: PolicyType, rules: _Rules, name: str, source: str | None
) -> Policy:
    if not isinstance(raw, dict):
        raise PolicyValidationError(f"a policy document must be a JSON object, not {_kind(raw)}")
    for key in raw:
        if key not in _DOCUMENT_ELEMENTS:
            raise PolicyValidationError(
                f'Unknown element "{key}": a policy holds only Version, Id and Statement', key
            )
    version = _read_version(raw, policy_type, rules)
    document_id = _read_id(raw)
    statements = _read_statements(raw, policy_type, rules)
    return Policy(
        name=name,
        policy_type=policy_type,
        statements=statements,
        version=version,
        document_id=document_id,
        source=source,
    )


def _read_version(raw: dict[str, Any], policy_type: PolicyType, rules: _Rules) -> str:
    if "Version" not in raw:
        if rules.version_required:
            raise PolicyValidationError(
                f'Missing required field Version: {_a(policy_type)} needs "Version": '
                f'"{VERSION_2012}"'
            )
        # Without Version, AWS reads the document as the 2008-10-17 language: "variables like
        # ${aws:username} are treated as literal strings" (reference_policies_variables.md).
        return VERSION_2008
    version = raw["Version"]
    if not isinstance(version, str):
        raise _wrong_type(version, "a string", "Version")
    allowed = (VERSION_2012,) if rules.version_required else (VERSION_2012, VERSION_2008)
    if version not in allowed:
        choices = " or ".join(f'"{v}"' for v in allowed)
        raise PolicyValidationError(
            f'Invalid Version "{version}": {_a(policy_type)} must use {choices}', "Version"
        )
    return version


def _read_id(raw: dict[str, Any]) -> str | None:
    # The grammar notes say the Id block "must not be included in identity-based policies", but
    # the Id element page sets no such limit and moto's IAM validator (modelled on IAM's answers)
    # takes it; we accept it everywhere and check only its type.
    if "Id" not in raw:
        return None
    document_id = raw["Id"]
    if not isinstance(document_id, str):
        raise _wrong_type(document_id, "a string", "Id")
    return document_id


def _read_statements(
    raw: dict[str, Any], policy_type: PolicyType, rules: _Rules
) -> tuple[Statement, ...]:
    if "Statement" not in raw:
        raise PolicyValidationError("Missing required field Statement")
    value = raw["Statement"]
    # "Statement": {...} is a single statement; its place is named "Statement".
    if isinstance(value, dict):
        placed = [(value, "Statement")]
    elif isinstance(value, list):
        if not value:
            raise PolicyValidationError("Statement must hold at least one statement", "Statement")
        placed = [(item, f"Statement[{index}]") for index, item in enumerate(value)]
    else:
        raise _wrong_type(value, "an object or a list of objects", "Statement")

    statements: list[Statement] = []
    sid_places: dict[str, str] = {}
    for index, (item, location) in enumerate(placed):
        statement = _read_statement(item, index, location, policy_type, rules)
        if rules.sid_unique and statement.sid:
            if statement.sid in sid_places:
                raise PolicyValidationError(
                    "Statement IDs (SID) in a single policy must be unique. "
                    f'"{statement.sid}" is also the Sid of {sid_places[statement.sid]}',
                    f"{location}.Sid",
                )
            sid_places[statement.sid] = location
        statements.append(statement)
    return tuple(statements)


# --- A statement -------------------------------------------------------------------------------


def _read_statement(
    raw: Any, index: int, location: str, policy_type: PolicyType, rules: _Rules
) -> Statement:
    if not isinstance(raw, dict):
        raise _wrong_type(raw, "an object", location)
    sid = _read_sid(raw, location, rules)
    if sid:
        location = f'{location} (Sid "{sid}")'
    for key in raw:
        if key not in _STATEMENT_ELEMENTS:
            raise PolicyValidationError(
                f'Unknown element "{key}": a statement holds only {", ".join(_STATEMENT_ELEMENTS)}',
                f"{location}.{key}",
            )
    effect = _read_effect(raw, location)
    principal, not_principal = _read_principals(raw, location, effect, policy_type, rules)
    actions, not_actions = _read_actions(raw, location, policy_type, rules)
    resources, not_resources = _read_resources(raw, location, rules)
    conditions = _read_conditions(raw, location)
    full_access = actions == ("*",) and resources == ("*",) and not conditions
    if rules.allow_only_full_access and effect is Effect.ALLOW and not full_access:
        raise PolicyValidationError(
            'Allow is supported only in RCPFullAWSAccess ("Principal": "*", "Action": "*",'
            ' "Resource": "*", no Condition); an RCP restricts with Deny statements',
            f"{location}.Effect",
        )
    return Statement(
        index=index,
        effect=effect,
        sid=sid,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
    )


_IAM_SID = re.compile(r"[0-9A-Za-z]*")


def _read_sid(raw: dict[str, Any], location: str, rules: _Rules) -> str | None:
    if "Sid" not in raw:
        return None
    sid = raw["Sid"]
    if not isinstance(sid, str):
        raise _wrong_type(sid, "a string", f"{location}.Sid")
    if rules.sid_alphanumeric and not _IAM_SID.fullmatch(sid):
        raise PolicyValidationError(
            f'Invalid Sid "{sid}": Statement IDs (SID) must be alpha-numeric. Check that your input'
            " satisfies the regular expression [0-9A-Za-z]*",
            f"{location}.Sid",
        )
    return sid


def _read_effect(raw: dict[str, Any], location: str) -> Effect:
    if "Effect" not in raw:
        raise PolicyValidationError("Missing required field Effect", location)
    effect = raw["Effect"]
    if not isinstance(effect, str):
        raise _wrong_type(effect, "a string", f"{location}.Effect")
    # Case matters: IAM answers "allow" with "The policy failed legacy parsing".
    if effect not in (Effect.ALLOW.value, Effect.DENY.value):
        raise PolicyValidationError(
            f'Invalid Effect "{effect}": must be "Allow" or "Deny"', f"{location}.Effect"
        )
    return Effect(effect)


def _one_of(raw: dict[str, Any], element: str, location: str) -> str | None:
    """Which of `element` / `Not<element>` the statement holds; both is an error."""
    present = [key for key in (element, f"Not{element}") if key in raw]
    if len(present) == 2:
        raise PolicyValidationError(
            f"a statement holds {element} or Not{element}, not both", f"{location}.Not{element}"
        )
    return present[0] if present else None


# --- Principal ---------------------------------------------------------------------------------


def _read_principals(
    raw: dict[str, Any], location: str, effect: Effect, policy_type: PolicyType, rules: _Rules
) -> tuple[PrincipalSpec | None, PrincipalSpec | None]:
    key = _one_of(raw, "Principal", location)
    if rules.principal == "forbidden":
        if key:
            # IAM's words for a Principal in an identity policy.
            raise PolicyValidationError(
                "Policy document should not specify a principal.", f"{location}.{key}"
            )
        return None, None
    if key is None:
        raise PolicyValidationError("Missing required field Principal", location)
    where = f"{location}.{key}"
    if key == "NotPrincipal":
        if not rules.not_principal:
            raise PolicyValidationError(
                f"NotPrincipal is not supported in {_a(policy_type)}", where
            )
        # "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
        # supported." (reference_policies_elements_notprincipal.md)
        if effect is not Effect.DENY:
            raise PolicyValidationError('NotPrincipal must be used with "Effect": "Deny"', where)
    if rules.principal == "wildcard-only" and raw[key] != "*":
        raise PolicyValidationError(
            f'Principal must be "*" in {_a(policy_type)}; narrow it with conditions such as'
            " aws:PrincipalOrgID",
            where,
        )
    spec = _read_principal(raw[key], where)
    return (spec, None) if key == "Principal" else (None, spec)


_ACCOUNT = r"\d{12}"
_PARTITION = r"aws(?:-[a-z]+)*"
_IAM_NAME = r"[\w+=,.@-]+"
_AWS_PRINCIPAL = re.compile(
    # reference_policies_elements_principal.md: an account id or its root ARN, an IAM user or
    # role (with path), an assumed-role session, a federated-user session — and the legacy
    # CloudFront origin access identity that S3 bucket policies name.
    rf"{_ACCOUNT}"
    rf"|arn:{_PARTITION}:iam::{_ACCOUNT}:(?:root|(?:user|role)/(?:[\x21-\x7e]*/)?{_IAM_NAME})"
    rf"|arn:{_PARTITION}:sts::{_ACCOUNT}:(?:assumed-role/{_IAM_NAME}/{_IAM_NAME}"
    rf"|federated-user/{_IAM_NAME})"
    r"|arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity [A-Z0-9]+",
    re.ASCII,
)
# Service principals ("lambda.amazonaws.com", "logs.eu-west-1.amazonaws.com") and web identity
# providers ("accounts.google.com", "cognito-identity.amazonaws.com") are host names.
_HOST_NAME = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.ASCII)
_PROVIDER_ARN = re.compile(
    rf"arn:{_PARTITION}:iam::{_ACCOUNT}:(?:saml-provider/[\w.-]+|oidc-provider/[\x21-\x7e]+)",
    re.ASCII,
)
_CANONICAL_USER = re.compile(r"[0-9a-fA-F]{64}")


def _is_aws_principal(value: str) -> bool:
    return value == "*" or _AWS_PRINCIPAL.fullmatch(value) is not None


def _is_federated_principal(value: str) -> bool:
    return (_PROVIDER_ARN if value.startswith("arn:") else _HOST_NAME).fullmatch(value) is not None


_PRINCIPAL_KINDS: Mapping[str, Callable[[str], bool]] = {
    "AWS": _is_aws_principal,
    "Service": lambda value: _HOST_NAME.fullmatch(value) is not None,
    "Federated": _is_federated_principal,
    "CanonicalUser": lambda value: _CANONICAL_USER.fullmatch(value) is not None,
}


def _read_principal(value: Any, where: str) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(wildcard=True)
    if not isinstance(value, dict):
        raise _wrong_type(value, '"*" or an object such as {"AWS": ...}', where)
    if not value:
        raise PolicyValidationError("a Principal must name at least one principal", where)
    entries: list[tuple[str, tuple[str, ...]]] = []
    for kind, listed in value.items():
        here = f"{where}.{kind}"
        is_valid = _PRINCIPAL_KINDS.get(kind)
        if is_valid is None:
            raise PolicyValidationError(
                f'Unknown principal type "{kind}": use AWS, Service, Federated or CanonicalUser',
                here,
            )
        placed = _strings(listed, here, f"{kind} must list at least one principal")
        for principal, at in placed:
            # "You cannot use a wildcard to match part of a principal name or ARN."
            partial_wildcard = principal != "*" and ("*" in principal or "?" in principal)
            if partial_wildcard or not is_valid(principal):
                raise PolicyValidationError(
                    f'Invalid principal in policy: "{kind}":"{principal}"', at
                )
        entries.append((kind, tuple(principal for principal, _ in placed)))
    # {"AWS": "*"} is everyone, like "*" (reference_policies_elements_principal.md, All principals).
    wildcard = any(kind == "AWS" and "*" in values for kind, values in entries)
    return PrincipalSpec(wildcard=wildcard, entries=tuple(entries))


# --- Action ------------------------------------------------------------------------------------

_VENDOR = re.compile(r"[A-Za-z0-9.-]+")
_ACTION_NAME = re.compile(r"[A-Za-z0-9*?-]+")


def _read_actions(
    raw: dict[str, Any], location: str, policy_type: PolicyType, rules: _Rules
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    key = _one_of(raw, "Action", location)
    if key is None:
        raise PolicyValidationError("Policy statement must contain actions.", location)
    where = f"{location}.{key}"
    if key == "NotAction" and not rules.not_action:
        raise PolicyValidationError(f"NotAction is not supported in {_a(policy_type)}", where)
    placed = _strings(raw[key], where, "Policy statement must contain actions.")
    for action, at in placed:
        _check_action(action, at)
        if rules.sts_actions_only and key == "Action" and not action.lower().startswith("sts:"):
            raise PolicyValidationError(
                f'Invalid action "{action}": a role trust policy allows only sts: actions'
                " (sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity,"
                " sts:TagSession, ...)",
                at,
            )
    actions = tuple(action for action, _ in placed)
    return (actions, None) if key == "Action" else (None, actions)


def _check_action(action: str, where: str) -> None:
    """ "service:action" with wildcards, or "*" (grammar, action_string). The vendor rules and
    messages are IAM's; the action name must be what AWS action names are made of."""
    if action == "*":
        return
    if not action:
        raise PolicyValidationError('Invalid action "": an action must not be empty', where)
    vendor, colon, name = action.partition(":")
    if not colon:
        raise PolicyValidationError(
            f'Invalid action "{action}": Actions/Conditions must be prefaced by a vendor, e.g.,'
            " iam, sdb, ec2, etc.",
            where,
        )
    if ":" in name:
        raise PolicyValidationError(
            f'Invalid action "{action}": Actions/Condition can contain only one colon.', where
        )
    if vendor != "*" and not _VENDOR.fullmatch(vendor):
        raise PolicyValidationError(
            f'Invalid action "{action}": Vendor {vendor} is not valid', where
        )
    if not _ACTION_NAME.fullmatch(name):
        raise PolicyValidationError(
            f'Invalid action "{action}": the action name must be letters, digits, hyphens and the'
            " wildcards * and ?",
            where,
        )


# --- Resource ----------------------------------------------------------------------------------

_PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)


def _read_resources(
    raw: dict[str, Any], location: str, rules: _Rules
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    key = _one_of(raw, "Resource", location)
    if rules.resource == "prohibited":
        if key:
            raise PolicyValidationError(f"Has prohibited field {key}.", f"{location}.{key}")
        return None, None
    if key is None:
        raise PolicyValidationError("Policy statement must contain resources.", location)
    placed = _strings(raw[key], f"{location}.{key}", "Policy statement must contain resources.")
    for resource, at in placed:
        _check_resource(resource, at)
    resources = tuple(resource for resource, _ in placed)
    return (resources, None) if key == "Resource" else (None, resources)


def _check_resource(resource: str, where: str) -> None:
    """ "*" or arn:partition:service:region:account:resource, wildcards allowed; the resource
    part may hold further colons. Messages are IAM's."""
    if resource == "*":
        return
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        raise PolicyValidationError(f'Resource {resource} must be in ARN format or "*".', where)
    partition, vendor = parts[1], parts[2]
    if partition != "*" and partition not in _PARTITIONS:
        raise PolicyValidationError(
            f'Partition "{partition}" is not valid for resource "{resource}".', where
        )
    if not vendor:
        raise PolicyValidationError(
            f"Resource {resource}: Resource vendor must be fully qualified and cannot contain"
            " regexes.",
            where,
        )


# --- Condition ---------------------------------------------------------------------------------


def _read_conditions(raw: dict[str, Any], location: str) -> tuple[Condition, ...]:
    if "Condition" not in raw:
        return ()
    where = f"{location}.Condition"
    block = raw["Condition"]
    if not isinstance(block, dict):
        raise _wrong_type(block, "an object of condition operators", where)
    conditions: list[Condition] = []
    for operator, keys in block.items():
        at_operator = f"{where}.{operator}"
        if not is_known_operator(operator):
            raise PolicyValidationError(f"Invalid Condition type : {operator}", at_operator)
        if not isinstance(keys, dict):
            raise _wrong_type(keys, "an object of condition keys", at_operator)
        for key, listed in keys.items():
            at_key = f"{at_operator}.{key}"
            values = _condition_values(listed, at_key)
            # The operator family judges its values (numbers for Numeric*, "true"/"false" for
            # Null and Bool, ...) and the key itself.
            problem = validate_condition_values(operator, key, values)
            if problem:
                raise PolicyValidationError(problem, at_key)
            conditions.append(Condition(operator=operator, key=key, values=values))
    return tuple(conditions)


def _condition_values(listed: Any, where: str) -> tuple[str, ...]:
    if not isinstance(listed, list):
        return (_condition_value(listed, where),)
    if not listed:
        raise PolicyValidationError("a condition key must list at least one value", where)
    return tuple(_condition_value(item, f"{where}[{index}]") for index, item in enumerate(listed))


def _condition_value(value: Any, where: str) -> str:
    # condition_value = ("string" | "number" | "Boolean") (grammar); AWS reads them as strings.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        return value.text
    raise _wrong_type(value, "a string, number or boolean", where)


# --- Helpers -----------------------------------------------------------------------------------


def _strings(value: Any, where: str, empty_problem: str) -> list[tuple[str, str]]:
    """A string or a non-empty list of strings, each with its place: the grammar's
    `"Action": <action_string>` or `[<action_string>, ...]`."""
    if isinstance(value, str):
        return [(value, where)]
    if not isinstance(value, list):
        raise _wrong_type(value, "a string or a list of strings", where)
    if not value:
        raise PolicyValidationError(empty_problem, where)
    placed: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, str):
            raise _wrong_type(item, "a string", at)
        placed.append((item, at))
    return placed


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, _Number):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _wrong_type(value: Any, expected: str, where: str) -> PolicyValidationError:
    return PolicyValidationError(f"expected {expected}, found {_kind(value)}", where)


def _a(policy_type: PolicyType) -> str:
    article = "an" if policy_type.value[0] in "aeiou" else "a"
    return f"{article} {policy_type.value}"
