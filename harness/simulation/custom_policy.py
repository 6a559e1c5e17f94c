"""`securecart simulate`: AWS's SimulateCustomPolicy, offline, with the policy types AWS's
simulator leaves out (session policies, SCPs along an OU path, RCPs).

Request shape — SimulateCustomPolicy's, plus extension keys:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
Result shape — AWS's EvaluationResult:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from harness.authorization import GivenPolicies, Question, Session, authorize
from harness.iam.conditions.arn import split_arn
from harness.iam.conditions.binary import decode
from harness.iam.conditions.date import parse_instant
from harness.iam.conditions.ip import parse_network
from harness.iam.conditions.numeric import parse_number
from harness.iam.context import Caller, ContextKeys, PrincipalKind
from harness.iam.decision import Decision, MatchedStatement
from harness.iam.errors import PolicyValidationError
from harness.iam.messages import access_denied_message
from harness.iam.parse import parse_policy
from harness.iam.policy import TRUST_ACTIONS, Policy, PolicyType
from harness.reference import condition_key_type

# ASCII digits, matched whole: `\d` would take other scripts' digits and `$` a trailing newline.
_ACCOUNT = re.compile(r"[0-9]{12}")
_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::([0-9]{12}):root")
_KNOWN_FIELDS = frozenset(
    {
        "CallerArn",
        "ActionNames",
        "ResourceArns",
        "ResourceOwner",
        "ResourcePolicy",
        "PolicyInputList",
        "PermissionsBoundaryPolicyInputList",
        "SessionPolicyInputList",
        "ServiceControlPolicies",
        "ResourceControlPolicies",
        "ManagementAccount",
        "ContextEntries",
    }
)
# ContextKeyType as SimulateCustomPolicy spells it → the reference's type family.
_API_TYPES = {
    "string": "String",
    "stringlist": "ArrayOfString",
    "numeric": "Numeric",
    "numericlist": "ArrayOfNumeric",
    "boolean": "Bool",
    "booleanlist": "ArrayOfBool",
    "ip": "IPAddress",
    "iplist": "ArrayOfIPAddress",
    "binary": "Binary",
    "binarylist": "ArrayOfBinary",
    "date": "Date",
    "datelist": "ArrayOfDate",
}
# Length constraints of the API's string types (API_SimulateCustomPolicy.html and
# API_ContextEntry.html): ActionNameType 3-128; ResourceNameType 1-2048 for ResourceArns and
# CallerArn; ContextKeyNameType 5-256.
_ACTION_NAME_LENGTH = (3, 128)
_RESOURCE_NAME_LENGTH = (1, 2048)
_CONTEXT_KEY_NAME_LENGTH = (5, 256)
# Characters no name or value in a request may hold: the C0 and C1 control characters (NUL, the
# escape that starts a terminal sequence, tab and line breaks too: no action, ARN, account id or
# condition key holds one) and UTF-16 surrogates, which a JSON escape such as \ud800 lets through
# unpaired although they are not characters. IAM's query API answers in XML, whose character set
# (https://www.w3.org/TR/xml/#charsets) has no NUL and no surrogate: AWS could not even echo such
# an action back in EvalActionName.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A condition key's prefix, before its first colon: a service ("aws", "s3"), or an identity
# provider ("cognito-identity.amazonaws.com", "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE").
# The prefix names a file of the reference (harness.reference), so it never starts with "/" and
# never holds "..": no key may reach a file outside the reference.
_CONTEXT_KEY_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


class SimulationInputError(ValueError):
    """A request the simulator cannot answer; names the field, as AWS's InvalidInput does."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"InvalidInput: {field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Simulation:
    caller: Caller
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    resource_owner: str | None
    keys: ContextKeys
    policies: GivenPolicies
    session: Session | None = None


def simulate(request: Mapping[str, Any]) -> dict[str, Any]:
    """Answer one simulate request: {"EvaluationResults": [...]}. Raises SimulationInputError."""
    simulation = parse_request(request)
    results = []
    for action in simulation.actions:
        for resource in simulation.resources:
            decision = authorize(question(simulation, action, resource), simulation.policies)
            results.append(evaluation_result(decision))
    return {"EvaluationResults": results}


def question(simulation: Simulation, action: str, resource: str) -> Question:
    return Question(
        caller=simulation.caller,
        action=action,
        resource=resource,
        resource_account=simulation.resource_owner if resource != "*" else None,
        keys=simulation.keys,
        session=simulation.session,
    )


def evaluation_result(decision: Decision) -> dict[str, Any]:
    request = decision.request
    result: dict[str, Any] = {
        "EvalActionName": request.action,
        "EvalResourceName": request.resource,
        "EvalDecision": decision.outcome.value,
        "MatchedStatements": [_matched(s) for s in decision.matched],
        "MissingContextValues": list(decision.missing_keys),
    }
    if decision.allowed_by_organizations is not None:
        result["OrganizationsDecisionDetail"] = {
            "AllowedByOrganizations": decision.allowed_by_organizations
        }
    if decision.allowed_by_boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": decision.allowed_by_boundary
        }
    if decision.allowed_by_rcps is not None:
        result["ResourceControlPolicyDecisionDetail"] = {"AllowedByRcps": decision.allowed_by_rcps}
    if decision.rule is not None:
        # A rule AWS applies outside any policy decided: which, the error AWS answers with,
        # and the page that states it.
        result["DecidedByRule"] = {"Rule": decision.rule.name, "Page": decision.rule.page,
                                   **({"ErrorCode": decision.rule.code}
                                      if decision.rule.code else {})}
    if not decision.allowed:
        result["Message"] = access_denied_message(decision)
        if decision.denied_by is not None:
            result["DeniedBy"] = decision.denied_by.value
    return result


def _matched(statement: MatchedStatement) -> dict[str, Any]:
    return {
        "SourcePolicyId": statement.policy_name,
        "SourcePolicyType": statement.policy_type.value,
        "Statement": statement.statement,
        "Effect": statement.effect.value,
    }


# --- reading the request -------------------------------------------------------------------


def parse_request(request: Mapping[str, Any]) -> Simulation:
    if not isinstance(request, Mapping):
        raise SimulationInputError("(request)", "must be a JSON object")
    unknown = sorted(set(request) - _KNOWN_FIELDS)
    if unknown:
        raise SimulationInputError(shown(unknown[0]), "unknown field")
    caller = parse_caller(_required_str(request, "CallerArn"))
    actions = _str_list(request, "ActionNames", _ACTION_NAME_LENGTH, required=True)
    for index, action in enumerate(actions):
        _check_action_name(action, f"ActionNames[{index}]")
    resources = _str_list(request, "ResourceArns", _RESOURCE_NAME_LENGTH) or ("*",)
    owner = resource_owner(request.get("ResourceOwner"))
    management = request.get("ManagementAccount")
    if management is not None and not (
        isinstance(management, str) and _ACCOUNT.fullmatch(management)
    ):
        raise SimulationInputError("ManagementAccount", "must be a 12-digit account id")
    resource_policy = request.get("ResourcePolicy")
    policies = GivenPolicies(
        identity=_policy_list(request, "PolicyInputList", PolicyType.IDENTITY),
        resource=(
            _policy(resource_policy, "ResourcePolicy", _resource_type(actions))
            if resource_policy is not None
            else None
        ),
        boundary=_boundary(request),
        scp_levels=_levels(request, "ServiceControlPolicies", PolicyType.SCP),
        rcp_levels=_levels(request, "ResourceControlPolicies", PolicyType.RCP),
        management_account=management,
        owner_account=owner,
    )
    session = (
        Session(policies=_policy_list(request, "SessionPolicyInputList", PolicyType.SESSION))
        if "SessionPolicyInputList" in request
        else None
    )
    keys = context_keys(request.get("ContextEntries", []))
    return Simulation(caller, actions, resources, owner, keys, policies, session)


def parse_caller(arn: str) -> Caller:
    """A caller from the ARN AWS would report for it, a service principal, or "anonymous"."""
    check_text(arn, "CallerArn")
    _check_length(arn, "CallerArn", _RESOURCE_NAME_LENGTH)
    if arn == "anonymous":
        return Caller(kind=PrincipalKind.ANONYMOUS, arn="anonymous")
    if not arn.startswith("arn:"):
        if re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?", arn):
            return Caller(kind=PrincipalKind.SERVICE, arn=arn, service=arn)
        raise SimulationInputError(
            "CallerArn", f"'{shown(arn)}' is not an ARN, a service principal or \"anonymous\""
        )
    parts = arn.split(":", 5)
    if len(parts) != 6 or not _ACCOUNT.fullmatch(parts[4]):
        raise SimulationInputError("CallerArn", f"'{shown(arn)}' is not a principal ARN")
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    kind_and_rest = resource.split("/", 1)
    kind = kind_and_rest[0]
    if service == "iam" and resource == "root":
        return Caller(PrincipalKind.ROOT, arn, account, arn, partition=partition)
    if service == "iam" and kind == "user" and len(kind_and_rest) == 2:
        return Caller(PrincipalKind.USER, arn, account, arn, partition=partition)
    if service == "iam" and kind == "role" and len(kind_and_rest) == 2:
        linked = kind_and_rest[1].startswith("aws-service-role/")
        return Caller(
            PrincipalKind.ROLE, arn, account, arn, service_linked=linked, partition=partition
        )
    if service == "iam" and kind == "saml-provider":
        return Caller(PrincipalKind.SAML, arn, provider=arn, partition=partition)
    if service == "iam" and kind == "oidc-provider":
        return Caller(PrincipalKind.WEB_IDENTITY, arn, provider=arn, partition=partition)
    if service == "sts" and kind == "assumed-role":
        role, _, session = (
            kind_and_rest[1].partition("/") if len(kind_and_rest) == 2 else ("", "", "")
        )
        if not role or not session:
            raise SimulationInputError(
                "CallerArn",
                f"'{shown(arn)}' is not an assumed-role ARN "
                "(arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)",
            )
        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
        return Caller(PrincipalKind.ROLE_SESSION, arn, account, role_arn, partition=partition)
    if service == "sts" and kind == "federated-user" and len(kind_and_rest) == 2:
        user_arn = f"arn:{partition}:iam::{account}:user/{kind_and_rest[1]}"
        return Caller(PrincipalKind.FEDERATED_USER, arn, account, user_arn, partition=partition)
    raise SimulationInputError(
        "CallerArn",
        f"'{shown(arn)}' names no kind of principal the simulator "
        "knows (root, user, role, assumed-role, federated-user, "
        "saml-provider, oidc-provider)",
    )


def _required_str(request: Mapping[str, Any], field: str) -> str:
    value = request.get(field)
    if not isinstance(value, str) or not value:
        raise SimulationInputError(field, "required, a non-empty string")
    return value


def _str_list(
    request: Mapping[str, Any], field: str, length: tuple[int, int], required: bool = False
) -> tuple[str, ...]:
    value = request.get(field)
    if value is None:
        if required:
            raise SimulationInputError(field, "required, a non-empty list of strings")
        return ()
    if not isinstance(value, list) or (required and not value):
        raise SimulationInputError(field, "must be a non-empty list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise SimulationInputError(f"{field}[{index}]", "must be a non-empty string")
        check_text(item, f"{field}[{index}]")
        _check_length(item, f"{field}[{index}]", length)
    return tuple(value)


def _check_action_name(action: str, field: str) -> None:
    # "Each operation must include the service identifier, such as iam:CreateUser. This
    # operation does not support using wildcards (*) in an action name."
    # (API_SimulateCustomPolicy.html, ActionNames)
    service, colon, name = action.partition(":")
    if not (service and colon and name) or ":" in name or "*" in action or "?" in action:
        raise SimulationInputError(
            field, f"'{shown(action)}' is not an action name such as s3:GetObject"
        )


def check_text(value: str, field: str) -> None:
    """Refuse a control character or a lone surrogate in `value`, naming the field, the
    character and where it is."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return
    code = ord(found.group())
    what = (
        "a lone surrogate (half of a UTF-16 pair)"
        if 0xD800 <= code <= 0xDFFF
        else "a control character"
    )
    raise SimulationInputError(
        field, f"character U+{code:04X} at offset {found.start()} is not allowed: {what}"
    )


def _check_length(value: str, field: str, bounds: tuple[int, int]) -> None:
    # AWS's own words for a length constraint: "Member must have length less than or equal
    # to 128".
    low, high = bounds
    if len(value) < low:
        raise SimulationInputError(field, f"must have length greater than or equal to {low}")
    if len(value) > high:
        raise SimulationInputError(field, f"must have length less than or equal to {high}")


def shown(value: str, limit: int = 100) -> str:
    """`value` as an error message quotes it: escaped, and a long value cut short."""
    return escaped(value if len(value) <= limit else f"{value[:limit]}...")


def escaped(text: str) -> str:
    """`text` with its control characters and surrogates written as \\uXXXX escapes: a message
    must not drive the terminal it is printed on, nor fail to encode."""
    return _FORBIDDEN.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def resource_owner(value: Any) -> str | None:
    """ResourceOwner: an account id or its root ARN (both spellings AWS documents) → the id."""
    if value is None:
        return None
    if isinstance(value, str):
        check_text(value, "ResourceOwner")
        if _ACCOUNT.fullmatch(value):
            return value
        root = _ROOT_ARN.fullmatch(value)
        if root:
            return root.group(1)
    raise SimulationInputError("ResourceOwner", "must be an account id or its root ARN")


def _resource_type(actions: Sequence[str]) -> PolicyType:
    if actions and all(a.lower() in TRUST_ACTIONS for a in actions):
        return PolicyType.TRUST
    return PolicyType.RESOURCE


def _policy(document: Any, field: str, policy_type: PolicyType) -> Policy:
    if not isinstance(document, str | Mapping):
        raise SimulationInputError(field, "must be a policy document (JSON text or object)")
    # A batch repeats the same SCPs, boundaries and resource policies line after line: parse
    # each distinct document once. The key is the document as written (objects key-sorted).
    text = document if isinstance(document, str) else json.dumps(document, sort_keys=True)
    try:
        return _parse_cached(text, policy_type, field)
    except PolicyValidationError as exc:
        raise SimulationInputError(field, str(exc)) from exc


@lru_cache(maxsize=4096)
def _parse_cached(text: str, policy_type: PolicyType, field: str) -> Policy:
    return parse_policy(text, policy_type, name=field)


def _policy_list(
    request: Mapping[str, Any], field: str, policy_type: PolicyType
) -> tuple[Policy, ...]:
    documents = request.get(field, [])
    if not isinstance(documents, list):
        raise SimulationInputError(field, "must be a list of policy documents")
    return tuple(_policy(doc, f"{field}.{i + 1}", policy_type) for i, doc in enumerate(documents))


def _boundary(request: Mapping[str, Any]) -> Policy | None:
    boundaries = _policy_list(request, "PermissionsBoundaryPolicyInputList", PolicyType.BOUNDARY)
    if len(boundaries) > 1:
        # AWS allows one permissions boundary per identity.
        raise SimulationInputError("PermissionsBoundaryPolicyInputList", "takes at most one policy")
    return boundaries[0] if boundaries else None


def _levels(
    request: Mapping[str, Any], field: str, policy_type: PolicyType
) -> tuple[tuple[Policy, ...], ...] | None:
    levels = request.get(field)
    if levels is None:
        return None
    if not isinstance(levels, list) or not all(isinstance(level, list) for level in levels):
        raise SimulationInputError(
            field,
            "must be a list of levels (root first, the account "
            "last), each a list of policy documents",
        )
    return tuple(
        tuple(_policy(doc, f"{field}.{i + 1}.{j + 1}", policy_type) for j, doc in enumerate(level))
        for i, level in enumerate(levels)
    )


def context_keys(entries: Any) -> ContextKeys:
    """ContextEntries (AWS's ContextEntry list) → the request's condition keys, typed."""
    if not isinstance(entries, list):
        raise SimulationInputError("ContextEntries", "must be a list")
    keys = ContextKeys()
    for index, raw in enumerate(entries):
        entry = _context_entry(raw, f"ContextEntries[{index}]")
        keys.set(entry.name, entry.values, multivalued=entry.multivalued)
    return keys


@dataclass(frozen=True, slots=True)
class _ContextEntry:
    name: str
    values: tuple[str, ...]
    key_type: str | None
    """The reference's spelling ("Date", "ArrayOfString"); None for a key it does not know."""
    type_source: str
    """Where the type came from, for error messages."""

    @property
    def multivalued(self) -> bool:
        return self.key_type is not None and self.key_type.startswith("ArrayOf")


def _context_entry(entry: Any, field: str) -> _ContextEntry:
    if not isinstance(entry, Mapping):
        raise SimulationInputError(field, "must be an object")
    name = _context_key_name(entry.get("ContextKeyName"), f"{field}.ContextKeyName")
    values = _context_values(entry.get("ContextKeyValues"), f"{field}.ContextKeyValues")
    key_type, source = _key_type(entry.get("ContextKeyType"), name, f"{field}.ContextKeyType")
    typed = _ContextEntry(name, values, key_type, source)
    if not typed.multivalued and len(values) > 1:
        raise SimulationInputError(
            f"{field}.ContextKeyValues",
            f"{name} is single-valued ({key_type or 'String'}); got {len(values)} values",
        )
    for index, value in enumerate(values):
        _check_value(typed, value, f"{field}.ContextKeyValues[{index}]")
    return typed


def _context_key_name(name: Any, field: str) -> str:
    if not isinstance(name, str):
        raise SimulationInputError(field, "must be a key such as aws:SourceIp")
    check_text(name, field)
    _check_length(name, field, _CONTEXT_KEY_NAME_LENGTH)
    prefix, colon, key = name.partition(":")
    if not (colon and key and _CONTEXT_KEY_PREFIX.fullmatch(prefix)) or ".." in prefix:
        raise SimulationInputError(
            field,
            f"'{shown(name)}' is not a key such as aws:SourceIp (a service prefix, a colon, "
            "a name)",
        )
    return name


def _context_values(values: Any, field: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SimulationInputError(field, "must be a list of strings")
    for index, value in enumerate(values):
        check_text(value, f"{field}[{index}]")
    return tuple(values)


def _key_type(given: Any, name: str, field: str) -> tuple[str | None, str]:
    """The key's type and where it came from: ContextKeyType when the entry gives one, else AWS's
    condition-key reference."""
    if given is None:
        return condition_key_type(name), "from AWS's condition-key reference"
    if not isinstance(given, str) or given.lower() not in _API_TYPES:
        raise SimulationInputError(field, f"must be one of {', '.join(sorted(_API_TYPES))}")
    return _API_TYPES[given.lower()], f"from ContextKeyType {given}"


# --- context values, read as their type ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ValueKind:
    """What a context value of one type must be. Each reads the value with the parser the
    engine's condition operators use (harness/iam/conditions): a value they cannot read matches
    no condition at all (not even a negated one), so a simulation given one would answer for a
    request no service ever makes. It is refused instead, naming the key and the value."""

    reads: Callable[[str], bool]
    expected: str


def _is_bool(value: str) -> bool:
    # Bool compares "a key to "true" or "false""
    # (reference_policies_elements_condition_operators.html#Conditions_Boolean); the page does
    # not say whether case matters. The engine reads both sides without regard to case
    # (conditions/boolean.py), so this check does too: what it accepts, the engine reads.
    return value.lower() in ("true", "false")


def _is_arn(value: str) -> bool:
    # arn:partition:service:region:account-id:resource; region and account may be empty (S3),
    # the others may not (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
    parts = split_arn(value)
    return parts is not None and parts[0] == "arn" and all(parts[i] for i in (1, 2, 5))


# Type families of the reference (ArrayOf… is a list of the same); "String" takes any text.
_VALUE_KINDS: Mapping[str, _ValueKind] = MappingProxyType(
    {
        # "comparing a key to an integer or decimal value"
        "Numeric": _ValueKind(lambda v: parse_number(v) is not None, "an integer or decimal"),
        "Bool": _ValueKind(_is_bool, '"true" or "false"'),
        # "one of the W3C implementations of the ISO 8601 date formats ... or in epoch (UNIX)
        # time": 2024-01-31, 2024-01-31T12:00:00Z, 2024-01-31T12:00:00.5+01:00, 1706702400
        "Date": _ValueKind(
            lambda v: parse_instant(v) is not None,
            "an ISO 8601 date such as 2024-01-31T12:00:00Z, or epoch seconds",
        ),
        # "the standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64)",
        # or a single address. The engine compares a context value as one address only
        # (conditions/ip.py, parse_address): a range given here matches no IpAddress condition.
        "IPAddress": _ValueKind(
            lambda v: parse_network(v) is not None,
            "an IPv4 or IPv6 address, or a range in CIDR notation",
        ),
        "Binary": _ValueKind(lambda v: decode(v) is not None, "base64-encoded bytes"),
        "ARN": _ValueKind(_is_arn, "an ARN (arn:partition:service:region:account:resource)"),
    }
)


def _check_value(entry: _ContextEntry, value: str, field: str) -> None:
    family = (entry.key_type or "String").removeprefix("ArrayOf")
    kind = _VALUE_KINDS.get(family)
    if kind is None or kind.reads(value):
        return
    raise SimulationInputError(
        field,
        f"invalid value '{shown(value)}' for context key {entry.name} of type {family} "
        f"({entry.type_source}): expected {kind.expected}",
    )
