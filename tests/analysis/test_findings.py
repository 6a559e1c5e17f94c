"""harness.analysis.findings: locating statements in JSON files, accepted findings, and the
text, JSON and SARIF 2.1.0 outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.analysis import lint
from harness.analysis.findings import (
    SARIF_SCHEMA,
    AcceptedFileError,
    Finding,
    Rule,
    Severity,
    apply_accepted,
    display_path,
    load_accepted,
    statement_line,
    statement_offsets,
    text_line,
    to_json,
    to_sarif,
    to_text,
)
from harness.landscape.loader import load_landscape
from tests.landscape.builders import copy_landscape, edit_json

RULE = Rule("some-rule", Severity.WARNING, "Some rule", "What it checks.")


def finding(file: Path, **fields: Any) -> Finding:
    values: dict[str, Any] = {
        "rule": "some-rule",
        "severity": Severity.WARNING,
        "file": file,
        "statement": 0,
        "sid": None,
        "message": "something",
        "fix": "fix it",
    }
    values.update(fields)
    return Finding(**values)


# --------------------------------------------------------------------------- locations


POLICY = """{
  "Version": "2012-10-17",
  "Id": "has \\"Statement\\": [{ in a string",
  "Statement": [
    {
      "Sid": "First",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::b/{braces}[and]\\"quotes\\"",
      "Condition": {"StringEquals": {"aws:UserAgent": ["{", "["]}}
    },
    {"Sid": "Second", "Effect": "Deny", "Action": "*", "Resource": "*"},

    {
      "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"
    }
  ]
}
"""


def test_statement_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(POLICY, encoding="utf-8")
    assert [POLICY.count("\n", 0, offset) + 1 for offset in statement_offsets(POLICY)] == [
        5,
        12,
        14,
    ]
    assert statement_line(path, 0) == 5
    assert statement_line(path, 2) == 14
    assert statement_line(path, None) == 1
    assert statement_line(path, 7, "Second") == 12  # past the end: found by its Sid
    assert statement_line(tmp_path / "missing.json", 0) == 1


def test_a_single_statement_object(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        '{"Version": "2012-10-17",\n "Statement":\n  {"Effect": "Allow"}}', encoding="utf-8"
    )
    assert statement_line(path, 0) == 3


def test_text_line(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(
        "users:\n  - name: Admins\n"
        "permission_sets:\n  - name: AdminHelper\n  - name: Admin\n    managed: [x]\n",
        encoding="utf-8",
    )
    assert text_line(path, "permission_sets:", "name: Admin") == 5
    assert text_line(path, "permission_sets:", "name: Admin", "managed:") == 6
    assert text_line(path, "nothing here") == 1


def test_display_path(tmp_path: Path) -> None:
    inside = tmp_path / "a" / "b.json"
    assert display_path(inside, tmp_path) == "a/b.json"
    assert display_path(inside, tmp_path / "elsewhere") == inside.resolve().as_posix()


# --------------------------------------------------------------------------- accepted findings


def test_accepted_entries_narrow_by_sid_statement_and_subject(tmp_path: Path) -> None:
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text(
        "accepted:\n"
        "  - {rule: some-rule, file: p.json, sid: A, reason: r1, owner: o}\n"
        "  - {rule: some-rule, file: p.json, statement: 2, reason: r2, owner: o}\n"
        "  - rule: some-rule\n"
        "    file: q.yaml\n"
        "    subject: permission set X\n"
        "    reason: >-\n"
        "      folded\n"
        "      reason\n"
        "    owner: o\n"
        "  - {rule: other-rule, file: p.json, reason: r4, owner: o}\n",
        encoding="utf-8",
    )
    entries = load_accepted(accepted)
    assert [entry.line for entry in entries] == [2, 3, 4, 11]
    assert entries[2].reason == "folded reason"
    findings = [
        finding(tmp_path / "p.json", statement=0, sid="A"),
        finding(tmp_path / "p.json", statement=1, sid="B"),
        finding(tmp_path / "p.json", statement=2),
        finding(tmp_path / "q.yaml", statement=None, subject="permission set X"),
        finding(tmp_path / "q.yaml", statement=None, subject="permission set Y"),
    ]
    result = apply_accepted(findings, entries, tmp_path, accepted)
    assert [f.accepted.reason if f.accepted else None for f in result[:5]] == [
        "r1",
        None,
        "r2",
        "folded reason",
        None,
    ]
    (stale,) = result[5:]
    assert (stale.rule, stale.file, stale.line, stale.severity) == (
        "stale-acceptance",
        accepted,
        11,
        Severity.ERROR,
    )
    assert stale.message == "accepted finding other-rule in p.json matches no finding"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("accepted: {}\n", "'accepted' must be a list"),
        ("other: []\n", "expected a mapping with the one key 'accepted'"),
        ("accepted:\n  - rule: r\n", "'file' is required"),
        ("accepted:\n  - {rule: r, file: f, reason: '', owner: o}\n", "'reason' is required"),
        ("accepted:\n  - {rule: r, file: f, reason: x, owner: o, why: y}\n", "unknown key 'why'"),
        ("accepted:\n  - {rule: r, file: f, reason: x, owner: o, statement: a}\n", "integer"),
        ("accepted:\n  - {rule: nope, file: f, reason: x, owner: o}\n", "unknown rule 'nope'"),
        ("accepted: [\n", "not YAML"),
    ],
)
def test_malformed_accepted_files(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "accepted.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AcceptedFileError, match=problem.replace("(", r"\(")):
        load_accepted(path, known_rules={"r"})


def test_an_empty_accepted_file(tmp_path: Path) -> None:
    path = tmp_path / "accepted.yaml"
    path.write_text("# nothing accepted\n", encoding="utf-8")
    assert load_accepted(path) == ()


# --------------------------------------------------------------------------- text and JSON


def test_text_output(tmp_path: Path) -> None:
    findings = [
        finding(tmp_path / "p.json", sid="A", line=4, severity=Severity.ERROR),
        finding(tmp_path / "q.yaml", statement=None, subject="permission set X", line=9),
    ]
    text = to_text(findings, base=tmp_path)
    assert text.splitlines() == [
        'p.json:4: error some-rule: Statement[0] "A": something',
        "    fix: fix it",
        "q.yaml:9: warning some-rule: permission set X: something",
        "    fix: fix it",
        "2 findings (1 error, 1 warning), 0 accepted",
    ]
    assert to_text([], base=tmp_path) == "0 findings, 0 accepted\n"


def test_json_output(tmp_path: Path) -> None:
    document = to_json([finding(tmp_path / "p.json", line=3)], base=tmp_path, landscape="x")
    assert document == {
        "landscape": "x",
        "findings": [
            {
                "rule": "some-rule",
                "severity": "warning",
                "file": "p.json",
                "line": 3,
                "statement": 0,
                "sid": None,
                "subject": None,
                "message": "something",
                "fix": "fix it",
                "accepted": None,
            }
        ],
        "summary": {
            "error": 0,
            "security": 0,
            "warning": 1,
            "suggestion": 0,
            "accepted": 0,
            "failures": 0,
        },
    }


# --------------------------------------------------------------------------- SARIF


def validate_sarif(sarif: dict[str, Any]) -> None:
    """The structure SARIF 2.1.0 consumers (GitHub code scanning among them) rely on."""
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == SARIF_SCHEMA
    assert len(sarif["runs"]) == 1
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str) and driver["name"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert isinstance(physical["region"]["startLine"], int)
        assert physical["region"]["startLine"] >= 1
        for suppression in result.get("suppressions", []):
            assert suppression["kind"] in ("inSource", "external")
            assert suppression["justification"]
    json.dumps(sarif)  # serialisable


def test_sarif_of_a_broken_landscape(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)

    def break_it(document: Any) -> None:
        document["Statement"][0]["Action"] = ["s3:GetObjekt", "s3:GetObjectVersion"]
        document["Statement"][1]["Resource"] = "arn:aws:s3:::securecart-prod-customer-data/*"

    edit_json(directory, "policies/iam/orders-processor.json", break_it)
    accepted_file = directory / lint.ACCEPTED_FILE
    accepted_file.write_text(
        accepted_file.read_text(encoding="utf-8")
        + "  - {rule: redundant-statement, file: nowhere.json, reason: r, owner: o}\n",
        encoding="utf-8",
    )
    stale_line = len(accepted_file.read_text(encoding="utf-8").splitlines())
    findings = lint.lint_landscape(
        load_landscape(directory), load_accepted(accepted_file, lint.RULE_IDS), accepted_file
    )
    sarif = to_sarif("securecart-lint", lint.RULES, findings, base=tmp_path)
    validate_sarif(sarif)
    results = sarif["runs"][0]["results"]
    places = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert places == {
        ("admin-access", "securecart/identity-center.yaml", 85),
        ("allow-with-not-action", "securecart/policies/boundaries/developer-boundary.json", 4),
        ("unknown-action", "securecart/policies/iam/orders-processor.json", 4),
        ("resource-type-mismatch", "securecart/policies/iam/orders-processor.json", 13),
        ("stale-acceptance", "securecart/analysis/accepted.yaml", stale_line),
    }
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["unknown-action"] == "error"
    assert levels["admin-access"] == "error"
    suppressed = {r["ruleId"] for r in results if "suppressions" in r}
    assert suppressed == {"admin-access", "allow-with-not-action"}
    assert sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_sarif_for_any_tool(tmp_path: Path) -> None:
    sarif = to_sarif(
        "securecart-diff",
        [RULE],
        [finding(tmp_path / "p.json", statement=None, subject="x")],
        base=tmp_path,
        tool_version="1.0",
    )
    validate_sarif(sarif)
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert result["level"] == "warning"
    assert sarif["runs"][0]["tool"]["driver"]["version"] == "1.0"


def test_sarif_points_outside_the_base_with_an_absolute_uri(tmp_path: Path) -> None:
    sarif = to_sarif("t", [RULE], [finding(tmp_path / "p.json")], base=tmp_path / "sub")
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == (tmp_path / "p.json").resolve().as_uri()
    assert "uriBaseId" not in location["artifactLocation"]
