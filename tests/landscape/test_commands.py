"""`securecart landscape validate|show [DIR]`: exit 0 valid, 2 invalid with errors on stderr."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from harness.commands import landscape as commands

from .builders import copy_landscape, edit_yaml


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="securecart")
    subparsers = parser.add_subparsers(dest="command", required=True)
    commands.register(subparsers)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def test_validate_the_canonical_landscape(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["landscape", "validate"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("landscape securecart is valid: 9 accounts, 5 OUs, 8 SCPs, ")
    assert err == ""


def test_validate_an_invalid_landscape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = copy_landscape(tmp_path)
    edit_yaml(
        directory,
        "identity-center.yaml",
        lambda data: data["assignments"][0]["accounts"].append("qa"),
    )
    monkeypatch.chdir(tmp_path)
    assert run(["landscape", "validate", "securecart"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(
        "securecart/identity-center.yaml: assignments[0].accounts[2]: unknown account 'qa' "
    )
    assert lines[-1] == "landscape invalid: 1 error"


def test_validate_a_directory_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["landscape", "validate", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.startswith(f"{tmp_path / 'nowhere'}: not a directory")


def test_show_draws_the_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["landscape", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("securecart — regions: us-east-1 (home), eu-west-1\n")
    assert "\nRoot  [SCP: FullAWSAccess, deny-root-user, " in out
    assert "├── OU WorkloadsOU  [SCP: FullAWSAccess]\n" in out
    assert "OU Prod  [SCP: FullAWSAccess, deny-destructive-actions-in-prod]\n" in out
    assert "prod (666666666666)  [SCP: FullAWSAccess]\n" in out
    assert "sso DeveloperPowerUser ← group Developers\n" in out
    assert "role VendorSupportRole  (max session 1 h)\n" in out
    assert "bucket policy  policies/resources/s3/securecart-prod-customer-data.json\n" in out
    assert "sqs order-queue  (subscribed to order-events)\n" in out
    assert "kms alias/securecart-prod-customer-data\n" in out
    assert "key policy  policies/resources/kms/securecart-prod-customer-data.json\n" in out
    assert "Outside the organisation\n└── vendor (999999999999)\n" in out
    assert "dave  (Developers; no MFA)\n" in out


def test_show_an_invalid_landscape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = copy_landscape(tmp_path)
    (directory / "organization.yaml").write_text("root: [\n")
    assert run(["landscape", "show", str(directory)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "organization.yaml: YAML syntax error at line 2" in err
