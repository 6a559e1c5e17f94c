"""Offline decisions on the SecureCart landscape agree with what the scenarios in features/
prove against the enforcing gateway: the same outcome, decided by the same policy type (and,
where the scenario names it, the same statement)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.analysis.offline import (
    OUTSIDE_ACCOUNT,
    Offline,
    OfflineError,
    principals,
    resources,
)
from harness.authorization.landscape import aws_managed_policy
from harness.iam import Outcome, PolicyType, PrincipalKind
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.seeding.identity_center import role_suffix
from tests.landscape.builders import copy_landscape, edit_yaml

BUCKET = "arn:aws:s3:::"
CUSTOMER_DATA = BUCKET + "securecart-prod-customer-data/customers/0001.json"
TOPIC = "arn:aws:sns:us-east-1:666666666666:order-events"
ORDERS = "arn:aws:dynamodb:us-east-1:666666666666:table/orders"
EXTERNAL_ID = "securecart-vendor-support-7f3a9c"
# The customer-data key, its name standing in for the id KMS chooses (Key.stand_in_arn).
KEY = "arn:aws:kms:us-east-1:666666666666:key/securecart-prod-customer-data"

ALLOWED, EXPLICIT, IMPLICIT = Outcome.ALLOWED, Outcome.EXPLICIT_DENY, Outcome.IMPLICIT_DENY
IDENTITY, RESOURCE, TRUST = PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.TRUST
SCP, BOUNDARY = PolicyType.SCP, PolicyType.BOUNDARY

# (principal, action, resource, condition keys, outcome, deciding policy type, statement):
# for an allow the type (and statement) that granted, for a denial the type that denied.
CASES = [
    # developer_access/read_only_in_non_prod.feature
    ("dev:DeveloperReadOnly", "s3:ListBucket", BUCKET + "securecart-dev-artifacts", {},
     ALLOWED, IDENTITY, None),
    ("staging:DeveloperReadOnly", "s3:ListBucket", BUCKET + "securecart-staging-artifacts", {},
     ALLOWED, IDENTITY, None),
    ("dev:DeveloperReadOnly", "s3:PutObject", BUCKET + "securecart-dev-artifacts/notes.txt",
     {"s3:x-amz-server-side-encryption": "AES256"}, IMPLICIT, IDENTITY, None),
    ("dev:DeveloperReadOnly", "secretsmanager:GetSecretValue",
     "arn:aws:secretsmanager:us-east-1:444444444444:secret:securecart/dev/database", {},
     EXPLICIT, IDENTITY, "NoReadingSecretValues"),
    # customer_data/only_the_orders_lambda_reads.feature
    ("prod:orders-processor", "s3:GetObject", CUSTOMER_DATA, {},
     ALLOWED, RESOURCE, "AllowOrdersProcessor"),
    ("prod:Admin", "s3:GetObject", CUSTOMER_DATA, {},
     EXPLICIT, RESOURCE, "OnlyOrdersProcessorReadsCustomerData"),
    ("prod:orders-api", "s3:GetObject", CUSTOMER_DATA, {},
     EXPLICIT, RESOURCE, "OnlyOrdersProcessorReadsCustomerData"),
    ("prod:orders-processor", "s3:GetObject", CUSTOMER_DATA, {"aws:SecureTransport": "false"},
     EXPLICIT, RESOURCE, "DenyInsecureTransport"),
    # customer_data/only_the_orders_function_uses_the_customer_data_key.feature
    ("prod:orders-processor", "kms:Decrypt", KEY, {},
     ALLOWED, RESOURCE, "OnlyOrdersProcessorUsesTheKey"),
    ("prod:Admin", "kms:Decrypt", KEY, {}, IMPLICIT, RESOURCE, None),
    ("prod:Admin", "kms:EnableKeyRotation", KEY, {},
     ALLOWED, RESOURCE, "AccountAdministersTheKey"),
    ("prod:orders-api", "kms:Decrypt", KEY, {}, IMPLICIT, RESOURCE, None),
    # vendor/order_events.feature
    ("vendor:vendor-integration", "sns:Publish", TOPIC, {}, ALLOWED, RESOURCE, "VendorMayPublish"),
    ("vendor:vendor-integration", "sns:Subscribe", TOPIC, {}, IMPLICIT, IDENTITY, None),
    ("outside:root", "sns:Publish", TOPIC, {},
     EXPLICIT, RESOURCE, "NobodyElseOutsideTheOrganization"),
    ("vendor:vendor-integration", "sts:AssumeRole",
     "arn:aws:iam::666666666666:role/VendorSupportRole", {}, IMPLICIT, TRUST, None),
    ("vendor:vendor-integration", "sts:AssumeRole",
     "arn:aws:iam::666666666666:role/VendorSupportRole", {"sts:ExternalId": EXTERNAL_ID},
     ALLOWED, TRUST, "VendorAccountWithExternalId"),
    # guardrails/destructive_actions_in_prod.feature, organisation_guardrails.feature
    ("prod:Admin", "dynamodb:DeleteTable", ORDERS, {},
     EXPLICIT, SCP, "DenyDestructiveActionsInProd"),
    ("prod:orders-api", "dynamodb:DeleteTable", ORDERS, {},
     EXPLICIT, SCP, "DenyDestructiveActionsInProd"),
    ("dev:Admin", "ec2:CreateInternetGateway", "*", {},
     EXPLICIT, SCP, "DenyInternetGatewayOutsideNetworkAccount"),
    ("network:Admin", "ec2:CreateInternetGateway", "*", {}, ALLOWED, IDENTITY, None),
    ("management:Admin", "ec2:CreateInternetGateway", "*", {}, ALLOWED, IDENTITY, None),
    ("dev:root", "s3:ListAllMyBuckets", "*", {}, EXPLICIT, SCP, "DenyRootUser"),
    ("management:root", "s3:ListAllMyBuckets", "*", {}, ALLOWED, None, None),
    ("dev:Admin", "dynamodb:ListTables", "*", {"aws:RequestedRegion": "ap-southeast-2"},
     EXPLICIT, SCP, "DenyAllOutsideAllowedRegions"),
    ("dev:Admin", "iam:ListRoles", "*", {"aws:RequestedRegion": "ap-southeast-2"},
     ALLOWED, IDENTITY, None),
    ("security:Admin", "guardduty:DeleteDetector", "*", {}, EXPLICIT, SCP, "ProtectGuardDuty"),
    ("log-archive:Admin", "s3:DeleteObject", BUCKET + "securecart-log-archive/AWSLogs/x", {},
     EXPLICIT, RESOURCE, "LogsAreImmutable"),
    # privilege_escalation/permission_boundaries.feature
    ("dev:DeveloperPowerUser", "iam:CreateUser", "arn:aws:iam::444444444444:user/shadow-admin",
     {}, IMPLICIT, IDENTITY, None),
    ("dev:DeveloperPowerUser", "sso:CreatePermissionSet", "*", {}, IMPLICIT, BOUNDARY, None),
    ("dev:DeveloperPowerUser", "iam:CreatePolicyVersion",
     "arn:aws:iam::444444444444:policy/developer-boundary", {},
     EXPLICIT, IDENTITY, "DenyEditingPermissionsBoundaries"),
    # pipeline/deploy_role.feature
    ("shared-services:ci-deployer", "sts:AssumeRole", "arn:aws:iam::666666666666:role/DeployRole",
     {}, ALLOWED, TRUST, "OnlyThePipelineDeployer"),
    ("shared-services:Admin", "sts:AssumeRole", "arn:aws:iam::666666666666:role/DeployRole", {},
     IMPLICIT, TRUST, None),
    # workloads/orders_api.feature
    ("prod:orders-api", "dynamodb:PutItem", ORDERS, {}, ALLOWED, IDENTITY, "OrdersTableOnly"),
    ("prod:orders-api", "dynamodb:Scan", ORDERS, {}, IMPLICIT, IDENTITY, None),
    # security_team/read_everywhere.feature
    ("security:SecurityAudit", "s3:ListBucket", BUCKET + "securecart-log-archive", {},
     ALLOWED, RESOURCE, "SecurityTeamReads"),
    ("dev:SecurityAudit", "s3:ListBucket", BUCKET + "securecart-log-archive", {},
     IMPLICIT, RESOURCE, None),
    ("prod:SecurityAudit", "dynamodb:UpdateTable", ORDERS, {}, IMPLICIT, IDENTITY, None),
    # nobody signs an anonymous request into a bucket without a policy
    ("anonymous", "s3:GetObject", BUCKET + "securecart-dev-artifacts/build.zip", {},
     IMPLICIT, RESOURCE, None),
]


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape()


@pytest.fixture(scope="module")
def offline(landscape: Landscape) -> Offline:
    return Offline(landscape)


@pytest.mark.parametrize(
    ("principal", "action", "resource", "keys", "outcome", "policy_type", "statement"),
    CASES,
    ids=[f"{c[0]} {c[1]} {c[4]}" for c in CASES],
)
def test_offline_decisions_agree_with_the_scenarios(
    offline: Offline,
    principal: str,
    action: str,
    resource: str,
    keys: dict[str, str],
    outcome: Outcome,
    policy_type: PolicyType | None,
    statement: str | None,
) -> None:
    decision = offline.decide(offline.principal(principal), action, resource, keys=keys)
    assert decision.error is None
    assert decision.outcome is outcome
    if outcome is Outcome.ALLOWED:
        deciding = {(s.policy_type, s.statement) for s in decision.deciding}
        if policy_type is None:
            assert deciding == set()  # a root user carries no policies
        else:
            assert policy_type in {kind for kind, _ in deciding}
        if statement is not None:
            assert (policy_type, statement) in deciding
    else:
        assert decision.denied_by is policy_type
        if statement is not None:
            assert statement in {s.statement for s in decision.deciding}


def test_principals_of_the_landscape(landscape: Landscape) -> None:
    found = {p.label: p for p in principals(landscape)}
    assert {"prod:root", "vendor:root", "prod:orders-processor", "dev:DeployRole",
            "vendor:vendor-integration", "dev:DeveloperPowerUser", "prod:Admin"} <= set(found)
    assert "prod:DeveloperReadOnly" not in found  # developers have no assignment in prod
    power_user = found["dev:DeveloperPowerUser"]
    permission_set = landscape.identity_center.permission_set("DeveloperPowerUser")
    suffix = role_suffix(landscape.account("dev"), permission_set)
    assert power_user.arn == ("arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/"
                              f"AWSReservedSSO_DeveloperPowerUser_{suffix}")
    assert power_user.kind is PrincipalKind.ROLE and power_user.human
    assert power_user.boundary is not None
    assert power_user.boundary.name == "arn:aws:iam::444444444444:policy/developer-boundary"
    assert [p.name for p in power_user.identity] == [
        "arn:aws:iam::aws:policy/PowerUserAccess",
        "DeveloperPowerUser (permission set inline policy)",
    ]
    assert found["vendor:root"].outside and not found["prod:root"].outside


def test_outside_principals(offline: Offline) -> None:
    stranger = offline.principal("outside:root")
    assert (stranger.account, stranger.kind) == (OUTSIDE_ACCOUNT, PrincipalKind.ROOT)
    assert offline.principal("anonymous").kind is PrincipalKind.ANONYMOUS
    with pytest.raises(KeyError, match="no principal 'prod:nobody'"):
        offline.principal("prod:nobody")


def test_resources_with_owners_and_policies(landscape: Landscape) -> None:
    found = {r.arn: r for r in resources(landscape)}
    topic = found[TOPIC]
    assert (topic.account, topic.kind, topic.name) == ("666666666666", "sns topic", "order-events")
    assert topic.policy is not None and topic.policy.name == TOPIC
    assert found[BUCKET + "securecart-log-archive"].account == "333333333333"
    assert found[BUCKET + "securecart-dev-artifacts"].policy is None
    role = found["arn:aws:iam::666666666666:role/VendorSupportRole"]
    assert role.kind == "iam role" and role.policy is not None
    assert role.policy.policy_type is PolicyType.TRUST
    assert ORDERS in found
    key = found[KEY]
    assert (key.kind, key.name, key.region) == ("kms key", "securecart-prod-customer-data",
                                                "us-east-1")
    assert key.policy is not None and key.policy.policy_type is PolicyType.RESOURCE


def test_an_unknown_aws_managed_policy_fails_naming_it() -> None:
    with pytest.raises(OfflineError, match="arn:aws:iam::aws:policy/NoSuchPolicy"):
        aws_managed_policy("arn:aws:iam::aws:policy/NoSuchPolicy")
    assert aws_managed_policy("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").statements
    with pytest.raises(OfflineError, match="arn:aws:iam::aws:policy/ViewOnlyAccess"):
        aws_managed_policy("arn:aws:iam::aws:policy/ViewOnlyAccess")  # its path is /job-function/


def test_a_landscape_naming_an_unknown_aws_managed_policy_fails_loudly(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)

    def add_policy(data: dict[str, list[dict[str, object]]]) -> None:
        for permission_set in data["permission_sets"]:
            if permission_set["name"] == "SecurityAudit":
                permission_set["managed_policies"] = ["arn:aws:iam::aws:policy/NoSuchAudit"]

    edit_yaml(directory, "identity-center.yaml", add_policy)
    with pytest.raises(OfflineError, match="arn:aws:iam::aws:policy/NoSuchAudit"):
        Offline(load_landscape(directory))
