"""Malformed and hostile requests through the enforcing gateway.

Each request is sent as raw bytes on a socket, signed with botocore's SigV4 over exactly what is
sent (so the signature holds and only the content is hostile), by a caller whom the gateway
would allow the operation. Each is answered with the error AWS answers it with — code, HTTP
status, the service's protocol — within a bound, with no traceback in the body; a refused
request never reaches the backend, and a write leaves the backend as it was. Where AWS reads a
request as valid (a `..` in an S3 key, a body over a service quota), the gateway forwards it and
the backend answers as AWS does; the harness does not enforce service quotas itself.

The gateway reads request bodies with `request_body.read_body` (exactly Content-Length bytes, or
the chunks as announced, each read bounded in time), which is also tested here directly.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import resource
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.serving import DechunkedInput

from harness.gateway import request_body
from harness.gateway.credentials import Credential
from harness.gateway.protocol import ProtocolError
from harness.gateway.request_body import read_body
from tests.gateway.conftest import PROD, REGION, World, arn_role, world
from tests.security.wire import (
    BOUND,
    Answer,
    Wire,
    send,
    send_chunked,
)

__all__ = ["world"]  # the module-scoped endpoint of tests/gateway, reused here

pytestmark = pytest.mark.slow

BUCKET = "prod-app-data"
TABLE = "app-table"
QUEUE = "work"
TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
JSON_10 = "application/x-amz-json-1.0"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


# --------------------------------------------------------------------------- assertions


def no_traceback(answer: Answer) -> None:
    text = answer.body.decode("utf-8", "replace")
    assert "Traceback (most recent call last)" not in text and 'File "' not in text, text


def answered(answer: Answer, code: str, status: int) -> None:
    """AWS's code and status, in time, no traceback; a 5xx only where AWS answers one."""
    assert (answer.status, answer.code()) == (status, code), answer
    assert answer.status < 500, answer
    assert answer.seconds < BOUND, answer
    no_traceback(answer)


def refused(answer: Answer, code: str, status: int = 400) -> None:
    answered(answer, code, status)
    assert not answer.forwarded, "a refused request reached the backend"


# --------------------------------------------------------------------------- personas and state


@pytest.fixture(scope="module")
def app(world: World) -> Credential:
    """Reads and writes prod-app-data (never secret/), app-table, the work queue; publishes."""
    return world.session_of(arn_role(PROD, "app"))


@pytest.fixture(scope="module")
def admin(world: World) -> Credential:
    """AdministratorAccess in PROD: a refusal here is never the policies'."""
    return world.session_of(arn_role(PROD, "admin"), name="malformed-admin")


def objects(world: World) -> list[str]:
    listed = world.backend(PROD, "s3").list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def bucket_tags(world: World) -> list[dict[str, str]]:
    s3 = world.backend(PROD, "s3")
    try:
        return list(s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"])
    except s3.exceptions.ClientError:
        return []


def item(world: World, key: str) -> dict[str, Any] | None:
    found = world.backend(PROD, "dynamodb").get_item(TableName=TABLE, Key={"id": {"S": key}})
    stored: dict[str, Any] | None = found.get("Item")
    return stored


def queued(world: World) -> int:
    sqs = world.backend(PROD, "sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url,
                                          AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def dynamodb(operation: str, body: bytes, content_type: str = JSON_10) -> Wire:
    return Wire("dynamodb", "POST", "/", body, {
        "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": content_type})


def put_item(key: str, **extra: Any) -> bytes:
    return json.dumps({"TableName": TABLE, "Item": {"id": {"S": key}, **extra}}).encode()


GET_ITEM = json.dumps({"TableName": TABLE, "Key": {"id": {"S": "x"}}}).encode()


# --------------------------------------------------------------------------- the header section


def test_a_20_kb_header_is_refused_by_s3(world: World, app: Credential) -> None:
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/q1.csv",
                                   headers={"X-Padding": "a" * 20_000}))
    refused(answer, "RequestHeaderSectionTooLarge")


def test_a_write_with_20_kb_of_metadata_changes_nothing(world: World, app: Credential) -> None:
    before = objects(world)
    answer = send(world, app, Wire("s3", "PUT", f"/{BUCKET}/reports/metadata.txt", b"x",
                                   {"x-amz-meta-big": "a" * 20_000}))
    refused(answer, "RequestHeaderSectionTooLarge")
    assert objects(world) == before and "reports/metadata.txt" not in before


def test_many_headers_over_8_kb_are_refused_by_s3(world: World, app: Credential) -> None:
    headers = {f"X-Padding-{index:02d}": "a" * 90 for index in range(90)}
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/q1.csv", headers=headers))
    refused(answer, "RequestHeaderSectionTooLarge")


def test_more_than_100_headers_are_answered_as_s3_does(world: World, app: Credential) -> None:
    headers = {f"X-Padding-{index:03d}": "a" * 60 for index in range(150)}
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/q1.csv", headers=headers))
    refused(answer, "RequestHeaderSectionTooLarge")


# --------------------------------------------------------------------------- bodies over quotas


def test_an_item_over_dynamodbs_size_limit_is_not_stored(world: World, app: Credential) -> None:
    """"The maximum item size in DynamoDB is 400 KB": a 5 MB item is a ValidationException.
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html"""
    body = put_item("oversized", blob={"S": "a" * (5 << 20)})
    answer = send(world, app, dynamodb("PutItem", body))
    answered(answer, "ValidationException", 400)
    assert b"Item size has exceeded the maximum allowed size" in answer.body
    assert item(world, "oversized") is None


def test_a_message_over_sqss_size_limit_is_not_queued(world: World, app: Credential) -> None:
    """SQS's message quota is 1 MiB: one byte more is InvalidParameterValue.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"""
    before = queued(world)
    form = (f"Action=SendMessage&Version=2012-11-05&QueueUrl={quote(world.queue_url(PROD, QUEUE))}"
            f"&MessageBody={'a' * ((1 << 20) + 1)}")
    answer = send(world, app, Wire("sqs", "POST", "/", form.encode(), {"Content-Type": FORM}))
    answered(answer, "InvalidParameterValue", 400)
    assert b"Message must be shorter than 1048576 bytes" in answer.body
    assert queued(world) == before


# --------------------------------------------------------------------------- XML entities


@pytest.fixture()
def marker(tmp_path: Path) -> tuple[Path, str]:
    """A local file whose content must never be read into anything."""
    text = f"MARKER-{secrets.token_hex(8)}"
    path = tmp_path / "secret.txt"
    path.write_text(text)
    return path, text


def _md5(body: bytes) -> dict[str, str]:
    return {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}


def _external(root: str, path: Path) -> str:
    return f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY x SYSTEM "file://{path}">]>'


def test_an_external_entity_in_put_bucket_tagging_is_not_read(
        world: World, admin: Credential, marker: tuple[Path, str]) -> None:
    path, text = marker
    before = bucket_tags(world)
    body = (_external("Tagging", path) + "<Tagging><TagSet><Tag><Key>k</Key><Value>&x;</Value>"
            "</Tag></TagSet></Tagging>").encode()
    answer = send(world, admin, Wire("s3", "PUT", f"/{BUCKET}?tagging", body, _md5(body)))
    refused(answer, "MalformedXML")
    _nowhere(world, answer, text)
    assert bucket_tags(world) == before


def test_an_external_dtd_in_delete_objects_is_not_read(
        world: World, admin: Credential, marker: tuple[Path, str]) -> None:
    path, text = marker
    before = objects(world)
    body = (f'<?xml version="1.0"?><!DOCTYPE Delete SYSTEM "file://{path}"><Delete><Object>'
            "<Key>reports/q1.csv</Key></Object></Delete>").encode()
    answer = send(world, admin, Wire("s3", "POST", f"/{BUCKET}?delete", body, _md5(body)))
    refused(answer, "MalformedXML")
    _nowhere(world, answer, text)
    assert objects(world) == before and "reports/q1.csv" in before


def test_an_external_entity_in_complete_multipart_upload_is_not_read(
        world: World, admin: Credential, marker: tuple[Path, str]) -> None:
    path, text = marker
    s3 = world.backend(PROD, "s3")
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="reports/multi.txt")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="reports/multi.txt", UploadId=upload, PartNumber=1,
                   Body=b"part")
    body = (_external("CompleteMultipartUpload", path) + "<CompleteMultipartUpload><Part>"
            "<ETag>&x;</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>").encode()
    answer = send(world, admin, Wire("s3", "POST", f"/{BUCKET}/reports/multi.txt?uploadId={upload}",
                                     body))
    refused(answer, "MalformedXML")
    _nowhere(world, answer, text)
    pending = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert upload in {entry["UploadId"] for entry in pending}
    assert "reports/multi.txt" not in objects(world)
    s3.abort_multipart_upload(Bucket=BUCKET, Key="reports/multi.txt", UploadId=upload)


def _nowhere(world: World, answer: Answer, text: str) -> None:
    """The marker is in no answer, no decision and no object or tag of the backend."""
    assert text.encode() not in answer.body
    assert text not in json.dumps(world.log.records())
    s3 = world.backend(PROD, "s3")
    assert text not in json.dumps(bucket_tags(world))
    for key in objects(world):
        assert text.encode() not in s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _laughs(levels: int = 9) -> str:
    """The billion laughs: ten references per level, `levels` levels (10**9 "lol"s)."""
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, levels + 1)]
    return f'<?xml version="1.0"?><!DOCTYPE d [{"".join(entities)}]>'


def _max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def test_the_billion_laughs_in_an_s3_body_are_malformed_xml(
        world: World, admin: Credential) -> None:
    before, peak = bucket_tags(world), _max_rss()
    body = (_laughs() + "<Tagging><TagSet><Tag><Key>k</Key><Value>&l9;</Value></Tag></TagSet>"
            "</Tagging>").encode()
    answer = send(world, admin, Wire("s3", "PUT", f"/{BUCKET}?tagging", body, _md5(body)))
    refused(answer, "MalformedXML")
    assert answer.seconds < 5, answer
    assert _max_rss() - peak < 100 << 20, "expanding the entities took memory"
    assert bucket_tags(world) == before


def test_an_internal_entity_cannot_name_another_key(world: World, admin: Credential) -> None:
    """Readers that expand entities and readers that refuse or skip them read different keys
    from the same body: a body with a document type is refused, whoever reads it."""
    before = objects(world)
    body = (b'<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY k "reports/q1.csv">]><Delete>'
            b"<Object><Key>&k;</Key></Object></Delete>")
    answer = send(world, admin, Wire("s3", "POST", f"/{BUCKET}?delete", body, _md5(body)))
    refused(answer, "MalformedXML")
    assert objects(world) == before and "reports/q1.csv" in before


def test_an_xml_body_is_no_query_request(world: World, app: Credential) -> None:
    """SNS reads its parameters from the query string or a form body; an XML document is
    neither: no Action. "MissingAction: The request is missing an action or a required
    parameter." https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html"""
    body = (_laughs() + "<PublishInput><Message>&l9;</Message></PublishInput>").encode()
    answer = send(world, app, Wire("sns", "POST", "/", body, {"Content-Type": "text/xml"}))
    refused(answer, "MissingAction")
    assert answer.seconds < 5, answer


def test_an_xml_message_is_data_and_is_not_expanded(world: World, app: Credential) -> None:
    """A message may be XML ("A message can include only XML, JSON, and unformatted text"): SQS
    keeps it as it is, entities and all; nothing on the way expands them.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"""
    message = _laughs() + "<m>&l9;</m>"
    form = (f"Action=SendMessage&Version=2012-11-05&QueueUrl={quote(world.queue_url(PROD, QUEUE))}"
            f"&MessageBody={quote(message)}")
    answer = send(world, app, Wire("sqs", "POST", "/", form.encode(), {"Content-Type": FORM}))
    answered(answer, "", 200)
    assert answer.forwarded and answer.seconds < 5
    sqs = world.backend(PROD, "sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert [entry["Body"] for entry in received] == [message]
    for entry in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=entry["ReceiptHandle"])


# --------------------------------------------------------------------------- methods


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PATCH", "PROPFIND", "X" * 1024],
                         ids=["TRACE", "CONNECT", "PATCH", "PROPFIND", "1-KB-token"])
def test_s3_has_no_operation_for_an_odd_method(world: World, app: Credential,
                                               method: str) -> None:
    before = objects(world)
    answer = send(world, app, Wire("s3", method, f"/{BUCKET}/reports/q1.csv"))
    refused(answer, "MethodNotAllowed", 405)
    assert objects(world) == before


def test_a_lower_case_method_is_no_method(world: World, app: Credential) -> None:
    """Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET."""
    answer = send(world, app, Wire("s3", "get", f"/{BUCKET}/reports/q1.csv"))
    refused(answer, "MethodNotAllowed", 405)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "TRACE", "PROPFIND"])
def test_a_json_call_is_a_post(world: World, app: Credential, method: str) -> None:
    """Every operation of the JSON protocol is a POST; any other method names none:
    UnknownOperationException, 404.
    https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html"""
    wire = dynamodb("PutItem", put_item("by-method"))
    answer = send(world, app, Wire(wire.service, method, wire.path, wire.body, wire.headers))
    refused(answer, "UnknownOperationException", 404)
    assert item(world, "by-method") is None


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "TRACE"])
def test_a_query_call_is_a_get_or_a_post(world: World, app: Credential, method: str) -> None:
    """"Query requests are HTTP or HTTPS requests that use the HTTP verb GET or POST".
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html"""
    form = f"Action=Publish&Version=2010-03-31&TopicArn={quote(TOPIC)}&Message=m".encode()
    answer = send(world, app, Wire("sns", method, "/", form, {"Content-Type": FORM}))
    refused(answer, "UnknownOperationException", 404)


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("path", [
    f"/{BUCKET}/reports/../secret/keys.txt",
    f"/{BUCKET}/reports/%2E%2E/secret/keys.txt",
])
def test_dot_segments_are_part_of_an_s3_key(world: World, app: Credential, path: str) -> None:
    """S3 does not normalise paths ("Do not normalize URI paths for requests to Amazon S3"):
    the key is `reports/../secret/keys.txt`, which the app may read and which does not exist;
    the secret it would name when normalised (the app is denied secret/*) is never served.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html"""
    answer = send(world, app, Wire("s3", "GET", path))
    answered(answer, "NoSuchKey", 404)
    assert b"<Key>reports/../secret/keys.txt</Key>" in answer.body
    assert b"content of secret/keys.txt" not in answer.body


def test_a_nul_in_an_s3_key_is_a_key_character(world: World, app: Credential) -> None:
    """Keys are any UTF-8 (control characters "might require special handling"): NUL names a
    key that does not exist. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html"""
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/%00"))
    answered(answer, "NoSuchKey", 404)


def test_an_overlong_utf8_path_is_refused(world: World, app: Credential) -> None:
    """%C0%AE is an overlong ".": no UTF-8. S3 answers a key it cannot decode with InvalidURI,
    "Couldn't parse the specified URI."
    https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"""
    before = objects(world)
    answer = send(world, app, Wire("s3", "PUT", f"/{BUCKET}/reports/%C0%AE%C0%AE/x.txt", b"x"))
    refused(answer, "InvalidURI")
    assert objects(world) == before


def test_a_16_kb_path_is_over_s3s_header_section(world: World, app: Credential) -> None:
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/{'a' * 16_384}"))
    refused(answer, "RequestHeaderSectionTooLarge")


def test_a_key_over_1024_bytes_is_too_long(world: World, app: Credential) -> None:
    """"The object key name consists of a sequence of Unicode characters encoded in UTF-8, with
    a maximum length of 1,024 bytes": KeyTooLongError, "Your key is too long."
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html"""
    before = objects(world)
    key = "reports/" + "é" * 600  # 1,208 bytes, 608 characters
    answer = send(world, app, Wire("s3", "PUT", f"/{BUCKET}/{quote(key)}", b"x"))
    refused(answer, "KeyTooLongError")
    assert objects(world) == before


def test_an_absolute_form_target_of_another_host_is_not_the_signed_host(
        world: World, app: Credential) -> None:
    """The host of an absolute-form target replaces the Host header (RFC 9112 §3.2.2): the
    request is for `evil`, which the signature (over the endpoint's host) does not cover."""
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/q1.csv",
                                   target=f"http://evil/{BUCKET}/reports/q1.csv"))
    refused(answer, "SignatureDoesNotMatch", 403)


def test_an_absolute_form_target_of_the_endpoint_is_the_same_request(
        world: World, app: Credential) -> None:
    answer = send(world, app, Wire("s3", "GET", f"/{BUCKET}/reports/q1.csv",
                                   target=f"{world.url}/{BUCKET}/reports/q1.csv"))
    assert (answer.status, answer.body) == (200, b"content of reports/q1.csv"), answer


# --------------------------------------------------------------------------- what a body says


@pytest.mark.parametrize("content_type", [FORM, "multipart/form-data; boundary=x",
                                          "application/x-amz-json-1.1"])
def test_a_json_call_declared_as_another_type_has_no_operation(
        world: World, app: Credential, content_type: str) -> None:
    """DynamoDB routes by Content-Type: its front end answers another type (even the other
    JSON version) with 404. Declared as a form, the body would be no JSON to the gateway's
    parser and JSON to the backend's."""
    answer = send(world, app, dynamodb("PutItem", put_item("by-type"), content_type))
    refused(answer, "UnknownOperationException", 404)
    assert item(world, "by-type") is None


def test_a_json_body_is_no_s3_xml(world: World, admin: Credential) -> None:
    before = bucket_tags(world)
    body = b'{"TagSet": [{"Key": "k", "Value": "v"}]}'
    answer = send(world, admin, Wire("s3", "PUT", f"/{BUCKET}?tagging", body,
                                     {"Content-Type": "application/json", **_md5(body)}))
    refused(answer, "MalformedXML")
    assert bucket_tags(world) == before


@pytest.mark.parametrize(("label", "body"), [
    ("truncated", b'{"TableName": "app-table", "Item": {"id": {"S": "bad-json"'),
    ("xml", b"<PutItemInput><TableName>app-table</TableName></PutItemInput>"),
    ("invalid-utf8", b'{"TableName": "app-table", "Item": {"id": {"S": "bad-json-\xff\xfe"}}}'),
    ("nested-10000-arrays", b"[" * 10_000 + b"]" * 10_000),
    ("nested-10000-objects", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
])
def test_a_body_that_is_no_json_is_a_serialization_exception(
        world: World, app: Credential, label: str, body: bytes) -> None:
    """AWS's JSON services answer a body they cannot deserialise with SerializationException,
    400."""
    answer = send(world, app, dynamodb("PutItem", body))
    refused(answer, "SerializationException")
    assert item(world, "bad-json") is None
    assert b"RecursionError" not in answer.body


# --------------------------------------------------------------------------- framing


def test_a_content_length_under_the_body_reads_what_it_announces(
        world: World, app: Credential) -> None:
    """The server reads Content-Length bytes, no more: a JSON body cut short does not parse."""
    body = put_item("short-length")
    answer = send(world, app, dynamodb("PutItem", body), length=len(body) - 10)
    refused(answer, "SerializationException")
    assert item(world, "short-length") is None


def test_an_s3_body_cut_short_does_not_match_its_hash(world: World, app: Credential) -> None:
    """The payload hash covers the body announced; S3 checks it against the bytes it read:
    XAmzContentSHA256Mismatch. https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html"""
    before = objects(world)
    answer = send(world, app, Wire("s3", "PUT", f"/{BUCKET}/reports/short.txt", b"1234567890"),
                  length=5)
    refused(answer, "XAmzContentSHA256Mismatch")
    assert objects(world) == before


def test_an_s3_body_shorter_than_its_content_length_is_incomplete(
        world: World, app: Credential) -> None:
    before = objects(world)
    answer = send(world, app, Wire("s3", "PUT", f"/{BUCKET}/reports/long.txt", b"12345"),
                  length=50, half_close=True)
    refused(answer, "IncompleteBody")
    assert objects(world) == before


def test_a_json_body_shorter_than_its_content_length_is_aborted(
        world: World, app: Credential) -> None:
    body = put_item("long-length")
    answer = send(world, app, dynamodb("PutItem", body), length=len(body) + 100,
                  half_close=True)
    refused(answer, "RequestAbortedException")
    assert item(world, "long-length") is None


def test_a_body_that_never_comes_times_out(world: World, app: Credential,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_body, "BODY_IDLE_SECONDS", 1.0)
    before = objects(world)
    answer = send(world, app, Wire("s3", "PUT", f"/{BUCKET}/reports/idle.txt", b"12345"),
                  length=50, timeout=5)
    refused(answer, "RequestTimeout")
    assert objects(world) == before


def test_a_chunked_json_body_is_read(world: World, app: Credential) -> None:
    body = put_item("chunked")
    chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    answer = send_chunked(world, app, dynamodb("PutItem", body), chunks)
    assert answer.status == 200, answer
    assert item(world, "chunked") == {"id": {"S": "chunked"}}


def test_chunk_extensions_and_trailers_are_http(world: World, app: Credential) -> None:
    """chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; a trailer section may follow the
    last chunk (RFC 9112 §7.1)."""
    body = put_item("chunked-with-trailer")
    chunks = b"%x;ext=1\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n" % (len(body), body)
    answer = send_chunked(world, app, dynamodb("PutItem", body), chunks)
    assert answer.status == 200, answer
    assert item(world, "chunked-with-trailer") == {"id": {"S": "chunked-with-trailer"}}


def test_s3_takes_a_chunked_upload(world: World, app: Credential) -> None:
    """botocore streams an upload with a trailing checksum (aws-chunked, over HTTPS) with
    Transfer-Encoding: chunked, and S3 takes it: so does the gateway."""
    answer = send_chunked(world, app, Wire("s3", "PUT", f"/{BUCKET}/reports/chunked.txt",
                                           b"hello"), b"5\r\nhello\r\n0\r\n\r\n")
    assert (answer.status, answer.forwarded) == (200, True), answer
    assert "reports/chunked.txt" in objects(world)


def test_a_bad_chunk_size_is_a_malformed_request(world: World, app: Credential) -> None:
    """"MalformedHttpRequestException: problems with the request at the HTTP level" (400).
    https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html"""
    body = put_item("bad-chunk")
    answer = send_chunked(world, app, dynamodb("PutItem", body),
                          b"zz\r\n" + body + b"\r\n0\r\n\r\n")
    refused(answer, "MalformedHttpRequestException")
    assert item(world, "bad-chunk") is None


def _chunk_over_the_data(world: World, app: Credential, size: str) -> Answer:
    """A chunk announced as `size` (hex) bytes, of which far fewer follow before the client
    closes its side."""
    body = put_item("over-chunk")
    return send_chunked(world, app, dynamodb("PutItem", body),
                        size.encode() + b"\r\n" + body + b"\r\n0\r\n\r\n", half_close=True)


def test_a_chunk_larger_than_its_data_is_aborted(world: World, app: Credential) -> None:
    answer = _chunk_over_the_data(world, app, "2000")
    refused(answer, "RequestAbortedException")
    assert item(world, "over-chunk") is None


def test_a_chunk_of_2_to_the_64_bytes_is_aborted(world: World, app: Credential) -> None:
    """werkzeug's DechunkedInput, told of a chunk larger than what follows, returns bytes of
    the server's own memory without end (about 4.9 GB in 3 s): the gateway reads chunks
    itself (request_body.read_body)."""
    answer = _chunk_over_the_data(world, app, "ffffffffffffffff")
    refused(answer, "RequestAbortedException")
    assert item(world, "over-chunk") is None


# --------------------------------------------------------------------------- read_body itself


def _environ(body: bytes, *, scope: str | None = "dynamodb", method: str = "POST",
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "wsgi.input": io.BytesIO(body),
                               "CONTENT_LENGTH": str(len(body)), **(extra or {})}
    if scope is not None:
        environ["HTTP_AUTHORIZATION"] = (
            f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{REGION}/{scope}/aws4_request, "
            "SignedHeaders=host, Signature=0")
    return environ


def _chunked(framing: bytes, scope: str | None = "dynamodb") -> dict[str, Any]:
    reader = io.BufferedReader(io.BytesIO(framing))
    return _environ(b"", scope=scope, extra={"HTTP_TRANSFER_ENCODING": "chunked",
                                             "wsgi.input": DechunkedInput(reader),
                                             "CONTENT_LENGTH": ""})


def _failure(environ: dict[str, Any]) -> tuple[str, int, str | None]:
    with pytest.raises(ProtocolError) as raised:
        read_body(environ)
    return raised.value.code, raised.value.status, raised.value.service


def test_read_body_reads_exactly_the_content_length() -> None:
    environ = _environ(b"0123456789")
    environ["CONTENT_LENGTH"] = "4"
    assert read_body(environ) == b"0123"


@pytest.mark.parametrize(("scope", "expected"), [
    ("s3", ("IncompleteBody", 400, "s3")),
    (None, ("IncompleteBody", 400, "s3")),
    ("dynamodb", ("RequestAbortedException", 400, "dynamodb")),
    ("sqs", ("RequestAbortedException", 400, "sqs")),
])
def test_read_body_answers_a_short_body_in_the_scopes_terms(
        scope: str | None, expected: tuple[str, int, str]) -> None:
    environ = _environ(b"12345", scope=scope)
    environ["CONTENT_LENGTH"] = "50"
    assert _failure(environ) == expected


def test_read_body_finds_the_scope_of_a_presigned_url() -> None:
    credential = quote(f"AKIDEXAMPLE/20260101/{REGION}/sqs/aws4_request", safe="")
    environ = _environ(b"12345", scope=None, extra={
        "QUERY_STRING": f"X-Amz-Credential={credential}&X-Amz-Signature=0"})
    environ["CONTENT_LENGTH"] = "50"
    assert _failure(environ) == ("RequestAbortedException", 400, "sqs")


@pytest.mark.parametrize("length", ["", "abc", "-5", "\xb2", "1e3"])
def test_read_body_reads_no_body_for_an_unreadable_content_length(length: str) -> None:
    """As werkzeug and moto read it (no ValueError for a digit that is not ASCII)."""
    environ = _environ(b"12345")
    environ["CONTENT_LENGTH"] = length
    assert read_body(environ) == b""


def test_read_body_decodes_chunks_with_extensions_and_trailers() -> None:
    framing = b"5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nChecksum: x\r\n\r\n"
    assert read_body(_chunked(framing)) == b"hello world"


@pytest.mark.parametrize(("framing", "code"), [
    (b"zz\r\nhello\r\n0\r\n\r\n", "MalformedHttpRequestException"),
    (b"-5\r\nhello\r\n0\r\n\r\n", "MalformedHttpRequestException"),
    (b"0x5\r\nhello\r\n0\r\n\r\n", "MalformedHttpRequestException"),
    (b"5\r\nhelloX\r\n0\r\n\r\n", "MalformedHttpRequestException"),
    (b"1" * 5000 + b"\r\n", "MalformedHttpRequestException"),
    (b"5\r\nhel", "RequestAbortedException"),
    (b"5\r\nhello\r\n", "RequestAbortedException"),
    (b"ffffffffffffffff\r\nhello\r\n0\r\n\r\n", "RequestAbortedException"),
])
def test_read_body_refuses_chunks_that_do_not_add_up(framing: bytes, code: str) -> None:
    started, peak = time.perf_counter(), _max_rss()
    assert _failure(_chunked(framing))[:2] == (code, 400)
    assert time.perf_counter() - started < 1 and _max_rss() - peak < 10 << 20


def test_read_body_decodes_chunked_s3_uploads() -> None:
    assert read_body(_chunked(b"5\r\nhello\r\n0\r\n\r\n", scope="s3")) == b"hello"


@pytest.mark.parametrize(("scope", "expected"), [
    ("s3", ("MethodNotAllowed", 405, "s3")),
    ("dynamodb", ("UnknownOperationException", 404, "dynamodb")),
])
def test_read_body_refuses_a_lower_case_method(scope: str,
                                               expected: tuple[str, int, str]) -> None:
    assert _failure(_environ(b"", scope=scope, method="get")) == expected


@pytest.fixture()
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    with server, client:
        yield server, client


def test_read_body_times_out_on_an_idle_client(
        connection: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_body, "BODY_IDLE_SECONDS", 0.2)
    server, client = connection
    client.sendall(b"12345")
    environ = _environ(b"", scope="s3", extra={"wsgi.input": server.makefile("rb"),
                                               "werkzeug.socket": server, "CONTENT_LENGTH": "50"})
    started = time.perf_counter()
    assert _failure(environ) == ("RequestTimeout", 400, "s3")
    assert time.perf_counter() - started < 2
    assert server.gettimeout() is None, "the socket's own timeout was not restored"


def test_read_body_waits_for_a_slow_client(
        connection: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound is on each wait, not on the whole body."""
    monkeypatch.setattr(request_body, "BODY_IDLE_SECONDS", 0.5)
    server, client = connection

    def trickle() -> None:
        for part in (b"ab", b"cd", b"ef"):
            time.sleep(0.2)
            client.sendall(part)

    sender = threading.Thread(target=trickle)
    sender.start()
    try:
        environ = _environ(b"", extra={"wsgi.input": server.makefile("rb"),
                                       "werkzeug.socket": server, "CONTENT_LENGTH": "6"})
        assert read_body(environ) == b"abcdef"
    finally:
        sender.join(timeout=5)
