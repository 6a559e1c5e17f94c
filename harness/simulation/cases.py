"""Case files: simulate requests with the answer AWS's documentation gives, as data.

One file per topic, `{"topic": …, "cases": [{"id", "page", "why"?, "request", "expect"}]}`:
`request` is one SimulateCustomPolicy-shaped request (harness/simulation/custom_policy.py)
for one action on one resource, so it has exactly one EvaluationResult; `expect` names the keys
of that result to compare, `null` meaning the key must be absent. `page` is the AWS
documentation page that states the rule. The test runner (tests/iam/test_cases.py) and
`securecart simulate --cases` both read case files here and compare here, so that a file one
accepts the other accepts too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.simulation.custom_policy import escaped, simulate

FILE_FIELDS = frozenset({"topic", "cases"})
CASE_FIELDS = frozenset({"id", "page", "why", "request", "expect"})
REQUIRED_CASE_FIELDS = frozenset({"id", "page", "request", "expect"})
# Every key an EvaluationResult of harness.simulation.custom_policy may hold: anything else in
# `expect` is a typo that would otherwise compare against an absent key and pass or fail for
# the wrong reason.
RESULT_KEYS = frozenset(
    {
        "EvalActionName",
        "EvalResourceName",
        "EvalDecision",
        "MatchedStatements",
        "MissingContextValues",
        "OrganizationsDecisionDetail",
        "PermissionsBoundaryDecisionDetail",
        "ResourceControlPolicyDecisionDetail",
        "Message",
        "DeniedBy",
    }
)
DECISIONS = frozenset({"allowed", "explicitDeny", "implicitDeny"})
# The rule must be AWS's own words, not a blog post or the engine's behaviour.
PAGE_PREFIX = "https://docs.aws.amazon.com/"

Simulator = Callable[[Mapping[str, Any]], dict[str, Any]]


class CaseFileError(ValueError):
    """A case file that cannot be read at all: missing, not UTF-8, not JSON, not a case file."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a case file, named by file and, where it is one case's, by case."""

    file: str
    problem: str
    case: str | None = None

    def __str__(self) -> str:
        where = self.file if self.case is None else f"{self.file}: case {self.case}"
        return escaped(f"{where}: {self.problem}")


@dataclass(frozen=True, slots=True)
class Case:
    file: str
    id: str
    page: str
    request: Mapping[str, Any]
    expect: Mapping[str, Any]
    why: str | None = None


@dataclass(frozen=True, slots=True)
class CaseFile:
    path: str
    topic: str
    cases: tuple[Case, ...]
    """The well-formed cases; a malformed one is left out and named in `problems`."""
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseSet:
    """Several case files: their well-formed cases (ids unique across files) and every problem,
    including the files that could not be read."""

    files: tuple[CaseFile, ...]
    problems: tuple[Problem, ...]

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(case for case_file in self.files for case in case_file.cases)


@dataclass(frozen=True, slots=True)
class Mismatch:
    key: str
    expected: Any
    got: Any
    """The result's value; ABSENT when the result has no such key."""


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one case fared: the mismatching keys, or an error that left it without one result."""

    case: Case
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None
    result: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def agrees(self) -> bool:
        return self.error is None and not self.mismatches

    def describe(self) -> str:
        """One line: what was expected and what the simulator answered instead."""
        if self.error is not None:
            expected = ", ".join(f"{k}={_shown(v)}" for k, v in self.case.expect.items())
            return f"expected {expected}; got {self.error}"
        expected = ", ".join(f"{m.key}={_shown(m.expected)}" for m in self.mismatches)
        got = ", ".join(f"{m.key}={_shown(m.got)}" for m in self.mismatches)
        return f"expected {expected}; got {got}"


def _shown(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- reading ---------------------------------------------------------------------------------


def load_case_files(paths: Iterable[str | Path]) -> CaseSet:
    """Read every file (a directory: its `*.json` files, in name order); never raises. An id
    seen in an earlier file is a problem of the later one, and that case is left out, so that
    every id names one case."""
    files: list[CaseFile] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in _case_paths(paths, problems):
        try:
            case_file = load_case_file(path)
        except CaseFileError as error:
            problems.append(Problem(error.file, error.problem))
            continue
        kept: list[Case] = []
        file_problems = list(case_file.problems)
        for case in case_file.cases:
            if case.id in seen:
                file_problems.append(
                    Problem(case.file, f"duplicate id, already used in {seen[case.id]}", case.id)
                )
                continue
            seen[case.id] = case.file
            kept.append(case)
        files.append(CaseFile(case_file.path, case_file.topic, tuple(kept), tuple(file_problems)))
        problems.extend(file_problems)
    return CaseSet(tuple(files), tuple(problems))


def _case_paths(paths: Iterable[str | Path], problems: list[Problem]) -> Iterator[str | Path]:
    for path in paths:
        if not Path(path).is_dir():
            yield path
            continue
        found = sorted(Path(path).glob("*.json"))
        if not found:
            problems.append(Problem(str(path), "a directory with no *.json case file"))
        yield from found


def load_case_file(path: str | Path) -> CaseFile:
    """One case file. Raises CaseFileError when the file as a whole cannot be used; a malformed
    case is left out and reported in the result's `problems`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CaseFileError(name, f"cannot read: {error.strerror}") from None
    document = _parse_json(data, name)
    if not isinstance(document, dict):
        raise CaseFileError(name, 'must be a JSON object with "topic" and "cases"')
    unknown = sorted(set(document) - FILE_FIELDS)
    if unknown:
        raise CaseFileError(name, f"unknown field {unknown[0]!r} (a case file has topic, cases)")
    topic = document.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        raise CaseFileError(name, '"topic" must be a non-empty string')
    raw_cases = document.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise CaseFileError(name, '"cases" must be a non-empty list')
    cases: list[Case] = []
    problems: list[Problem] = []
    ids: set[str] = set()
    for index, raw in enumerate(raw_cases):
        label = _label(raw, index)
        problem = _case_problem(raw)
        if problem is None and raw["id"] in ids:
            problem = "duplicate id in this file"
        if problem is not None:
            problems.append(Problem(name, problem, label))
            continue
        ids.add(raw["id"])
        cases.append(
            Case(name, raw["id"], raw["page"], raw["request"], raw["expect"], raw.get("why"))
        )
    return CaseFile(name, topic, tuple(cases), tuple(problems))


def _parse_json(data: bytes, name: str) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CaseFileError(name, f"not UTF-8 at line {line}: {error.reason}") from None
    try:
        # An editor's byte-order mark is not content (RFC 8259 section 8.1 lets a parser skip it).
        return json.loads(text.removeprefix("\ufeff"), object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise CaseFileError(
            name, f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except _DuplicateKey as error:
        # json gives no position for a duplicate; the key is what a reader searches for.
        raise CaseFileError(name, f"not JSON this harness reads: {error}") from None


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently: a case would lose half of what it says.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def _label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return str(raw["id"])
    return f"cases[{index}]"


def _case_problem(raw: Any) -> str | None:
    """What is wrong with one case, or None."""
    if not isinstance(raw, dict):
        return "must be an object"
    unknown = sorted(set(raw) - CASE_FIELDS)
    if unknown:
        return f"unknown field {unknown[0]!r} (a case has {', '.join(sorted(CASE_FIELDS))})"
    missing = sorted(REQUIRED_CASE_FIELDS - set(raw))
    if missing:
        return f"missing {missing[0]!r}"
    case_id = raw["id"]
    if not isinstance(case_id, str) or not case_id or case_id != case_id.strip():
        return '"id" must be a non-empty string without surrounding spaces'
    page = raw["page"]
    if not isinstance(page, str) or not page.startswith(PAGE_PREFIX):
        return f'"page" must be a {PAGE_PREFIX} URL stating the rule'
    if "why" in raw and not isinstance(raw["why"], str):
        return '"why" must be a string'
    return _request_problem(raw["request"]) or _expect_problem(raw["expect"])


def _request_problem(request: Any) -> str | None:
    if not isinstance(request, dict):
        return '"request" must be an object'
    actions = request.get("ActionNames")
    if not isinstance(actions, list) or len(actions) != 1:
        return '"request" must name exactly one action (ActionNames: [one]): one result per case'
    resources = request.get("ResourceArns", ["*"])
    if not isinstance(resources, list) or len(resources) != 1:
        return (
            '"request" must name at most one resource (ResourceArns: [one], or none for "*"):'
            " one result per case"
        )
    return None


def _expect_problem(expect: Any) -> str | None:
    if not isinstance(expect, dict):
        return '"expect" must be an object'
    unknown = sorted(set(expect) - RESULT_KEYS)
    if unknown:
        return f'"expect": {unknown[0]!r} is no key of an EvaluationResult'
    decision = expect.get("EvalDecision")
    if decision not in DECISIONS:
        return f'"expect" needs EvalDecision, one of {", ".join(sorted(DECISIONS))}'
    return None


# --- running ---------------------------------------------------------------------------------


def run_case(case: Case, simulator: Simulator = simulate) -> Verdict:
    """Simulate the case's request and compare the keys it expects. Any failure of the request
    (InvalidInput, or a bug of the simulator) is the case's error, not an exception."""
    try:
        results = simulator(case.request)["EvaluationResults"]
    except Exception as error:
        # A case file is input like any other: its request may be refused, and a bug of the
        # simulator costs this case its verdict, not the run.
        return Verdict(case, error=f"{type(error).__name__}: {error}")
    if len(results) != 1:
        return Verdict(case, error=f"{len(results)} results; a case must have exactly one")
    result = results[0]
    return Verdict(case, compare(case.expect, result), result=result)


def compare(expect: Mapping[str, Any], result: Mapping[str, Any]) -> tuple[Mismatch, ...]:
    mismatches = []
    for key, expected in expect.items():
        got = result.get(key, ABSENT)
        if expected is None:
            if got is not ABSENT:
                mismatches.append(Mismatch(key, None, got))
        elif not _equal(key, expected, got):
            mismatches.append(Mismatch(key, expected, got))
    return tuple(mismatches)


def _equal(key: str, expected: Any, got: Any) -> bool:
    if got is ABSENT:
        return False
    if key == "MissingContextValues" and isinstance(expected, list) and isinstance(got, list):
        # AWS's EvaluationResult documents the keys, not their order.
        return sorted(map(str, expected)) == sorted(map(str, got))
    return bool(expected == got)


def caller_account(request: Mapping[str, Any]) -> str | None:
    """The account in the caller's ARN (None for anonymous and service principals)."""
    caller = request.get("CallerArn")
    if not isinstance(caller, str) or not caller.startswith("arn:"):
        return None
    parts = caller.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else None


def is_cross_account(request: Mapping[str, Any]) -> bool:
    """The resource's owner is another account than the caller's."""
    owner = request.get("ResourceOwner")
    if not isinstance(owner, str):
        return False
    owner_id = owner.split(":")[4] if owner.startswith("arn:") and owner.count(":") >= 5 else owner
    account = caller_account(request)
    return account is not None and owner_id != account
