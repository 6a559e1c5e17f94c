"""Step 6, the error side: refusals must read, to every SDK, exactly like AWS's.

Each error is handed to a real boto3 client in place of the server's answer (a `before-send`
hook returns it), so the assertions are on what a caller of boto3 sees: the ClientError's code,
message, HTTP status and request id. Where boto3 has no client for the protocol (SQS over query)
botocore's response parser reads the bytes directly.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from werkzeug.serving import make_server
from werkzeug.wsgi import get_input_stream

from harness.gateway.errors import (
    AuthFailure,
    ErrorResponse,
    access_denied,
    access_denied_code,
    auth_failure,
    error_response,
    new_request_id,
    protocol_error_response,
)
from harness.gateway.protocol import (
    HeaderMap,
    HttpRequest,
    ProtocolError,
    detect_service,
    parse_operation,
)
from harness.gateway.services import service_model

ENDPOINT = "http://127.0.0.1:4566"
REGION = "eu-west-1"
CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
REQUEST_ID = "6a1f2c3d-0000-4000-8000-00000000abcd"
QUEUE_URL = f"{ENDPOINT}/123456789012/orders"
MESSAGE = (
    "User: arn:aws:sts::123456789012:assumed-role/dev/ana.élan is not authorized to perform: "
    's3:GetObject on resource: "arn:aws:s3:::orders/a&b<c>" because no identity-based policy '
    "allows the s3:GetObject action"
)
NO_RETRIES = Config(retries={"total_max_attempts": 1})


# --- a boto3 client that receives a given response ---------------------------------------------


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


class _Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


def _client(service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS.access_key,
        aws_secret_access_key=CREDENTIALS.secret_key,
        config=NO_RETRIES,
    )


def _as_http_request(prepared: AWSPreparedRequest | AWSRequest) -> HttpRequest:
    body = prepared.body or b""
    body = (
        body.encode() if isinstance(body, str) else body.read() if hasattr(body, "read") else body
    )
    parts = urlsplit(str(prepared.url))
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    headers.setdefault("Host", parts.netloc)
    return HttpRequest(
        str(prepared.method),
        parts.path or "/",
        parts.query,
        HeaderMap(headers),
        bytes(body),
        parts.netloc,
    )


def sdk_request(service: str, method: str, **kwargs: Any) -> HttpRequest:
    """The request boto3 sends for `method(**kwargs)`, as the gateway sees it."""
    client = _client(service)

    def capture(request: AWSPreparedRequest, **_: Any) -> None:
        raise _Captured(request)

    client.meta.events.register("before-send", capture)
    with pytest.raises(_Captured) as captured:
        getattr(client, method)(**kwargs)
    return _as_http_request(captured.value.request)


def client_error(service: str, method: str, kwargs: dict[str, Any], answer: ErrorResponse) -> Any:
    """The ClientError boto3 raises when `answer` is the server's response to the call."""
    client = _client(service)

    def respond(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, answer.status, dict(answer.headers), _Raw(answer.body))

    client.meta.events.register("before-send", respond)
    with pytest.raises(ClientError) as raised:
        getattr(client, method)(**kwargs)
    return raised.value


def assert_error(error: Any, code: str, message: str, status: int) -> None:
    assert error.response["Error"]["Code"] == code
    assert error.response["Error"]["Message"] == message
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error.response["ResponseMetadata"]["RequestId"] == REQUEST_ID


# --- access denied, service by service ---------------------------------------------------------

DENIALS: list[Any] = [
    ("s3", "get_object", {"Bucket": "orders", "Key": "a&b<c>"}, "AccessDenied", 403),
    ("s3", "put_bucket_policy", {"Bucket": "orders", "Policy": "{}"}, "AccessDenied", 403),
    (
        "sns",
        "publish",
        {"TopicArn": "arn:aws:sns:eu-west-1:1:t", "Message": "m"},
        "AuthorizationError",
        403,
    ),
    ("sqs", "send_message", {"QueueUrl": QUEUE_URL, "MessageBody": "m"}, "AccessDenied", 403),
    (
        "dynamodb",
        "get_item",
        {"TableName": "t", "Key": {"id": {"S": "1"}}},
        "AccessDeniedException",
        400,
    ),
    ("dynamodb", "delete_table", {"TableName": "t"}, "AccessDeniedException", 400),
    (
        "iam",
        "create_role",
        {"RoleName": "r", "AssumeRolePolicyDocument": "{}"},
        "AccessDenied",
        403,
    ),
    (
        "iam",
        "put_role_permissions_boundary",
        {"RoleName": "r", "PermissionsBoundary": "arn:aws:iam::1:policy/b"},
        "AccessDenied",
        403,
    ),
    (
        "sts",
        "assume_role",
        {"RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s1"},
        "AccessDenied",
        403,
    ),
    ("lambda", "invoke", {"FunctionName": "f"}, "AccessDeniedException", 403),
    (
        "lambda",
        "create_function",
        {"FunctionName": "f", "Role": "arn:aws:iam::1:role/r", "Code": {"ZipFile": b"PK"}},
        "AccessDeniedException",
        403,
    ),
    (
        "ec2",
        "create_volume",
        {"AvailabilityZone": "eu-west-1a", "Size": 1},
        "UnauthorizedOperation",
        403,
    ),
    ("ec2", "create_internet_gateway", {}, "UnauthorizedOperation", 403),
    (
        "rds",
        "create_db_instance",
        {"DBInstanceIdentifier": "d", "DBInstanceClass": "db.t3.micro", "Engine": "postgres"},
        "AccessDenied",
        403,
    ),
    ("ecs", "create_cluster", {"clusterName": "c"}, "AccessDeniedException", 400),
    ("kms", "decrypt", {"CiphertextBlob": b"x"}, "AccessDeniedException", 400),
    ("cloudtrail", "stop_logging", {"Name": "t"}, "AccessDeniedException", 400),
    ("guardduty", "delete_detector", {"DetectorId": "d"}, "AccessDeniedException", 403),
    (
        "config",
        "stop_configuration_recorder",
        {"ConfigurationRecorderName": "default"},
        "AccessDeniedException",
        400,
    ),
    ("organizations", "leave_organization", {}, "AccessDeniedException", 400),
    (
        "sso-admin",
        "create_permission_set",
        {"InstanceArn": "arn:aws:sso:::instance/i", "Name": "Dev"},
        "AccessDeniedException",
        400,
    ),
    ("identitystore", "list_users", {"IdentityStoreId": "d-1"}, "AccessDeniedException", 400),
    (
        "cloudwatch",
        "put_metric_data",
        {"Namespace": "n", "MetricData": [{"MetricName": "m"}]},
        "AccessDenied",
        403,
    ),
    (
        "cloudwatchomni",
        "create_domain",
        {"name": "orders", "identityProviders": ["IAM"]},
        "AccessDeniedException",
        400,
    ),
]


def _operation(service: str, method: str) -> str:
    return str(_client(service).meta.method_to_api_mapping[method])


@pytest.mark.parametrize(
    ("service", "method", "kwargs", "code", "status"),
    DENIALS,
    ids=[f"{d[0]}.{d[1]}" for d in DENIALS],
)
def test_access_denied_reads_as_the_services_own_error(
    service: str, method: str, kwargs: dict[str, Any], code: str, status: int
) -> None:
    request = sdk_request(service, method, **kwargs)
    operation = _operation(service, method)
    answer = access_denied(service, operation, MESSAGE, REQUEST_ID, request=request)
    assert_error(client_error(service, method, kwargs, answer), code, MESSAGE, status)
    assert access_denied_code(service, parse_operation(request, service, REGION).protocol) == (
        code,
        status,
    )


@pytest.mark.parametrize(
    ("service", "method", "kwargs", "code", "status"),
    DENIALS,
    ids=[f"{d[0]}.{d[1]}" for d in DENIALS],
)
def test_access_denied_without_the_request_uses_the_default_protocol(
    service: str, method: str, kwargs: dict[str, Any], code: str, status: int
) -> None:
    model = service_model(service)
    answer = access_denied(service, _operation(service, method), MESSAGE, REQUEST_ID)
    parsed = create_parser(model.resolved_protocol).parse(
        {"status_code": answer.status, "headers": _lower(answer.headers), "body": answer.body},
        model.operation_model(_operation(service, method)).output_shape,
    )
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"] == MESSAGE


def test_sqs_over_query_is_answered_in_xml() -> None:
    model = service_model("sqs", "query")
    serialized = create_serializer("query").serialize_to_request(
        {"QueueUrl": QUEUE_URL, "MessageBody": "m"}, model.operation_model("SendMessage")
    )
    aws_request = AWSRequest(
        method="POST", url=ENDPOINT + "/", data=serialized["body"], headers=serialized["headers"]
    )
    SigV4Auth(CREDENTIALS, "sqs", REGION).add_auth(aws_request)
    answer = access_denied(
        "sqs", "SendMessage", MESSAGE, REQUEST_ID, request=_as_http_request(aws_request)
    )
    assert answer.body.startswith(b"<?xml") and b"<ErrorResponse" in answer.body
    parsed = create_parser("query").parse(
        {"status_code": answer.status, "headers": _lower(answer.headers), "body": answer.body},
        model.operation_model("SendMessage").output_shape,
    )
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"], answer.status) == (
        "AccessDenied",
        MESSAGE,
        403,
    )
    assert parsed["Error"]["Type"] == "Sender"


def test_sqs_json_without_query_mode_gets_status_400() -> None:
    # LocalStack's rule for query-compatible services, checked against AWS: the query status
    # only when the client asks for query mode (botocore does, with x-amzn-query-mode: true).
    answer = access_denied("sqs", "SendMessage", MESSAGE, REQUEST_ID)
    assert answer.status == 400
    assert ("x-amzn-query-error", "AccessDenied;Sender") in answer.headers


def test_json_bodies_match_the_aws_front_end() -> None:
    dynamodb = json.loads(access_denied("dynamodb", "GetItem", MESSAGE, REQUEST_ID).body)
    assert dynamodb == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "Message": MESSAGE,
    }
    kms = json.loads(access_denied("kms", "Decrypt", MESSAGE, REQUEST_ID).body)
    assert kms == {"__type": "AccessDeniedException", "Message": MESSAGE}
    answer = access_denied("lambda", "Invoke", MESSAGE, REQUEST_ID)
    assert json.loads(answer.body) == {"Message": MESSAGE}
    assert _lower(answer.headers)["x-amzn-errortype"] == "AccessDeniedException"


def test_xml_bodies_have_each_protocols_shape() -> None:
    s3 = access_denied("s3", "GetObject", "Access Denied", REQUEST_ID).body
    assert re.search(
        rb"<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
        rb"<RequestId>[^<]+</RequestId><HostId>[^<]+</HostId></Error>",
        s3,
    )
    iam = access_denied("iam", "CreateRole", "m", REQUEST_ID).body
    assert b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">' in iam
    assert b"<Type>Sender</Type>" in iam and b"<RequestId>" + REQUEST_ID.encode() in iam
    ec2 = access_denied("ec2", "CreateVolume", "m", REQUEST_ID).body
    assert re.search(rb"<Response[^>]*><Errors><Error><Code>UnauthorizedOperation</Code>", ec2)
    assert b"<RequestID>" + REQUEST_ID.encode() + b"</RequestID>" in ec2
    assert b"<Type>" not in ec2 and b"<Type>" not in s3


@pytest.mark.parametrize(
    ("service", "header"),
    [
        ("s3", "x-amz-request-id"),
        ("iam", "x-amzn-requestid"),
        ("dynamodb", "x-amzn-requestid"),
        ("lambda", "x-amzn-requestid"),
        ("ec2", "x-amzn-requestid"),
        ("no-such-service", "x-amzn-requestid"),
    ],
)
def test_request_id_header_and_content_length(service: str, header: str) -> None:
    answer = access_denied(service, None, MESSAGE, REQUEST_ID)
    headers = _lower(answer.headers)
    assert headers[header] == REQUEST_ID
    assert int(headers["content-length"]) == len(answer.body)


# --- the per-service table, against the service models -----------------------------------------

CODES = {
    "s3": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
    "sqs": ("AccessDenied", 403),
    "dynamodb": ("AccessDeniedException", 400),
    "iam": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
    "lambda": ("AccessDeniedException", 403),
    "ec2": ("UnauthorizedOperation", 403),
    "rds": ("AccessDenied", 403),
    "ecs": ("AccessDeniedException", 400),
    "kms": ("AccessDeniedException", 400),
    "cloudtrail": ("AccessDeniedException", 400),
    "guardduty": ("AccessDeniedException", 403),
    "config": ("AccessDeniedException", 400),
    "organizations": ("AccessDeniedException", 400),
    "sso-admin": ("AccessDeniedException", 400),
    "identitystore": ("AccessDeniedException", 400),
    "cloudwatch": ("AccessDenied", 403),
}


@pytest.mark.parametrize(("service", "expected"), CODES.items())
def test_access_denied_codes_agree_with_the_models(service: str, expected: tuple[str, int]) -> None:
    assert access_denied_code(service) == expected
    model = service_model(service)
    for shape in model.error_shapes:
        error = shape.metadata.get("error", {})
        if shape.name in ("AccessDenied", "AccessDeniedException", "AuthorizationErrorException"):
            # where the model declares the service's denial, our code is its code
            assert error.get("code", shape.name) == expected[0]
            if "httpStatusCode" in error:
                assert error["httpStatusCode"] == expected[1]


def test_query_protocol_services_deny_with_access_denied_unless_known_otherwise() -> None:
    assert access_denied_code("cloudformation") == ("AccessDenied", 403)
    assert access_denied_code("sqs", "query") == ("AccessDenied", 403)
    assert access_denied_code("secretsmanager") == ("AccessDeniedException", 400)
    assert access_denied_code("eks") == ("AccessDeniedException", 403)


# --- authentication failures -------------------------------------------------------------------

AUTH: list[Any] = [
    (
        "s3",
        "get_object",
        {"Bucket": "b", "Key": "k"},
        AuthFailure.INVALID_ACCESS_KEY,
        "InvalidAccessKeyId",
        403,
    ),
    (
        "s3",
        "get_object",
        {"Bucket": "b", "Key": "k"},
        AuthFailure.SIGNATURE_MISMATCH,
        "SignatureDoesNotMatch",
        403,
    ),
    (
        "s3",
        "get_object",
        {"Bucket": "b", "Key": "k"},
        AuthFailure.EXPIRED_TOKEN,
        "ExpiredToken",
        400,
    ),
    (
        "s3",
        "get_object",
        {"Bucket": "b", "Key": "k"},
        AuthFailure.INVALID_TOKEN,
        "InvalidToken",
        400,
    ),
    ("iam", "list_roles", {}, AuthFailure.INVALID_ACCESS_KEY, "InvalidClientTokenId", 403),
    ("iam", "list_roles", {}, AuthFailure.SIGNATURE_MISMATCH, "SignatureDoesNotMatch", 403),
    (
        "sts",
        "get_caller_identity",
        {},
        AuthFailure.MISSING_AUTHENTICATION,
        "MissingAuthenticationToken",
        403,
    ),
    ("sts", "get_caller_identity", {}, AuthFailure.EXPIRED_TOKEN, "ExpiredToken", 403),
    (
        "sts",
        "get_caller_identity",
        {},
        AuthFailure.INCOMPLETE_SIGNATURE,
        "IncompleteSignature",
        400,
    ),
    ("sns", "list_topics", {}, AuthFailure.INVALID_TOKEN, "InvalidClientTokenId", 403),
    ("ec2", "describe_volumes", {}, AuthFailure.INVALID_ACCESS_KEY, "AuthFailure", 401),
    ("ec2", "describe_volumes", {}, AuthFailure.EXPIRED_TOKEN, "RequestExpired", 400),
    (
        "dynamodb",
        "list_tables",
        {},
        AuthFailure.INVALID_ACCESS_KEY,
        "UnrecognizedClientException",
        400,
    ),
    (
        "dynamodb",
        "list_tables",
        {},
        AuthFailure.SIGNATURE_MISMATCH,
        "InvalidSignatureException",
        400,
    ),
    ("kms", "list_keys", {}, AuthFailure.EXPIRED_TOKEN, "ExpiredTokenException", 400),
    (
        "organizations",
        "describe_organization",
        {},
        AuthFailure.MISSING_AUTHENTICATION,
        "MissingAuthenticationTokenException",
        400,
    ),
    (
        "lambda",
        "list_functions",
        {},
        AuthFailure.INVALID_ACCESS_KEY,
        "UnrecognizedClientException",
        403,
    ),
    (
        "guardduty",
        "list_detectors",
        {},
        AuthFailure.SIGNATURE_MISMATCH,
        "InvalidSignatureException",
        403,
    ),
]


@pytest.mark.parametrize(
    ("service", "method", "kwargs", "failure", "code", "status"),
    AUTH,
    ids=[f"{a[0]}-{a[3].name}" for a in AUTH],
)
def test_auth_failures_read_as_aws_writes_them(
    service: str,
    method: str,
    kwargs: dict[str, Any],
    failure: AuthFailure,
    code: str,
    status: int,
) -> None:
    request = sdk_request(service, method, **kwargs)
    answer = auth_failure(
        service, _operation(service, method), failure, REQUEST_ID, request=request
    )
    error = client_error(service, method, kwargs, answer)
    assert error.response["Error"]["Code"] == code
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error.response["Error"]["Message"]


def test_auth_failure_message_can_be_worded_by_the_caller() -> None:
    skew = "Signature expired: 20261128T000000Z is now earlier than 20261128T001000Z"
    request = sdk_request("sts", "get_caller_identity")
    answer = auth_failure(
        "sts",
        "GetCallerIdentity",
        AuthFailure.REQUEST_EXPIRED,
        REQUEST_ID,
        message=skew,
        request=request,
    )
    error = client_error("sts", "get_caller_identity", {}, answer)
    assert_error(error, "SignatureDoesNotMatch", skew, 403)


def test_every_failure_has_an_answer_in_every_protocol() -> None:
    for service in ["s3", "iam", "ec2", "dynamodb", "lambda", "cloudwatch", "sqs", "no-such"]:
        for failure in AuthFailure:
            answer = auth_failure(service, None, failure, REQUEST_ID)
            assert 400 <= answer.status < 500 and answer.body


# --- other errors ------------------------------------------------------------------------------


def test_modelled_errors_become_the_clients_modelled_exceptions() -> None:
    kwargs = {"TableName": "missing", "Key": {"id": {"S": "1"}}}
    answer = error_response(
        "dynamodb",
        "GetItem",
        "ResourceNotFoundException",
        "Requested resource not found",
        400,
        REQUEST_ID,
    )
    client = _client("dynamodb")
    error = client_error("dynamodb", "get_item", kwargs, answer)
    assert isinstance(error, client.exceptions.ResourceNotFoundException)
    assert_error(error, "ResourceNotFoundException", "Requested resource not found", 400)


def test_sqs_modelled_error_keeps_its_query_code() -> None:
    kwargs = {"QueueName": "missing"}
    request = sdk_request("sqs", "get_queue_url", **kwargs)
    answer = error_response(
        "sqs",
        "GetQueueUrl",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
        400,
        REQUEST_ID,
        request=request,
    )
    error = client_error("sqs", "get_queue_url", kwargs, answer)
    assert isinstance(error, _client("sqs").exceptions.QueueDoesNotExist)
    assert error.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    # the shape name is accepted as well, and answered the same way
    by_name = error_response(
        "sqs", "GetQueueUrl", "QueueDoesNotExist", "gone", 400, REQUEST_ID, request=request
    )
    error = client_error("sqs", "get_queue_url", kwargs, by_name)
    assert isinstance(error, _client("sqs").exceptions.QueueDoesNotExist)
    assert error.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_server_errors_are_not_the_senders_fault() -> None:
    answer = error_response("iam", None, "ServiceFailure", "try again", 500, REQUEST_ID)
    assert answer.status == 500 and b"<Type>Sender</Type>" not in answer.body
    assert_error(client_error("iam", "list_roles", {}, answer), "ServiceFailure", "try again", 500)


def test_protocol_errors_are_answered_in_the_requests_protocol() -> None:
    request = HttpRequest(
        "POST",
        "/",
        "",
        HeaderMap(
            {
                "X-Amz-Target": "DynamoDB_20120810.GetItem",
                "Content-Type": "application/x-amz-json-1.0",
            }
        ),
        b"{broken",
        "127.0.0.1:4566",
    )
    with pytest.raises(ProtocolError) as raised:
        parse_operation(request, "dynamodb", REGION)
    answer = protocol_error_response(raised.value, REQUEST_ID, request=request)
    kwargs = {"TableName": "t", "Key": {"id": {"S": "1"}}}
    error = client_error("dynamodb", "get_item", kwargs, answer)
    assert error.response["Error"]["Code"] == "SerializationException"

    unknown = ProtocolError("UnrecognizedService", "Could not determine the service")
    generic = protocol_error_response(unknown, REQUEST_ID)
    parsed = create_parser("query").parse(
        {"status_code": generic.status, "headers": _lower(generic.headers), "body": generic.body},
        None,
    )
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == (
        "UnrecognizedService",
        "Could not determine the service",
    )


def test_invalid_action_reads_as_aws_writes_it() -> None:
    request = HttpRequest(
        "POST",
        "/",
        "",
        HeaderMap({"Content-Type": "application/x-www-form-urlencoded"}),
        b"Action=ListRoles2&Version=2010-05-08",
        "127.0.0.1:4566",
    )
    with pytest.raises(ProtocolError) as raised:
        parse_operation(request, "iam", REGION)
    answer = protocol_error_response(raised.value, REQUEST_ID, request=request)
    assert_error(
        client_error("iam", "list_roles", {}, answer),
        "InvalidAction",
        "Could not find operation ListRoles2 for version 2010-05-08",
        400,
    )


def test_new_request_ids_look_like_the_services() -> None:
    assert re.fullmatch(r"[0-9A-F]{16}", new_request_id("s3"))
    assert re.fullmatch(r"[0-9a-f-]{36}", new_request_id("iam"))


def _lower(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


# --- end to end: a WSGI app that denies everything, called by boto3 over HTTP --------------------


def _deny_everything(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The gateway's steps 2 and 6 in miniature: parse, then refuse in the service's protocol."""
    # get_input_stream limits the read to Content-Length (or the de-chunked stream): a bare
    # wsgi.input.read() would wait for the client to close the connection.
    body = get_input_stream(environ).read()
    request = HttpRequest.from_environ(environ, body)
    scope = re.search(
        r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", request.headers.get("authorization", "")
    )
    try:
        service = detect_service(request, scope.group(1) if scope else None)
        parsed = parse_operation(request, service, REGION)
        answer = access_denied(
            service, parsed.operation, f"denied {parsed.operation}", REQUEST_ID, request=request
        )
    except ProtocolError as error:
        answer = protocol_error_response(error, REQUEST_ID, request=request)
    start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", answer.headers)
    return [answer.body]


@pytest.fixture(scope="module")
def deny_server() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _deny_everything, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=5)


OVER_HTTP: list[Any] = [
    ("s3", "put_object", {"Bucket": "orders", "Key": "a b/ü+%.json", "Body": b"{}"}, "PutObject"),
    ("s3", "list_objects_v2", {"Bucket": "orders", "Prefix": "x/"}, "ListObjectsV2"),
    ("sqs", "send_message", {"QueueUrl": QUEUE_URL, "MessageBody": "m"}, "SendMessage"),
    ("sns", "publish", {"TopicArn": "arn:aws:sns:eu-west-1:1:t", "Message": "m"}, "Publish"),
    ("dynamodb", "get_item", {"TableName": "t", "Key": {"id": {"S": "1"}}}, "GetItem"),
    ("iam", "create_role", {"RoleName": "r", "AssumeRolePolicyDocument": "{}"}, "CreateRole"),
    ("sts", "get_caller_identity", {}, "GetCallerIdentity"),
    ("lambda", "invoke", {"FunctionName": "f", "Payload": b"{}"}, "Invoke"),
    ("ec2", "create_volume", {"AvailabilityZone": "eu-west-1a", "Size": 1}, "CreateVolume"),
    ("kms", "decrypt", {"CiphertextBlob": b"x"}, "Decrypt"),
    ("sso-admin", "list_instances", {}, "ListInstances"),
    ("guardduty", "delete_detector", {"DetectorId": "d"}, "DeleteDetector"),
]


@pytest.mark.parametrize(
    ("service", "method", "kwargs", "operation"), OVER_HTTP, ids=[c[0] for c in OVER_HTTP]
)
def test_boto3_over_http_sees_the_services_denial(
    deny_server: str, service: str, method: str, kwargs: dict[str, Any], operation: str
) -> None:
    client = boto3.client(
        service,
        endpoint_url=deny_server,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS.access_key,
        aws_secret_access_key=CREDENTIALS.secret_key,
        config=NO_RETRIES,
    )
    with pytest.raises(ClientError) as raised:
        getattr(client, method)(**kwargs)
    code, status = CODES[service]
    assert_error(raised.value, code, f"denied {operation}", status)
