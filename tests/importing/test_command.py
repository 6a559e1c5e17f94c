"""`securecart landscape import PLAN.json --out DIR`: exit 0 written, 1 written with values
unknown until apply, 2 unreadable input with nothing written."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from harness.commands import landscape as commands
from harness.landscape.loader import load_landscape

PLANS = Path(__file__).parent / "plans"
MANAGEMENT = "--management=management=111111111111,aws-management@example.com"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="securecart")
    subparsers = parser.add_subparsers(dest="command", required=True)
    commands.register(subparsers)
    args = parser.parse_args(["landscape", "import", *argv])
    result: int = args.func(args)
    return result


def test_a_plan_is_imported_into_a_landscape(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "team"
    assert run(str(PLANS / "two-accounts.json"), "--out", str(out), MANAGEMENT,
               "--account-id", "prod=666666666666") == 0
    stdout, stderr = capsys.readouterr()
    assert f"into {out}: 2 accounts, 1 roles, 1 SCPs; 8 read, 0 skipped, 0 unknown" in stdout
    assert stderr == ""
    landscape = load_landscape(out)
    assert landscape.name == "team"
    assert (landscape.regions.home, landscape.regions.allowed) == ("us-east-1", ("us-east-1",))


def test_values_unknown_until_apply_exit_1_unless_allowed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = [str(PLANS / "guardrails.json"), MANAGEMENT, "--account-id=prod=666666666666"]
    assert run(*arguments, "--out", str(tmp_path / "a")) == 1
    _, stderr = capsys.readouterr()
    assert "1 value is known only after apply, and the landscape lacks what needs it" in stderr
    assert (tmp_path / "a" / "import-report.md").is_file()
    assert run(*arguments, "--out", str(tmp_path / "b"), "--allow-unknown") == 0


@pytest.mark.parametrize(("arguments", "message"), [
    (["--account-id", "prod=666666666666"], "the management account is not in the plan"),
    ([MANAGEMENT], "aws_organizations_account.prod.id: known only after apply; give the "
                   "account's id with --account-id prod=ID"),
    (["--management", "management=1234,x@example.com"], "--management management=1234,"
                                                         "x@example.com: expected NAME=ID,EMAIL"),
    ([MANAGEMENT, "--account-id", "prod"], "--account-id prod: expected NAME=ID"),
])
def test_what_cannot_be_imported_exits_2_naming_why_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str],
        message: str) -> None:
    out = tmp_path / "team"
    assert run(str(PLANS / "two-accounts.json"), "--out", str(out), *arguments) == 2
    _, stderr = capsys.readouterr()
    assert stderr.startswith("securecart landscape import: ")
    assert message in stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_plan_exits_2(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"format_version": "1.0", "values": {}}', encoding="utf-8")
    assert run(str(state), "--out", str(tmp_path / "team")) == 2
    assert "not a Terraform plan: no format_version and planned_values" in capsys.readouterr().err
