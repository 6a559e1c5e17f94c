"""Secrets Manager and SSM Parameter Store operations → IAM authorisation requests.
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
"""

from __future__ import annotations

import pytest

from harness.gateway.operations import UnmappedOperation, authorization_requests

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


# --------------------------------------------------------------------------- SSM Parameter Store
# https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html


def test_a_parameter_is_authorised_on_its_arn_without_the_leading_slash() -> None:
    [made] = authorization_requests("ssm", "GetParameter",
                                    {"Name": "/securecart/dev/db", "WithDecryption": True},
                                    region="us-east-1", account=ACCOUNT)
    assert made.action == "ssm:GetParameter"
    assert made.resource == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/securecart/dev/db"


def test_get_parameters_is_authorised_on_each_name() -> None:
    made = authorization_requests("ssm", "GetParameters", {"Names": ["/a/b", "c"]},
                                  region="us-east-1", account=ACCOUNT)
    assert [m.resource for m in made] == [
        f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/a/b",
        f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/c",
    ]


def test_a_path_is_authorised_as_a_parameter_with_the_recursive_key() -> None:
    [made] = authorization_requests("ssm", "GetParametersByPath",
                                    {"Path": "/securecart/dev", "Recursive": True},
                                    region="us-east-1", account=ACCOUNT)
    assert made.resource == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/securecart/dev"
    assert made.key("ssm:Recursive") == ("true",)


def test_a_shared_parameter_by_arn_keeps_its_own_account() -> None:
    arn = "arn:aws:ssm:us-east-1:666666666666:parameter/shared/x"
    [made] = authorization_requests("ssm", "GetParameter", {"Name": arn},
                                    region="us-east-1", account=ACCOUNT)
    assert (made.resource, made.resource_account) == (arn, "666666666666")


def test_the_rest_of_systems_manager_fails_closed() -> None:
    with pytest.raises(UnmappedOperation) as caught:
        authorization_requests("ssm", "SendCommand", {"DocumentName": "AWS-RunShellScript"},
                               region="us-east-1", account=ACCOUNT)
    assert "ssm:SendCommand" in str(caught.value)
