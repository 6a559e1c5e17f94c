"""`securecart simulate`: single requests, batches, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main

EXAMPLE = (
    Path(__file__).parent.parent / "examples" / "simulate" / "developer-deletes-prod-bucket.json"
)
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"},
}


def request(**fields: Any) -> dict[str, Any]:
    return {
        "CallerArn": "arn:aws:iam::111111111111:user/alice",
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
        "ResourceOwner": "111111111111",
        **fields,
    }


def test_example_from_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(EXAMPLE)]) == 0
    results = json.loads(capsys.readouterr().out)["EvaluationResults"]
    delete, read = results
    assert delete["EvalDecision"] == "explicitDeny"
    assert delete["Message"].endswith("with an explicit deny in a service control policy")
    assert delete["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert [s["Statement"] for s in delete["MatchedStatements"] if s["Effect"] == "Deny"] == [
        "DenyDestructiveActionsInProd"
    ]
    assert read["EvalDecision"] == "allowed"


def test_reads_standard_input() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "harness.cli", "simulate"],
        input=json.dumps(request(PolicyInputList=[ALLOW_ALL])),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["EvaluationResults"][0]["EvalDecision"] == "allowed"


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({"ActionNames": ["s3:GetObject"]}), "CallerArn"),
        (json.dumps(request(ActionNames="s3:GetObject")), "ActionNames"),
        (json.dumps(request(ActionNames=["s3:Get*"])), "ActionNames[0]"),
        (json.dumps(request(Typo=1)), "Typo: unknown field"),
        (json.dumps(request(CallerArn="arn:aws:iam::1:user/x")), "CallerArn"),
        (
            json.dumps(
                request(
                    PolicyInputList=[
                        {"Statement": {"Effect": "Permit", "Action": "*", "Resource": "*"}}
                    ]
                )
            ),
            "PolicyInputList.1",
        ),
        (
            json.dumps(
                request(
                    PolicyInputList=[
                        {
                            "Version": "2012-10-17",
                            "Statement": {
                                "Effect": "Allow",
                                "Action": "*",
                                "Resource": "*",
                                "Condition": {"StringEqual": {"aws:username": "x"}},
                            },
                        }
                    ]
                )
            ),
            "StringEqual",
        ),
        (
            json.dumps(
                request(
                    ContextEntries=[
                        {
                            "ContextKeyName": "aws:SourceIp",
                            "ContextKeyValues": ["1.1.1.1", "2.2.2.2"],
                        }
                    ]
                )
            ),
            "ContextEntries[0].ContextKeyValues",
        ),
        (
            json.dumps(request(PermissionsBoundaryPolicyInputList=[ALLOW_ALL, ALLOW_ALL])),
            "PermissionsBoundaryPolicyInputList",
        ),
    ],
)
def test_malformed_requests_name_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, names: str
) -> None:
    path = tmp_path / "request.json"
    path.write_text(body)
    assert main(["simulate", str(path)]) == 2
    captured = capsys.readouterr()
    assert names in captured.err
    assert captured.out == ""
    assert "Traceback" not in captured.err


def test_batch_answers_every_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps(request(PolicyInputList=[ALLOW_ALL])),
        "{broken",
        json.dumps(request()),
        json.dumps({"CallerArn": 5}),
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert main(["simulate", "--batch", str(path)]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(answers) == 4
    assert answers[0]["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert answers[1]["Error"].startswith("line 2:")
    assert answers[2]["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert "CallerArn" in answers[3]["Error"]


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "/nonexistent/request.json"])
    assert exit_info.value.code == 2
    assert "cannot read /nonexistent/request.json" in capsys.readouterr().err


def test_huge_policy_is_refused_not_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statements = [
        {"Effect": "Allow", "Action": f"s3:GetObject{i}", "Resource": "*"} for i in range(5000)
    ]
    path = tmp_path / "request.json"
    path.write_text(
        json.dumps(request(PolicyInputList=[{"Version": "2012-10-17", "Statement": statements}]))
    )
    assert main(["simulate", str(path)]) == 2
    assert "PolicySize" in capsys.readouterr().err
