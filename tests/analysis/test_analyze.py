"""`securecart analyze`: external access (archived and active), public access, escalation paths
and the credential report, on the canonical landscape and on edited copies of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from harness.analysis.analyze import Analysis, analyze
from harness.analysis.credentials import (
    credential_report,
    read_report,
    render_report,
    report_json,
)
from harness.analysis.external import PUBLIC, ExternalFinding
from harness.analysis.offline import Offline
from harness.analysis.privesc import escalation_paths, gains
from harness.commands.main import main
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
    status = main(["analyze", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


_DEVELOPER_POLICIES = ("policies/permission-sets/developer-power-user.json",
                       "policies/boundaries/developer-boundary.json")


def _unprotect_deploy_boundary(directory: Path, *, keep_deploy_role_protected: bool = False
                               ) -> None:
    """The canonical landscape before analyze found its escalation path: developers (and roles
    carrying the developer boundary) could edit deploy-boundary, and DeployRole itself was not
    protected (DenyTakingOverThePipelineRole) — unless `keep_deploy_role_protected`."""
    for relative in _DEVELOPER_POLICIES:

        def unprotect(document: dict[str, Any]) -> None:
            statement = next(s for s in document["Statement"]
                             if s.get("Sid") == "DenyEditingPermissionsBoundaries")
            statement["Resource"] = [r for r in statement["Resource"]
                                     if not r.endswith(":policy/deploy-boundary")]
            if not keep_deploy_role_protected:
                document["Statement"] = [s for s in document["Statement"]
                                         if s.get("Sid") != "DenyTakingOverThePipelineRole"]

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


def test_protecting_deploy_role_alone_closes_the_same_path(tmp_path: Path) -> None:
    """DenyTakingOverThePipelineRole refuses the path's first step (PutRolePolicy on
    DeployRole) even with deploy-boundary editable: each control closes it on its own."""
    directory = copy_landscape(tmp_path)
    _unprotect_deploy_boundary(directory, keep_deploy_role_protected=True)
    assert analyze(load_landscape(directory)).paths == ()


# ----------------------------------------------------------------- escalation primitives, planted

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_FULL = "arn:aws:iam::aws:policy/IAMFullAccess"
SELF_ROLE = "arn:aws:iam::{{account.self}}:role/"
SELF_POLICY = "arn:aws:iam::{{account.self}}:policy/"
FUNCTION = "arn:aws:lambda:{{region.home}}:{{account.self}}:function:"


def _allow(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def _deny(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **more}


def _trusting(principal: dict[str, Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}


def _service(name: str) -> dict[str, Any]:
    return _trusting({"Service": f"{name}.amazonaws.com"})


def _roles(*names: str) -> dict[str, Any]:
    return _trusting({"AWS": [SELF_ROLE + name for name in names]})


def _json(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


@dataclass(frozen=True)
class Plant:
    """A dev role to add: its trust, inline policy, managed policies and boundary (names of
    dev's managed policies, or AWS managed ARNs)."""

    name: str
    trust: dict[str, Any]
    policy: tuple[dict[str, Any], ...] = ()
    managed: tuple[str, ...] = ()
    boundary: str | None = None


def _plant(directory: Path, *roles: Plant, managed: dict[str, tuple[dict[str, Any], ...]] | None
           = None, functions: dict[str, str] | None = None) -> None:
    """Add roles, customer managed policies (name → statements) and Lambda functions (name →
    execution role) to the dev account of a landscape copy."""
    services = sorted({service for role in roles
                       for service in _listed(role.trust.get("Principal", {}).get("Service"))})
    edit_yaml(directory, "landscape.yaml",
              lambda data: data.setdefault("service_principals", []).extend(services))
    for name, statements in (managed or {}).items():
        write(directory, f"policies/iam/{name}.json", _json(*statements))
    for role in roles:
        write(directory, f"policies/trust/{role.name}.json", _json(role.trust))
        if role.policy:
            write(directory, f"policies/iam/{role.name}.json", _json(*role.policy))

    def add(data: dict[str, Any]) -> None:
        data["managed_policies"] += [
            {"name": name, "description": "Planted.", "file": f"policies/iam/{name}.json"}
            for name in managed or {}]
        for role in roles:
            entry: dict[str, Any] = {"name": role.name, "description": "Planted.",
                                     "trust": f"policies/trust/{role.name}.json"}
            if role.policy:
                entry["inline_policies"] = [
                    {"name": role.name, "file": f"policies/iam/{role.name}.json"}]
            if role.managed:
                entry["managed_policies"] = list(role.managed)
            if role.boundary:
                entry["permissions_boundary"] = role.boundary
            data["roles"].append(entry)
        if functions:
            data["resources"].setdefault("lambda_functions", []).extend(
                {"name": name, "role": role, "runtime": "python3.11", "handler": "index.handler"}
                for name, role in functions.items())

    edit_yaml(directory, "accounts/dev.yaml", add)


def _listed(value: Any) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _paths_from(directory: Path, label: str) -> list[tuple[str, list[str]]]:
    """(target, step actions) of every path from the dev role `label`."""
    offline = Offline(load_landscape(directory))
    sources = (offline.principal(f"dev:{label}"),)
    return [(path.target.removeprefix("dev:"), [step.action for step in path.steps])
            for path in escalation_paths(offline, sources)]


def _pass_role(service: str, passed_to: str, actions: tuple[str, ...]) -> Plant:
    """ops may pass the administrator role `admin` to `passed_to` and run `actions`."""
    return Plant("ops", _service("lambda"), (
        _allow("iam:PassRole", SELF_ROLE + "admin",
               Condition={"StringEquals": {"iam:PassedToService": f"{passed_to}.amazonaws.com"}}),
        _allow(list(actions)),
    ))


_COMPUTE = {
    "ec2": ("ec2:RunInstances",),
    "ecs-tasks": ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
    "codebuild": ("codebuild:CreateProject", "codebuild:StartBuild"),
    "cloudformation": ("cloudformation:CreateStack",),
    "glue": ("glue:CreateDevEndpoint",),
    "lambda": ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
}


@pytest.mark.parametrize("service", sorted(_COMPUTE))
def test_passing_an_administrator_role_to_its_service(protected: Path, service: str) -> None:
    actions = _COMPUTE[service]
    _plant(protected, Plant("admin", _service(service), managed=(ADMIN,)),
           _pass_role(service, service, actions))
    assert _paths_from(protected, "ops") == [("admin", ["iam:PassRole", *actions])]


@pytest.mark.parametrize("service", sorted(_COMPUTE))
def test_passing_it_to_a_service_it_does_not_trust_reaches_nothing(
    protected: Path, service: str
) -> None:
    other = "ec2" if service != "ec2" else "glue"
    _plant(protected, Plant("admin", _service(service), managed=(ADMIN,)),
           _pass_role(service, other, _COMPUTE[service] + _COMPUTE[other]))
    assert _paths_from(protected, "ops") == []


def test_passing_a_role_without_running_the_compute_reaches_nothing(protected: Path) -> None:
    _plant(protected, Plant("admin", _service("ecs-tasks"), managed=(ADMIN,)),
           _pass_role("ecs-tasks", "ecs-tasks", ("ecs:RegisterTaskDefinition",)))
    assert _paths_from(protected, "ops") == []


@pytest.mark.parametrize(("action", "found"), [
    ("lambda:UpdateFunctionCode", [("admin", ["lambda:UpdateFunctionCode"])]),
    ("lambda:GetFunction", []),
])
def test_changing_the_code_of_a_function_run_by_an_administrator_role(
    protected: Path, action: str, found: list[tuple[str, list[str]]]
) -> None:
    _plant(protected, Plant("admin", _service("lambda"), managed=(ADMIN,)),
           Plant("ops", _service("lambda"), (_allow(action, FUNCTION + "nightly"),)),
           functions={"nightly": "admin"})
    assert _paths_from(protected, "ops") == found


@pytest.mark.parametrize(("top_trusts", "found"), [
    ("middle", [("top", ["sts:AssumeRole", "sts:AssumeRole"])]),
    ("nobody", []),
])
def test_a_chain_of_assumed_roles(
    protected: Path, top_trusts: str, found: list[tuple[str, list[str]]]
) -> None:
    assume = _allow("sts:AssumeRole", SELF_ROLE + "*")
    _plant(protected,
           Plant("ops", _service("lambda"), (assume,)),
           Plant("middle", _roles("ops"), (assume,)),
           Plant("top", _roles(top_trusts) if top_trusts != "nobody" else _service("lambda"),
                 managed=(ADMIN,)))
    assert _paths_from(protected, "ops") == found


@pytest.mark.parametrize(("resource", "found"), [
    ("admin", [("admin", ["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"])]),
    ("ops", []),
])
def test_rewriting_the_trust_of_an_administrator_role(
    protected: Path, resource: str, found: list[tuple[str, list[str]]]
) -> None:
    _plant(protected, Plant("admin", _service("ec2"), managed=(ADMIN,)),
           Plant("ops", _service("lambda"), (
               _allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], SELF_ROLE + resource),)))
    assert _paths_from(protected, "ops") == found


@pytest.mark.parametrize(("boundary", "found"), [
    (None, [("ops", ["iam:PutRolePolicy"])]),
    ("deploy-boundary", []),  # the boundary allows no IAM writes
])
def test_writing_ones_own_inline_policy(
    protected: Path, boundary: str | None, found: list[tuple[str, list[str]]]
) -> None:
    _plant(protected, Plant("ops", _service("lambda"),
                            (_allow("iam:PutRolePolicy", SELF_ROLE + "ops"),), boundary=boundary))
    assert _paths_from(protected, "ops") == found


def _attacher(*denies: dict[str, Any]) -> Plant:
    return Plant("ops", _service("lambda"), (
        _allow(["iam:AttachRolePolicy", "sts:AssumeRole"], SELF_ROLE + "helper"), *denies))


def test_attaching_administrator_access_to_a_role_one_can_assume(protected: Path) -> None:
    _plant(protected, _attacher(), Plant("helper", _roles("ops")))
    assert _paths_from(protected, "ops") == [
        ("helper", ["iam:AttachRolePolicy", "sts:AssumeRole"])]


def test_denying_only_administrator_access_leaves_iam_full_access(protected: Path) -> None:
    only_admin = _deny("iam:AttachRolePolicy",
                       Condition={"ArnEquals": {"iam:PolicyARN": ADMIN}})
    _plant(protected, _attacher(only_admin), Plant("helper", _roles("ops")))
    paths = analyze(load_landscape(protected)).paths
    (path,) = [p for p in paths if p.principal == "dev:ops"]
    assert [(s.action, s.purpose) for s in path.steps] == [
        ("iam:AttachRolePolicy", "attach IAMFullAccess to dev:helper"),
        ("sts:AssumeRole", "assume dev:helper"),
    ]
    assert "iam:CreateUser" in path.gains


def test_attaching_only_approved_policies_reaches_nothing(protected: Path) -> None:
    approved = _deny("iam:AttachRolePolicy", Condition={
        "ArnNotEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})
    _plant(protected, _attacher(approved), Plant("helper", _roles("ops")))
    assert _paths_from(protected, "ops") == []


@pytest.mark.parametrize(("policy", "found"), [
    ("ops-permissions", [("ops", ["iam:CreatePolicyVersion"])]),
    ("other", []),
])
def test_a_new_version_of_ones_own_managed_policy(
    protected: Path, policy: str, found: list[tuple[str, list[str]]]
) -> None:
    statements = (_allow("iam:CreatePolicyVersion", SELF_POLICY + policy),)
    _plant(protected, Plant("ops", _service("lambda"), managed=("ops-permissions",)),
           managed={"ops-permissions": statements, "other": (_allow("s3:ListAllMyBuckets"),)})
    assert _paths_from(protected, "ops") == found


def _bounded(*boundary: dict[str, Any]) -> tuple[Plant, dict[str, tuple[dict[str, Any], ...]]]:
    """ops: allowed everything by its own policy, held by the boundary ops-boundary; a wider
    customer managed policy, wide-boundary, exists beside it."""
    managed = {"ops-boundary": (_allow("s3:GetObject"), *boundary),
               "wide-boundary": (_allow("iam:*"),)}
    return Plant("ops", _service("lambda"), (_allow("*"),), boundary="ops-boundary"), managed


@pytest.mark.parametrize(("allowed", "found"), [
    ("iam:DeleteRolePermissionsBoundary", [("ops", ["iam:DeleteRolePermissionsBoundary"])]),
    ("iam:GetRole", []),
])
def test_removing_ones_own_boundary(
    protected: Path, allowed: str, found: list[tuple[str, list[str]]]
) -> None:
    role, managed = _bounded(_allow(allowed, SELF_ROLE + "ops"))
    _plant(protected, role, managed=managed)
    assert _paths_from(protected, "ops") == found


def _put_boundary(boundary: str | None) -> dict[str, Any]:
    condition = {} if boundary is None else {
        "Condition": {"StringEquals": {"iam:PermissionsBoundary": SELF_POLICY + boundary}}}
    return _allow("iam:PutRolePermissionsBoundary", SELF_ROLE + "ops", **condition)


@pytest.mark.parametrize(("boundary", "found"), [
    (None, [("ops", ["iam:PutRolePermissionsBoundary"])]),  # AdministratorAccess: no bound
    ("wide-boundary", [("ops", ["iam:PutRolePermissionsBoundary"])]),
    ("ops-boundary", []),  # only the boundary it has
])
def test_replacing_ones_own_boundary(
    protected: Path, boundary: str | None, found: list[tuple[str, list[str]]]
) -> None:
    role, managed = _bounded(_put_boundary(boundary))
    _plant(protected, role, managed=managed)
    assert _paths_from(protected, "ops") == found
    if found:
        paths = escalation_paths(Offline(load_landscape(protected)))
        (step,) = next(p for p in paths if p.principal == "dev:ops").steps
        assert step.purpose.endswith(
            "with AdministratorAccess, which bounds nothing" if boundary is None
            else "with arn:aws:iam::444444444444:policy/wide-boundary")


def test_the_developer_boundary_keeps_a_replaced_boundary_to_itself(protected: Path) -> None:
    """The power user may put developer-boundary on her workload roles: a role so rebound is
    one the power user could have created, so it is no escalation. DeployRole is out of her
    reach (DenyTakingOverThePipelineRole)."""
    offline = Offline(load_landscape(protected))
    power_user = offline.principal("dev:DeveloperPowerUser")
    keys = {"iam:PermissionsBoundary": "arn:aws:iam::444444444444:policy/developer-boundary"}
    assert offline.decide(power_user, "iam:PutRolePermissionsBoundary",
                          DEV_ROLE + "orders-worker", keys=keys).allowed
    assert not offline.decide(power_user, "iam:PutRolePermissionsBoundary",
                              DEV_ROLE + "DeployRole", keys=keys).allowed
    assert escalation_paths(offline, (power_user,)) == ()


def test_interchangeable_probes_are_no_gain() -> None:
    may_put = frozenset({"iam:PutRolePolicy"})
    may_attach = frozenset({"iam:AttachRolePolicy", "iam:CreateUser"})
    assert gains(may_attach, may_put) == ("iam:CreateUser",)
    assert gains(may_put, may_attach) == ()


# --------------------------------------------------------------------------- the command


def test_an_invalid_landscape_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    directory = copy_landscape(tmp_path)
    (directory / "policies/resources/sns/order-events.json").unlink()
    status, out, err = _run(capsys, "--landscape", str(directory))
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


def test_the_credential_report_shows_an_old_key_and_a_user_without_mfa() -> None:
    """A moto backend (no landscape seeded) where dev has a user with a password, a 400-day-old
    access key and no MFA device, and prod a user with MFA and no key."""
    landscape = load_landscape()
    with mock_aws():
        clients: dict[tuple[str, str], Any] = {}

        def backend(account: str, service: str) -> Any:
            if (account, service) not in clients:
                # moto puts an assumed role's credentials in the role's account
                account_id = landscape.account(account).account_id
                credentials = boto3.client("sts", **_MOTO).assume_role(
                    RoleArn=f"arn:aws:iam::{account_id}:role/report", RoleSessionName="report",
                )["Credentials"]
                clients[account, service] = boto3.client(
                    service, region_name="us-east-1",
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"])
            return clients[account, service]

        dev = backend("dev", "iam")
        dev.create_user(UserName="legacy-deployer")
        dev.create_login_profile(UserName="legacy-deployer", Password="Correct-Horse-9")
        key = dev.create_access_key(UserName="legacy-deployer")["AccessKey"]
        prod = backend("prod", "iam")
        prod.create_user(UserName="break-glass")
        serial = prod.create_virtual_mfa_device(
            VirtualMFADeviceName="break-glass")["VirtualMFADevice"]["SerialNumber"]
        prod.enable_mfa_device(UserName="break-glass", SerialNumber=serial,
                               AuthenticationCode1="123456", AuthenticationCode2="654321")
        report = read_report(backend, landscape, now=key["CreateDate"] + timedelta(days=400))

    by_user = {user.user: user for user in report.users}
    assert set(by_user) == {"legacy-deployer", "break-glass"}
    legacy = by_user["legacy-deployer"]
    assert (legacy.account, legacy.password, legacy.mfa_devices) == ("dev", True, ())
    assert [(k.key_id, k.status, k.age_days) for k in legacy.access_keys] == [
        (key["AccessKeyId"], "Active", 400)]
    glass = by_user["break-glass"]
    assert (glass.account, glass.password, glass.mfa_devices, glass.access_keys) == (
        "prod", False, (serial,), ())
    table = render_report(report).splitlines()
    assert table[0].split() == ["account", "user", "password", "mfa", "access", "key", "status",
                                "age", "(days)"]
    assert f"dev      legacy-deployer  yes       0    {key['AccessKeyId']}  Active  400" in table
    assert report_json(report)["users"][0]["access_keys"][0]["age_days"] == 400


_MOTO = {"region_name": "us-east-1", "aws_access_key_id": "testing",
         "aws_secret_access_key": "testing"}


@pytest.mark.slow
def test_the_credential_report_of_the_canonical_landscape_has_no_users() -> None:
    report = credential_report(load_landscape())
    assert report.users == ()
    assert "management" in report.accounts and "prod" in report.accounts
    assert render_report(report).startswith("no IAM users in any account (management, ")
