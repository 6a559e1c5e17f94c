"""Every mapped service, by its botocore name (the name the gateway's parser uses), with its IAM
service prefix where the two differ ('sso-admin' → 'sso')."""

from __future__ import annotations

from harness.gateway.operations.rules import (
    compute,
    data,
    identity,
    lambda_,
    management,
    messaging,
    s3,
    secrets,
    security,
    ssm,
)
from harness.gateway.operations.spec import ServiceSpec

SPECS: dict[str, ServiceSpec] = {
    spec.botocore: spec
    for spec in (
        s3.SPEC,
        messaging.SNS,
        messaging.SQS,
        lambda_.SPEC,
        data.DYNAMODB,
        data.RDS,
        compute.EC2,
        compute.ECS,
        identity.IAM,
        identity.STS,
        security.ORGANIZATIONS,
        security.KMS,
        security.CLOUDTRAIL,
        security.GUARDDUTY,
        security.CONFIG,
        security.SSO_ADMIN,
        security.IDENTITYSTORE,
        secrets.SECRETSMANAGER,
        ssm.SSM,
        management.CLOUDFORMATION,
        management.LOGS,
        management.SUPPORT,
    )
}
