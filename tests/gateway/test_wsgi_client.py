"""boto3 clients answered in-process by a WSGI app: moto's, here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.backends.moto import MotoServer
from harness.gateway.wsgi_client import wsgi_client


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    server = MotoServer()
    yield server.wsgi_app


def client(app: Any, service: str) -> Any:
    return wsgi_client(app, service, region="us-east-1", access_key_id="AKIAWSGICLIENTTEST",
                       secret_access_key="secret")


@pytest.mark.parametrize("key", ["plain.txt", "a b/ü+x=y~z.txt", "deep//slashes/k"])
def test_s3_objects_round_trip(app: Any, key: str) -> None:
    s3 = client(app, "s3")
    s3.create_bucket(Bucket="wsgi-client-bucket")
    s3.put_object(Bucket="wsgi-client-bucket", Key=key, Body=b"payload \x00\xff")
    assert s3.get_object(Bucket="wsgi-client-bucket", Key=key)["Body"].read() == (
        b"payload \x00\xff")
    listed = s3.list_objects_v2(Bucket="wsgi-client-bucket")["Contents"]
    assert key in [item["Key"] for item in listed]


def test_query_and_json_protocols(app: Any) -> None:
    iam = client(app, "iam")
    iam.create_role(RoleName="wsgi-role", Path="/team/", AssumeRolePolicyDocument="{}")
    assert iam.get_role(RoleName="wsgi-role")["Role"]["Arn"].endswith(":role/team/wsgi-role")
    dynamodb = client(app, "dynamodb")
    dynamodb.create_table(TableName="wsgi-table", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    assert "wsgi-table" in dynamodb.list_tables()["TableNames"]


def test_errors_reach_the_client(app: Any) -> None:
    s3 = client(app, "s3")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
