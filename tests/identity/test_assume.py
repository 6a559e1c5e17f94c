"""`assume` through the enforcing gateway: workload, pipeline, vendor and service sessions, the
refusals the gateway makes as AWS would — and `check_trust`, the same decision made offline,
agreeing with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.identity import AwsError, Credentials, IdentityError
from harness.identity.assume import (
    ROOT_CANNOT_ASSUME,
    AssumeResult,
    assume,
    check_trust,
    default_principal,
    parse_principal,
    trusted_principals,
    trusted_services,
)
from harness.identity.callers import Callers
from harness.landscape.model import Landscape
from harness.seeding.context import SeededLandscape
from harness.stack import Stack

EXTERNAL_ID = "securecart-vendor-support-7f3a9c"
UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: a call made there fails
VENDOR_INTEGRATION = "vendor:vendor-integration"


def caller_arn(credentials: Credentials, stack: Stack) -> str:
    arn: str = stack.client("sts", credentials).get_caller_identity()["Arn"]
    return arn


def through_gateway(stack: Stack, role: str, account: str, **options: Any) -> AssumeResult:
    return assume(
        stack.landscape, stack.url, role, account,
        callers=stack.callers(), trust_check=None, verify=stack.verify, **options,
    )


def offline(stack: Stack, role: str, account: str, **options: Any) -> AssumeResult:
    """The engine decides (`check_trust`) before any call: a refusal needs no endpoint."""
    return assume(
        stack.landscape, UNREACHABLE, role, account,
        callers=stack.callers(), trust_check=check_trust, **options,
    )


def denied(role: str, account: str, caller: str) -> str:
    return (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: "
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{account}:role/{role}"
    )


def integration_session(seeded: SeededLandscape) -> str:
    """The vendor's integration role as the vendor holds it (the stack's standing session)."""
    return f"arn:aws:sts::{seeded.account_ids['vendor']}:assumed-role/vendor-integration/" \
        "securecart-vendor"


# --------------------------------------------------------------------------- principals


def test_principals(landscape: Landscape) -> None:
    assert parse_principal(landscape, "vendor").kind == "admin"
    ci = parse_principal(landscape, "shared-services:ci-deployer")
    assert (ci.kind, ci.account, ci.label) == (
        "role",
        "shared-services",
        "shared-services:ci-deployer",
    )
    assert parse_principal(landscape, "lambda.amazonaws.com").service == "lambda.amazonaws.com"
    with pytest.raises(IdentityError, match=r"no account 'nowhere'"):
        parse_principal(landscape, "nowhere")
    with pytest.raises(IdentityError, match=r"no role 'ghost' in account vendor"):
        parse_principal(landscape, "vendor:ghost")


def test_defaults_and_trusted(landscape: Landscape) -> None:
    prod = landscape.account("prod")
    processor = prod.role("orders-processor")
    assert trusted_services(processor) == ("lambda.amazonaws.com",)
    assert default_principal(prod, processor).service == "lambda.amazonaws.com"
    assert default_principal(prod, prod.role("VendorSupportRole")).label == "prod"
    assert trusted_principals(landscape, prod.role("DeployRole")) == (
        "shared-services:ci-deployer",
    )
    assert trusted_principals(landscape, prod.role("VendorSupportRole")) == ("vendor",)


# --------------------------------------------------------------------------- sessions


def test_orders_processor_as_lambda_gets_it(seeded: SeededLandscape, stack: Stack) -> None:
    result = through_gateway(stack, "orders-processor", "prod")
    prod = seeded.account_ids["prod"]
    # Lambda names the execution role's session after the function.
    expected = f"arn:aws:sts::{prod}:assumed-role/orders-processor/orders-processor"
    assert result.principal.service == "lambda.amazonaws.com"
    assert result.caller_arn == "lambda.amazonaws.com"
    assert result.credentials.arn == expected
    assert caller_arn(result.credentials, stack) == expected


def test_deploy_role_from_the_pipeline(seeded: SeededLandscape, stack: Stack) -> None:
    result = through_gateway(stack, "DeployRole", "prod", as_="shared-services:ci-deployer")
    shared, prod = seeded.account_ids["shared-services"], seeded.account_ids["prod"]
    # ci-deployer's own session: CodeBuild's, named after the build.
    assert result.caller_arn.startswith(
        f"arn:aws:sts::{shared}:assumed-role/ci-deployer/AWSCodeBuild-"
    )
    assert caller_arn(result.credentials, stack) == (
        f"arn:aws:sts::{prod}:assumed-role/DeployRole/securecart-shared-services-ci-deployer"
    )


def test_vendor_support_with_the_external_id(seeded: SeededLandscape, stack: Stack) -> None:
    result = through_gateway(
        stack,
        "VendorSupportRole",
        "prod",
        as_=VENDOR_INTEGRATION,
        external_id=EXTERNAL_ID,
        session_name="support-ticket-42",
    )
    prod = seeded.account_ids["prod"]
    assert result.caller_arn == integration_session(seeded)
    assert caller_arn(result.credentials, stack) == (
        f"arn:aws:sts::{prod}:assumed-role/VendorSupportRole/support-ticket-42"
    )


def test_the_gateway_decided_and_logged_it(stack: Stack) -> None:
    position = stack.log_position()
    through_gateway(stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION,
                    external_id=EXTERNAL_ID)
    assume_role = [r for r in stack.decisions_since(position) if r["action"] == "sts:AssumeRole"]
    assert [r["decision"] for r in assume_role] == ["allowed"]
    # The vendor's own policy lets it ask; the role's trust policy lets it in.
    deciding = [statement["statement"] for statement in assume_role[0]["deciding"]]
    assert deciding == ["AssumeSecureCartSupportRole", "VendorAccountWithExternalId"]


@pytest.mark.parametrize("external_id", [None, "guessed"])
def test_vendor_support_without_the_right_external_id(
    seeded: SeededLandscape, stack: Stack, external_id: str | None
) -> None:
    with pytest.raises(AwsError) as raised:
        through_gateway(
            stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION, external_id=external_id
        )
    assert raised.value.code == "AccessDenied"
    assert str(raised.value) == denied(
        "VendorSupportRole", seeded.account_ids["prod"], integration_session(seeded)
    )


def test_a_role_that_does_not_trust_the_caller(seeded: SeededLandscape, stack: Stack) -> None:
    with pytest.raises(AwsError) as raised:
        through_gateway(stack, "DeployRole", "prod", as_=VENDOR_INTEGRATION)
    assert str(raised.value) == denied(
        "DeployRole", seeded.account_ids["prod"], integration_session(seeded)
    )


def test_a_service_the_role_does_not_trust(seeded: SeededLandscape, stack: Stack) -> None:
    with pytest.raises(AwsError) as raised:
        through_gateway(stack, "orders-processor", "prod", as_="ecs-tasks.amazonaws.com")
    assert str(raised.value) == denied(
        "orders-processor", seeded.account_ids["prod"], "ecs-tasks.amazonaws.com"
    )


def test_the_account_administrator_needs_the_trust_too(
    seeded: SeededLandscape, stack: Stack
) -> None:
    # Same account, AdministratorAccess: still refused, the trust policy names only ci-deployer.
    with pytest.raises(AwsError) as raised:
        through_gateway(stack, "DeployRole", "prod")
    admin = (
        f"arn:aws:sts::{seeded.account_ids['prod']}:assumed-role/OrganizationAccountAccessRole/"
        "securecart-admin"
    )
    assert str(raised.value) == denied("DeployRole", seeded.account_ids["prod"], admin)


@pytest.mark.parametrize("account", ["vendor", "management"])
def test_a_root_user_cannot_assume_roles(stack: Stack, account: str) -> None:
    """The vendor's and the management account's administrator is its root user, and AWS
    lets no root user call AssumeRole, whatever the trust policy says."""
    with pytest.raises(AwsError) as raised:
        through_gateway(stack, "VendorSupportRole", "prod", as_=account, external_id=EXTERNAL_ID)
    assert (raised.value.code, raised.value.aws_message) == ("AccessDenied", ROOT_CANNOT_ASSUME)


def test_durations(stack: Stack) -> None:
    # Over the role's MaxSessionDuration (3600), and from a role session (role chaining).
    with pytest.raises(AwsError) as raised:
        through_gateway(stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION,
                        external_id=EXTERNAL_ID, duration=7200)
    assert raised.value.code == "ValidationError"
    assert raised.value.aws_message == (
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
        "role chaining."
    )


def test_a_duration_under_the_minimum_never_leaves_the_client(stack: Stack) -> None:
    """botocore validates DurationSeconds against STS's model (min 900) before sending, as the
    AWS CLI does: nothing reaches the endpoint."""
    position = stack.log_position()
    with pytest.raises(IdentityError, match="Invalid value for parameter DurationSeconds, "
                                            "value: 600, valid min value: 900"):
        through_gateway(stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION,
                        external_id=EXTERNAL_ID, duration=600)
    assert stack.decisions_since(position) == []


def test_a_duration_over_the_maximum(stack: Stack) -> None:
    # STS's model has no maximum: the service answers.
    with pytest.raises(AwsError) as raised:
        through_gateway(stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION,
                        external_id=EXTERNAL_ID, duration=43201)
    assert raised.value.code == "ValidationError"
    assert "Value '43201' at 'durationSeconds' failed to satisfy constraint" in str(raised.value)


def test_a_duration_within_the_limit(stack: Stack) -> None:
    result = through_gateway(
        stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION, external_id=EXTERNAL_ID,
        duration=900,
    )
    assert result.credentials.expiration is not None
    lasts = result.credentials.expiration - datetime.now(UTC)
    assert timedelta(minutes=14) < lasts <= timedelta(minutes=15)


def test_unknown_role(stack: Stack) -> None:
    with pytest.raises(IdentityError, match=r"no role 'ghost' in account prod \(roles: "):
        through_gateway(stack, "ghost", "prod")


# --------------------------------------------------------------------------- chain starts


def test_without_credentials_for_the_chain_start(stack: Stack) -> None:
    def without(**options: Any) -> str:
        with pytest.raises(IdentityError) as raised:
            assume(stack.landscape, stack.url, trust_check=None, verify=stack.verify,
                   callers=Callers(missing="none here"), **options)
        assert not isinstance(raised.value, AwsError)
        return str(raised.value)

    assert without(role_name="VendorSupportRole", account_name="prod", as_="prod") == (
        "no credentials for the administrator of account prod: none here"
    )
    assert without(role_name="VendorSupportRole", account_name="prod", as_="vendor") == (
        "no credentials for the root user of account vendor: none here"
    )
    prod = stack.seeded.account_ids["prod"]
    assert without(role_name="orders-processor", account_name="prod") == (
        "no credentials for the service lambda.amazonaws.com acting for "
        f"arn:aws:lambda:us-east-1:{prod}:function:orders-processor: none here"
    )
    assert without(role_name="VendorSupportRole", account_name="prod",
                   as_=VENDOR_INTEGRATION) == (
        f"no credentials for a session of arn:aws:iam::{stack.seeded.account_ids['vendor']}:"
        "role/vendor-integration: none here"
    )


# --------------------------------------------------------------------------- offline


@pytest.mark.parametrize(
    ("role", "options"),
    [
        ("VendorSupportRole", {"as_": VENDOR_INTEGRATION}),
        ("VendorSupportRole", {"as_": VENDOR_INTEGRATION, "external_id": "guessed"}),
        ("VendorSupportRole", {"as_": "vendor", "external_id": EXTERNAL_ID}),
        ("DeployRole", {"as_": VENDOR_INTEGRATION}),
        ("DeployRole", {}),
        ("orders-processor", {"as_": "ecs-tasks.amazonaws.com"}),
    ],
)
def test_check_trust_offline_agrees_with_the_gateway(
    stack: Stack, role: str, options: dict[str, Any]
) -> None:
    with pytest.raises(AwsError) as from_gateway:
        through_gateway(stack, role, "prod", **options)
    with pytest.raises(AwsError) as from_engine:
        offline(stack, role, "prod", **options)
    assert str(from_engine.value) == str(from_gateway.value)


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (7200, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."),
        (
            600,
            "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value greater than or equal to 900",
        ),
        (
            43201,
            "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value less than or equal to 43200",
        ),
    ],
)
def test_check_trust_durations_offline(stack: Stack, duration: int, message: str) -> None:
    with pytest.raises(AwsError) as raised:
        offline(stack, "VendorSupportRole", "prod", as_=VENDOR_INTEGRATION,
                external_id=EXTERNAL_ID, duration=duration)
    assert raised.value.code == "ValidationError"
    assert str(raised.value) == (
        f"An error occurred (ValidationError) when calling the AssumeRole operation: {message}"
    )
