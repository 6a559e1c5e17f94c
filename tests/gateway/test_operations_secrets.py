"""Secrets Manager operations → IAM authorisation requests.
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
"""

from __future__ import annotations

from harness.gateway.operations import authorization_requests

ACCOUNT = "444444444444"


def test_a_secret_by_name_is_authorised_on_its_arn() -> None:
    [made] = authorization_requests("secretsmanager", "GetSecretValue",
                                    {"SecretId": "securecart/dev/database"},
                                    region="us-east-1", account=ACCOUNT)
    assert made.action == "secretsmanager:GetSecretValue"
    assert made.resource == (
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:securecart/dev/database")
    assert made.key("secretsmanager:SecretId") == ("securecart/dev/database",)


def test_a_secret_by_arn_keeps_its_own_account() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:666666666666:secret:orders-AbCdEf"
    [made] = authorization_requests("secretsmanager", "GetSecretValue", {"SecretId": arn},
                                    region="us-east-1", account=ACCOUNT)
    assert (made.resource, made.resource_account) == (arn, "666666666666")
