"""Policy documents → the validated model of `harness.iam.policy`, or a PolicyValidationError that
names the place.

The rules are AWS's, each cited where it is applied:

- grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- elements: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
  (one page per element: _version, _id, _statement, _sid, _effect, _principal, _notprincipal,
  _action, _notaction, _resource, _notresource, _condition)
- what each policy type allows, and its size quota: `harness.iam.type_rules`
- the JSON text (duplicate keys, numbers, IAM's character set): `harness.iam.json_reader`

Where AWS answers with a message of its own (IAM's MalformedPolicyDocument texts, as moto's
iam/policy_validation.py reproduces them), the problem uses AWS's words, prefixed by the value at
fault when AWS does not name it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from harness.iam.conditions import is_known_operator, validate_condition_values
from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import Number, read_document
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
from harness.iam.type_rules import DEFAULT_MAX_SIZE, RULES, TypeRules, check_size

__all__ = ["parse_policy"]


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


def _parse(
    document: object,
    policy_type: PolicyType,
    name: str,
    max_size: int | None,
    source: str | None,
) -> Policy:
    if not isinstance(policy_type, PolicyType):
        raise PolicyValidationError(f"unknown policy type {policy_type!r}")
    rules = RULES[policy_type]
    raw, text = read_document(document, latin1_only=rules.latin1_only)
    policy = _read_document(raw, policy_type, rules, name, source, text)
    check_size(text, rules, DEFAULT_MAX_SIZE[policy_type] if max_size is None else max_size)
    return policy


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
    raw: Any, policy_type: PolicyType, rules: TypeRules, name: str, source: str | None,
    text: str,
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
        document=text,
    )


def _read_version(raw: dict[str, Any], policy_type: PolicyType, rules: TypeRules) -> str:
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
    raw: dict[str, Any], policy_type: PolicyType, rules: TypeRules
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
    raw: Any, index: int, location: str, policy_type: PolicyType, rules: TypeRules
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


def _read_sid(raw: dict[str, Any], location: str, rules: TypeRules) -> str | None:
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
    raw: dict[str, Any], location: str, effect: Effect, policy_type: PolicyType, rules: TypeRules
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
    raw: dict[str, Any], location: str, policy_type: PolicyType, rules: TypeRules
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
    raw: dict[str, Any], location: str, rules: TypeRules
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
    if isinstance(value, Number):
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


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Number):
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
