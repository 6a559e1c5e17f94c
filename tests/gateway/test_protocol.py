"""Step 2 of the gateway: real SDK requests → service, operation, parameters.

Requests are built by botocore itself (a client whose `before-send` hook captures the prepared,
signed request instead of sending it) and handed to the gateway the way a WSGI server would: as
an environ (raw request target in REQUEST_URI, percent-decoded PATH_INFO) and a body.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localstack.aws.spec import ServiceCatalogIndex, ServiceModelIdentifier

from harness.gateway import services
from harness.gateway.protocol import (
    HeaderMap,
    HttpRequest,
    ParsedOperation,
    ProtocolError,
    detect_service,
    parse_operation,
    protocol_for,
)
from harness.gateway.services import service_model

ENDPOINT = "http://127.0.0.1:4566"
REGION = "eu-west-1"
CREDENTIALS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
QUEUE_URL = f"{ENDPOINT}/123456789012/orders"
ROLE_ARN = "arn:aws:iam::123456789012:role/orders-processor"
SAML = base64.b64encode(
    b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'
).decode()


class _Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


def _raise_captured(request: AWSPreparedRequest, **_: Any) -> None:
    raise _Captured(request)


def _client(service: str, endpoint: str | None = ENDPOINT, config: Config | None = None) -> Any:
    client = boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS.access_key,
        aws_secret_access_key=CREDENTIALS.secret_key,
        config=config,
    )
    client.meta.events.register("before-send", _raise_captured)
    return client


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else str(data).encode()
    return bytes(body)


def _environ(method: str, url: str, headers: Mapping[str, Any], body: bytes) -> dict[str, Any]:
    """The environ werkzeug's server builds for this request line, headers and body."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "PATH_INFO": unquote(parts.path or "/", encoding="latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "4566",
        "HTTP_HOST": parts.netloc,
    }
    for name, value in headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = text
    return environ


def _from_prepared(request: AWSPreparedRequest | AWSRequest) -> HttpRequest:
    body = _body_bytes(request.body)
    return HttpRequest.from_environ(
        _environ(str(request.method), str(request.url), request.headers, body), body
    )


def sdk_request(service: str, method: str, endpoint: str | None = ENDPOINT, **kwargs: Any) -> Any:
    """The HttpRequest the gateway sees when boto3 calls `method(**kwargs)` on `service`."""
    config = kwargs.pop("config", None)
    with pytest.raises(_Captured) as captured:
        getattr(_client(service, endpoint, config), method)(**kwargs)
    return _from_prepared(captured.value.request)


def query_request(service: str, protocol: str, operation: str, params: dict[str, Any]) -> Any:
    """A signed request in `protocol` for a model botocore no longer ships (SQS over query)."""
    model = service_model(service, protocol)
    serialized = create_serializer(protocol).serialize_to_request(
        params, model.operation_model(operation)
    )
    request = AWSRequest(
        method=serialized["method"],
        url=ENDPOINT + serialized["url_path"],
        data=serialized["body"],
        headers=serialized["headers"],
    )
    SigV4Auth(CREDENTIALS, model.signing_name, REGION).add_auth(request)
    return _from_prepared(request)


def signing_name(request: HttpRequest) -> str | None:
    """The service of the SigV4 credential scope (header or presigned query)."""
    found = re.search(
        r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request",
        request.headers.get("authorization", ""),
    ) or re.search(r"X-Amz-Credential=[^&]+%2F\d{8}%2F[^%]+%2F([^%]+)%2F", request.query_string)
    return found.group(1) if found else None


def gateway_parse(request: HttpRequest) -> ParsedOperation:
    service = detect_service(request, signing_name(request))
    return parse_operation(request, service, REGION)


# --- the services of the SecureCart landscape, as the SDK calls them ---------------------------

# (service, client method, its arguments, the operation, a check of the parsed parameters)
Case = tuple[str, str, dict[str, Any], str, Callable[[dict[str, Any]], bool]]

CASES: list[Case] = [
    # S3, path style (botocore uses it for an IP endpoint)
    (
        "s3",
        "get_object",
        {"Bucket": "orders", "Key": "a b/ü?x#%&+=~.txt"},
        "GetObject",
        lambda p: p["Bucket"] == "orders" and p["Key"] == "a b/ü?x#%&+=~.txt",
    ),
    (
        "s3",
        "put_object",
        {"Bucket": "orders", "Key": "dir//trail/", "Body": b"payload"},
        "PutObject",
        lambda p: p["Key"] == "dir//trail/" and p["Body"] == b"payload",
    ),
    (
        "s3",
        "put_object",
        {"Bucket": "orders", "Key": "100%/plus+sign", "Body": b""},
        "PutObject",
        lambda p: p["Key"] == "100%/plus+sign",
    ),
    (
        "s3",
        "list_objects_v2",
        {"Bucket": "orders", "Prefix": "2026/", "Delimiter": "/"},
        "ListObjectsV2",
        lambda p: p["Prefix"] == "2026/" and p["Delimiter"] == "/",
    ),
    (
        "s3",
        "delete_bucket",
        {"Bucket": "orders"},
        "DeleteBucket",
        lambda p: p["Bucket"] == "orders",
    ),
    (
        "s3",
        "put_bucket_policy",
        {"Bucket": "orders", "Policy": '{"Version": "2012-10-17"}'},
        "PutBucketPolicy",
        lambda p: json.loads(p["Policy"]) == {"Version": "2012-10-17"},
    ),
    (
        "s3",
        "copy_object",
        {"Bucket": "dst", "Key": "copy", "CopySource": {"Bucket": "src", "Key": "k y"}},
        "CopyObject",
        lambda p: p["Bucket"] == "dst" and unquote(p["CopySource"]) == "src/k y",
    ),
    (
        "s3",
        "put_bucket_tagging",
        {"Bucket": "orders", "Tagging": {"TagSet": [{"Key": "env", "Value": "prod"}]}},
        "PutBucketTagging",
        lambda p: p["Tagging"]["TagSet"] == [{"Key": "env", "Value": "prod"}],
    ),
    # SNS (query)
    (
        "sns",
        "publish",
        {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:order-events", "Message": "hello & <bye>"},
        "Publish",
        lambda p: p["TopicArn"].endswith(":order-events") and p["Message"] == "hello & <bye>",
    ),
    (
        "sns",
        "subscribe",
        {
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:order-events",
            "Protocol": "sqs",
            "Endpoint": "arn:aws:sqs:eu-west-1:1:q",
        },
        "Subscribe",
        lambda p: p["Protocol"] == "sqs" and p["Endpoint"].endswith(":q"),
    ),
    # SQS (JSON, current botocore)
    (
        "sqs",
        "send_message",
        {"QueueUrl": QUEUE_URL, "MessageBody": "order 1"},
        "SendMessage",
        lambda p: p["QueueUrl"] == QUEUE_URL and p["MessageBody"] == "order 1",
    ),
    # DynamoDB (JSON 1.0)
    (
        "dynamodb",
        "get_item",
        {"TableName": "customers", "Key": {"id": {"S": "c-1"}}},
        "GetItem",
        lambda p: p["TableName"] == "customers" and p["Key"] == {"id": {"S": "c-1"}},
    ),
    (
        "dynamodb",
        "delete_table",
        {"TableName": "customers"},
        "DeleteTable",
        lambda p: p["TableName"] == "customers",
    ),
    # IAM (query)
    (
        "iam",
        "create_role",
        {"RoleName": "orders-processor", "AssumeRolePolicyDocument": '{"Statement": []}'},
        "CreateRole",
        lambda p: (
            p["RoleName"] == "orders-processor"
            and p["AssumeRolePolicyDocument"] == '{"Statement": []}'
        ),
    ),
    (
        "iam",
        "put_role_permissions_boundary",
        {"RoleName": "dev", "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary"},
        "PutRolePermissionsBoundary",
        lambda p: p["PermissionsBoundary"].endswith("/boundary"),
    ),
    (
        "iam",
        "simulate_principal_policy",
        {"PolicySourceArn": ROLE_ARN, "ActionNames": ["s3:GetObject", "s3:PutObject"]},
        "SimulatePrincipalPolicy",
        lambda p: p["ActionNames"] == ["s3:GetObject", "s3:PutObject"],
    ),
    # STS (query; AssumeRoleWithSAML is sent unsigned)
    (
        "sts",
        "assume_role",
        {"RoleArn": ROLE_ARN, "RoleSessionName": "s1", "DurationSeconds": 900},
        "AssumeRole",
        lambda p: p["RoleArn"] == ROLE_ARN and p["DurationSeconds"] == 900,
    ),
    (
        "sts",
        "assume_role_with_saml",
        {
            "RoleArn": ROLE_ARN,
            "PrincipalArn": "arn:aws:iam::123456789012:saml-provider/idp",
            "SAMLAssertion": SAML,
        },
        "AssumeRoleWithSAML",
        lambda p: p["SAMLAssertion"] == SAML,
    ),
    ("sts", "get_caller_identity", {}, "GetCallerIdentity", lambda p: p == {}),
    # Lambda (rest-json)
    (
        "lambda",
        "create_function",
        {
            "FunctionName": "orders",
            "Role": ROLE_ARN,
            "Runtime": "python3.12",
            "Handler": "h.h",
            "Code": {"ZipFile": b"PK\x03\x04zip"},
        },
        "CreateFunction",
        lambda p: p["FunctionName"] == "orders" and p["Code"]["ZipFile"] == b"PK\x03\x04zip",
    ),
    (
        "lambda",
        "invoke",
        {"FunctionName": "orders", "Payload": b'{"id": 1}'},
        "Invoke",
        lambda p: p["FunctionName"] == "orders" and p["Payload"] == b'{"id": 1}',
    ),
    # EC2 (ec2)
    ("ec2", "create_internet_gateway", {}, "CreateInternetGateway", lambda p: True),
    (
        "ec2",
        "create_volume",
        {"AvailabilityZone": "eu-west-1a", "Size": 8, "Encrypted": True},
        "CreateVolume",
        lambda p: p["Size"] == 8 and p["Encrypted"] is True,
    ),
    # RDS (query)
    (
        "rds",
        "create_db_instance",
        {
            "DBInstanceIdentifier": "orders-db",
            "DBInstanceClass": "db.t3.micro",
            "Engine": "postgres",
        },
        "CreateDBInstance",
        lambda p: p["DBInstanceIdentifier"] == "orders-db",
    ),
    # ECS, KMS, CloudTrail, Config, Organizations, SSO Admin, Identity Store (JSON 1.1)
    (
        "ecs",
        "create_cluster",
        {"clusterName": "orders"},
        "CreateCluster",
        lambda p: p["clusterName"] == "orders",
    ),
    (
        "kms",
        "decrypt",
        {"CiphertextBlob": b"\x00\x01cipher", "KeyId": "alias/orders"},
        "Decrypt",
        lambda p: p["CiphertextBlob"] == b"\x00\x01cipher",
    ),
    (
        "kms",
        "schedule_key_deletion",
        {"KeyId": "k-1", "PendingWindowInDays": 7},
        "ScheduleKeyDeletion",
        lambda p: p["PendingWindowInDays"] == 7,
    ),
    (
        "cloudtrail",
        "stop_logging",
        {"Name": "org-trail"},
        "StopLogging",
        lambda p: p["Name"] == "org-trail",
    ),
    (
        "config",
        "stop_configuration_recorder",
        {"ConfigurationRecorderName": "default"},
        "StopConfigurationRecorder",
        lambda p: p["ConfigurationRecorderName"] == "default",
    ),
    ("organizations", "leave_organization", {}, "LeaveOrganization", lambda p: p == {}),
    (
        "organizations",
        "attach_policy",
        {"PolicyId": "p-12345678", "TargetId": "ou-ab12-cdefgh12"},
        "AttachPolicy",
        lambda p: p["TargetId"] == "ou-ab12-cdefgh12",
    ),
    (
        "sso-admin",
        "create_permission_set",
        {"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "Name": "Developer"},
        "CreatePermissionSet",
        lambda p: p["Name"] == "Developer",
    ),
    ("sso-admin", "list_instances", {}, "ListInstances", lambda p: p == {}),
    (
        "identitystore",
        "create_user",
        {"IdentityStoreId": "d-1234567890", "UserName": "ana", "DisplayName": "Ana"},
        "CreateUser",
        lambda p: p["UserName"] == "ana",
    ),
    # GuardDuty (rest-json)
    (
        "guardduty",
        "delete_detector",
        {"DetectorId": "12abc34d567e8fa901bc2d34e56789f0"},
        "DeleteDetector",
        lambda p: p["DetectorId"] == "12abc34d567e8fa901bc2d34e56789f0",
    ),
]


@pytest.mark.parametrize(
    ("service", "method", "kwargs", "operation", "check"),
    CASES,
    ids=[f"{case[0]}.{case[3]}-{index}" for index, case in enumerate(CASES)],
)
def test_sdk_requests_parse_to_service_operation_and_params(
    service: str,
    method: str,
    kwargs: dict[str, Any],
    operation: str,
    check: Callable[[dict[str, Any]], bool],
) -> None:
    request = sdk_request(service, method, **kwargs)
    parsed = gateway_parse(request)
    assert (parsed.service, parsed.operation, parsed.region) == (service, operation, REGION)
    assert check(parsed.params), parsed.params
    assert None not in parsed.params.values()


def test_smithy_rpc_v2_cbor_requests_parse() -> None:
    # CloudWatch Omni speaks only Smithy RPC v2 CBOR, and signs as 'cloudwatch'.
    request = sdk_request(
        "cloudwatchomni", "create_domain", name="orders", identityProviders=["IAM"]
    )
    assert request.headers["content-type"] == "application/cbor"
    parsed = gateway_parse(request)
    assert (parsed.service, parsed.operation, parsed.protocol) == (
        "cloudwatchomni",
        "CreateDomain",
        "smithy-rpc-v2-cbor",
    )
    assert parsed.params["identityProviders"] == ["IAM"]


def test_parsing_is_safe_across_threads() -> None:
    requests = [sdk_request(*case[:2], **case[2]) for case in CASES]
    expected = [gateway_parse(request).operation for request in requests]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(lambda r: gateway_parse(r).operation, requests)) == expected


def test_s3_virtual_host_style_on_localstack_and_aws_hostnames() -> None:
    virtual = Config(s3={"addressing_style": "virtual"})
    for endpoint, host in [
        ("http://s3.localhost.localstack.cloud:4566", "orders.s3.localhost.localstack.cloud:4566"),
        (None, "orders.s3.eu-west-1.amazonaws.com"),
    ]:
        request = sdk_request(
            "s3", "get_object", endpoint, config=virtual, Bucket="orders", Key="k/ey"
        )
        assert request.host == host
        parsed = gateway_parse(request)
        assert (parsed.operation, parsed.params["Bucket"], parsed.params["Key"]) == (
            "GetObject",
            "orders",
            "k/ey",
        )


def test_s3_presigned_url_uses_the_scope_from_the_query() -> None:
    client = _client("s3", config=Config(signature_version="s3v4"))
    url = client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    parts = urlsplit(url)
    environ = _environ("GET", url, {"Host": parts.netloc}, b"")
    request = HttpRequest.from_environ(environ, b"")
    assert signing_name(request) == "s3"
    parsed = gateway_parse(request)
    assert (parsed.service, parsed.operation, parsed.params["Key"]) == ("s3", "GetObject", "k")


def test_sqs_over_the_query_protocol_is_still_sqs() -> None:
    request = query_request(
        "sqs", "query", "SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "order 2"}
    )
    assert protocol_for(request, "sqs") == "query"
    parsed = gateway_parse(request)
    assert (parsed.service, parsed.operation, parsed.protocol) == ("sqs", "SendMessage", "query")
    assert parsed.params == {"QueueUrl": QUEUE_URL, "MessageBody": "order 2"}


def test_sqs_over_json_reports_its_protocol() -> None:
    request = sdk_request("sqs", "send_message", QueueUrl=QUEUE_URL, MessageBody="x")
    assert gateway_parse(request).protocol == "json"


def test_detection_without_a_signing_name_uses_target_and_action() -> None:
    for request, service in [
        (sdk_request("dynamodb", "list_tables"), "dynamodb"),
        (sdk_request("sso-admin", "list_instances"), "sso-admin"),
        (sdk_request("iam", "list_roles"), "iam"),
        (sdk_request("sts", "get_caller_identity"), "sts"),
    ]:
        assert detect_service(request, None) == service


def test_the_given_signing_name_decides_when_the_header_has_none() -> None:
    request = sdk_request("sts", "get_caller_identity")
    unsigned = HttpRequest(
        request.method,
        request.path,
        request.query_string,
        HeaderMap({k: v for k, v in request.headers.items() if k.lower() != "authorization"}),
        request.body,
        request.host,
    )
    assert detect_service(unsigned, "sts") == "sts"


# --- the WSGI view -----------------------------------------------------------------------------


def test_from_environ_keeps_the_raw_path_and_reads_headers_case_insensitively() -> None:
    environ = {
        "REQUEST_METHOD": "put",
        "RAW_URI": "/orders/a%20b%2Fc?tagging",
        "PATH_INFO": "/orders/a b/c",
        "QUERY_STRING": "tagging",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "4566",
        "CONTENT_TYPE": "application/xml",
        "CONTENT_LENGTH": "",
        "HTTP_X_AMZ_DATE": "20261128T000000Z",
    }
    request = HttpRequest.from_environ(environ, b"<x/>")
    assert (request.method, request.path, request.query_string) == (
        "PUT",
        "/orders/a%20b%2Fc",
        "tagging",
    )
    assert request.host == "127.0.0.1:4566"
    assert request.headers["x-amz-date"] == request.headers["X-AMZ-DATE"] == "20261128T000000Z"
    assert "Content-Length" not in request.headers
    assert request.headers["content-type"] == "application/xml"


def test_from_environ_without_a_raw_uri_reencodes_path_info() -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/b/ü k".encode().decode("latin-1"),
        "HTTP_HOST": "localhost:5000",
    }
    request = HttpRequest.from_environ(environ, b"")
    assert (request.path, request.host) == ("/b/%C3%BC%20k", "localhost:5000")


def test_from_environ_accepts_an_absolute_request_target() -> None:
    environ = {"REQUEST_METHOD": "GET", "REQUEST_URI": "http://h:1/a%2Bb?x=1", "HTTP_HOST": "h:1"}
    assert HttpRequest.from_environ(environ, b"").path == "/a%2Bb"


def test_header_map_merges_repeated_fields_and_keeps_names() -> None:
    headers = HeaderMap([("X-Amz-Meta-A", "1"), ("x-amz-meta-a", "2"), ("Host", "h")])
    assert headers["X-AMZ-META-A"] == "1,2"
    assert list(headers) == ["X-Amz-Meta-A", "Host"]
    assert len(headers) == 2 and "host" in headers
    assert 3 not in headers  # type: ignore[comparison-overlap]  # Mapping accepts any key


# --- requests AWS would refuse to read ---------------------------------------------------------


def _raw(method: str, path: str, body: bytes = b"", query: str = "", **headers: str) -> Any:
    return HttpRequest(method, path, query, HeaderMap(headers), body, "127.0.0.1:4566")


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.mark.parametrize(
    ("service", "request_", "code", "status"),
    [
        (
            "iam",
            _raw("POST", "/", b"Action=NoSuchThing&Version=2010-05-08", **FORM),
            "InvalidAction",
            400,
        ),
        ("iam", _raw("POST", "/", b"Version=2010-05-08", **FORM), "MissingAction", 400),
        (
            "ec2",
            _raw("POST", "/", b"Action=LaunchRockets&Version=2016-11-15", **FORM),
            "InvalidAction",
            400,
        ),
        (
            "dynamodb",
            _raw(
                "POST",
                "/",
                b"{}",
                **{
                    "X-Amz-Target": "DynamoDB_20120810.Nope",
                    "Content-Type": "application/x-amz-json-1.0",
                },
            ),
            "UnknownOperationException",
            400,
        ),
        (
            "dynamodb",
            _raw("POST", "/", b"{}", **{"Content-Type": "application/x-amz-json-1.0"}),
            "UnknownOperationException",
            400,
        ),
        (
            "dynamodb",
            _raw(
                "POST",
                "/",
                b"{not json",
                **{
                    "X-Amz-Target": "DynamoDB_20120810.GetItem",
                    "Content-Type": "application/x-amz-json-1.0",
                },
            ),
            "SerializationException",
            400,
        ),
        (
            "dynamodb",
            _raw(
                "POST",
                "/",
                b'{"TableName": "t", "Limit": "many"}',
                **{
                    "X-Amz-Target": "DynamoDB_20120810.Scan",
                    "Content-Type": "application/x-amz-json-1.0",
                },
            ),
            "SerializationException",
            400,
        ),
        ("s3", _raw("PUT", "/orders", b"<Tagging><TagSet>", "tagging"), "MalformedXML", 400),
        ("s3", _raw("PATCH", "/orders"), "MethodNotAllowed", 405),
        (
            "lambda",
            _raw("POST", "/2015-03-31/functions", b"[1, 2", **{"Content-Type": "application/json"}),
            "SerializationException",
            400,
        ),
        ("lambda", _raw("DELETE", "/no/such/route"), "UnknownOperationException", 404),
    ],
)
def test_unreadable_requests_raise_aws_errors(
    service: str, request_: HttpRequest, code: str, status: int
) -> None:
    with pytest.raises(ProtocolError) as raised:
        parse_operation(request_, service, REGION)
    assert (raised.value.code, raised.value.status, raised.value.service) == (code, status, service)
    assert raised.value.message
    assert b"{not json" not in raised.value.message.encode()


def test_an_unknown_service_name_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as raised:
        parse_operation(_raw("GET", "/"), "no-such-service", REGION)
    assert raised.value.code == "UnrecognizedService"


def test_an_unknown_signing_name_with_nothing_else_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as raised:
        detect_service(_raw("POST", "/", b"\x00\x01"), "no-such-signing-name")
    assert raised.value.code == "UnrecognizedService"


SERVICES = [
    "s3",
    "sns",
    "sqs",
    "dynamodb",
    "iam",
    "sts",
    "lambda",
    "ec2",
    "rds",
    "ecs",
    "kms",
    "cloudtrail",
    "guardduty",
    "config",
    "organizations",
    "sso-admin",
    "identitystore",
]

_header_names = st.sampled_from(
    [
        "Content-Type",
        "X-Amz-Target",
        "Authorization",
        "Content-Encoding",
        "Smithy-Protocol",
        "x-amz-content-sha256",
        "Range",
        "x-amz-copy-source",
    ]
)
_header_values = st.one_of(
    st.sampled_from(
        [
            "application/x-amz-json-1.0",
            "application/x-amz-json-1.1",
            "application/x-www-form-urlencoded",
            "application/cbor",
            "rpc-v2-cbor",
            "DynamoDB_20120810.GetItem",
            "AmazonSQS.SendMessage",
            "bytes=0-",
            "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
_paths = st.one_of(
    st.sampled_from(
        [
            "/",
            "/b",
            "/b/k",
            "/2015-03-31/functions/f/invocations",
            "/detector/d",
            "/123456789012/q",
            "//",
            "/b/%FF%00",
        ]
    ),
    st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=30).map(lambda s: "/" + s),
)
_bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"{",
            b"[]",
            b"null",
            b'{"Key": {"S": 1}}',
            b"<a><b>",
            b"Action=Publish",
            b"Action=CreateRole&RoleName=",
            b'{"Limit": "x"}',
            b"\xa1\x01\x02",
            b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    service=st.sampled_from(SERVICES),
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]),
    path=_paths,
    query=st.one_of(
        st.just(""),
        st.sampled_from(["Action=GetItem", "tagging", "x-id=GetObject", "list-type=2", "Action="]),
        st.text(max_size=30),
    ),
    headers=st.dictionaries(_header_names, _header_values, max_size=4),
    body=_bodies,
)
def test_garbage_raises_only_protocol_errors(
    service: str, method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> None:
    request = HttpRequest(method, path, query, HeaderMap(headers), body, "127.0.0.1:4566")
    try:
        detected = detect_service(request, None)
    except ProtocolError:
        pass
    else:
        assert isinstance(detected, str)
    try:
        parsed = parse_operation(request, service, REGION)
    except ProtocolError as error:
        assert error.code and isinstance(error.status, int)
    else:
        assert parsed.service == service and parsed.operation


# --- the service catalogue's cache ------------------------------------------------------------


def test_the_catalogue_index_survives_its_cache_file(tmp_path: Path) -> None:
    index = ServiceCatalogIndex(
        service_names=["sqs"],
        target_prefix_index={"AmazonSQS": [ServiceModelIdentifier("sqs", "json", ("json",))]},
        signing_name_index={
            "sqs": [
                ServiceModelIdentifier("sqs", "json", ("json",)),
                ServiceModelIdentifier("sqs", "query", None),
            ]
        },
        operations_index={},
        endpoint_prefix_index={"sqs": [ServiceModelIdentifier("sqs", "json", ("json",))]},
    )
    path = tmp_path / "cache" / "index.json"
    services._write_cache(path, services._index_to_json(index))
    assert services._read_cache(path) == index
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_an_unreadable_cache_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    path.write_text('{"service_names": ')
    assert services._read_cache(path) is None
    assert services._read_cache(tmp_path / "missing.json") is None
    (tmp_path / "file").write_text("")
    services._write_cache(tmp_path / "file" / "x.json", {})  # its parent is not a directory


# --- how long a parse takes (reported, not asserted) --------------------------------------------


def test_parse_time_per_request(capsys: pytest.CaptureFixture[str]) -> None:
    requests = [
        sdk_request("s3", "put_object", Bucket="b", Key="k", Body=b"x" * 1024),
        sdk_request("dynamodb", "get_item", TableName="t", Key={"id": {"S": "1"}}),
        sdk_request("iam", "create_role", RoleName="r", AssumeRolePolicyDocument="{}"),
        sdk_request("lambda", "invoke", FunctionName="f", Payload=b"{}"),
    ]
    for request in requests:
        gateway_parse(request)  # warm: models, parsers, routers
    rounds = 200
    with capsys.disabled():
        for request in requests:
            start = time.perf_counter()
            for _ in range(rounds):
                gateway_parse(request)
            micros = (time.perf_counter() - start) / rounds * 1e6
            print(f"\n  parse {request.method} {request.path[:30]:30} {micros:8.0f} µs", end="")
