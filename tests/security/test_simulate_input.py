"""`securecart simulate` against hostile input: bytes that are not UTF-8, files that are not
requests, characters that no action, ARN or condition key holds, and context values that are
not of their key's type.

Every case runs through the command (`main(argv)`, or the installed entry point where standard
input or a pipe is the point) and must end in an error that names the place — the file, the
line in a batch, the field and its index — with exit 2 and never a traceback or an answer; in a
batch the good requests around a bad line keep their normal answer. The types come from the
request's ContextKeyType or AWS's condition-key reference
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html), the value formats
from the condition operators page
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.commands.main import main
from harness.simulation.inputs import MAX_REQUEST_BYTES

ACCOUNT = "111111111111"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"},
}


def request(**fields: Any) -> dict[str, Any]:
    """A request every policy allows: its answer is `allowed` unless the input is refused."""
    return {
        "CallerArn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
        "ResourceOwner": ACCOUNT,
        "PolicyInputList": [ALLOW_ALL],
        **fields,
    }


def with_context(name: str, values: list[str], key_type: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"ContextKeyName": name, "ContextKeyValues": values}
    if key_type is not None:
        entry["ContextKeyType"] = key_type
    return request(ContextEntries=[entry])


def body(value: Any) -> bytes:
    """Compact JSON, ASCII only: control characters and surrogates travel as \\u escapes."""
    return json.dumps(value).encode()


@dataclass(frozen=True)
class Hostile:
    id: str
    body: bytes
    names: tuple[str, ...]  # what the error must say: the place, the character, the value
    in_batch: bool = True  # a blank or multi-line body cannot be one line of a batch


HOSTILE = [
    # Bytes and files that are not a request's JSON text.
    Hostile("not-utf8", b'{"CallerArn": "\xff"}', ("not UTF-8", "0xff", "at byte 16")),
    Hostile(
        "not-utf8-third-line",
        b'{\n "CallerArn":\n  "al\xc3ice"\n}',
        ("not UTF-8", "invalid continuation byte 0xc3", "at line 3 byte 6"),
        in_batch=False,
    ),
    Hostile("overlong-utf8-slash", b'{"CallerArn": "\xc0\xaf"}', ("not UTF-8", "0xc0")),
    Hostile("utf16", '{"CallerArn": "x"}'.encode("utf-16"), ("not UTF-8",)),
    Hostile("empty", b"", ("empty",), in_batch=False),
    Hostile("blank", b"  \r\n\t\n", ("empty",), in_batch=False),
    Hostile("not-json", b"{broken", ("not JSON",)),
    Hostile("array", b"[1, 2]", ("(request)", "must be a JSON object")),
    Hostile("string", b'"s3:GetObject"', ("(request)", "must be a JSON object")),
    Hostile("null", b"null", ("(request)", "must be a JSON object")),
    Hostile("deep-array", b"[" * 100_000 + b"]" * 100_000, ("nesting deeper than 64",)),
    Hostile("deep-object", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, ("nesting deeper than 64",)),
    Hostile(
        "huge",
        b" " * MAX_REQUEST_BYTES + body(request()),
        (f"longer than {MAX_REQUEST_BYTES} bytes",),
    ),
    Hostile("huge-number", b'{"ManagementAccount": ' + b"9" * 5_000 + b"}", ("not JSON",)),
    # Control characters and lone surrogates, each naming the field, its index and the
    # character.
    Hostile(
        "nul-in-action",
        body(request(ActionNames=["s3:GetObject", "s3:Get\u0000Object"])),
        ("ActionNames[1]", "U+0000", "control character"),
    ),
    Hostile(
        "escape-in-resource",
        body(request(ResourceArns=["arn:aws:s3:::b/\u001b[2Jk"])),
        ("ResourceArns[0]", "U+001B"),
    ),
    Hostile(
        "surrogate-in-resource",
        body(request(ResourceArns=["arn:aws:s3:::b/k", "arn:aws:s3:::b/\ud800"])),
        ("ResourceArns[1]", "U+D800", "lone surrogate"),
    ),
    Hostile(
        "c1-in-caller",
        body(request(CallerArn=f"arn:aws:iam::{ACCOUNT}:user/al\u0085ice")),
        ("CallerArn", "U+0085"),
    ),
    Hostile(
        "newline-after-caller-account",
        body(request(CallerArn=f"arn:aws:iam::{ACCOUNT}\n:user/alice")),
        ("CallerArn", "U+000A"),
    ),
    Hostile(
        "nul-in-owner",
        body(request(ResourceOwner=f"{ACCOUNT}\u0000")),
        ("ResourceOwner", "U+0000"),
    ),
    Hostile(
        "other-script-digits-in-owner",
        body(request(ResourceOwner="\u0661" * 12)),  # ARABIC-INDIC DIGIT ONE: \d matches it
        ("ResourceOwner", "must be an account id"),
    ),
    Hostile(
        "tab-in-key-name",
        body(with_context("aws:Source\tIp", ["203.0.113.7"])),
        ("ContextEntries[0].ContextKeyName", "U+0009"),
    ),
    Hostile(
        "surrogate-in-key-value",
        body(with_context("aws:PrincipalTag/team", ["a", "b\udfff"], "stringList")),
        ("ContextEntries[0].ContextKeyValues[1]", "U+DFFF"),
    ),
    Hostile(
        "escape-in-field-name",
        body({**request(), "\u001b[2JTypo": 1}),
        ("\\u001b[2JTypo", "unknown field"),
    ),
    Hostile(
        "path-as-key-prefix",
        body(with_context("../actions/s3:GetObject", ["x"])),
        ("ContextEntries[0].ContextKeyName", "../actions/s3:GetObject"),
    ),
    Hostile(
        "absolute-path-as-key-prefix",
        body(with_context("/usr/lib/python3/x:y", ["x"])),
        ("ContextEntries[0].ContextKeyName", "'/usr/lib/python3/x:y'"),
    ),
    Hostile(
        "key-name-too-long",
        body(with_context("aws:PrincipalTag/" + "t" * 300, ["x"])),
        ("ContextEntries[0].ContextKeyName", "less than or equal to 256"),
    ),
    Hostile(
        "action-without-service",
        body(request(ActionNames=[":GetObject"])),
        ("ActionNames[0]", "is not an action name"),
    ),
    Hostile(
        "action-too-long",
        body(request(ActionNames=["s3:" + "G" * 200])),
        ("ActionNames[0]", "less than or equal to 128"),
    ),
    # Context values that are not of their key's type: the key and the value named.
    Hostile(
        "current-time-not-a-date",
        body(with_context("aws:CurrentTime", ["not-a-date"])),
        ("ContextEntries[0].ContextKeyValues[0]", "aws:CurrentTime", "'not-a-date'", "Date"),
    ),
    Hostile(
        "token-issue-time-not-a-date",
        body(with_context("aws:TokenIssueTime", ["not-a-date"])),
        ("aws:TokenIssueTime", "'not-a-date'", "condition-key reference"),
    ),
    Hostile(
        "date-month-13",
        body(with_context("aws:CurrentTime", ["2024-13-01T00:00:00Z"])),
        ("aws:CurrentTime", "'2024-13-01T00:00:00Z'"),
    ),
    Hostile(
        "numeric-abc",
        body(with_context("aws:MultiFactorAuthAge", ["abc"])),
        ("aws:MultiFactorAuthAge", "'abc'", "Numeric"),
    ),
    Hostile(
        "bool-maybe",
        body(with_context("aws:SecureTransport", ["maybe"])),
        ("aws:SecureTransport", "'maybe'", "Bool"),
    ),
    Hostile(
        "ip-octet-999",
        body(with_context("aws:SourceIp", ["999.1.1.1"])),
        ("aws:SourceIp", "'999.1.1.1'", "IPAddress"),
    ),
    Hostile(
        "ip-prefix-33",
        body(with_context("aws:SourceIp", ["10.0.0.0/33"])),
        ("aws:SourceIp", "'10.0.0.0/33'"),
    ),
    Hostile(
        "arn-junk",
        body(with_context("aws:SourceArn", ["junk"])),
        ("aws:SourceArn", "'junk'", "ARN"),
    ),
    Hostile(
        "arn-without-service",
        body(with_context("aws:SourceArn", [f"arn:aws::us-east-1:{ACCOUNT}:topic"])),
        ("aws:SourceArn", "ARN"),
    ),
    Hostile(
        "type-from-context-key-type",
        body(with_context("s3:max-keys", ["ten"], "numeric")),
        ("s3:max-keys", "'ten'", "from ContextKeyType numeric"),
    ),
    Hostile(
        "second-of-a-list",
        body(with_context("aws:SourceIp", ["10.0.0.1", "nope"], "ipList")),
        ("ContextEntries[0].ContextKeyValues[1]", "'nope'"),
    ),
    Hostile(
        "binary-not-base64",
        body(with_context("s3:x-amz-content", ["not base64!"], "binary")),
        ("'not base64!'", "base64"),
    ),
]


@pytest.mark.parametrize("case", HOSTILE, ids=[case.id for case in HOSTILE])
def test_a_hostile_request_file_is_refused_naming_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Hostile
) -> None:
    path = tmp_path / "request.json"
    path.write_bytes(case.body)
    assert main(["simulate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    for name in case.names:
        assert name in captured.err
    assert captured.err.count("\n") == 1  # one line: no traceback
    # Nothing from the input reaches the terminal raw: no escape sequence, no NUL.
    assert not any(ord(c) < 0x20 and c != "\n" for c in captured.err)


def test_a_batch_answers_every_hostile_line_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [case for case in HOSTILE if case.in_batch]
    good = body(request())
    lines = [good]
    for case in cases:
        lines += [case.body, good]
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    assert main(["simulate", "--batch", str(path)]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert len(answers) == len(lines)
    for index, case in enumerate(cases):
        number = 2 * index + 2
        error = answers[number - 1]["Error"]
        assert error.startswith(f"line {number}: "), (case.id, error)
        for name in case.names:
            assert name in error, (case.id, error)
    for good_answer in answers[::2]:
        assert good_answer["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_a_batch_names_the_file_of_a_line_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(body(request()) + b"\n\n" + b'{"CallerArn": "\xe9"}\n' + body(request()))
    assert main(["simulate", "--batch", str(path)]) == 0
    first, bad, last = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    # The blank line 2 is skipped but counted: the bad line is line 3 of the file.
    problem = "not UTF-8: invalid continuation byte 0xe9 at byte 16"
    assert bad == {"Error": f"line 3: {path}: {problem}"}
    assert first["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert last["EvaluationResults"][0]["EvalDecision"] == "allowed"


def _command(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "harness.commands", "simulate", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def test_standard_input_that_is_not_utf8_exits_2_naming_stdin() -> None:
    completed = _command(stdin=b'{"CallerArn": "arn:aws:iam::111111111111:user/\xfe"}')
    assert completed.returncode == 2
    assert completed.stdout == b""
    assert completed.stderr.decode() == (
        "securecart simulate: <stdin>: not UTF-8: invalid start byte 0xfe at byte 47\n"
    )


def test_a_batch_on_standard_input_goes_on_after_a_bad_line() -> None:
    stdin = b"\n".join([body(request()), b"\xff\xfe", body(with_context("aws:SourceIp", ["x"]))])
    completed = _command("--batch", "-", stdin=stdin + b"\n" + body(request()) + b"\n")
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == b""
    answers = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [sorted(answer) for answer in answers] == [
        ["EvaluationResults"],
        ["Error"],
        ["Error"],
        ["EvaluationResults"],
    ]
    assert answers[1]["Error"].startswith("line 2: <stdin>: not UTF-8")
    assert answers[2]["Error"].startswith("line 3: InvalidInput: ")
    assert answers[3]["EvaluationResults"][0]["EvalDecision"] == "allowed"


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
def test_a_directory_given_as_the_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], batch: bool
) -> None:
    argv = ["simulate", "--batch", str(tmp_path)] if batch else ["simulate", str(tmp_path)]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"securecart simulate: cannot read {tmp_path}: Is a directory\n"
    )


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    # More answers than a pipe holds: the command is still writing when `head` has gone.
    path = tmp_path / "requests.jsonl"
    path.write_bytes((body(request()) + b"\n") * 2_000)
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    with subprocess.Popen(
        [sys.executable, "-m", "harness.commands", "simulate", "--batch", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=buffered,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        status = process.wait(timeout=120)
    assert json.loads(first)["EvaluationResults"][0]["EvalDecision"] == "allowed"
    assert stderr == b""
    assert status == 1


# --- what AWS accepts is still accepted, and means what it says ---------------------------


def _condition(operator: str, key: str, value: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {operator: {key: value}},
        },
    }


ACCEPTED = [
    # "one of the W3C implementations of the ISO 8601 date formats ... or in epoch (UNIX) time"
    ("aws:CurrentTime", None, "2024-01-31T12:00:00Z", "DateGreaterThan", "2024-01-31T11:59:59Z"),
    ("aws:CurrentTime", None, "2024-01-31T12:00:00.25Z", "DateGreaterThan", "2024-01-31T12:00:00Z"),
    ("aws:CurrentTime", None, "2024-01-31T13:00:00+01:00", "DateEquals", "2024-01-31T12:00:00Z"),
    ("aws:CurrentTime", None, "2024-01-31", "DateLessThan", "2024-01-31T00:00:01Z"),
    ("aws:EpochTime", None, "1706702400", "DateEquals", "2024-01-31T12:00:00Z"),
    ("aws:TokenIssueTime", "date", "1706702400.5", "DateGreaterThan", "1706702400"),
    # "the standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64)"
    ("aws:SourceIp", None, "203.0.113.7", "IpAddress", "203.0.113.0/24"),
    ("aws:SourceIp", None, "2001:db8:1234:5678::1", "IpAddress", "2001:DB8:1234:5678::/64"),
    ("aws:SourceIp", "ip", "2001:DB8::1", "IpAddress", "2001:db8::/32"),
    # Bool reads "true" and "false" without regard to case, as the engine does.
    ("aws:SecureTransport", None, "TRUE", "Bool", "true"),
    ("aws:MultiFactorAuthPresent", "boolean", "False", "Bool", "false"),
    ("aws:MultiFactorAuthAge", None, "3600", "NumericLessThan", "7200"),
    ("aws:MultiFactorAuthAge", "numeric", "3599.5", "NumericLessThan", "3600"),
    ("aws:SourceArn", None, f"arn:aws:sns:us-east-1:{ACCOUNT}:t", "ArnLike", "arn:aws:sns:*:*:*"),
    ("aws:SourceArn", None, "arn:aws:s3:::bucket", "ArnEquals", "arn:aws:s3:::bucket"),
    # A type given by the request wins over the reference's: an ARN key read as a string.
    ("aws:SourceArn", "string", "junk", "StringEquals", "junk"),
    # An OIDC provider's keys carry its path in the prefix (IRSA trust policies).
    (
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub",
        None,
        "system:serviceaccount:default:app",
        "StringEquals",
        "system:serviceaccount:default:app",
    ),
    # A key the reference does not know takes any (printable) text.
    ("custom:Anything", None, "x y: \u00e9 \U0001f600", "StringEquals", "x y: \u00e9 \U0001f600"),
]


@pytest.mark.parametrize(
    ("key", "key_type", "value", "operator", "policy_value"),
    ACCEPTED,
    ids=[f"{row[0]}={row[2]}" for row in ACCEPTED],
)
def test_a_value_aws_accepts_is_accepted_and_compared(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    key_type: str | None,
    value: str,
    operator: str,
    policy_value: str,
) -> None:
    fields = with_context(key, [value], key_type)
    fields["PolicyInputList"] = [_condition(operator, key, policy_value)]
    path = tmp_path / "request.json"
    path.write_bytes(body(fields))
    assert main(["simulate", str(path)]) == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"


def test_a_cidr_range_is_accepted_as_an_ip_context_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "request.json"
    path.write_bytes(body(with_context("aws:SourceIp", ["203.0.113.0/24", "::1/128"], "ipList")))
    assert main(["simulate", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["EvaluationResults"][0]["EvalDecision"] == (
        "allowed"
    )


@pytest.mark.parametrize(
    ("resource", "shown"),
    [
        ('"arn:aws:s3:::b/caf\\u00e9"', "arn:aws:s3:::b/caf\u00e9"),
        # A surrogate pair is one character, not two lone surrogates.
        ('"arn:aws:s3:::b/\\ud83d\\ude00"', "arn:aws:s3:::b/\U0001f600"),
    ],
    ids=["latin1", "surrogate-pair"],
)
def test_printable_unicode_in_a_resource_is_not_a_control_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], resource: str, shown: str
) -> None:
    text = json.dumps(request()).replace('"arn:aws:s3:::b/k"', resource)
    path = tmp_path / "request.json"
    path.write_text(text, encoding="ascii")
    assert main(["simulate", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)["EvaluationResults"][0]
    assert (result["EvalResourceName"], result["EvalDecision"]) == (shown, "allowed")


def test_a_byte_order_mark_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.json"
    path.write_bytes(b"\xef\xbb\xbf" + body(request()))
    assert main(["simulate", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["EvaluationResults"][0]["EvalDecision"] == (
        "allowed"
    )
