"""Synthetic inputs for the report writers: a few scenario records, and decision-log records
shaped as the gateway writes them, against the canonical landscape's policies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from harness.report.decisions import CallDecision
from harness.report.records import FeatureInfo, ScenarioResult, StepResult, StepStatus

T0 = 1_800_000_000.0
SCP_ARN = "arn:aws:organizations::111111111111:policy/o-abc123/service_control_policy/p-5x8q2k1z"
FULL_ACCESS = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
ALICE_DEV = ("arn:aws:sts::444444444444:assumed-role/"
             "AWSReservedSSO_DeveloperReadOnly_0123456789abcdef/alice")
CAROL_PROD = "arn:aws:sts::666666666666:assumed-role/AWSReservedSSO_Admin_fedcba9876543210/carol"
SSO_INLINE = ("inline policy AwsSSOInlinePolicy of arn:aws:iam::444444444444:role/"
              "aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeveloperReadOnly_0123456789abcdef")

GUARDRAILS = FeatureInfo(
    uri="features/guardrails/destructive_actions_in_prod.feature",
    name="Destructive actions are blocked in production, even for administrators",
    description="To prevent accidental deletion of production resources, a service control\n"
                "policy on the Prod OU denies destructive actions there.",
    line=2, tags=["guardrails", "scp"],
)
DEVELOPERS = FeatureInfo(
    uri="features/developer_access/read_only_in_non_prod.feature",
    name="Developers sign in through the identity provider and read non-production",
    description="A developer logs in via Okta and gets read-only access.",
    line=2, tags=["developer-access"],
)


def step(keyword: str, name: str, line: int, start: float | None,
         status: StepStatus = "passed",
         seconds: float = 0.05, error: str | None = None,
         rows: list[list[str]] | None = None) -> StepResult:
    return StepResult(
        keyword=keyword, name=name, line=line, type=keyword.lower(), status=status,
        duration=seconds if start is not None else 0.0, started=start,
        stopped=start + seconds if start is not None else None, error=error, rows=rows or [],
    )


def scenarios() -> list[ScenarioResult]:
    """Five scenarios: two example rows (passed), a pass, a failure at a step, a setup error,
    and a skip — given out of order, as xdist workers finish them."""
    outline = "An administrator cannot destroy production resources"
    row = [
        ScenarioResult(
            nodeid=f"features/guardrails/test_prod.py::test_destroy[{service}]",
            feature=GUARDRAILS, name=outline, line=9, tags=[],
            example={"service": service, "operation": operation}, example_index=index,
            steps=[
                step("Given", 'carol has signed in with MFA as "Admin" in the "prod" account', 7,
                     T0 + 10 * index),
                step("When", f"she calls {service} {operation} with:", 10, T0 + 10 * index + 1,
                     rows=[["Bucket", "securecart-prod-customer-data"]]),
                step("Then", "the request is denied by a service control policy", 12,
                     T0 + 10 * index + 2),
            ],
            outcome="passed", started=T0 + 10 * index - 0.5, call_started=T0 + 10 * index,
            stopped=T0 + 10 * index + 3, setup_duration=0.5, call_duration=2.5,
            worker=f"gw{index}",
        )
        for index, (service, operation) in enumerate((("s3", "DeleteBucket"),
                                                      ("dynamodb", "DeleteTable")))
    ]
    failing = ScenarioResult(
        nodeid="features/developer_access/test_dev.py::test_secrets",
        feature=DEVELOPERS, name="Read-only developers cannot read secrets even in dev", line=24,
        steps=[
            step("Given", 'alice has signed in with MFA as "DeveloperReadOnly" in the "dev" '
                 "account", 25, T0 + 30),
            step("When", "she calls secretsmanager GetSecretValue", 26, T0 + 31),
            step("Then", "the request is allowed", 28, T0 + 32, status="failed",
                 error="AssertionError: denied by NoReadingSecretValues"),
            step("And", "nothing else happens", 29, None, status="skipped"),
        ],
        outcome="failed", error="E   AssertionError: denied by NoReadingSecretValues",
        started=T0 + 29.5, call_started=T0 + 30, stopped=T0 + 33, setup_duration=0.5,
        call_duration=3.0, worker="gw1",
    )
    passing = ScenarioResult(
        nodeid="features/developer_access/test_dev.py::test_list",
        feature=DEVELOPERS, name="Developers list artifacts", line=10,
        steps=[
            step("Given", 'alice has signed in with MFA as "DeveloperReadOnly" in the "dev" '
                 "account", 11, T0 + 40),
            step("When", 'she lists the objects in the "securecart-dev-artifacts" bucket', 12,
                 T0 + 41),
            step("Then", "the request is allowed", 13, T0 + 42),
        ],
        outcome="passed", started=T0 + 39.5, call_started=T0 + 40, stopped=T0 + 43,
        setup_duration=0.5, call_duration=3.0, worker="gw0",
    )
    setup_error = ScenarioResult(
        nodeid="features/developer_access/test_dev.py::test_sign_in",
        feature=DEVELOPERS, name="Developers have no assignment in production", line=18,
        steps=[step("When", 'alice tries to sign in as "DeveloperReadOnly" in the "prod" '
                    "account", 19, None, status="skipped")],
        outcome="failed", error="[setup] RuntimeError: the backend did not start",
        started=T0 + 50, stopped=T0 + 51, setup_duration=1.0, worker="gw0",
    )
    skipped = ScenarioResult(
        nodeid="features/developer_access/test_dev.py::test_later",
        feature=DEVELOPERS, name="A scenario for later", line=40, tags=["skip"],
        steps=[step("Given", "the SecureCart organisation", 41, None, status="skipped")],
        outcome="skipped", error="not ready", started=T0 + 60, stopped=T0 + 60.01,
        worker="gw1",
    )
    return [failing, row[1], setup_error, passing, skipped, row[0]]


def statement(policy: str, kind: str, sid: str, effect: str) -> dict[str, Any]:
    return {"policy": policy, "type": kind, "statement": sid, "effect": effect, "source": None}


def record(at: float, nodeid: str | None, principal: str, action: str, decision: str,
           deciding: list[dict[str, Any]] | None = None,
           matched: list[dict[str, Any]] | None = None, denied_by: str | None = None,
           resource: str = "*") -> dict[str, Any]:
    """A decision-log line as harness.gateway.decision_log writes it, plus `scenario`."""
    return {
        # The gateway cuts its times to milliseconds.
        "time": datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds"),
        "request_id": f"req-{at}",
        "principal": principal,
        "service": action.split(":")[0],
        "operation": action.split(":")[1],
        "action": action,
        "resource": resource,
        "decision": decision,
        "denied_by": denied_by,
        "deciding": deciding or [],
        "matched": matched or [],
        "missing_keys": [],
        "message": None if decision == "allowed" else f"not authorized to perform: {action}",
        "scenario": nodeid,
    }


def log_records() -> list[dict[str, Any]]:
    full = statement(FULL_ACCESS, "service control policy", "Statement[0]", "Allow")
    scp = statement(SCP_ARN, "service control policy", "DenyDestructiveActionsInProd", "Deny")
    secrets = statement(SSO_INLINE, "identity-based policy", "NoReadingSecretValues", "Deny")
    read_only = statement("arn:aws:iam::aws:policy/ReadOnlyAccess", "identity-based policy",
                          "Statement[0]", "Allow")
    guard = "features/guardrails/test_prod.py::test_destroy"
    return [
        record(T0 - 5, None, "arn:aws:iam::111111111111:root", "organizations:ListRoots",
               "allowed"),  # made outside any scenario (e.g. seeding through the gateway)
        record(T0 + 1.02, f"{guard}[s3]", CAROL_PROD, "s3:DeleteBucket", "explicitDeny",
               [scp], [full, scp], "service control policy",
               resource="arn:aws:s3:::securecart-prod-customer-data"),
        record(T0 + 11.02, f"{guard}[dynamodb]", CAROL_PROD, "dynamodb:DeleteTable",
               "explicitDeny", [scp], [full, scp], "service control policy",
               resource="arn:aws:dynamodb:us-east-1:666666666666:table/orders"),
        record(T0 + 31.02, "features/developer_access/test_dev.py::test_secrets", ALICE_DEV,
               "secretsmanager:GetSecretValue", "explicitDeny", [secrets], [full, secrets],
               "identity-based policy"),
        record(T0 + 41.02, "features/developer_access/test_dev.py::test_list", ALICE_DEV,
               "s3:ListBucket", "allowed", [read_only], [full, read_only],
               resource="arn:aws:s3:::securecart-dev-artifacts"),
        record(T0 + 41.03, "features/developer_access/test_dev.py::test_list", ALICE_DEV,
               "s3:PutObject", "implicitDeny", [], [full], "identity-based policy",
               resource="arn:aws:s3:::securecart-prod-customer-data/x"),
        record(T0 + 41.04, "features/developer_access/test_dev.py::test_list", ALICE_DEV,
               "s3:ListBucket", "implicitDeny", [], [full], "identity-based policy",
               resource="arn:aws:s3:::securecart-prod-customer-data"),
    ]


def calls() -> list[CallDecision]:
    return [CallDecision.from_json(data) for data in log_records()]
