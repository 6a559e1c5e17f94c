"""`securecart simulate`: single requests, batches, and bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.commands.main import main
from harness.simulation import inputs as simulate_requests
from harness.simulation.custom_policy import SimulationInputError, context_keys
from harness.simulation.inputs import Line, lines, run_batch

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
        [sys.executable, "-m", "harness.commands", "simulate"],
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


def test_lines_drops_an_overlong_line_and_keeps_the_next() -> None:
    stream = io.BytesIO(b"12345\n" + b"x" * 12 + b"\n" + b"ab")
    assert list(lines(stream, 5)) == [
        Line(1, b"12345\n"),  # exactly the limit, its newline aside: kept
        Line(2, "", too_long=True),
        Line(3, b"ab"),
    ]


def test_run_batch_reads_text_streams_too() -> None:
    # bench.engine feeds run_batch a StringIO.
    out = io.StringIO()
    text = json.dumps(request(PolicyInputList=[ALLOW_ALL])) + "\n[]\n"
    assert run_batch(io.StringIO(text), out) == 0
    allowed, refused = (json.loads(line) for line in out.getvalue().splitlines())
    assert allowed["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert refused == {"Error": "line 2: InvalidInput: (request): must be a JSON object"}


def _failing_on_bob(real: Any) -> Any:
    def simulate(request: Any) -> Any:
        if request.get("CallerArn", "").endswith("/bob"):
            raise ValueError("\x1b[2J")
        return real(request)

    return simulate


def test_a_failure_of_the_simulator_costs_one_line_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate_requests, "simulate", _failing_on_bob(simulate_requests.simulate))
    bob = request(CallerArn="arn:aws:iam::111111111111:user/bob")
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (request(), bob, request())) + "\n")
    assert main(["simulate", "--batch", str(path)]) == 1
    first, failed, last = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert failed["Error"].startswith("line 2: InternalFailure: The request processing has failed")
    assert failed["Error"].endswith("(ValueError: \\u001b[2J)")
    assert first["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert last["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_a_failure_of_the_simulator_on_a_single_request_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulate_requests, "simulate", _failing_on_bob(simulate_requests.simulate))
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request(CallerArn="arn:aws:iam::111111111111:user/bob")))
    assert main(["simulate", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("securecart simulate: InternalFailure: ")
    assert "\x1b" not in captured.err
    assert captured.err.count("\n") == 1


def test_an_interrupt_exits_130_quietly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_request: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(simulate_requests, "simulate", interrupted)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request()))
    assert main(["simulate", str(path)]) == 130
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("key", "key_type", "values", "multivalued"),
    [
        ("aws:CurrentTime", None, ["2024-01-31T12:00:00Z"], False),
        ("aws:CurrentTime", "dateList", ["2024-01-31", "1706702400"], True),
        ("aws:PrincipalOrgPaths", None, ["o-1/r-1/ou-1/", "o-1/r-1/ou-2/"], True),
    ],
)
def test_context_keys_keep_the_values_and_the_type(
    key: str, key_type: str | None, values: list[str], multivalued: bool
) -> None:
    entry: dict[str, Any] = {"ContextKeyName": key, "ContextKeyValues": values}
    if key_type is not None:
        entry["ContextKeyType"] = key_type
    keys = context_keys([entry])
    assert keys[key] == tuple(values)
    assert keys.is_multivalued(key) is multivalued


def test_an_error_quotes_a_long_value_cut_short() -> None:
    value = "x" * 5000
    with pytest.raises(SimulationInputError) as error:
        context_keys([{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": [value]}])
    assert error.value.field == "ContextEntries[0].ContextKeyValues[0]"
    assert f"'{'x' * 100}...'" in error.value.problem
    assert len(str(error.value)) < 400


def test_the_size_limit_counts_the_request_not_its_newline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps(request(PolicyInputList=[ALLOW_ALL])).encode()
    monkeypatch.setattr(simulate_requests, "MAX_REQUEST_BYTES", len(text))
    path = tmp_path / "request.json"
    path.write_bytes(text + b"\n")
    assert main(["simulate", str(path)]) == 0
    path.write_bytes(text + b" \n")
    assert main(["simulate", str(path)]) == 2
    # What follows a request of the limit's size is not silently left unread.
    path.write_bytes(text + b"\n}")
    assert main(["simulate", str(path)]) == 2
    path.write_bytes(text + b"\n" + text + b" \n" + text)
    assert main(["simulate", "--batch", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count(f"longer than {len(text)} bytes") == 2
    answers = [json.loads(line) for line in captured.out.splitlines()[-3:]]
    assert answers[1] == {
        "Error": f"line 2: {path}: longer than {len(text)} bytes, the most a request may be"
    }
    assert [a["EvaluationResults"][0]["EvalDecision"] for a in (answers[0], answers[2])] == [
        "allowed",
        "allowed",
    ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request()))
    # Buffered, as standard output is for a user: what the failed flush left is flushed again
    # at exit.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    with Path("/dev/full").open("w") as full:
        completed = subprocess.run(
            [sys.executable, "-m", "harness.commands", "simulate", str(path)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=env,
        )
    assert completed.returncode == 1
    assert completed.stderr == "securecart simulate: [Errno 28] No space left on device\n"


# --- --cases: case files, as tests/iam/cases/*.json -------------------------------------------

PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"


def case_file(tmp_path: Path, name: str, cases: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"topic": "Example", "cases": cases}, indent=2))
    return path


def a_case(case_id: str, decision: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "page": PAGE,
        "request": request(**fields),
        "expect": {"EvalDecision": decision},
    }


def test_cases_that_agree_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = case_file(
        tmp_path, "a.json", [a_case("allowed", "allowed", PolicyInputList=[ALLOW_ALL])]
    )
    second = case_file(tmp_path, "b.json", [a_case("default-deny", "implicitDeny")])
    assert main(["simulate", "--cases", str(first), str(second)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "2 cases in 2 files: 2 agree, 0 disagree\n"
    assert captured.err == ""


def test_a_case_that_disagrees_is_named_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = a_case("wrong", "allowed")
    wrong["expect"]["DeniedBy"] = None
    path = case_file(tmp_path, "a.json", [a_case("right", "implicitDeny"), wrong])
    assert main(["simulate", "--cases", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f'{path}: wrong: expected EvalDecision="allowed", DeniedBy=null; '
        'got EvalDecision="implicitDeny", DeniedBy="identity-based policy"',
        "2 cases in 1 files: 1 agree, 1 disagree",
    ]


def test_a_request_the_simulator_refuses_disagrees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case_file(tmp_path, "a.json", [a_case("bad-caller", "allowed", CallerArn="bob")])
    assert main(["simulate", "--cases", str(path)]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f'{path}: bad-caller: expected EvalDecision="allowed"; got ')
    assert "SimulationInputError: InvalidInput: CallerArn" in line


def test_a_file_that_is_not_json_names_the_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = case_file(tmp_path, "good.json", [a_case("default-deny", "implicitDeny")])
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "topic": "x",\n  "cases": [\n    {"id": "a",}\n  ]\n}\n')
    assert main(["simulate", "--cases", str(bad), str(good)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"securecart simulate: {bad}: not JSON: ")
    assert "at line 4 column" in captured.err
    # The readable file is still run.
    assert captured.out == "1 cases in 1 files: 1 agree, 0 disagree\n"


def test_a_missing_file_or_a_malformed_case_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_page = a_case("no-page", "implicitDeny")
    del no_page["page"]
    path = case_file(tmp_path, "a.json", [no_page])
    missing = tmp_path / "missing.json"
    assert main(["simulate", "--cases", str(path), str(missing)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"securecart simulate: {path}: case no-page: missing 'page'",
        f"securecart simulate: {missing}: cannot read: No such file or directory",
    ]


def test_cases_take_no_request_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = case_file(tmp_path, "a.json", [a_case("default-deny", "implicitDeny")])
    assert main(["simulate", str(path), "--cases", str(path)]) == 2
    assert "--cases takes no request file" in capsys.readouterr().err


def test_cases_of_a_directory_are_its_json_files(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    case_file(folder, "b.json", [a_case("allowed", "allowed", PolicyInputList=[ALLOW_ALL])])
    case_file(folder, "a.json", [a_case("default-deny", "implicitDeny")])
    (folder / "notes.txt").write_text("not a case file")
    assert main(["simulate", "--cases", str(folder)]) == 0
    assert capsys.readouterr().out == "2 cases in 2 files: 2 agree, 0 disagree\n"


def test_a_directory_without_case_files_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--cases", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert f"securecart simulate: {tmp_path}: a directory with no *.json case file" in captured.err
