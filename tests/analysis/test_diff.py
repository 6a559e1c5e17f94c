"""`securecart diff`: access added and removed between two landscapes, waivers, git, formats."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.diff import diff
from harness.analysis.diff_formats import sarif, to_json
from harness.analysis.diff_result import DiffResult
from harness.analysis.offline import Offline
from harness.analysis.waivers import WaiverError, load_waivers
from harness.commands.main import main
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from tests.landscape.builders import copy_landscape, edit_json, edit_yaml, write

BUCKET = "policies/resources/s3/securecart-prod-customer-data.json"
OBJECTS = "arn:aws:s3:::securecart-prod-customer-data/*"
TOPIC = "arn:aws:sns:us-east-1:666666666666:order-events"
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def canonical() -> Landscape:
    return load_landscape()


def _security_audit_arn(landscape: Landscape) -> str:
    return Offline(landscape).principal("prod:SecurityAudit").arn


def widen(directory: Path, role_arn: str) -> None:
    """Let prod's SecurityAudit role read customer data (the Deny excepts it, an Allow names it)."""

    def change(policy: dict[str, Any]) -> None:
        statements = policy["Statement"]
        deny = next(s for s in statements if s["Sid"] == "OnlyOrdersProcessorReadsCustomerData")
        processor = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] = [processor, role_arn]
        statements.append({
            "Sid": "SecurityTeamReadsCustomerData",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": "s3:GetObject",
            "Resource": OBJECTS,
        })

    edit_json(directory, BUCKET, change)


def narrow(directory: Path) -> None:
    """Take the vendor's sns:Publish grant from the order-events topic."""

    def change(policy: dict[str, Any]) -> None:
        policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "VendorMayPublish"]

    edit_json(directory, "policies/resources/sns/order-events.json", change)


def unguard_secrets(directory: Path) -> None:
    """Take ssm:GetParameter out of DeveloperReadOnly's Deny: that *widens* access."""

    def change(policy: dict[str, Any]) -> None:
        deny = next(s for s in policy["Statement"] if s["Sid"] == "NoReadingSecretValues")
        deny["Action"].remove("ssm:GetParameter")

    edit_json(directory, "policies/permission-sets/developer-read-only.json", change)


@pytest.fixture(scope="module")
def widened(tmp_path_factory: pytest.TempPathFactory, canonical: Landscape) -> DiffResult:
    directory = copy_landscape(tmp_path_factory.mktemp("widened"))
    widen(directory, _security_audit_arn(canonical))
    return diff(canonical, load_landscape(directory), today=TODAY)


# --------------------------------------------------------------------------- the diff


def test_widening_the_customer_data_bucket_is_added_access(widened: DiffResult) -> None:
    keys = {(c.principal_label, c.action, c.resource, c.context) for c in widened.added}
    assert ("prod:SecurityAudit", "s3:GetObject", OBJECTS, "") in keys
    change = next(c for c in widened.added if c.principal_label == "prod:SecurityAudit"
                  and c.context == "")
    assert [s.statement for s in change.statements] == ["SecurityTeamReadsCustomerData"]
    assert change.statements[0].file is not None
    assert change.statements[0].file.name == "securecart-prod-customer-data.json"
    assert not widened.removed
    assert widened.exit_status == 1


def test_widening_without_mfa_is_still_denied(widened: DiffResult) -> None:
    # The permission set's MFA deny holds: the no-MFA session gains nothing.
    assert all(c.context != "no-mfa" for c in widened.added)


def test_narrowing_lists_removed_access_and_exits_0(
    tmp_path: Path, canonical: Landscape
) -> None:
    directory = copy_landscape(tmp_path)
    narrow(directory)
    result = diff(canonical, load_landscape(directory), today=TODAY)
    assert not result.added
    assert result.exit_status == 0
    removed = {(c.principal_label, c.action, c.resource) for c in result.removed}
    assert ("vendor:root", "sns:Publish", TOPIC) in removed
    change = next(c for c in result.removed if c.principal_label == "vendor:root")
    assert change.why.startswith("no longer allowed")
    assert [s.statement for s in change.statements] == ["VendorMayPublish"]
    assert change.statements[0].file is not None  # the base's file, located in the head


def test_removing_an_action_from_a_deny_is_added_access(
    tmp_path: Path, canonical: Landscape
) -> None:
    directory = copy_landscape(tmp_path)
    unguard_secrets(directory)
    result = diff(canonical, load_landscape(directory), today=TODAY)
    added = {(c.principal_label, c.action, c.resource) for c in result.added}
    assert ("dev:DeveloperReadOnly", "ssm:GetParameter", "*") in added
    assert not result.removed and result.exit_status == 1


def test_identical_landscapes_give_an_empty_diff(canonical: Landscape) -> None:
    result = diff(canonical, load_landscape(), today=TODAY)
    assert result.empty
    assert result.exit_status == 0
    assert result.request_space > 100_000


# --------------------------------------------------------------------------- waivers


def _waiver_file(tmp_path: Path, expires: str) -> Path:
    return write(tmp_path, "waivers.yaml", f"""
- principal: prod:Security*
  action: s3:get*
  resource: {OBJECTS}
  owner: SecurityTeam
  reason: Incident review.
  expires: {expires}
""")


def test_a_waiver_covers_until_its_expiry(
    tmp_path: Path, canonical: Landscape, widened: DiffResult
) -> None:
    from harness.analysis.waivers import apply_waivers

    waivers = load_waivers(_waiver_file(tmp_path, "2026-06-01"))
    live = apply_waivers(widened, waivers, date(2026, 6, 1))  # the last day, inclusive
    assert live.waived and not live.unwaived
    assert live.exit_status == 0 and not live.expired_waivers
    expired = apply_waivers(widened, waivers, date(2026, 6, 2))
    assert not expired.waived and expired.exit_status == 1
    assert expired.expired_waivers == waivers


@pytest.mark.parametrize("missing", ["owner", "reason", "expires"])
def test_a_waiver_without_owner_reason_or_expiry_is_a_usage_error(
    tmp_path: Path, missing: str
) -> None:
    entry = {"principal": "prod:*", "action": "s3:*", "resource": "*", "owner": "o",
             "reason": "r", "expires": "2030-01-01"}
    del entry[missing]
    path = write(tmp_path, "waivers.yaml", json.dumps([entry]))
    with pytest.raises(WaiverError, match=rf"waiver \[0\].*missing {missing}"):
        load_waivers(path)


def test_the_canonical_waiver_file_is_empty() -> None:
    assert load_waivers(Path("fixtures/securecart/analysis/waivers.yaml")) == ()


# --------------------------------------------------------------------------- formats


def test_json_shape(widened: DiffResult) -> None:
    document = to_json(widened, "HEAD")
    assert set(document) >= {"added", "removed", "waived", "request_space"}
    assert document["request_space"] == widened.request_space
    first = next(a for a in document["added"] if a["principal"] == "prod:SecurityAudit")
    assert first["action"] == "s3:GetObject" and first["resource"] == OBJECTS
    assert first["statements"][0]["statement"] == "SecurityTeamReadsCustomerData"
    assert first["statements"][0]["line"] > 1
    json.dumps(document)


def test_sarif_shape(widened: DiffResult, tmp_path: Path) -> None:
    document = sarif(widened, tmp_path)
    run = document["runs"][0]
    assert document["version"] == "2.1.0"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"access-added",
                                                                 "access-removed"}
    result = next(r for r in run["results"] if "prod:SecurityAudit" in r["message"]["text"])
    assert result["ruleId"] == "access-added" and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("securecart-prod-customer-data.json")
    assert location["region"]["startLine"] > 1
    removed_rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "access-removed")
    assert removed_rule["defaultConfiguration"]["level"] == "note"


# --------------------------------------------------------------------------- the command, git


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(Path("fixtures/securecart"), root / "landscape")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "landscape")
    return root


def test_the_command_finds_a_change_against_head(
    repo: Path, canonical: Landscape, capsys: pytest.CaptureFixture[str]
) -> None:
    landscape = repo / "landscape"
    assert main(["diff", "--base", "HEAD", "--landscape", str(landscape)]) == 0
    assert "Access added: none" in capsys.readouterr().out
    widen(landscape, _security_audit_arn(canonical))
    status = main(["diff", "--base", "HEAD", "--landscape", str(landscape), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 1
    assert any(a["principal"] == "prod:SecurityAudit" for a in document["added"])


def test_the_command_applies_a_waiver_file(
    repo: Path, canonical: Landscape, capsys: pytest.CaptureFixture[str]
) -> None:
    landscape = repo / "landscape"
    widen(landscape, _security_audit_arn(canonical))
    waivers = write(repo, "w.yaml", """
- principal: prod:SecurityAudit
  action: s3:GetObject
  resource: "*"
  owner: SecurityTeam
  reason: Review.
  expires: 2999-12-31
""")
    status = main(["diff", "--base", "HEAD", "--landscape", str(landscape),
                   "--waivers", str(waivers)])
    out = capsys.readouterr().out
    assert status == 0
    assert "waived until 2999-12-31" in out


def test_a_bad_ref_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--base", "no-such-ref", "--landscape", str(repo / "landscape")]) == 2
    assert "no-such-ref" in capsys.readouterr().err


def test_an_invalid_landscape_is_a_usage_error_naming_the_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landscape = repo / "landscape"
    edit_yaml(landscape, "landscape.yaml", lambda data: data.pop("regions"))
    assert main(["diff", "--base", "HEAD", "--landscape", str(landscape)]) == 2
    assert "landscape.yaml" in capsys.readouterr().err
