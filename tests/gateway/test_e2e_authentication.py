"""End to end: requests that must never reach the backend — tampered signatures, unknown keys,
expired sessions, unsigned requests to services that need a signature, malformed bodies,
unknown and unmapped operations, the backend's own admin API, headers that would steer the
backend. Each gets AWS's error in the service's protocol, a "refused" line in the decision
log, and no forwarded request (the recorder around the backend sees nothing).

https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness.gateway.credentials import Credential
from tests.gateway.conftest import (
    PROD,
    REGION,
    SHARED,
    World,
    arn_role,
    assert_error,
)

pytestmark = pytest.mark.slow

TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
QUERY_SIGNATURE = ("The request signature we calculated does not match the signature you "
                   "provided. Check your AWS Secret Access Key and signing method. Consult the "
                   "service documentation for details.")
S3_SIGNATURE = ("The request signature we calculated does not match the signature you "
                "provided. Check your key and signing method.")
INVALID_TOKEN = "The security token included in the request is invalid."


def forged(credential: Credential, **change: str) -> Credential:
    """The same credential with some fields replaced (a wrong secret, an unknown key)."""
    fields = {"access_key_id": credential.access_key_id,
              "secret_access_key": credential.secret_access_key,
              "account": credential.account, "kind": credential.kind, "arn": credential.arn,
              "session_token": credential.session_token}
    fields.update(change)
    return Credential(**fields)  # type: ignore[arg-type]


def refusal(world: World, mark: int) -> dict[str, Any]:
    """The last "refused" line of the decision log since `mark`."""
    refused = [r for r in world.decisions(mark) if r["decision"] == "refused"]
    assert refused, f"nothing refused was logged: {world.decisions(mark)}"
    return refused[-1]


@dataclass(frozen=True)
class Signed:
    """A raw request signed with SigV4 as botocore signs it, to send as it is or changed after
    signing (the signature then no longer covers what is sent)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def send(self, *, url: str | None = None, headers: dict[str, str] | None = None,
             body: bytes | None = None) -> requests.Response:
        return requests.request(self.method, url if url is not None else self.url,
                                headers=self.headers if headers is None else headers,
                                data=self.body if body is None else body, timeout=30)


def sign(world: World, credential: Credential, service: str, method: str, path: str,
         body: bytes = b"", headers: dict[str, str] | None = None) -> Signed:
    """`method path` with `body` and `headers`, signed for `service` with `credential`."""
    request = AWSRequest(method=method, url=world.url + path, data=body,
                         headers=dict(headers or {}))
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials(credential.access_key_id, credential.secret_access_key,
                       credential.session_token), service, REGION).add_auth(request)
    prepared = request.prepare()
    return Signed(method, str(prepared.url), {k: str(v) for k, v in prepared.headers.items()},
                  body)


def signed(world: World, credential: Credential, service: str, method: str, path: str,
           body: bytes, headers: dict[str, str], *, tamper: bytes | None = None
           ) -> requests.Response:
    """A raw request signed with SigV4, sent (the body replaced by `tamper` after signing)."""
    return sign(world, credential, service, method, path, body, headers).send(body=tamper)


def s3_objects(world: World, bucket: str, account: str = PROD) -> list[str]:
    """The keys in `bucket`, read from the backend directly."""
    listed = world.backend(account, "s3").list_objects_v2(Bucket=bucket).get("Contents", [])
    return [item["Key"] for item in listed]


@pytest.fixture
def app(world: World) -> Credential:
    return world.session_of(arn_role(PROD, "app"))


# --------------------------------------------------------------------------- bad signatures


def test_a_wrong_secret_in_each_protocol(world: World, app: Credential) -> None:
    wrong = forged(app, secret_access_key="not-the-secret")
    mark = world.mark()
    error = world.refused(lambda: world.client(wrong, "s3").put_object(
        Bucket="prod-app-data", Key="forged.txt", Body=b"f"))
    assert_error(error, "SignatureDoesNotMatch", S3_SIGNATURE, 403)
    assert "forged.txt" not in s3_objects(world, "prod-app-data")
    assert refusal(world, mark)["error_code"] == "SignatureDoesNotMatch"
    error = world.refused(lambda: world.client(wrong, "sns").publish(TopicArn=TOPIC,
                                                                     Message="m"))
    assert_error(error, "SignatureDoesNotMatch", QUERY_SIGNATURE, 403)
    error = world.refused(lambda: world.client(wrong, "dynamodb").put_item(
        TableName="app-table", Item={"id": {"S": "forged"}}))
    assert_error(error, "InvalidSignatureException", QUERY_SIGNATURE, 400)
    assert "Item" not in world.backend(PROD, "dynamodb").get_item(
        TableName="app-table", Key={"id": {"S": "forged"}})


def test_a_body_changed_after_signing(world: World, app: Credential) -> None:
    body = f"Action=Publish&Version=2010-03-31&TopicArn={TOPIC}&Message=hello".encode()
    seen = world.recorder.mark()
    response = signed(world, app, "sns", "POST", "/", body,
                       {"Content-Type": "application/x-www-form-urlencoded"},
                       tamper=body.replace(b"hello", b"HELLO"))
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content
    assert world.recorder.forwarded_since(seen) == []
    untouched = signed(world, app, "sns", "POST", "/", body,
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert untouched.status_code == 200, untouched.text


def test_an_unknown_access_key_in_each_protocol(world: World, app: Credential) -> None:
    unknown = forged(app, access_key_id="AKIAUNKNOWN000000000", session_token="")
    unknown = forged(unknown, session_token=None)  # type: ignore[arg-type]
    mark = world.mark()
    error = world.refused(lambda: world.client(unknown, "s3").get_object(
        Bucket="prod-app-data", Key="reports/q1.csv"))
    assert_error(error, "InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our records.", 403)
    assert refusal(world, mark)["error_code"] == "InvalidAccessKeyId"
    error = world.refused(lambda: world.client(unknown, "sns").publish(TopicArn=TOPIC,
                                                                       Message="m"))
    assert_error(error, "InvalidClientTokenId", INVALID_TOKEN, 403)
    error = world.refused(lambda: world.client(unknown, "dynamodb").list_tables())
    assert_error(error, "UnrecognizedClientException", INVALID_TOKEN, 400)


def test_json_authentication_errors_read_as_the_front_end_writes_them(
        world: World, app: Credential) -> None:
    """DynamoDB (JSON 1.0) qualifies the type with the front end's namespace, the JSON 1.1
    services do not, REST-JSON services (Lambda) give it in x-amzn-ErrorType only; the message
    key is lower-case. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html"""
    wrong = forged(app, secret_access_key="not-the-secret")
    dynamodb = signed(world, wrong, "dynamodb", "POST", "/", b"{}", {
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0"})
    assert dynamodb.status_code == 400
    assert dynamodb.json() == {"__type": "com.amazon.coral.service#InvalidSignatureException",
                               "message": QUERY_SIGNATURE}
    kms = signed(world, wrong, "kms", "POST", "/", b"{}", {
        "X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"})
    assert kms.status_code == 400
    assert kms.json() == {"__type": "InvalidSignatureException", "message": QUERY_SIGNATURE}
    functions = signed(world, wrong, "lambda", "GET", "/2015-03-31/functions/", b"", {})
    assert functions.status_code == 403
    assert functions.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert functions.json() == {"message": QUERY_SIGNATURE}
    unsigned = requests.get(world.url + "/2015-03-31/functions/", timeout=30)
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert unsigned.json() == {"message": "Missing Authentication Token"}


# --------------------------------------------------------------------------- expiry


def test_an_expired_session_in_each_protocol(world: World) -> None:
    session = world.session_of(arn_role(PROD, "app"), name="short-lived", DurationSeconds=900)
    s3, sns = world.client(session, "s3"), world.client(session, "sns")
    dynamodb = world.client(session, "dynamodb")
    assert s3.get_object(Bucket="prod-app-data", Key="reports/q1.csv")["Body"].read()
    with pytest.MonkeyPatch.context() as patch:
        import botocore.auth

        ahead = timedelta(hours=2)
        patch.setattr(botocore.auth, "get_current_datetime",
                      lambda remove_tzinfo=True: (datetime.now(UTC) + ahead).replace(tzinfo=None))
        world.clock.offset = ahead
        try:
            mark = world.mark()
            error = world.refused(lambda: s3.get_object(Bucket="prod-app-data",
                                                        Key="reports/q1.csv"))
            assert_error(error, "ExpiredToken", "The provided token has expired.", 400)
            assert refusal(world, mark)["error_code"] == "ExpiredToken"
            error = world.refused(lambda: sns.publish(TopicArn=TOPIC, Message="late"))
            assert_error(error, "ExpiredToken",
                         "The security token included in the request is expired", 403)
            error = world.refused(lambda: dynamodb.put_item(TableName="app-table",
                                                            Item={"id": {"S": "late"}}))
            assert_error(error, "ExpiredTokenException",
                         "The security token included in the request is expired", 400)
        finally:
            world.clock.offset = timedelta(0)
    assert "Item" not in world.backend(PROD, "dynamodb").get_item(
        TableName="app-table", Key={"id": {"S": "late"}})


# --------------------------------------------------------------------------- unsigned


def test_an_unsigned_request_to_a_service_that_needs_a_signature(world: World) -> None:
    """S3 alone serves anonymous requests; an unsigned Lambda call (which looks like one of S3's
    REST calls) is Lambda's, and refused as Lambda refuses it."""
    mark = world.mark()
    error = world.refused(lambda: world.anonymous("sns").publish(TopicArn=TOPIC, Message="m"))
    assert_error(error, "MissingAuthenticationToken", "Request is missing Authentication Token",
                 403)
    assert refusal(world, mark)["error_code"] == "MissingAuthenticationToken"
    error = world.refused(lambda: world.anonymous("dynamodb").list_tables())
    assert_error(error, "MissingAuthenticationTokenException",
                 "Request is missing Authentication Token", 400)
    error = world.refused(lambda: world.anonymous("lambda").list_functions())
    assert_error(error, "MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    error = world.refused(lambda: world.anonymous("sqs").list_queues())
    assert_error(error, "MissingAuthenticationToken", "Request is missing Authentication Token",
                 403)


# --------------------------------------------------------------------------- malformed bodies


def test_a_malformed_json_body(world: World, app: Credential) -> None:
    seen = world.recorder.mark()
    mark = world.mark()
    response = signed(world, app, "dynamodb", "POST", "/",
                       b'{"TableName": "app-table", "Item": {"id": ',
                       {"Content-Type": "application/x-amz-json-1.0",
                        "X-Amz-Target": "DynamoDB_20120810.PutItem"})
    assert response.status_code == 400
    assert json.loads(response.content)["__type"].endswith("SerializationException")
    assert world.recorder.forwarded_since(seen) == []
    assert refusal(world, mark)["error_code"] == "SerializationException"


def test_a_malformed_xml_body(world: World, app: Credential) -> None:
    seen = world.recorder.mark()
    response = signed(world, app, "s3", "PUT", "/prod-app-data?tagging", b"<Tagging><TagSet>",
                       {"Content-Type": "application/xml"})
    assert response.status_code == 400, response.text
    assert b"<Code>MalformedXML</Code>" in response.content
    assert (b"<Message>The XML you provided was not well-formed or did not validate against "
            b"our published schema</Message>") in response.content
    assert world.recorder.forwarded_since(seen) == []


# --------------------------------------------------------------------------- operations


def test_an_unknown_operation(world: World, app: Credential) -> None:
    seen = world.recorder.mark()
    response = signed(world, app, "sns", "POST", "/", b"Action=FlyToTheMoon&Version=2010-03-31",
                       {"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert b"<Code>InvalidAction</Code>" in response.content
    assert (b"<Message>Could not find operation FlyToTheMoon for version 2010-03-31</Message>"
            in response.content)
    response = signed(world, app, "dynamodb", "POST", "/", b"{}",
                       {"Content-Type": "application/x-amz-json-1.0",
                        "X-Amz-Target": "DynamoDB_20120810.Teleport"})
    assert response.status_code == 400
    assert json.loads(response.content)["__type"].endswith("UnknownOperationException")
    assert world.recorder.forwarded_since(seen) == []


def test_an_operation_without_an_iam_mapping_is_denied(world: World, app: Credential) -> None:
    mark = world.mark()
    error = world.refused(lambda: world.client(app, "s3").create_session(Bucket="prod-app-data"))
    assert_error(error, "AccessDenied", (
        f"User: {app.arn} is not authorized to perform: s3:CreateSession because "
        "s3:CreateSession cannot be authorised: directory buckets only "
        "(s3express:CreateSession): not emulated"), 403)
    refused = refusal(world, mark)
    assert (refused["operation"], refused["error_code"]) == ("CreateSession", "AccessDenied")


# --------------------------------------------------------------------------- the backend's own


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/moto-api/reset"),
    ("GET", "/moto-api/data.json"),
    ("POST", "//moto-api/reset"),
    ("POST", "/moto-api/state-manager/set-transition"),
    ("GET", "/_localstack/health"),
])
def test_the_backends_admin_api_is_not_reachable(world: World, method: str, path: str) -> None:
    seen = world.recorder.mark()
    mark = world.mark()
    response = requests.request(method, world.url + path, timeout=30)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content
    assert world.recorder.forwarded_since(seen) == []
    assert refusal(world, mark)["error_code"] == "AccessDenied"
    assert "reports/q1.csv" in s3_objects(world, "prod-app-data")


def test_a_client_cannot_steer_the_backend_to_another_account(world: World,
                                                              app: Credential) -> None:
    """moto honours x-moto-account-id over the access key: a client sending it would run a call
    the gateway authorised for PROD in SHARED, which has a queue of the same name."""
    sqs = world.client(app, "sqs")

    def steer(request: Any, **kwargs: Any) -> None:
        request.headers["X-Moto-Account-Id"] = SHARED

    sqs.meta.events.register("before-sign.sqs.SendMessage", steer)
    try:
        sqs.send_message(QueueUrl=world.queue_url(PROD, "work"), MessageBody="steered?")
    finally:
        sqs.meta.events.unregister("before-sign.sqs.SendMessage", steer)

    def bodies(account: str) -> list[str]:
        backend = world.backend(account, "sqs")
        url = backend.get_queue_url(QueueName="work")["QueueUrl"]
        found = backend.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [m["Body"] for m in found]

    assert bodies(SHARED) == []
    assert bodies(PROD) == ["steered?"]
