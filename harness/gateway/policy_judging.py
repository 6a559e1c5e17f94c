"""How a policy document written through the gateway is judged (`harness.gateway.policy_writes`):
the request front end's constraints on the member that carries it (the botocore model's), then
the engine's own parser in each policy type the document may be, then the service's own checks
(`Extra`) and its size quota (`Quota`). What is wrong is classified in the terms the services'
messages distinguish (`Fault`), which each service words its own way (`Dialect`, and the
dialects in `harness.gateway.policy_dialects`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, auto
from typing import Any

from harness.gateway.protocol import ParsedOperation
from harness.gateway.services import service_model
from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import MAX_DOCUMENT_CHARS, loads_strict
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType

# --- what a service refuses ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """The error a service answers a write with."""

    code: str
    status: int
    message: str


class Fault(Enum):
    """What is wrong with a document, in the terms the services' messages distinguish."""

    FIRST_BYTE = auto()  # S3: the text does not start with "{"
    NOT_JSON = auto()
    NOT_OBJECT = auto()
    SYNTAX = auto()  # a wrong type, an unknown element, a duplicate key
    VERSION = auto()
    STATEMENT_MISSING = auto()
    STATEMENT_EMPTY = auto()
    EFFECT_MISSING = auto()
    EFFECT = auto()
    SID = auto()
    PRINCIPAL_MISSING = auto()
    PRINCIPAL_EMPTY = auto()
    PRINCIPAL_FORBIDDEN = auto()
    PRINCIPAL = auto()
    ACTION_MISSING = auto()
    ACTION = auto()
    ACTION_OUT_OF_SCOPE = auto()  # an action of another service in a service's own policy
    RESOURCE_MISSING = auto()
    RESOURCE = auto()
    CONDITION = auto()


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault, with the parser's description of it (AWS's words where it has them)."""

    fault: Fault
    detail: str = ""


# A message is a fixed text, or made from the problem.
Message = str | Callable[[Problem], str]


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one service answers a document it refuses: its error code and status, and its
    message for each fault (`default` for the others)."""

    code: str
    messages: Mapping[Fault, Message]
    default: Message
    status: int = 400
    first_byte: bool = False  # the text must start with "{" (S3)

    def answer(self, problem: Problem) -> Answer:
        message = self.messages.get(problem.fault, self.default)
        text = message(problem) if callable(message) else message
        return Answer(self.code, self.status, text)


@dataclass(frozen=True, slots=True)
class Quota:
    """A size quota, counted the service's way, and the answer to a document beyond it."""

    limit: int
    count: Callable[[str], int]
    answer: Callable[[int], Answer]

    def check(self, text: str) -> Answer | None:
        size = self.count(text)
        return self.answer(size) if size > self.limit else None


# A check of its own a service makes on a document the grammar accepts.
Extra = Callable[[Policy], Problem | None]


@dataclass(frozen=True, slots=True)
class Written:
    """One policy document an operation writes.

    `types` are the policy types it may be (one, except for an organisation policy whose type
    the request does not say); `member` the request member that carries it, whose botocore
    constraints the front end checks (None inside a map).
    """

    text: str
    types: tuple[PolicyType, ...]
    dialect: Dialect
    quota: Quota | None = None
    member: str | None = None
    extras: tuple[Extra, ...] = ()


def _judge(parsed: ParsedOperation, written: Written) -> Answer | None:
    front = _front_end(parsed, written)
    if front is not None:
        return front
    problem = _problem(written)
    if problem is not None:
        return written.dialect.answer(problem)
    return written.quota.check(written.text) if written.quota is not None else None


def judge_all(parsed: ParsedOperation, documents: list[Written]) -> Answer | None:
    for written in documents:
        answer = _judge(parsed, written)
        if answer is not None:
            return answer
    return None


# --- the request front end: the model's constraints on the member -----------------------------


def _front_end(parsed: ParsedOperation, written: Written) -> Answer | None:
    """AWS validates a request against its model before the service sees it: "1 validation
    error detected: Value '…' at 'policyDocument' failed to satisfy constraint: …" (IAM's
    policyDocumentType and KMS's PolicyType admit only tab, line feed, carriage return and
    U+0020–U+00FF; Secrets Manager's ResourcePolicy at most 20480 characters).
    https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (ValidationError)"""
    if written.member is None:
        return None
    metadata = _member_metadata(parsed, written.member)
    constraint = _violated(written.text, metadata)
    if constraint is None:
        return None
    code = "ValidationError" if parsed.protocol == "query" else "ValidationException"
    member = written.member[:1].lower() + written.member[1:]
    message = (f"1 validation error detected: Value '{written.text}' at '{member}' failed to "
               f"satisfy constraint: {constraint}")
    return Answer(code, 400, message)


def _member_metadata(parsed: ParsedOperation, member: str) -> Mapping[str, Any]:
    try:
        model = service_model(parsed.service, parsed.protocol or None)
        shape = model.operation_model(parsed.operation).input_shape.members[member]
    except Exception:  # no model to check against: the service's own checks still apply
        return {}
    metadata: Mapping[str, Any] = shape.metadata
    return metadata


def _violated(text: str, metadata: Mapping[str, Any]) -> str | None:
    maximum = metadata.get("max")
    if isinstance(maximum, int) and len(text) > maximum:
        return f"Member must have length less than or equal to {maximum}"
    pattern = metadata.get("pattern")
    if isinstance(pattern, str) and re.fullmatch(pattern, text, re.DOTALL) is None:
        return f"Member must satisfy regular expression pattern: {pattern}"
    return None


# --- reading the document --------------------------------------------------------------------


def _problem(written: Written) -> Problem | None:
    text = written.text
    if written.dialect.first_byte and not text.startswith("{"):
        return Problem(Fault.FIRST_BYTE)
    try:
        raw = loads_strict(text)
    except PolicyValidationError as error:
        return _classified(error)
    if not isinstance(raw, dict):
        return Problem(Fault.NOT_OBJECT)
    return _grammar(written)


def _grammar(written: Written) -> Problem | None:
    """The first problem of the document in the first type it may be, or None when it is a
    valid document of one of its types (and passes the service's own checks)."""
    first: Problem | None = None
    for policy_type in written.types:
        try:
            # The size quota is the service's (Quota), not the parser's default for the type.
            policy = parse_policy(written.text, policy_type, max_size=MAX_DOCUMENT_CHARS)
        except PolicyValidationError as error:
            first = first or _classified(error)
            continue
        found = _extra_problem(policy, written.extras)
        if found is None:
            return None
        first = first or found
    return first


def _extra_problem(policy: Policy, extras: tuple[Extra, ...]) -> Problem | None:
    for extra in extras:
        found = extra(policy)
        if found is not None:
            return found
    return None


# The parser's problems that name the fault outright (its texts are AWS's where AWS has one).
_BY_PROBLEM: Mapping[str, Fault] = {
    "Missing required field Statement": Fault.STATEMENT_MISSING,
    "Missing required field Effect": Fault.EFFECT_MISSING,
    "Missing required field Principal": Fault.PRINCIPAL_MISSING,
    "Policy document should not specify a principal.": Fault.PRINCIPAL_FORBIDDEN,
    "Policy statement must contain actions.": Fault.ACTION_MISSING,
    "Policy statement must contain resources.": Fault.RESOURCE_MISSING,
    "a Principal must name at least one principal": Fault.PRINCIPAL_EMPTY,
}
_BY_PREFIX: tuple[tuple[str, Fault], ...] = (
    ("not JSON", Fault.NOT_JSON),
    ("a policy document must be a JSON object", Fault.NOT_OBJECT),
    ("Statement must hold at least one", Fault.STATEMENT_EMPTY),
    ("Missing required field Version", Fault.VERSION),
    # Wrong types, duplicate keys, unknown elements, absurd nesting: the document's syntax.
    ("expected ", Fault.SYNTAX),
    ("Duplicate key", Fault.SYNTAX),
    ("Unknown element", Fault.SYNTAX),
    ("a statement holds", Fault.SYNTAX),  # Action and NotAction (… ) both
    ("nesting deeper", Fault.SYNTAX),
    ("cannot read the document", Fault.SYNTAX),
)
# Otherwise the element at fault, from the problem's location ('Statement[0] (Sid "x").Action[1]').
_BY_ELEMENT: Mapping[str, Fault] = {
    "Version": Fault.VERSION,
    "Sid": Fault.SID,
    "Effect": Fault.EFFECT,
    "Principal": Fault.PRINCIPAL,
    "NotPrincipal": Fault.PRINCIPAL,
    "Action": Fault.ACTION,
    "NotAction": Fault.ACTION,
    "Resource": Fault.RESOURCE,
    "NotResource": Fault.RESOURCE,
    "Condition": Fault.CONDITION,
}
_STATEMENT_PLACE = re.compile(r'Statement(?:\[\d+\])?(?: \(Sid ".*?"\))?\.?')


def _classified(error: PolicyValidationError) -> Problem:
    problem = error.problem
    if problem in _BY_PROBLEM:
        return Problem(_BY_PROBLEM[problem], problem)
    if problem.endswith("must list at least one principal"):
        return Problem(Fault.PRINCIPAL_EMPTY, problem)
    for prefix, fault in _BY_PREFIX:
        if problem.startswith(prefix):
            return Problem(fault, problem)
    return Problem(_BY_ELEMENT.get(_element(error.location), Fault.SYNTAX), problem)


def _element(location: str) -> str:
    """The policy element a parser location points into: 'Version', 'Action', …"""
    if location.startswith("Statement"):
        location = _STATEMENT_PLACE.sub("", location, count=1)
    return re.split(r"[.\[]", location, maxsplit=1)[0]
