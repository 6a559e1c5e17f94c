"""`securecart analyze`: external access (archived and active), public access, escalation paths
and the credential report, on the canonical landscape and on edited copies of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.analysis.analyze_command import Analysis, analyze, main
from harness.analysis.credentials import credential_report, render_report
from harness.analysis.external import PUBLIC, ExternalFinding
from harness.landscape.loader import load_landscape
from tests.landscape.builders import copy_landscape, edit_json, edit_yaml, write

TOPIC = "arn:aws:sns:us-east-1:666666666666:order-events"
SUPPORT_ROLE = "arn:aws:iam::666666666666:role/VendorSupportRole"
VENDOR = "999999999999"
DEV_ROLE = "arn:aws:iam::444444444444:role/"
ARCHIVE = "analysis/archived.yaml"


@pytest.fixture(scope="module")
def canonical() -> Analysis:
    return analyze(load_landscape())


def _finding(analysis: Analysis, resource: str, principal: str) -> ExternalFinding:
    found = [f for f in analysis.external if (f.resource, f.principal) == (resource, principal)]
    assert len(found) == 1, analysis.external
    return found[0]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _unprotect_deploy_boundary(directory: Path) -> None:
    """The canonical landscape before analyze found its escalation path: developers (and roles
    carrying the developer boundary) could edit deploy-boundary."""
    files = {
        "policies/permission-sets/developer-power-user.json": "DenyEditingPermissionsBoundaries",
        "policies/boundaries/developer-boundary.json": "DenyEditingPermissionsBoundaries",
    }
    for relative, sid in files.items():

        def unprotect(document: dict[str, Any], sid: str = sid) -> None:
            statement = next(s for s in document["Statement"] if s.get("Sid") == sid)
            statement["Resource"] = [r for r in statement["Resource"]
                                     if not r.endswith(":policy/deploy-boundary")]

        edit_json(directory, relative, unprotect)


@pytest.fixture
def protected(tmp_path: Path) -> Path:
    """A copy of the canonical landscape (deploy-boundary protected): nothing to report."""
    return copy_landscape(tmp_path)


# --------------------------------------------------------------------------- external access


def test_the_vendor_topic_is_an_archived_external_finding(canonical: Analysis) -> None:
    finding = _finding(canonical, TOPIC, VENDOR)
    assert finding.status == "archived"
    assert (finding.actions, finding.statements, finding.public) == (
        ("sns:Publish",), ("VendorMayPublish",), False)
    assert finding.archive is not None and finding.archive.owner == "platform-team"
    assert finding.account == "prod" and finding.resource_kind == "sns topic"


def test_the_vendor_support_trust_is_archived_with_its_external_id(canonical: Analysis) -> None:
    finding = _finding(canonical, SUPPORT_ROLE, VENDOR)
    assert finding.status == "archived"
    assert finding.actions == ("sts:AssumeRole",)
    assert finding.conditions == ("StringEquals sts:ExternalId",)


def test_the_canonical_landscape_has_no_other_external_access(canonical: Analysis) -> None:
    assert {(f.resource, f.principal) for f in canonical.external} == {
        (TOPIC, VENDOR), (SUPPORT_ROLE, VENDOR)}
    assert canonical.active == () and canonical.stale_archive == ()


def test_nothing_to_report_exits_0(capsys: pytest.CaptureFixture[str], protected: Path) -> None:
    status, out, _ = _run(capsys, "--landscape", str(protected))
    assert status == 0
    assert "External access, archived: 2" in out
    assert "Privilege-escalation paths: none" in out


def test_an_unarchived_finding_is_active_and_exits_1(
    capsys: pytest.CaptureFixture[str], protected: Path
) -> None:
    edit_yaml(protected, ARCHIVE, lambda data: data["archived"].pop(0))
    status, out, _ = _run(capsys, "--landscape", str(protected))
    assert status == 1
    assert f"External access, active: 1\n  prod sns topic {TOPIC}" in out
    assert "External access, archived: 1" in out


def test_widening_an_archived_grant_makes_it_active(
    capsys: pytest.CaptureFixture[str], protected: Path
) -> None:
    def widen(document: dict[str, Any]) -> None:
        statement = next(s for s in document["Statement"] if s["Sid"] == "VendorMayPublish")
        statement["Action"] = ["sns:Publish", "sns:Subscribe"]

    edit_json(protected, "policies/resources/sns/order-events.json", widen)
    status, out, _ = _run(capsys, "--landscape", str(protected), "--format", "json")
    report = json.loads(out)
    topic = next(f for f in report["external_access"] if f["resource"] == TOPIC)
    assert (topic["status"], topic["actions"]) == ("active", ["sns:Publish", "sns:Subscribe"])
    assert status == report["exit_status"] == 1


def test_a_queue_open_to_everyone_is_an_active_public_finding(
    capsys: pytest.CaptureFixture[str], protected: Path
) -> None:
    def open_up(document: dict[str, Any]) -> None:
        statement = document["Statement"][0]
        statement["Principal"] = "*"
        del statement["Condition"]

    edit_json(protected, "policies/resources/sqs/order-queue.json", open_up)
    status, out, _ = _run(capsys, "--landscape", str(protected), "--format", "json")
    public = [f for f in json.loads(out)["external_access"] if f["public"]]
    assert public == [{
        "status": "active", "public": True,
        "resource": "arn:aws:sqs:us-east-1:666666666666:order-queue",
        "resource_type": "sqs queue", "account": "prod", "principal": PUBLIC,
        "actions": ["sqs:SendMessage"], "statements": ["OrderEventsTopicMaySend"],
        "conditions": [], "archive": None,
    }]
    assert status == 1


def test_a_bucket_policy_open_to_everyone_is_public(
    capsys: pytest.CaptureFixture[str], protected: Path
) -> None:
    write(protected, "policies/resources/s3/dev-artifacts.json", json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                       "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::securecart-dev-artifacts/*"}],
    }))

    def add_policy(data: dict[str, Any]) -> None:
        data["resources"]["s3_buckets"][0]["policy"] = "policies/resources/s3/dev-artifacts.json"

    edit_yaml(protected, "accounts/dev.yaml", add_policy)
    status, out, _ = _run(capsys, "--landscape", str(protected))
    assert status == 1
    assert ("Public access, active: 1\n"
            "  dev s3 bucket arn:aws:s3:::securecart-dev-artifacts\n"
            "    anyone (public) may s3:GetObject\n"
            "    granted by PublicRead\n") in out


# --------------------------------------------------------------------------- escalation


def _plant_lambda_admin(directory: Path) -> None:
    """A dev role with AdministratorAccess that Lambda may assume: DeveloperPowerUser may pass
    any dev role (iam:PassRole on role/*) and create functions (PowerUserAccess)."""

    def add_role(data: dict[str, Any]) -> None:
        data["roles"].append({
            "name": "ops-automation",
            "description": "Planted: an administrator role for Lambda.",
            "trust": "policies/trust/lambda.json",
            "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        })

    edit_yaml(directory, "accounts/dev.yaml", add_role)


def test_a_planted_path_is_found_step_by_step(
    capsys: pytest.CaptureFixture[str], protected: Path
) -> None:
    _plant_lambda_admin(protected)
    paths = analyze(load_landscape(protected)).paths
    assert [(p.principal, p.target) for p in paths] == [
        ("dev:DeveloperPowerUser", "dev:ops-automation")]
    path = paths[0]
    assert [(s.actor, s.action, s.resource) for s in path.steps] == [
        ("dev:DeveloperPowerUser", "iam:PassRole", DEV_ROLE + "ops-automation"),
        ("dev:DeveloperPowerUser", "lambda:CreateFunction",
         "arn:aws:lambda:us-east-1:444444444444:function:privesc-probe"),
        ("dev:DeveloperPowerUser", "lambda:InvokeFunction",
         "arn:aws:lambda:us-east-1:444444444444:function:privesc-probe"),
    ]
    assert "iam:CreateUser" in path.gains and path.account == "dev"
    assert any("ManageWorkloadRolesAndPolicies" in s for s in path.steps[0].allowed_by)
    status, out, _ = _run(capsys, "--landscape", str(protected))
    assert status == 1
    assert "  dev:DeveloperPowerUser → dev:ops-automation\n" in out
    assert "    1. dev:DeveloperPowerUser: iam:PassRole on " + DEV_ROLE + "ops-automation" in out


def test_the_boundary_stops_the_planted_path_for_read_only_developers(protected: Path) -> None:
    _plant_lambda_admin(protected)
    paths = analyze(load_landscape(protected)).paths
    assert not [p for p in paths if p.principal.endswith("DeveloperReadOnly")]


def test_the_canonical_landscape_has_no_escalation_path(canonical: Analysis) -> None:
    assert [(p.principal, p.target) for p in canonical.paths] == []


def test_with_deploy_boundary_editable_a_power_user_takes_over_deploy_role(
    tmp_path: Path,
) -> None:
    """The path analyze found in SecureCart's landscape, before deploy-boundary was protected."""
    directory = copy_landscape(tmp_path)
    _unprotect_deploy_boundary(directory)
    paths = analyze(load_landscape(directory)).paths
    assert [(p.principal, p.target) for p in paths] == [
        ("dev:DeveloperPowerUser", "dev:DeployRole")]
    assert [(s.action, s.resource) for s in paths[0].steps] == [
        ("iam:PutRolePolicy", DEV_ROLE + "DeployRole"),
        ("iam:CreatePolicyVersion", "arn:aws:iam::444444444444:policy/deploy-boundary"),
        ("iam:UpdateAssumeRolePolicy", DEV_ROLE + "DeployRole"),
        ("sts:AssumeRole", DEV_ROLE + "DeployRole"),
    ]


# --------------------------------------------------------------------------- the command


def test_an_invalid_landscape_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory = copy_landscape(tmp_path)
    (directory / "policies/resources/sns/order-events.json").unlink()
    status, out, err = _run(capsys, "analyze", "--landscape", str(directory))
    assert status == 2 and out == ""
    assert "accounts/prod.yaml" in err and "order-events.json" in err
    assert "landscape invalid: 1 error" in err


def test_an_unreadable_archive_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory = copy_landscape(tmp_path)
    edit_yaml(directory, ARCHIVE, lambda data: data["archived"][0].pop("owner"))
    status, _, err = _run(capsys, "--landscape", str(directory))
    assert status == 2
    assert "archived.yaml: archived[0].owner: required" in err


def test_json_has_every_section(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "--format", "json")
    report = json.loads(out)
    assert set(report) == {"landscape", "external_access", "stale_archive_entries",
                           "privilege_escalation", "credential_report", "exit_status"}
    assert report["credential_report"] is None and status == report["exit_status"]


@pytest.mark.slow
def test_the_credential_report_of_the_canonical_landscape_has_no_users() -> None:
    report = credential_report(load_landscape())
    assert report.users == ()
    assert "management" in report.accounts and "prod" in report.accounts
    assert render_report(report).startswith("no IAM users in any account (management, ")
