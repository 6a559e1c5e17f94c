"""`assume` against moto: workload, pipeline, vendor and service sessions, and the refusals
that the trust decision makes as AWS would (moto itself enforces no trust policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harness.identity import AwsError, Credentials, IdentityError
from harness.identity.assume import (
    assume,
    default_principal,
    parse_principal,
    trusted_principals,
    trusted_services,
)
from harness.landscape.model import Landscape
from harness.seed import SeededLandscape

EXTERNAL_ID = "securecart-vendor-support-7f3a9c"


def caller_arn(credentials: Credentials, endpoint: str) -> str:
    arn: str = credentials.client("sts", endpoint, "us-east-1").get_caller_identity()["Arn"]
    return arn


def denied(role: str, account: str, caller: str) -> str:
    return (
        "An error occurred (AccessDenied) when calling the AssumeRole operation: "
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{account}:role/{role}"
    )


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


def test_orders_processor_as_lambda_gets_it(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str
) -> None:
    result = assume(landscape, endpoint, "orders-processor", "prod")
    prod = seeded.account_ids["prod"]
    # Lambda names the execution role's session after the function.
    expected = f"arn:aws:sts::{prod}:assumed-role/orders-processor/orders-processor"
    assert result.principal.service == "lambda.amazonaws.com"
    assert result.credentials.arn == expected
    assert caller_arn(result.credentials, endpoint) == expected


def test_deploy_role_from_the_pipeline(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str
) -> None:
    result = assume(landscape, endpoint, "DeployRole", "prod", as_="shared-services:ci-deployer")
    shared, prod = seeded.account_ids["shared-services"], seeded.account_ids["prod"]
    assert result.caller_arn.startswith(
        f"arn:aws:sts::{shared}:assumed-role/ci-deployer/AWSCodeBuild-"
    )
    assert caller_arn(result.credentials, endpoint) == (
        f"arn:aws:sts::{prod}:assumed-role/DeployRole/securecart-shared-services-ci-deployer"
    )


@pytest.mark.parametrize("caller", ["vendor", "vendor:vendor-integration"])
def test_vendor_support_with_the_external_id(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str, caller: str
) -> None:
    result = assume(
        landscape,
        endpoint,
        "VendorSupportRole",
        "prod",
        as_=caller,
        external_id=EXTERNAL_ID,
        session_name="support-ticket-42",
    )
    prod = seeded.account_ids["prod"]
    assert caller_arn(result.credentials, endpoint) == (
        f"arn:aws:sts::{prod}:assumed-role/VendorSupportRole/support-ticket-42"
    )


@pytest.mark.parametrize("external_id", [None, "guessed"])
def test_vendor_support_without_the_right_external_id(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str, external_id: str | None
) -> None:
    with pytest.raises(AwsError) as raised:
        assume(
            landscape,
            endpoint,
            "VendorSupportRole",
            "prod",
            as_="vendor",
            external_id=external_id,
        )
    vendor, prod = seeded.account_ids["vendor"], seeded.account_ids["prod"]
    admin = f"arn:aws:sts::{vendor}:assumed-role/OrganizationAccountAccessRole/securecart-admin"
    assert raised.value.code == "AccessDenied"
    assert str(raised.value) == denied("VendorSupportRole", prod, admin)


def test_a_role_that_does_not_trust_the_caller(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str
) -> None:
    with pytest.raises(AwsError) as raised:
        assume(landscape, endpoint, "DeployRole", "prod", as_="vendor:vendor-integration")
    vendor, prod = seeded.account_ids["vendor"], seeded.account_ids["prod"]
    # vendor-integration's own session: from the vendor's administrator, named after it.
    session = f"arn:aws:sts::{vendor}:assumed-role/vendor-integration/securecart-vendor"
    assert str(raised.value) == denied("DeployRole", prod, session)


def test_a_service_the_role_does_not_trust(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str
) -> None:
    with pytest.raises(AwsError) as raised:
        assume(landscape, endpoint, "orders-processor", "prod", as_="ecs-tasks.amazonaws.com")
    assert str(raised.value) == denied(
        "orders-processor", seeded.account_ids["prod"], "ecs-tasks.amazonaws.com"
    )


def test_the_account_administrator_needs_the_trust_too(
    landscape: Landscape, seeded: SeededLandscape, endpoint: str
) -> None:
    # Same account, AdministratorAccess: still refused, the trust policy names only ci-deployer.
    with pytest.raises(AwsError, match="AccessDenied"):
        assume(landscape, endpoint, "DeployRole", "prod")


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
def test_durations(landscape: Landscape, endpoint: str, duration: int, message: str) -> None:
    with pytest.raises(AwsError) as raised:
        assume(
            landscape,
            endpoint,
            "VendorSupportRole",
            "prod",
            as_="vendor",
            external_id=EXTERNAL_ID,
            duration=duration,
        )
    assert raised.value.code == "ValidationError"
    assert str(raised.value) == (
        f"An error occurred (ValidationError) when calling the AssumeRole operation: {message}"
    )


def test_a_duration_within_the_limit(landscape: Landscape, endpoint: str) -> None:
    result = assume(
        landscape,
        endpoint,
        "VendorSupportRole",
        "prod",
        as_="vendor",
        external_id=EXTERNAL_ID,
        duration=900,
    )
    lasts = result.credentials.expiration - datetime.now(UTC)
    assert timedelta(minutes=14) < lasts <= timedelta(minutes=15)


def test_unknown_role(landscape: Landscape, endpoint: str) -> None:
    with pytest.raises(IdentityError, match=r"no role 'ghost' in account prod \(roles: "):
        assume(landscape, endpoint, "ghost", "prod")
