"""AWS's policy evaluation logic, one case per documented rule, read from tests/iam/cases/*.json.

Each case is a simulate request with the answer AWS's documentation gives (its `page`), never the
answer the engine happens to give. The file format and the comparison are
harness/simulation/cases.py, shared with `securecart simulate --cases`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.simulation.cases import (
    Case,
    CaseFile,
    Verdict,
    is_cross_account,
    load_case_file,
    load_case_files,
    run_case,
)

CASES_DIR = Path(__file__).parent / "cases"
LOADED = load_case_files(sorted(CASES_DIR.glob("*.json")))
CASES = LOADED.cases
MINIMUM_CASES = 400
# Files whose topic has no cross-account side, or that are not written here; every other file
# holds at least one request whose resource another account owns.
NO_CROSS_ACCOUNT_NEEDED = {
    # Written by others, topic theirs.
    "outside-policies.json",
    "differential.json",
}
# Cases where the engine answers otherwise than AWS's documentation (the case's page). The
# expectation stays the documentation's; strict, so that a fixed engine turns the mark into a
# failure and the entry is removed.
KNOWN_DISAGREEMENTS: dict[str, str] = {}


def _param(case: Case) -> Any:
    reason = KNOWN_DISAGREEMENTS.get(case.id)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_case(case: Case) -> None:
    verdict = run_case(case)
    if not verdict.agrees:
        # The one line `securecart simulate --cases` prints, not the verdict's whole repr.
        pytest.fail(f"{case.file}: case {case.id}: {verdict.describe()}", pytrace=False)


def test_case_files_are_well_formed() -> None:
    problems = "\n".join(str(problem) for problem in LOADED.problems)
    assert not LOADED.problems, f"malformed case files:\n{problems}"


def test_known_disagreements_name_existing_cases() -> None:
    unknown = set(KNOWN_DISAGREEMENTS) - {case.id for case in CASES}
    assert not unknown, f"no such case: {sorted(unknown)}"


def test_at_least_400_cases() -> None:
    count = len(CASES)
    assert count >= MINIMUM_CASES, f"{count} cases in {CASES_DIR}"


@pytest.mark.parametrize(
    "case_file",
    [f for f in LOADED.files if Path(f.path).name not in NO_CROSS_ACCOUNT_NEEDED],
    ids=lambda f: Path(f.path).name,
)
def test_every_topic_has_a_cross_account_case(case_file: CaseFile) -> None:
    # Same-account and cross-account requests are evaluated differently
    # (reference_policies_evaluation-logic-cross-account.html): a topic proven on one side only
    # is half proven.
    assert any(is_cross_account(case.request) for case in case_file.cases), (
        f"{case_file.path}: no case whose ResourceOwner is another account than the caller's"
    )


# --- the format is checked strictly ------------------------------------------------------------

VALID_CASE: dict[str, Any] = {
    "id": "example",
    "page": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
    "request": {
        "CallerArn": "arn:aws:iam::111111111111:user/alice",
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
        "ResourceOwner": "111111111111",
    },
    "expect": {"EvalDecision": "implicitDeny", "DeniedBy": "identity-based policy"},
}


def _write(tmp_path: Path, cases: list[dict[str, Any]], name: str = "topic.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"topic": "Example", "cases": cases}))
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"Typo": 1}, "unknown field 'Typo'"),
        ({"page": 5}, '"page" must be a https://docs.aws.amazon.com/ URL'),
        ({"page": "https://example.com/blog"}, '"page" must be a https://docs.aws.amazon.com/'),
        ({"expect": {"DeniedBy": None}}, "needs EvalDecision"),
        ({"expect": {"EvalDecision": "allowed", "Decision": "x"}}, "'Decision' is no key"),
        (
            {"request": {**VALID_CASE["request"], "ActionNames": ["s3:GetObject", "s3:PutObject"]}},
            "exactly one action",
        ),
        (
            {
                "request": {
                    **VALID_CASE["request"],
                    "ResourceArns": ["arn:aws:s3:::b/1", "arn:aws:s3:::b/2"],
                }
            },
            "at most one resource",
        ),
    ],
)
def test_a_malformed_case_is_named_with_its_file(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    raw = {**VALID_CASE, **change}
    path = _write(tmp_path, [raw])
    case_file = load_case_file(path)
    assert case_file.cases == ()
    [found] = case_file.problems
    assert str(found).startswith(f"{path}: case example: ")
    assert problem in str(found)


def test_a_missing_page_is_named(tmp_path: Path) -> None:
    raw = {key: value for key, value in VALID_CASE.items() if key != "page"}
    [found] = load_case_file(_write(tmp_path, [raw])).problems
    assert str(found) == f"{tmp_path / 'topic.json'}: case example: missing 'page'"


def test_duplicate_ids_across_files_are_named(tmp_path: Path) -> None:
    first = _write(tmp_path, [VALID_CASE], "a.json")
    second = _write(tmp_path, [VALID_CASE], "b.json")
    loaded = load_case_files([first, second])
    assert [case.file for case in loaded.cases] == [str(first)]
    [found] = loaded.problems
    assert str(found) == f"{second}: case example: duplicate id, already used in {first}"


def test_duplicate_ids_within_a_file_are_named(tmp_path: Path) -> None:
    [found] = load_case_file(_write(tmp_path, [VALID_CASE, VALID_CASE])).problems
    assert str(found).endswith("case example: duplicate id in this file")


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"topic": "x",\n "cases": [\n  {,]}')
    loaded = load_case_files([path, tmp_path / "missing.json"])
    assert loaded.files == ()
    broken, missing = (str(problem) for problem in loaded.problems)
    assert broken.startswith(f"{path}: not JSON: ") and "line 3" in broken
    assert missing.startswith(f"{tmp_path / 'missing.json'}: cannot read")


def test_more_than_one_result_fails_the_case(tmp_path: Path) -> None:
    [case] = load_case_file(_write(tmp_path, [VALID_CASE])).cases

    def two_results(_request: Any) -> dict[str, Any]:
        return {"EvaluationResults": [{"EvalDecision": "allowed"}, {"EvalDecision": "allowed"}]}

    verdict = run_case(case, two_results)
    assert not verdict.agrees
    assert verdict.error == "2 results; a case must have exactly one"


def test_null_means_absent_and_only_named_keys_compare(tmp_path: Path) -> None:
    [case] = load_case_file(_write(tmp_path, [VALID_CASE])).cases
    verdict: Verdict = run_case(case)
    assert verdict.agrees, verdict.describe()
    allowed = {**VALID_CASE, "expect": {"EvalDecision": "implicitDeny", "DeniedBy": None}}
    [case] = load_case_file(_write(tmp_path, [allowed])).cases
    verdict = run_case(case)
    assert verdict.describe() == 'expected DeniedBy=null; got DeniedBy="identity-based policy"'
