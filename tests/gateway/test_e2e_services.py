"""The harness acting as an AWS service: Lambda assuming a function's execution role.

A role trusted by a service is assumed by that service, for a resource of an account; the
trust policy's aws:SourceAccount condition (the confused-deputy guard) sees that account.
https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import DEV, PROD, World, arn_role, assert_error, denied_because

pytestmark = pytest.mark.slow

EXECUTION_ROLE = "service-execution"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "LambdaInThisAccount", "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Condition": {"StringEquals": {"aws:SourceAccount": PROD}}}]})


@pytest.fixture(scope="module", autouse=True)
def execution_role(world: World) -> None:
    iam = world.backend(PROD, "iam")
    iam.create_role(RoleName=EXECUTION_ROLE, AssumeRolePolicyDocument=TRUST)
    world.gateway.backend_state.invalidate()


def test_the_service_assumes_the_role_for_a_resource_of_the_account(world: World) -> None:
    lambda_service = world.gateway.mint_service(
        "lambda.amazonaws.com", PROD, f"arn:aws:lambda:us-east-1:{PROD}:function:orders")
    issued = world.client(lambda_service, "sts").assume_role(
        RoleArn=arn_role(PROD, EXECUTION_ROLE), RoleSessionName="orders")["Credentials"]
    recorded = world.store.get(issued["AccessKeyId"])
    assert recorded is not None
    assert recorded.arn == f"arn:aws:sts::{PROD}:assumed-role/{EXECUTION_ROLE}/orders"


def test_the_service_acting_for_another_account_is_refused(world: World) -> None:
    deputy = world.gateway.mint_service("lambda.amazonaws.com", DEV)
    error = world.refused(lambda: world.client(deputy, "sts").assume_role(
        RoleArn=arn_role(PROD, EXECUTION_ROLE), RoleSessionName="confused"))
    assert_error(error, "AccessDenied", denied_because(
        "lambda.amazonaws.com", "sts:AssumeRole", arn_role(PROD, EXECUTION_ROLE), ""),
        403)


def test_another_service_is_refused(world: World) -> None:
    ecs = world.gateway.mint_service("ecs-tasks.amazonaws.com", PROD)
    error = world.refused(lambda: world.client(ecs, "sts").assume_role(
        RoleArn=arn_role(PROD, EXECUTION_ROLE), RoleSessionName="ecs"))
    assert error.response["Error"]["Code"] == "AccessDenied"
