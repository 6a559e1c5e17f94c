"""What the backend executes is what the gateway authorised: requests that one reader would take
for one operation and another reader for another, in every protocol family.

moto reads a request's operation from a URL `Action` before X-Amz-Target, from a form body
before the URL, from a JSON body parsed as a query string, from the headers; moto's S3 picks an
operation by the first subresource key it tests and copies whenever a copy source is given. The
gateway reads requests with LocalStack's parsers. A probe had the read-only `app` role delete a
production table (`X-Amz-Target: DynamoDB_20120810.GetItem` with `?Action=DeleteTable`) while
the decision log said `dynamodb:GetItem allowed`. Each case here is such a mix: the request is
refused with AWS's error and never forwarded, or it is forwarded and the backend runs the
operation authorised — and the state the other operation would have changed is unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from harness.gateway.credentials import Credential
from tests.gateway.conftest import PROD, REGION, World, arn_role, document, world
from tests.security.wire import Answer, Wire
from tests.security.wire import send as send_wire

__all__ = ["world"]  # the module-scoped endpoint of tests/gateway, reused here

pytestmark = pytest.mark.slow

TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
FUNCTION = "forwarding-probe"
SECRET = "forwarding-probe-secret"
SECRET_VALUE = "the-payments-api-key"


def send(world: World, credential: Credential, service: str, method: str, path: str,
         *, body: bytes = b"", headers: dict[str, str] | None = None) -> Answer:
    """A raw request, signed over everything it carries (so only its meaning is odd)."""
    return send_wire(world, credential, Wire(service, method, path, body, dict(headers or {})))


def refused(answer: Answer, code: str, status: int = 400) -> None:
    assert (answer.status, answer.code()) == (status, code), answer
    assert not answer.forwarded, "a refused request reached the backend"


@pytest.fixture(scope="module")
def app(world: World) -> Credential:
    """Read and write on its table, objects and queue; nothing destructive anywhere."""
    return world.session_of(arn_role(PROD, "app"))


@pytest.fixture(scope="module")
def reader(world: World) -> Iterator[Credential]:
    """A role that may only list IAM users, describe VPCs and read one Lambda function."""
    iam = world.backend(PROD, "iam")
    iam.create_role(RoleName="forwarding-reader", AssumeRolePolicyDocument=document({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
        "Action": "sts:AssumeRole"}))
    function_arn = f"arn:aws:lambda:{REGION}:{PROD}:function:{FUNCTION}"
    iam.put_role_policy(RoleName="forwarding-reader", PolicyName="read", PolicyDocument=document(
        {"Effect": "Allow", "Action": [
            "iam:ListUsers", "ec2:DescribeVpcs", "kms:ListKeys", "logs:DescribeLogGroups",
            "sqs:ListQueues", "secretsmanager:ListSecrets"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["lambda:GetFunction", "lambda:InvokeFunction"],
         "Resource": function_arn},
        {"Sid": "NeverTheSecret", "Effect": "Deny", "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    world.backend(PROD, "secretsmanager").create_secret(Name=SECRET, SecretString=SECRET_VALUE)
    world.backend(PROD, "lambda").create_function(
        FunctionName=FUNCTION, Runtime="python3.11", Handler="index.handler",
        Role=arn_role(PROD, "forwarding-reader"), Code={"ZipFile": _zip()})
    yield world.session_of(arn_role(PROD, "forwarding-reader"))


def _zip() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _tables(world: World) -> list[str]:
    return list(world.backend(PROD, "dynamodb").list_tables()["TableNames"])


def _queues(world: World) -> list[str]:
    return list(world.backend(PROD, "sqs").list_queues().get("QueueUrls", []))


def _topics(world: World) -> list[str]:
    return [t["TopicArn"] for t in world.backend(PROD, "sns").list_topics()["Topics"]]


def _users(world: World) -> list[str]:
    return [u["UserName"] for u in world.backend(PROD, "iam").list_users()["Users"]]


def _vpcs(world: World) -> int:
    return len(world.backend(PROD, "ec2").describe_vpcs()["Vpcs"])


def _functions(world: World) -> list[str]:
    listed = world.backend(PROD, "lambda").list_functions()["Functions"]
    return [f["FunctionName"] for f in listed]


def _objects(world: World) -> list[str]:
    listed = world.backend(PROD, "s3").list_objects_v2(Bucket="prod-app-data")
    return [item["Key"] for item in listed.get("Contents", [])]


# --------------------------------------------------------------------------- json


GET_ITEM = {"X-Amz-Target": "DynamoDB_20120810.GetItem",
            "Content-Type": "application/x-amz-json-1.0"}


def _get_item(key: str = "x") -> bytes:
    return json.dumps({"TableName": "app-table", "Key": {"id": {"S": key}}}).encode()


@pytest.mark.parametrize(("path", "headers", "key"), [
    ("/?Action=DeleteTable", {}, "x"),                        # moto reads the URL Action first
    ("/", {"Action": "DeleteTable"}, "x"),                    # moto's header fallback
    ("/", {}, "a&Action=DeleteTable&b"),                       # the body read as a query
    ("/?Action=DeleteTable", {"Action": "DeleteTable"}, "&Action=DeleteTable"),
], ids=["url-action", "action-header", "action-in-body", "all-three"])
def test_a_json_call_runs_the_operation_its_target_names(
        world: World, app: Credential, path: str, headers: dict[str, str], key: str) -> None:
    before = _tables(world)
    answer = send(world, app, "dynamodb", "POST", path, body=_get_item(key),
                  headers={**GET_ITEM, **headers})
    assert answer.status == 200 and answer.forwarded, answer
    assert b"TableDescription" not in answer.body  # DeleteTable's answer
    assert _tables(world) == before and "app-table" in before
    record = world.decisions(len(world.log.records()) - 1)[-1]
    assert (record["action"], record["decision"]) == ("dynamodb:GetItem", "allowed")


def _keys(world: World) -> int:
    return len(world.backend(PROD, "kms").list_keys()["Keys"])


def _log_groups(world: World) -> list[str]:
    groups = world.backend(PROD, "logs").describe_log_groups()["logGroups"]
    return [group["logGroupName"] for group in groups]


# The probe's reproductions: a read the role may make, named by the target, and a write (or a
# read an explicit deny forbids) named by the URL.
JSON_MIXES = [
    ("kms", "TrentService.ListKeys", "1.1", "?Action=CreateKey", {}, _keys),
    ("logs", "Logs_20140328.DescribeLogGroups", "1.1",
     "?Action=CreateLogGroup&logGroupName=intruder", {}, _log_groups),
    ("sqs", "AmazonSQS.ListQueues", "1.0", "?Action=CreateQueue&QueueName=intruder", {},
     _queues),
    ("secretsmanager", "secretsmanager.ListSecrets", "1.1",
     f"?Action=GetSecretValue&SecretId={SECRET}", {"SecretId": SECRET}, _tables),
]


@pytest.mark.parametrize(("service", "target", "version", "query", "body", "state"), JSON_MIXES,
                         ids=[mix[0] for mix in JSON_MIXES])
def test_a_url_action_never_runs_instead_of_the_target(
        world: World, reader: Credential, service: str, target: str, version: str, query: str,
        body: dict[str, str], state: object) -> None:
    read = state if callable(state) else _tables
    before = read(world)
    answer = send(world, reader, service, "POST", "/" + query, body=json.dumps(body).encode(),
                  headers={"X-Amz-Target": target,
                           "Content-Type": f"application/x-amz-json-{version}"})
    assert answer.status == 200 and answer.forwarded, answer
    assert read(world) == before
    assert SECRET_VALUE.encode() not in answer.body


def test_a_target_of_another_service_is_refused(world: World, app: Credential) -> None:
    """Signed for dynamodb (a signing name DynamoDB Streams shares, so the router looks at the
    target), aimed at SQS: the backend would route it by its signing name. SQS answers."""
    before = _queues(world)
    answer = send(world, app, "dynamodb", "POST", "/", body=json.dumps(
        {"QueueUrl": world.queue_url(PROD, "doomed")}).encode(),
        headers={"X-Amz-Target": "AmazonSQS.DeleteQueue",
                 "Content-Type": "application/x-amz-json-1.0"})
    assert (answer.code(), answer.forwarded) == ("SignatureDoesNotMatch", False), answer
    assert b"Credential should be scoped to correct service: 'sqs'." in answer.body
    assert _queues(world) == before


# --------------------------------------------------------------------------- query


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.mark.parametrize(("path", "body"), [
    (f"/?Action=Publish&TopicArn={TOPIC}&Message=m", f"Action=DeleteTopic&TopicArn={TOPIC}"),
    ("/", f"Action=Publish&TopicArn={TOPIC}&Message=m&Action=DeleteTopic"),
    (f"/?TopicArn={TOPIC}", "Action=DeleteTopic&Message=m"),
], ids=["url-and-body", "action-twice", "parameters-split"])
def test_a_query_call_gives_its_parameters_once_in_one_place(
        world: World, app: Credential, path: str, body: str) -> None:
    before = _topics(world)
    answer = send(world, app, "sns", "POST", path, body=body.encode(), headers=FORM)
    refused(answer, "InvalidParameterCombination")
    assert _topics(world) == before and TOPIC in before


def test_a_query_call_with_an_odd_target_header_runs_its_action(
        world: World, app: Credential) -> None:
    before = _topics(world)
    answer = send(world, app, "sns", "POST", "/",
                  body=f"Action=Publish&TopicArn={TOPIC}&Message=m".encode(),
                  headers={**FORM, "X-Amz-Target": "AmazonSNS.DeleteTopic"})
    assert answer.status == 200 and b"<PublishResponse" in answer.body, answer
    assert _topics(world) == before


def test_iam_reads_one_action(world: World, reader: Credential) -> None:
    before = _users(world)
    answer = send(world, reader, "iam", "POST", "/?Action=ListUsers&Version=2010-05-08",
                  body=b"Action=CreateUser&UserName=intruder&Version=2010-05-08", headers=FORM)
    refused(answer, "InvalidParameterCombination")
    assert _users(world) == before and "intruder" not in before


def test_ec2_reads_one_action(world: World, reader: Credential) -> None:
    before = _vpcs(world)
    answer = send(world, reader, "ec2", "POST", "/?Action=DescribeVpcs&Version=2016-11-15",
                  body=b"Action=CreateVpc&CidrBlock=10.9.0.0/16&Version=2016-11-15",
                  headers=FORM)
    refused(answer, "InvalidParameterCombination")
    assert _vpcs(world) == before


# --------------------------------------------------------------------------- rest-json


@pytest.mark.parametrize(("path", "headers"), [
    (f"/2015-03-31/functions/{FUNCTION}?Action=DeleteFunction", {}),
    (f"/2015-03-31/functions/{FUNCTION}", {"X-Amz-Target": "AWSLambda.DeleteFunction"}),
    (f"/2015-03-31/functions/{FUNCTION}", {"Action": "DeleteFunction"}),
], ids=["url-action", "target-header", "action-header"])
def test_a_rest_json_call_runs_the_operation_its_path_names(
        world: World, reader: Credential, path: str, headers: dict[str, str]) -> None:
    answer = send(world, reader, "lambda", "GET", path, headers=headers)
    assert answer.status == 200 and answer.forwarded, answer
    assert json.loads(answer.body)["Configuration"]["FunctionName"] == FUNCTION
    assert FUNCTION in _functions(world)


def test_an_invocation_payload_is_not_read_as_an_operation(
        world: World, reader: Credential) -> None:
    """moto parses a body as a query string when the URL has none: an Invoke payload
    `Action=DeleteFunction` must stay a payload."""
    answer = send(world, reader, "lambda", "POST",
                  f"/2015-03-31/functions/{FUNCTION}/invocations",
                  body=b"Action=DeleteFunction&FunctionName=" + FUNCTION.encode())
    assert answer.forwarded, answer
    assert FUNCTION in _functions(world)


# --------------------------------------------------------------------------- rest-xml


def test_a_subresource_of_another_operation_is_refused(world: World, app: Credential) -> None:
    answer = send(world, app, "s3", "GET", "/prod-app-data?list-type=2&policy")
    refused(answer, "InvalidRequest")


def test_an_x_id_of_another_operation_is_refused(world: World, app: Credential) -> None:
    before = _objects(world)
    answer = send(world, app, "s3", "PUT", "/prod-app-data/reports/x-id.txt?x-id=DeleteObject",
                  body=b"data")
    refused(answer, "InvalidRequest")
    assert _objects(world) == before


def test_a_put_with_a_copy_source_is_refused(world: World, app: Credential) -> None:
    """The app may write reports/ but never read secret/: a PutObject carrying a copy source
    would be authorised as the write and run as a copy of the secret."""
    before = _objects(world)
    answer = send(world, app, "s3", "PUT", "/prod-app-data/reports/stolen.txt?x-id=PutObject",
                  headers={"x-amz-copy-source": "/prod-app-data/secret/keys.txt"})
    refused(answer, "InvalidRequest")
    assert _objects(world) == before and "reports/stolen.txt" not in before


def test_a_url_action_on_s3_changes_nothing(world: World, app: Credential) -> None:
    before = _objects(world)
    answer = send(world, app, "s3", "GET", "/prod-app-data/reports/q1.csv?Action=DeleteObject")
    assert answer.status == 200 and answer.forwarded, answer
    assert _objects(world) == before and "reports/q1.csv" in before


# --------------------------------------------------------------------------- the backend's routes


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/latest/meta-data/iam/security-credentials/"),
    ("PUT", "/latest/api/token"),
    ("GET", "//latest//meta-data/instance-id"),
    ("GET", "/favicon.ico"),
    ("GET", "/moto-api/data.json"),
    ("POST", "/moto-api/reset"),
    ("GET", "/_localstack/health"),
])
def test_the_backends_own_routes_are_not_reachable(
        world: World, app: Credential, method: str, path: str) -> None:
    """moto answers these before any service (instance metadata, its icon, its API): signed as
    S3 path-style requests they would reach it."""
    before = _tables(world)
    answer = send(world, app, "s3", method, path)
    refused(answer, "AccessDenied", 403)
    assert b"not reachable through the harness endpoint" in answer.body
    assert _tables(world) == before
