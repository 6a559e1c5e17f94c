"""SigV4 verification: requests signed by botocore authenticate; every tampered part fails with
the error AWS answers for that service.

Signing: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
S3 errors: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
Query/JSON errors: https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import boto3
import pytest
from botocore import UNSIGNED
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.gateway.credentials import Credential, CredentialStore
from harness.gateway.services import service_model
from harness.gateway.sigv4 import (
    ANONYMOUS_SERVICES,
    EMPTY_SHA256,
    AuthError,
    AuthFailure,
    ErrorFamily,
    HeaderMap,
    SignedRequest,
    authenticate,
    canonical_authorization,
    endpoint_of,
    error_family,
    request_scope,
    signed_request_from_environ,
    signing_key,
)
from harness.iam.context import PrincipalKind

ACCOUNT = "111122223333"
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TEMP_KEY = "ASIAIOSFODNN7EXAMPLE"
TEMP_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE+/Token=="  # '+', '/' and '=' test the query encoding
EXPIRED_KEY = "ASIAEXPIREDEXAMPLE00"
ENDPOINT = "http://127.0.0.1:4566"
REGION = "eu-west-1"

MSG_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
S3_MSG_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
MSG_INVALID_TOKEN = "The security token included in the request is invalid."


def make_store() -> CredentialStore:
    store = CredentialStore()
    store.add(
        Credential(KEY, SECRET, ACCOUNT, PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/alice")
    )
    store.add(
        Credential(
            TEMP_KEY,
            TEMP_SECRET,
            ACCOUNT,
            PrincipalKind.ROLE_SESSION,
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/s1",
            identity_arn=f"arn:aws:iam::{ACCOUNT}:role/ci/Deployer",
            session_token=TOKEN,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    )
    store.add(
        Credential(
            EXPIRED_KEY,
            TEMP_SECRET,
            ACCOUNT,
            PrincipalKind.ROLE_SESSION,
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/s0",
            session_token=TOKEN,
            expires_at=datetime.now(UTC) - timedelta(minutes=1),
        )
    )
    return store


STORE = make_store()


# --------------------------------------------------------------------------------------------
# Capturing what botocore sends


class Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


def _stop(request: AWSPreparedRequest, **_: Any) -> None:
    raise Captured(request)


@cache
def client(
    service: str,
    *,
    key: str = KEY,
    secret: str = SECRET,
    token: str | None = None,
    endpoint: str = ENDPOINT,
    region: str = REGION,
    addressing: str = "auto",
) -> Any:
    made = boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(
            retries={"max_attempts": 1},
            s3={"addressing_style": addressing},
            signature_version="s3v4" if service == "s3" else None,
        ),
    )
    made.meta.events.register("before-send", _stop)
    return made


def capture(service: str, operation: str, /, **params: Any) -> SignedRequest:
    return capture_with(client(service), operation, **params)


def capture_with(made: Any, operation: str, /, **params: Any) -> SignedRequest:
    with pytest.raises(Captured) as caught:
        getattr(made, operation)(**params)
    return from_prepared(caught.value.request)


def from_prepared(prepared: AWSPreparedRequest) -> SignedRequest:
    """The request as a server receives it: the client adds Host from the URL."""
    parts = urlsplit(prepared.url)
    headers = {
        name: value.decode() if isinstance(value, bytes) else value
        for name, value in prepared.headers.items()
    }
    headers["Host"] = parts.netloc
    body = prepared.body
    if body is None:
        data = b""
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = body.read()
    return SignedRequest(prepared.method, parts.path or "/", parts.query, headers, data)


def presigned(url: str, method: str = "GET", body: bytes = b"") -> SignedRequest:
    parts = urlsplit(url)
    return SignedRequest(method, parts.path, parts.query, {"Host": parts.netloc}, body)


def signed_with(
    signer: Callable[[Credentials], Any],
    method: str,
    url: str,
    *,
    data: bytes | str = b"",
    headers: Mapping[str, str] | None = None,
    token: str | None = None,
    key: str = KEY,
    secret: str = SECRET,
) -> SignedRequest:
    request = AWSRequest(method=method, url=url, data=data, headers=dict(headers or {}))
    signer(Credentials(key, secret, token)).add_auth(request)
    return from_prepared(request.prepare())


def with_header(request: SignedRequest, name: str, value: str | None) -> SignedRequest:
    headers = {k: v for k, v in request.headers.items() if k.lower() != name.lower()}
    if value is not None:
        headers[name] = value
    return dataclasses.replace(request, headers=headers)


def fails(
    request: SignedRequest,
    code: str,
    status: int,
    message: str | None = None,
    *,
    store: CredentialStore = STORE,
    **kwargs: Any,
) -> AuthError:
    with pytest.raises(AuthError) as caught:
        authenticate(request, store, **kwargs)
    error = caught.value
    assert (error.code, error.status) == (code, status), error
    if message is not None:
        assert error.message == message
    return error


# --------------------------------------------------------------------------------------------
# Known answers from AWS's documentation


def test_aws_example_s3_get_object_with_authorization_header() -> None:
    # sig-v4-header-based-auth.html, "Example: GET Object"
    request = SignedRequest(
        "GET",
        "/test.txt",
        "",
        {
            "Host": "examplebucket.s3.amazonaws.com",
            "Range": "bytes=0-9",
            "x-amz-content-sha256": EMPTY_SHA256,
            "x-amz-date": "20130524T000000Z",
            "Authorization": "AWS4-HMAC-SHA256 "
            "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        },
    )
    result = authenticate(request, STORE, now=datetime(2013, 5, 24, 0, 5, tzinfo=UTC))
    assert result.credential is not None and result.credential.access_key_id == KEY
    assert (result.service, result.region, result.presigned) == ("s3", "us-east-1", False)


def test_aws_example_s3_presigned_url() -> None:
    # sigv4-query-string-auth.html, "Example: GET Object"
    request = SignedRequest(
        "GET",
        "/test.txt",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        {"Host": "examplebucket.s3.amazonaws.com"},
    )
    result = authenticate(request, STORE, now=datetime(2013, 5, 24, 23, 0, tzinfo=UTC))
    assert result.presigned and not result.payload_signed
    fails(
        request,
        "AccessDenied",
        403,
        "Request has expired",
        now=datetime(2013, 5, 25, 0, 0, 1, tzinfo=UTC),
    )


def test_aws_example_iam_list_users() -> None:
    # reference_sigv-create-signed-request.html (AKIDEXAMPLE, 20150830T123600Z)
    store = CredentialStore()
    store.add(
        Credential(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            ACCOUNT,
            PrincipalKind.USER,
            f"arn:aws:iam::{ACCOUNT}:user/example",
        )
    )
    request = SignedRequest(
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        {
            "Host": "iam.amazonaws.com",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Amz-Date": "20150830T123600Z",
            "Authorization": "AWS4-HMAC-SHA256 "
            "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        },
    )
    result = authenticate(request, store, now=datetime(2015, 8, 30, 12, 36, tzinfo=UTC))
    assert (result.service, result.region) == ("iam", "us-east-1")


# sigv4-streaming.html, "Example: PUT Object": 66560 bytes of 'a' in a 64 KiB and a 1 KiB chunk.
CHUNK_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)
STREAMING_NOW = datetime(2013, 5, 24, 0, 1, tzinfo=UTC)


def streaming_example(chunks: tuple[bytes, bytes] = (b"a" * 65536, b"a" * 1024)) -> SignedRequest:
    body = b"".join(
        f"{len(data):x};chunk-signature={signature}\r\n".encode() + data + b"\r\n"
        for data, signature in zip((*chunks, b""), CHUNK_SIGNATURES, strict=True)
    )
    return SignedRequest(
        "PUT",
        "/examplebucket/chunkObject.txt",
        "",
        {
            "Host": "s3.amazonaws.com",
            "x-amz-date": "20130524T000000Z",
            "x-amz-storage-class": "REDUCED_REDUNDANCY",
            "Content-Encoding": "aws-chunked",
            "Content-Length": "66824",
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "x-amz-decoded-content-length": "66560",
            "Authorization": "AWS4-HMAC-SHA256 "
            "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-decoded-content-length;x-amz-storage-class,"
            "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
        },
        body,
    )


def test_aws_example_chunked_upload_verifies_every_chunk() -> None:
    request = streaming_example()
    assert len(request.body) == 66824
    assert authenticate(request, STORE, now=STREAMING_NOW).payload_signed


def test_chunked_upload_with_a_tampered_chunk() -> None:
    tampered = streaming_example((b"a" * 65536, b"b" + b"a" * 1023))
    fails(tampered, "SignatureDoesNotMatch", 403, S3_MSG_SIGNATURE, now=STREAMING_NOW)


def test_chunked_upload_truncated_or_mislabelled() -> None:
    request = streaming_example()
    truncated = dataclasses.replace(request, body=request.body[: 70000 - 4000])
    fails(truncated, "IncompleteBody", 400, now=STREAMING_NOW)
    garbage = dataclasses.replace(request, body=b"zz;chunk-signature=00\r\n")
    fails(garbage, "IncompleteBody", 400, now=STREAMING_NOW)
    wrong_length = with_header(request, "x-amz-decoded-content-length", "66561")
    # the header is signed: changing it breaks the seed signature first
    fails(wrong_length, "SignatureDoesNotMatch", 403, now=STREAMING_NOW)


def _sign_chunked(
    payload: bytes, *, trailer: str | None, chunk: int = 8192, bad_trailer: bool = False
) -> SignedRequest:
    """A chunked upload signed the documented way, on top of a seed signed by botocore."""
    marker = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else "")
    headers = {
        "Content-Encoding": "aws-chunked",
        "X-Amz-Content-SHA256": marker,
        "X-Amz-Decoded-Content-Length": str(len(payload)),
    }
    if trailer:
        headers["X-Amz-Trailer"] = "x-amz-checksum-crc32"
    seed_request = signed_with(
        lambda creds: SigV4Auth(creds, "s3", REGION),
        "PUT",
        f"{ENDPOINT}/bucket/chunked.bin",
        headers=headers,
    )
    authorization = seed_request.headers["Authorization"]
    previous = authorization.rsplit("Signature=", 1)[1]
    amz_date = seed_request.headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    key = signing_key(SECRET, amz_date[:8], REGION, "s3")
    body = bytearray()
    pieces = [payload[i : i + chunk] for i in range(0, len(payload), chunk)] + [b""]
    for piece in pieces:
        to_sign = "\n".join(
            (
                "AWS4-HMAC-SHA256-PAYLOAD",
                amz_date,
                scope,
                previous,
                EMPTY_SHA256,
                hashlib.sha256(piece).hexdigest(),
            )
        )
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        body += f"{len(piece):x};chunk-signature={previous}\r\n".encode() + piece
        body += b"\r\n" if piece else b""
    if trailer:
        canonical = f"x-amz-checksum-crc32:{trailer}\n"
        to_sign = "\n".join(
            (
                "AWS4-HMAC-SHA256-TRAILER",
                amz_date,
                scope,
                previous,
                hashlib.sha256(canonical.encode()).hexdigest(),
            )
        )
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        sent = "AAAAAA==" if bad_trailer else trailer
        body += f"x-amz-checksum-crc32:{sent}\r\nx-amz-trailer-signature:{signature}\r\n".encode()
    body += b"\r\n"
    return dataclasses.replace(seed_request, body=bytes(body))


def test_chunked_upload_signed_by_a_client() -> None:
    result = authenticate(_sign_chunked(b"x" * 20000, trailer=None), STORE)
    assert result.payload_signed


def test_chunked_upload_with_a_signed_trailer() -> None:
    assert authenticate(_sign_chunked(b"y" * 9000, trailer="NhCmhg=="), STORE).payload_signed
    tampered = _sign_chunked(b"y" * 9000, trailer="NhCmhg==", bad_trailer=True)
    fails(tampered, "SignatureDoesNotMatch", 403)


# --------------------------------------------------------------------------------------------
# Real clients: S3


ODD_KEYS = [
    "plain.txt",
    "with space.txt",
    "ünïcödé/ключ/鍵.bin",
    "a+b+c",
    "tilde~name",
    "k=v&x=y",
    "double//slash",
    "trailing/",
    "percent%41literal",
    "sub-delims!'()*,;:@$",
    "dot/./segment/../kept",
]


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("token", [None, TOKEN], ids=["long-term", "session"])
def test_s3_get_and_put_with_odd_keys(key: str, token: str | None) -> None:
    access_key, secret = (KEY, SECRET) if token is None else (TEMP_KEY, TEMP_SECRET)
    s3 = client("s3", key=access_key, secret=secret, token=token)
    for request in (
        capture_with(s3, "get_object", Bucket="bucket", Key=key),
        capture_with(s3, "put_object", Bucket="bucket", Key=key, Body=b"hello"),
    ):
        result = authenticate(request, STORE)
        assert result.credential is not None
        assert result.credential.access_key_id == access_key
        assert (result.service, result.region) == ("s3", REGION)
        assert result.payload_signed


def test_s3_query_parameters_with_odd_values() -> None:
    request = capture(
        "s3",
        "list_objects_v2",
        Bucket="bucket",
        Prefix="a b+c/ü=~*",
        Delimiter="/",
        StartAfter="x&y",
    )
    assert authenticate(request, STORE).service == "s3"


def test_query_space_sent_as_plus_but_signed_as_percent_20() -> None:
    signed = signed_with(
        lambda creds: S3SigV4Auth(creds, "s3", REGION),
        "GET",
        f"{ENDPOINT}/bucket?list-type=2&prefix=a%20b",
    )
    authenticate(signed, STORE)
    as_form = dataclasses.replace(signed, query_string=signed.query_string.replace("%20", "+"))
    authenticate(as_form, STORE)
    # and a client that signs the '+' as it sends it
    raw_plus = signed_with(
        lambda creds: S3SigV4Auth(creds, "s3", REGION), "GET", f"{ENDPOINT}/bucket?prefix=a+b"
    )
    authenticate(raw_plus, STORE)


def test_s3_virtual_hosted_style() -> None:
    s3 = client("s3", endpoint="http://s3.localhost.localstack.cloud:4566", addressing="virtual")
    request = capture_with(s3, "get_object", Bucket="my-bucket", Key="k e y")
    assert request.headers["Host"].startswith("my-bucket.")
    authenticate(request, STORE)


def test_s3_put_over_https_streams_an_unsigned_payload_with_a_trailer() -> None:
    # botocore's default over TLS: aws-chunked body, STREAMING-UNSIGNED-PAYLOAD-TRAILER
    s3 = client("s3", endpoint="https://s3.eu-west-1.amazonaws.com")
    request = capture_with(s3, "put_object", Bucket="bucket", Key="k", Body=b"hello")
    assert request.headers["X-Amz-Content-SHA256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    result = authenticate(request, STORE)
    assert not result.payload_signed


@pytest.mark.parametrize("key", ODD_KEYS)
def test_s3_presigned_get(key: str) -> None:
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": key}, ExpiresIn=300
    )
    result = authenticate(presigned(url), STORE)
    assert result.presigned and not result.payload_signed


def test_s3_presigned_put_with_a_session_token() -> None:
    s3 = client("s3", key=TEMP_KEY, secret=TEMP_SECRET, token=TOKEN)
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": "bucket", "Key": "up load"}, ExpiresIn=600
    )
    assert "X-Amz-Security-Token=" in url
    result = authenticate(presigned(url, "PUT", b"any body"), STORE)
    assert result.credential is not None and result.credential.access_key_id == TEMP_KEY


@pytest.mark.parametrize("token", [None, TOKEN], ids=["long-term", "session"])
def test_botocore_signers_directly(token: str | None) -> None:
    """S3SigV4Auth, S3SigV4QueryAuth and SigV4QueryAuth, as other tools use them."""
    key, secret = (KEY, SECRET) if token is None else (TEMP_KEY, TEMP_SECRET)
    url = (
        f"{ENDPOINT}/bucket/r%C3%A9sum%C3%A9%20final.pdf"
        "?versionId=3%2B1&response-content-type=a%2Fb"
    )
    header_signed = signed_with(
        lambda creds: S3SigV4Auth(creds, "s3", REGION),
        "GET",
        url,
        headers={"Range": "bytes=0-9", "x-amz-meta-note": "  spaced   out  "},
        token=token,
        key=key,
        secret=secret,
    )
    query_signed = signed_with(
        lambda creds: S3SigV4QueryAuth(creds, "s3", REGION, expires=120),
        "GET",
        url,
        token=token,
        key=key,
        secret=secret,
    )
    sns_presigned = signed_with(
        lambda creds: SigV4QueryAuth(creds, "sns", REGION, expires=120),
        "GET",
        f"{ENDPOINT}/?Action=ListTopics&Version=2010-03-31",
        token=token,
        key=key,
        secret=secret,
    )
    for request in (header_signed, query_signed, sns_presigned):
        result = authenticate(request, STORE)
        assert result.credential is not None and result.credential.access_key_id == key
    assert not authenticate(query_signed, STORE).payload_signed


# --------------------------------------------------------------------------------------------
# Real clients: query, JSON and REST-JSON services


REQUESTS: dict[str, Callable[[], SignedRequest]] = {
    "sns-publish": lambda: capture(
        "sns", "publish", TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:orders", Message="a b+c=d&e"
    ),
    "sqs-json": lambda: capture("sqs", "list_queues", QueueNamePrefix="orders"),
    "dynamodb-put": lambda: capture(
        "dynamodb", "put_item", TableName="orders", Item={"id": {"S": "ü 1"}}
    ),
    "iam-create-user": lambda: capture("iam", "create_user", UserName="bob", Path="/ops/team/"),
    "sts-identity": lambda: capture("sts", "get_caller_identity"),
    "lambda-get-function": lambda: capture(
        "lambda", "get_function", FunctionName=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
    ),
    "kms-list-keys": lambda: capture("kms", "list_keys"),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_signed_requests_of_each_protocol_authenticate(name: str) -> None:
    request = REQUESTS[name]()
    result = authenticate(request, STORE)
    assert result.credential is not None and result.credential.access_key_id == KEY
    assert result.region == REGION and not result.presigned


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("sns", "list_topics", {}),
        ("dynamodb", "list_tables", {}),
        ("sts", "get_caller_identity", {}),
    ],
)
def test_session_credentials_authenticate(
    service: str, operation: str, params: dict[str, Any]
) -> None:
    made = client(service, key=TEMP_KEY, secret=TEMP_SECRET, token=TOKEN)
    request = capture_with(made, operation, **params)
    result = authenticate(request, STORE)
    assert result.credential is not None and result.credential.session_token == TOKEN


def test_sqs_query_protocol_post() -> None:
    request = signed_with(
        lambda creds: SigV4Auth(creds, "sqs", REGION),
        "POST",
        f"{ENDPOINT}/{ACCOUNT}/orders",
        data=b"Action=SendMessage&MessageBody=a%20b%2Bc&Version=2012-11-05",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert authenticate(request, STORE).service == "sqs"


def test_path_of_non_s3_services_is_normalised_and_encoded_twice() -> None:
    request = REQUESTS["lambda-get-function"]()
    assert "%3A" in request.path  # the ARN's colons, encoded once on the wire
    authenticate(request, STORE)
    dotted = signed_with(
        lambda creds: SigV4Auth(creds, "lambda", REGION),
        "GET",
        f"{ENDPOINT}/2015-03-31/functions/./f//../g%20h/configuration",
    )
    authenticate(dotted, STORE)


def test_sts_presigned_get_caller_identity() -> None:
    # botocore signs a query-protocol operation with its HTTP method, POST (with no body)
    url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60)
    result = authenticate(presigned(url, "POST"), STORE)
    assert result.presigned and result.service == "sts"


def test_date_header_instead_of_x_amz_date() -> None:
    request = signed_with(
        lambda creds: SigV4Auth(creds, "sns", REGION),
        "POST",
        f"{ENDPOINT}/",
        data=b"Action=ListTopics&Version=2010-03-31",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Date": "Thu, 01 Jan 1970 00:00:00 GMT",  # botocore replaces it with its time
        },
    )
    assert "X-Amz-Date" not in request.headers and "Date" in request.headers
    authenticate(request, STORE)


# --------------------------------------------------------------------------------------------
# Tampering: each part of the request


@pytest.fixture(scope="module")
def s3_put() -> SignedRequest:
    return capture("s3", "put_object", Bucket="bucket", Key="a b/c+d", Body=b"original")


@pytest.fixture(scope="module")
def sns_publish() -> SignedRequest:
    return REQUESTS["sns-publish"]()


@pytest.fixture(scope="module")
def ddb_put() -> SignedRequest:
    return REQUESTS["dynamodb-put"]()


def test_tampered_body(s3_put: SignedRequest, sns_publish: SignedRequest) -> None:
    error = fails(
        dataclasses.replace(s3_put, body=b"tampered"),
        "XAmzContentSHA256Mismatch",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    )
    assert error.details["S3ComputedContentSHA256"] == hashlib.sha256(b"tampered").hexdigest()
    fails(
        dataclasses.replace(sns_publish, body=sns_publish.body + b"&x=1"),
        "SignatureDoesNotMatch",
        403,
        MSG_SIGNATURE,
    )


def test_tampered_json_body(ddb_put: SignedRequest) -> None:
    error = fails(
        dataclasses.replace(ddb_put, body=ddb_put.body.replace(b"orders", b"salary")),
        "InvalidSignatureException",
        400,
        MSG_SIGNATURE,
    )
    assert error.reason is AuthFailure.SIGNATURE_MISMATCH and error.family is ErrorFamily.JSON


def test_tampered_signed_header(s3_put: SignedRequest, ddb_put: SignedRequest) -> None:
    error = fails(
        with_header(s3_put, "x-amz-checksum-crc32", "AAAAAA=="),
        "SignatureDoesNotMatch",
        403,
        S3_MSG_SIGNATURE,
    )
    assert error.details["AWSAccessKeyId"] == KEY
    assert error.details["CanonicalRequest"].startswith("PUT\n/bucket/a%20b/c%2Bd\n")
    fails(
        with_header(ddb_put, "X-Amz-Target", "DynamoDB_20120810.DeleteTable"),
        "InvalidSignatureException",
        400,
    )


def test_unsigned_amz_header_on_s3(s3_put: SignedRequest) -> None:
    error = fails(
        with_header(s3_put, "x-amz-acl", "public-read"),
        "AccessDenied",
        403,
        "There were headers present in the request which were not signed",
    )
    assert error.details["HeadersNotSigned"] == "x-amz-acl"
    # headers outside x-amz-* may be added freely (proxies do)
    authenticate(with_header(s3_put, "X-Forwarded-For", "10.0.0.1"), STORE)


def test_tampered_query_parameter() -> None:
    request = capture("s3", "list_objects_v2", Bucket="bucket", Prefix="public/")
    changed = dataclasses.replace(
        request, query_string=request.query_string.replace("public", "private")
    )
    fails(changed, "SignatureDoesNotMatch", 403)
    added = dataclasses.replace(request, query_string=request.query_string + "&max-keys=1")
    fails(added, "SignatureDoesNotMatch", 403)
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "report.pdf"}, ExpiresIn=60
    )
    fails(
        presigned(url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")),
        "SignatureDoesNotMatch",
        403,
    )


def test_tampered_path(s3_put: SignedRequest, sns_publish: SignedRequest) -> None:
    fails(dataclasses.replace(s3_put, path="/bucket/other"), "SignatureDoesNotMatch", 403)
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "report.pdf"}, ExpiresIn=60
    )
    fails(presigned(url.replace("report.pdf", "secret.pdf")), "SignatureDoesNotMatch", 403)
    fails(dataclasses.replace(sns_publish, path="/x"), "SignatureDoesNotMatch", 403)


def test_tampered_method(sns_publish: SignedRequest) -> None:
    fails(dataclasses.replace(sns_publish, method="PUT"), "SignatureDoesNotMatch", 403)


def test_tampered_date(s3_put: SignedRequest, sns_publish: SignedRequest) -> None:
    for request in (s3_put, sns_publish):
        date = request.headers["X-Amz-Date"]
        # one second earlier, same day (the scope date must still match to reach the signature)
        shifted = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        shifted += timedelta(seconds=-1 if date[9:] != "000000Z" else 1)
        fails(
            with_header(request, "X-Amz-Date", shifted.strftime("%Y%m%dT%H%M%SZ")),
            "SignatureDoesNotMatch",
            403,
        )
    other_day = "20200101T000000Z"
    fails(
        with_header(s3_put, "X-Amz-Date", other_day),
        "AuthorizationHeaderMalformed",
        400,
        now=datetime(2020, 1, 1, tzinfo=UTC),
    )
    error = fails(
        with_header(sns_publish, "X-Amz-Date", other_day),
        "SignatureDoesNotMatch",
        403,
        now=datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert error.message.startswith("Date in Credential scope does not match")


def test_wrong_secret(sns_publish: SignedRequest, s3_put: SignedRequest) -> None:
    store = CredentialStore()
    store.add(
        Credential(
            KEY, "not-the-secret", ACCOUNT, PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/a"
        )
    )
    fails(sns_publish, "SignatureDoesNotMatch", 403, MSG_SIGNATURE, store=store)
    fails(s3_put, "SignatureDoesNotMatch", 403, S3_MSG_SIGNATURE, store=store)


def test_unknown_access_key(sns_publish: SignedRequest, s3_put: SignedRequest) -> None:
    empty = CredentialStore()
    fails(sns_publish, "InvalidClientTokenId", 403, MSG_INVALID_TOKEN, store=empty)
    error = fails(
        s3_put,
        "InvalidAccessKeyId",
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
        store=empty,
    )
    assert error.details == {"AWSAccessKeyId": KEY}
    fails(
        REQUESTS["dynamodb-put"](),
        "UnrecognizedClientException",
        400,
        MSG_INVALID_TOKEN,
        store=empty,
    )
    fails(
        REQUESTS["lambda-get-function"](),
        "UnrecognizedClientException",
        403,
        store=empty,
        protocol="rest-json",
    )


def test_ec2_answers_with_its_own_codes() -> None:
    request = capture("ec2", "describe_instances")
    error = fails(
        request,
        "AuthFailure",
        401,
        "AWS was not able to validate the provided access credentials",
        store=CredentialStore(),
    )
    assert error.family is ErrorFamily.EC2
    fails(dataclasses.replace(request, body=request.body + b"&x=1"), "AuthFailure", 401)


def _session_request(service: str, operation: str, **params: Any) -> SignedRequest:
    made = client(service, key=TEMP_KEY, secret=TEMP_SECRET, token=TOKEN)
    return capture_with(made, operation, **params)


@pytest.mark.parametrize(
    ("service", "operation", "params", "missing", "wrong"),
    [
        (
            "s3",
            "get_object",
            {"Bucket": "b", "Key": "k"},
            ("InvalidAccessKeyId", 403),
            ("InvalidToken", 400),
        ),
        (
            "sts",
            "get_caller_identity",
            {},
            ("InvalidClientTokenId", 403),
            ("InvalidClientTokenId", 403),
        ),
        (
            "dynamodb",
            "list_tables",
            {},
            ("UnrecognizedClientException", 400),
            ("UnrecognizedClientException", 400),
        ),
    ],
)
def test_session_token_missing_or_wrong(
    service: str,
    operation: str,
    params: dict[str, Any],
    missing: tuple[str, int],
    wrong: tuple[str, int],
) -> None:
    request = _session_request(service, operation, **params)
    # the key and its token are checked before the signature, as AWS must: the token is what
    # finds the secret of a temporary key
    without = with_header(request, "X-Amz-Security-Token", None)
    fails(without, *missing)
    fails(with_header(request, "X-Amz-Security-Token", "forged-token"), *wrong)


def test_token_with_a_long_term_key_is_rejected(sns_publish: SignedRequest) -> None:
    fails(with_header(sns_publish, "X-Amz-Security-Token", "x"), "InvalidClientTokenId", 403)


def test_expired_session() -> None:
    expired = {"key": EXPIRED_KEY, "secret": TEMP_SECRET, "token": TOKEN}
    s3 = client("s3", **expired)
    fails(
        capture_with(s3, "get_object", Bucket="b", Key="k"),
        "ExpiredToken",
        400,
        "The provided token has expired.",
    )
    fails(
        capture_with(client("sts", **expired), "get_caller_identity"),
        "ExpiredToken",
        403,
        "The security token included in the request is expired",
    )
    fails(
        capture_with(client("dynamodb", **expired), "list_tables"),
        "ExpiredTokenException",
        400,
    )


# --------------------------------------------------------------------------------------------
# Time


def test_presigned_url_expiry_and_not_yet_valid() -> None:
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=60
    )
    request = presigned(url)
    now = datetime.now(UTC)
    authenticate(request, STORE, now=now + timedelta(seconds=55))
    error = fails(
        request, "AccessDenied", 403, "Request has expired", now=now + timedelta(seconds=62)
    )
    assert error.details["X-Amz-Expires"] == "60"
    fails(request, "AccessDenied", 403, "Request is not valid yet", now=now - timedelta(minutes=20))


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
        ("-1", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
    ],
)
def test_presigned_expires_out_of_range(expires: str, message: str) -> None:
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=60
    )
    request = presigned(url.replace("X-Amz-Expires=60", f"X-Amz-Expires={expires}"))
    fails(request, "AuthorizationQueryParametersError", 400, message)


def test_presigned_url_for_a_query_service_expires() -> None:
    url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60)
    late = datetime.now(UTC) + timedelta(minutes=5)
    error = fails(presigned(url, "POST"), "SignatureDoesNotMatch", 403, now=late)
    assert error.message.startswith("Signature expired: ")


def test_clock_skew(
    s3_put: SignedRequest, sns_publish: SignedRequest, ddb_put: SignedRequest
) -> None:
    late = datetime.now(UTC) + timedelta(minutes=16)
    early = datetime.now(UTC) - timedelta(minutes=16)
    authenticate(sns_publish, STORE, now=datetime.now(UTC) + timedelta(minutes=14))
    error = fails(
        s3_put,
        "RequestTimeTooSkewed",
        403,
        "The difference between the request time and the current time is too large.",
        now=late,
    )
    assert error.details["MaxAllowedSkewMilliseconds"] == "900000"
    expired = fails(sns_publish, "SignatureDoesNotMatch", 403, now=late)
    assert expired.message.startswith("Signature expired: ")
    assert expired.message.endswith(" - 15 min.)")
    future = fails(sns_publish, "SignatureDoesNotMatch", 403, now=early)
    assert future.message.startswith("Signature not yet current: ")
    assert (
        fails(ddb_put, "InvalidSignatureException", 400, now=late).reason
        is AuthFailure.REQUEST_TIME
    )


def test_clock_skew_is_reported_before_an_unknown_key(sns_publish: SignedRequest) -> None:
    late = datetime.now(UTC) + timedelta(hours=1)
    fails(sns_publish, "SignatureDoesNotMatch", 403, store=CredentialStore(), now=late)


# --------------------------------------------------------------------------------------------
# Unsigned and otherwise unauthenticated requests


def test_unsigned_s3_request_is_anonymous() -> None:
    request = SignedRequest("GET", "/public-bucket/index.html", "", {"Host": "127.0.0.1:4566"})
    result = authenticate(request, STORE)
    assert result.anonymous and result.service == "s3"
    assert authenticate(request, STORE, service="s3").anonymous


def test_unsigned_sns_request_is_missing_authentication() -> None:
    request = SignedRequest(
        "POST",
        "/",
        "",
        {"Host": "127.0.0.1:4566", "Content-Type": "application/x-www-form-urlencoded"},
        b"Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A111122223333%3Aorders&Message=x",
    )
    error = fails(
        request, "MissingAuthenticationToken", 403, "Request is missing Authentication Token"
    )
    assert error.reason is AuthFailure.MISSING_AUTHENTICATION
    bare = SignedRequest("GET", "/", "", {"Host": "127.0.0.1:4566"})
    fails(bare, "MissingAuthenticationToken", 403, service="sns")


def test_unsigned_json_request_is_missing_authentication() -> None:
    request = SignedRequest(
        "POST",
        "/",
        "",
        {
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
        },
        b"{}",
    )
    fails(request, "MissingAuthenticationTokenException", 400)


def test_signature_version_2_is_never_anonymous() -> None:
    header_v2 = SignedRequest(
        "GET", "/bucket/key", "", {"Host": "h", "Authorization": f"AWS {KEY}:c2lnbmF0dXJl"}
    )
    fails(header_v2, "InvalidRequest", 400, service="s3")
    fails(header_v2, "InvalidRequest", 400)  # no hint: a REST request is taken to be S3's
    query_v2 = SignedRequest(
        "GET",
        "/bucket/key",
        f"AWSAccessKeyId={KEY}&Expires=1700000000&Signature=abc%3D",
        {"Host": "h"},
    )
    fails(query_v2, "InvalidRequest", 400)
    sns_v2 = SignedRequest(
        "GET",
        "/",
        f"Action=ListTopics&AWSAccessKeyId={KEY}&SignatureVersion=2&SignatureMethod=HmacSHA256"
        "&Timestamp=2026-01-01T00%3A00%3A00Z&Signature=abc",
        {"Host": "h"},
    )
    fails(sns_v2, "IncompleteSignature", 400)


@pytest.mark.parametrize(
    ("authorization", "s3_code", "query_fragment"),
    [
        ("AWS4-HMAC-SHA256", "AuthorizationHeaderMalformed", "requires 'Credential' parameter"),
        (
            f"AWS4-HMAC-SHA256 Credential={KEY}/20260101/eu-west-1/s3/aws4_request, Signature=ab",
            "AuthorizationHeaderMalformed",
            "requires 'SignedHeaders' parameter",
        ),
        (
            f"AWS4-HMAC-SHA256 Credential={KEY}/eu-west-1/s3/aws4_request, SignedHeaders=host, "
            "Signature=ab",
            "AuthorizationHeaderMalformed",
            "Credential must have exactly 5 slash-delimited elements",
        ),
        ("AWS4-HMAC-SHA256 Credential", "AuthorizationHeaderMalformed", "missing equal-sign"),
        ("Bearer abc=", "InvalidArgument", "requires 'Credential' parameter"),
        (
            f"AWS4-HMAC-SHA512 Credential={KEY}/20260101/eu-west-1/s3/aws4_request, "
            "SignedHeaders=host, Signature=ab",
            "InvalidArgument",
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
        ),
    ],
)
def test_malformed_authorization_header(
    authorization: str, s3_code: str, query_fragment: str
) -> None:
    headers = {"Host": "h", "X-Amz-Date": "20260101T000000Z", "Authorization": authorization}
    now = datetime(2026, 1, 1, tzinfo=UTC)
    s3 = SignedRequest("GET", "/bucket/key", "", {**headers, "x-amz-content-sha256": EMPTY_SHA256})
    fails(s3, s3_code, 400, service="s3", now=now)
    sns_headers = {**headers, "Authorization": authorization.replace("/s3/", "/sns/")}
    sns = SignedRequest("GET", "/", "Action=ListTopics", sns_headers)
    error = fails(sns, "IncompleteSignature", 400, service="sns", now=now)
    assert query_fragment in error.message


def test_missing_date() -> None:
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={KEY}/20260101/eu-west-1/sns/aws4_request, "
        "SignedHeaders=host, Signature=ab"
    )
    sns = SignedRequest(
        "GET", "/", "Action=ListTopics", {"Host": "h", "Authorization": authorization}
    )
    error = fails(sns, "IncompleteSignature", 400)
    assert "'X-Amz-Date' or a 'Date' header" in error.message
    s3 = SignedRequest(
        "GET", "/b/k", "", {"Host": "h", "Authorization": authorization.replace("/sns/", "/s3/")}
    )
    fails(s3, "AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header")


def test_host_must_be_signed() -> None:
    request = signed_with(
        lambda creds: SigV4Auth(creds, "sns", REGION),
        "POST",
        f"{ENDPOINT}/",
        data=b"Action=ListTopics",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    authorization = request.headers["Authorization"].replace(
        "SignedHeaders=content-type;host;", "SignedHeaders=content-type;"
    )
    error = fails(with_header(request, "Authorization", authorization), "IncompleteSignature", 400)
    assert (
        error.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    )


def test_both_header_and_query_authentication(s3_put: SignedRequest) -> None:
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=60
    )
    both = with_header(presigned(url), "Authorization", s3_put.headers["Authorization"])
    fails(both, "InvalidArgument", 400)


def test_s3_payload_hash_header_is_required_and_checked(s3_put: SignedRequest) -> None:
    fails(
        with_header(s3_put, "X-Amz-Content-SHA256", None),
        "InvalidRequest",
        400,
        "Missing required header for this request: x-amz-content-sha256",
    )
    fails(with_header(s3_put, "X-Amz-Content-SHA256", "sha256-please"), "InvalidArgument", 400)


def test_incomplete_presigned_query() -> None:
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=60
    )
    without_date = "&".join(
        p for p in urlsplit(url).query.split("&") if not p.startswith("X-Amz-Date=")
    )
    request = SignedRequest("GET", "/bucket/k", without_date, {"Host": "127.0.0.1:4566"})
    fails(request, "AuthorizationQueryParametersError", 400)
    sts_url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60)
    parts = urlsplit(sts_url)
    no_signature = "&".join(
        p for p in parts.query.split("&") if not p.startswith("X-Amz-Signature=")
    )
    error = fails(
        SignedRequest("GET", "/", no_signature, {"Host": parts.netloc}), "IncompleteSignature", 400
    )
    assert "must include 'X-Amz-Signature'" in error.message


# --------------------------------------------------------------------------------------------
# One reading of the Authorization header


def _with_authorization(request: SignedRequest, edit: Callable[[str], str]) -> SignedRequest:
    return with_header(request, "Authorization", edit(request.headers["Authorization"]))


def _scoped_to_iam(authorization: str) -> str:
    credential = authorization.split("Credential=", 1)[1].split(",", 1)[0]
    key, date = credential.split("/")[:2]
    return f"{key}/{date}/us-east-1/iam/aws4_request"


ALG = "AWS4-HMAC-SHA256 "
# Each verifies as far as its signature goes (the header is not signed); each could be read
# otherwise by a reader that takes the first or the last Credential, or ignores case.
ODD_AUTHORIZATIONS: dict[str, Callable[[str], str]] = {
    "lower-case credential first": lambda h: (
        f"{ALG}credential={_scoped_to_iam(h)}, {h.removeprefix(ALG)}"),
    "credential twice": lambda h: f"{ALG}Credential={_scoped_to_iam(h)}, {h.removeprefix(ALG)}",
    "credential twice, last": lambda h: f"{h}, Credential={_scoped_to_iam(h)}",
    "signature twice": lambda h: f"{h}, Signature={'0' * 64}",
    "upper-case SIGNATURE": lambda h: f"{h}, SIGNATURE={'0' * 64}",
    "unknown component": lambda h: f"{h}, Region=us-east-1",
    "empty component": lambda h: h.replace(", SignedHeaders", ",, SignedHeaders"),
    "trailing comma": lambda h: f"{h},",
    "tab after a comma": lambda h: h.replace(", SignedHeaders", ",\tSignedHeaders"),
    "two spaces after a comma": lambda h: h.replace(", SignedHeaders", ",  SignedHeaders"),
    "two spaces after the algorithm": lambda h: h.replace(ALG, ALG + " "),
    "algorithm twice": lambda h: ALG + h,
    "newline inside": lambda h: h.replace(", Signature", ",\n Signature"),
}
# (service, operation, params) → the family's IncompleteSignature (S3: AuthorizationHeaderMalformed)
INCOMPLETE = {
    "s3": ("AuthorizationHeaderMalformed", 400),
    "sns": ("IncompleteSignature", 400),
    "dynamodb": ("IncompleteSignatureException", 400),
    "lambda": ("IncompleteSignatureException", 403),
    "ec2": ("IncompleteSignature", 400),
}
SEEDS: dict[str, Callable[[], SignedRequest]] = {
    "s3": lambda: capture("s3", "put_object", Bucket="bucket", Key="k", Body=b"b"),
    "sns": REQUESTS["sns-publish"],
    "dynamodb": REQUESTS["dynamodb-put"],
    "lambda": REQUESTS["lambda-get-function"],
    "ec2": lambda: capture("ec2", "describe_vpcs"),
}


@pytest.mark.parametrize("family", sorted(INCOMPLETE))
@pytest.mark.parametrize("odd", sorted(ODD_AUTHORIZATIONS))
def test_an_authorization_header_that_could_be_read_two_ways_is_refused(
    odd: str, family: str
) -> None:
    seed = SEEDS[family]()
    authenticate(seed, STORE)  # as signed, it verifies
    error = fails(_with_authorization(seed, ODD_AUTHORIZATIONS[odd]), *INCOMPLETE[family])
    assert error.reason in (AuthFailure.MALFORMED, AuthFailure.UNSUPPORTED)


def test_the_refusals_name_what_is_odd_without_echoing_the_header() -> None:
    seed = REQUESTS["sns-publish"]()
    duplicate = fails(
        _with_authorization(seed, ODD_AUTHORIZATIONS["credential twice"]),
        "IncompleteSignature",
        400,
    )
    assert duplicate.message == "Authorization header requires exactly one 'Credential' parameter."
    unknown = fails(
        _with_authorization(seed, ODD_AUTHORIZATIONS["lower-case credential first"]),
        "IncompleteSignature",
        400,
    )
    assert unknown.message.startswith("Unknown parameter in Authorization header (hashed")
    assert "iam" not in unknown.message
    shape = fails(
        _with_authorization(seed, ODD_AUTHORIZATIONS["trailing comma"]), "IncompleteSignature", 400
    )
    assert shape.message.startswith("Malformed parameter in Authorization header (hashed")
    s3 = fails(
        _with_authorization(SEEDS["s3"](), ODD_AUTHORIZATIONS["unknown component"]),
        "AuthorizationHeaderMalformed",
        400,
    )
    assert s3.message == (
        'The authorization header is malformed; the authorization component "Region=us-east-1" '
        "is malformed."
    )


def test_the_one_layout_with_or_without_spaces_is_accepted() -> None:
    seed = REQUESTS["dynamodb-put"]()
    assert ", SignedHeaders=" in seed.headers["Authorization"]  # botocore's own
    compact = _with_authorization(seed, lambda h: h.replace(", ", ","))
    assert authenticate(compact, STORE).credential is not None


def test_signed_headers_are_lower_case_names_only() -> None:
    """A colon or an upper-case name in SignedHeaders would give the backend's key-finding
    expression (`AWS.*([A-Z0-9]{20})[:/]`, greedy) another account's key to find, though the
    client signs over it honestly."""
    other_key = "AKIAOTHERACCOUNTKEY1"
    request = signed_with(
        lambda creds: SigV4Auth(creds, "sns", REGION),
        "POST",
        f"{ENDPOINT}/",
        data=b"Action=ListTopics&Version=2010-03-31",
        headers={"Content-Type": "application/x-www-form-urlencoded", other_key + ":x": "1"},
    )
    assert f"{other_key.lower()}:x" in request.headers["Authorization"]
    forged = _with_authorization(request, lambda h: h.replace(other_key.lower(), other_key))
    error = fails(forged, "IncompleteSignature", 400)
    assert error.message.startswith("SignedHeaders must be lower-case header names")


@pytest.mark.parametrize("region", ["AKIAOTHERACCOUNTKEY1", "local", "us-east-1a"])
def test_the_scope_names_a_region(region: str) -> None:
    """A region is whatever the client signs with; the backend takes it as a region, its key
    expression as a key. AWS: "Credential should be scoped to a valid region"."""
    sns = signed_with(
        lambda creds: SigV4Auth(creds, "sns", region),
        "POST",
        f"{ENDPOINT}/",
        data=b"Action=ListTopics&Version=2010-03-31",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    error = fails(sns, "SignatureDoesNotMatch", 403)
    assert error.message == f"Credential should be scoped to a valid region, not '{region}'."
    s3 = signed_with(
        lambda creds: S3SigV4Auth(creds, "s3", region), "GET", f"{ENDPOINT}/bucket/key"
    )
    message = f"The authorization header is malformed; the region '{region}' is wrong."
    fails(s3, "AuthorizationHeaderMalformed", 400, message)


def test_the_scope_names_the_service_the_request_is_for() -> None:
    """Signed for dynamodb (a name DynamoDB Streams shares, so the router looks further), aimed
    at SQS by its target: the backend would route by the scope, the gateway by the target."""
    request = signed_with(
        lambda creds: SigV4Auth(creds, "dynamodb", REGION),
        "POST",
        f"{ENDPOINT}/",
        data=b'{"QueueUrl": "http://127.0.0.1:4566/111122223333/orders"}',
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.DeleteQueue",
        },
    )
    error = fails(request, "SignatureDoesNotMatch", 403)  # SQS's words (its query codes)
    assert error.message == "Credential should be scoped to correct service: 'sqs'."


def test_canonical_authorization_is_rebuilt_from_the_verified_components() -> None:
    from moto.core.responses import BaseResponse

    for seed in (SEEDS["sns"](), SEEDS["s3"](), SEEDS["lambda"]()):
        compact = _with_authorization(seed, lambda h: h.replace(", ", ","))
        result = authenticate(compact, STORE)
        claim = result.claim
        assert claim is not None
        canonical = canonical_authorization(result)
        assert canonical == seed.headers["Authorization"]  # what botocore writes
        # moto reads the key with a greedy expression, and routes by the first part's scope:
        # both find exactly what was verified.
        found = BaseResponse.access_key_regex.findall(canonical)
        assert found == [KEY]
        scope = canonical.split(",")[0].split()[1].split("/")
        assert (scope[2], scope[3]) == (claim.region, claim.service)
        backend = canonical_authorization(result, access_key_id="AKIABACKENDKEY000001")
        assert backend == canonical.replace(KEY, "AKIABACKENDKEY000001")


def test_canonical_authorization_of_presigned_and_anonymous_requests_is_none() -> None:
    url = client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=60
    )
    assert canonical_authorization(authenticate(presigned(url), STORE)) is None
    anonymous = SignedRequest("GET", "/bucket/key", "", {"Host": "127.0.0.1:4566"})
    assert canonical_authorization(authenticate(anonymous, STORE)) is None


def test_request_scope_names_no_scope_when_the_header_names_several() -> None:
    seed = REQUESTS["dynamodb-put"]()
    for odd in ("lower-case credential first", "credential twice", "credential twice, last"):
        assert request_scope(_with_authorization(seed, ODD_AUTHORIZATIONS[odd])) is None
    one = _with_authorization(seed, ODD_AUTHORIZATIONS["unknown component"])
    assert request_scope(one) == ("dynamodb", REGION)


# --------------------------------------------------------------------------------------------
# Which service: anonymous only for S3, and each service's own words


def unsigned_capture(service: str, operation: str, /, **params: Any) -> SignedRequest:
    made = boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    made.meta.events.register("before-send", _stop)
    return capture_with(made, operation, **params)


# The landscape's services: a call of each, the answer to a signature the secret does not give,
# and to no signature at all (None: anonymous, S3 only). The families: query services
# (SignatureDoesNotMatch, 403; SQS keeps its query codes over JSON), JSON services
# (InvalidSignatureException, 400), REST-JSON services behind the same front end as API
# Gateway (the JSON codes with 403), EC2 (AuthFailure, 401).
# https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
QUERY_ANSWERS = (("SignatureDoesNotMatch", 403), ("MissingAuthenticationToken", 403))
JSON_ANSWERS = (("InvalidSignatureException", 400), ("MissingAuthenticationTokenException", 400))
REST_JSON_ANSWERS = (
    ("InvalidSignatureException", 403),
    ("MissingAuthenticationTokenException", 403),
)
LANDSCAPE: list[tuple[str, str, dict[str, Any], tuple[Any, ...]]] = [
    ("s3", "list_objects_v2", {"Bucket": "bucket"}, (("SignatureDoesNotMatch", 403), None)),
    ("sns", "list_topics", {}, QUERY_ANSWERS),
    ("sqs", "list_queues", {}, QUERY_ANSWERS),
    ("iam", "list_users", {}, QUERY_ANSWERS),
    ("sts", "get_caller_identity", {}, QUERY_ANSWERS),
    ("rds", "describe_db_instances", {}, QUERY_ANSWERS),
    ("cloudformation", "list_stacks", {}, QUERY_ANSWERS),
    ("dynamodb", "list_tables", {}, JSON_ANSWERS),
    ("kms", "list_keys", {}, JSON_ANSWERS),
    ("organizations", "describe_organization", {}, JSON_ANSWERS),
    ("sso-admin", "list_instances", {}, JSON_ANSWERS),
    ("identitystore", "list_users", {"IdentityStoreId": "d-1234567890"}, JSON_ANSWERS),
    ("logs", "describe_log_groups", {}, JSON_ANSWERS),
    ("ecs", "list_clusters", {}, JSON_ANSWERS),
    ("cloudtrail", "describe_trails", {}, JSON_ANSWERS),
    ("config", "describe_config_rules", {}, JSON_ANSWERS),
    ("secretsmanager", "list_secrets", {}, JSON_ANSWERS),
    ("lambda", "list_functions", {}, REST_JSON_ANSWERS),
    ("guardduty", "list_detectors", {}, REST_JSON_ANSWERS),
    ("ec2", "describe_vpcs", {}, (("AuthFailure", 401), ("MissingAuthenticationToken", 401))),
]
# Without a credential scope, LocalStack's router cannot tell these from their shape: CloudTrail
# (its target prefix is not indexed), GuardDuty (its REST paths look like S3's). The gateway
# answers them before authenticating (UnrecognizedService; or as S3, which the backend also
# routes them to); given the service, authentication answers as the service does.
UNSIGNED_ROUTED_ELSEWHERE: dict[str, str | None] = {"cloudtrail": None, "guardduty": "s3"}
WRONG_SECRET = CredentialStore()
WRONG_SECRET.add(
    Credential(KEY, "not-the-secret", ACCOUNT, PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/a")
)


@pytest.mark.parametrize(
    ("service", "operation", "params", "answers"), LANDSCAPE, ids=[row[0] for row in LANDSCAPE]
)
def test_each_service_answers_in_its_own_words(
    service: str, operation: str, params: dict[str, Any], answers: tuple[Any, ...]
) -> None:
    signature, missing = answers
    fails(capture(service, operation, **params), *signature, store=WRONG_SECRET)
    unsigned = unsigned_capture(service, operation, **params)
    routed = endpoint_of(unsigned, None).service
    assert routed == UNSIGNED_ROUTED_ELSEWHERE.get(service, service)
    if missing is None:
        assert authenticate(unsigned, STORE).anonymous
        return
    hint = None if routed == service else service_model(service).signing_name
    error = fails(unsigned, *missing, service=hint)
    assert error.reason is AuthFailure.MISSING_AUTHENTICATION


def test_only_s3_serves_unsigned_requests() -> None:
    """An unsigned Lambda call looks like S3's REST calls (no target, no Action): routed as the
    gateway routes it, it is Lambda's, and Lambda's front end refuses it."""
    request = SignedRequest(
        "GET", "/2015-03-31/functions/f/policy", "", {"Host": "127.0.0.1:4566"}
    )
    endpoint = endpoint_of(request, None)
    assert (endpoint.service, endpoint.anonymous_allowed) == ("lambda", False)
    fails(request, "MissingAuthenticationTokenException", 403, "Missing Authentication Token")
    assert frozenset({"s3"}) == ANONYMOUS_SERVICES
    bucket = SignedRequest("GET", "/public-bucket/index.html", "", {"Host": "127.0.0.1:4566"})
    assert endpoint_of(bucket, None).anonymous_allowed


# --------------------------------------------------------------------------------------------
# Garbage never escapes as anything but AuthError


SEED_S3 = capture("s3", "get_object", Bucket="bucket", Key="k")
SEED_SNS = REQUESTS["sns-publish"]()
FRAGMENTS = st.sampled_from(
    [
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 ",
        "AWS ",
        "Credential=",
        "SignedHeaders=",
        "Signature=",
        ", ",
        ",",
        "/",
        "=",
        ";",
        KEY,
        TEMP_KEY,
        "20261128",
        REGION,
        "s3",
        "sns",
        "aws4_request",
        "host",
        "x-amz-date",
        "\x00",
        "é",
        "\ud800",
        "%",
        "%zz",
    ]
)
HEADER_TEXT = st.one_of(st.text(max_size=200), st.lists(FRAGMENTS, max_size=30).map("".join))


def _only_auth_errors(request: SignedRequest) -> None:
    try:
        authenticate(request, STORE)
    except AuthError as error:
        assert error.code and error.message and error.status in (400, 403)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=HEADER_TEXT)
def test_arbitrary_authorization_headers_only_raise_auth_errors(value: str) -> None:
    for seed in (SEED_S3, SEED_SNS):
        _only_auth_errors(with_header(seed, "Authorization", value))


@settings(max_examples=200, deadline=None)
@given(query=HEADER_TEXT, date=HEADER_TEXT, payload=HEADER_TEXT, path=HEADER_TEXT)
def test_arbitrary_query_dates_and_paths_only_raise_auth_errors(
    query: str, date: str, payload: str, path: str
) -> None:
    for seed in (SEED_S3, SEED_SNS):
        _only_auth_errors(dataclasses.replace(seed, query_string=query))
        _only_auth_errors(with_header(seed, "X-Amz-Date", date))
        _only_auth_errors(with_header(seed, "X-Amz-Content-SHA256", payload))
        _only_auth_errors(dataclasses.replace(seed, path=path))
        presign_like = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + query
        _only_auth_errors(
            SignedRequest("GET", "/b/k", presign_like + "&X-Amz-Date=" + date, {"Host": "h"})
        )


# --------------------------------------------------------------------------------------------
# Helpers: scope, family, headers, WSGI environ


def test_request_scope() -> None:
    assert request_scope(SEED_S3) == ("s3", REGION)
    assert request_scope(SEED_SNS) == ("sns", REGION)
    url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60)
    assert request_scope(presigned(url)) == ("sts", REGION)
    assert request_scope(SignedRequest("GET", "/", "", {})) is None
    assert request_scope(with_header(SEED_S3, "Authorization", f"AWS {KEY}:sig")) is None


def test_error_family() -> None:
    assert error_family("s3", {}) is ErrorFamily.S3
    assert error_family("sns", {}) is ErrorFamily.QUERY
    assert (
        error_family("dynamodb", {"X-Amz-Target": "DynamoDB_20120810.ListTables"})
        is ErrorFamily.JSON
    )
    assert error_family("lambda", {}, "rest-json") is ErrorFamily.REST_JSON
    assert error_family("route53", {}, "rest-xml") is ErrorFamily.QUERY


def test_header_map_is_case_insensitive_and_joins_repeats() -> None:
    headers = HeaderMap([("X-Amz-Date", "1"), ("x-amz-meta-a", "b"), ("X-AMZ-META-A", "c")])
    assert headers["x-amz-date"] == headers["X-AMZ-DATE"] == "1"
    assert headers["X-Amz-Meta-A"] == "b,c"
    assert "X-AMZ-DATE" in headers and len(headers) == 2
    assert list(headers) == ["X-Amz-Date", "x-amz-meta-a"]


def _environ(request: SignedRequest, *, raw: bool) -> dict[str, object]:
    environ: dict[str, object] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(request.path).decode("latin-1"),
        "QUERY_STRING": request.query_string,
    }
    if raw:
        environ["RAW_URI"] = request.path + (
            "?" + request.query_string if request.query_string else ""
        )
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ["HTTP_" + key] = value
    return environ


@pytest.mark.parametrize("raw", [True, False], ids=["RAW_URI", "PATH_INFO"])
@pytest.mark.parametrize("key", ["with space.txt", "ünïcödé/ключ", "a+b=c~d", "double//slash"])
def test_signed_request_from_environ(raw: bool, key: str) -> None:
    for request in (
        capture("s3", "put_object", Bucket="bucket", Key=key, Body=b"data"),
        capture("s3", "list_objects_v2", Bucket="bucket", Prefix=key),
        REQUESTS["sns-publish"](),
        REQUESTS["lambda-get-function"](),
    ):
        rebuilt = signed_request_from_environ(_environ(request, raw=raw), request.body)
        assert (rebuilt.path, rebuilt.query_string) == (request.path, request.query_string)
        authenticate(rebuilt, STORE)


def test_environ_with_request_uri_and_absolute_form() -> None:
    request = capture("s3", "get_object", Bucket="bucket", Key="a b")
    environ = _environ(request, raw=False)
    environ["REQUEST_URI"] = f"http://127.0.0.1:4566{request.path}"
    rebuilt = signed_request_from_environ(environ, b"")
    assert rebuilt.path == request.path and rebuilt.query_string == ""
    authenticate(rebuilt, STORE)


@pytest.fixture
def live_endpoint() -> Iterator[tuple[str, list[str]]]:
    """A werkzeug server on loopback whose app authenticates each request twice: from RAW_URI,
    and from PATH_INFO with the raw target removed."""
    from werkzeug.serving import make_server

    outcomes: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        stripped = {k: v for k, v in environ.items() if k not in ("RAW_URI", "REQUEST_URI")}
        for env in (environ, stripped):
            try:
                result = authenticate(signed_request_from_environ(env, body), STORE)
                outcomes.append(f"ok:{result.service}")
            except AuthError as error:
                outcomes.append(f"error:{error.code}")
        start_response("200 OK", [("Content-Type", "application/xml"), ("Content-Length", "0")])
        return [b""]

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}", outcomes
    finally:
        server.shutdown()
        thread.join()


def test_through_a_real_werkzeug_server(live_endpoint: tuple[str, list[str]]) -> None:
    endpoint, outcomes = live_endpoint
    s3 = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    for key in ("with space", "ünï/ключ", "a+b=c", "x~y"):
        s3.put_object(Bucket="bucket", Key=key, Body=b"payload")
        s3.delete_object(Bucket="bucket", Key=key)
    assert outcomes == ["ok:s3"] * 16
