"""Classic authentication probes, end to end: a real gateway in front of moto, each probe a
request a client could send, each answer AWS's error in the service's protocol — and the state
the request aimed at unchanged (read from the backend directly), and nothing forwarded.

The probes: a clock skewed beyond 15 minutes, a replay (inside and outside the window), a body,
query, host or path changed after signing, presigned URLs expired or tampered with, Signature
Version 2, SigV4A (which the gateway cannot verify), the session token of another session, a
wrong secret in each protocol family, Authorization headers that could be read two ways, and
unsigned calls to services that need a signature.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.auth import HmacV1Auth, HmacV1QueryAuth, SigV2Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from harness.gateway.credentials import Credential
from tests.gateway.conftest import (
    PROD,
    REGION,
    World,
    arn_role,
    assert_error,
    document,
    world,
)
from tests.gateway.test_e2e_authentication import (
    QUERY_SIGNATURE,
    S3_SIGNATURE,
    forged,
    refusal,
    s3_objects,
    sign,
)

__all__ = ["world"]  # the module-scoped endpoint of tests/gateway, reused here

pytestmark = pytest.mark.slow

FUNCTION = "auth-probe"
OPEN_QUEUE = "auth-open"  # its policy lets anyone (Principal "*") send
BUCKET = "prod-app-data"
TABLE = "app-table"
MISSING_TOKEN = "Request is missing Authentication Token"
INVALID_TOKEN = "The security token included in the request is invalid."
EC2_AUTH = "AWS was not able to validate the provided access credentials"
S3_MECHANISM = ("The authorization mechanism you have provided is not supported. Please use "
                "AWS4-HMAC-SHA256.")
SKEWED = "The difference between the request time and the current time is too large."
_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)


# --------------------------------------------------------------------------- the landscape


@pytest.fixture(scope="module")
def landscape(world: World) -> World:
    """A function whose policy lets anyone read and reconfigure it, and a queue anyone may send
    to: what an unsigned request would reach if it were taken as anonymous."""
    iam = world.backend(PROD, "iam")
    iam.create_role(RoleName="auth-probe", AssumeRolePolicyDocument=document({
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}))
    functions = world.backend(PROD, "lambda")
    functions.create_function(
        FunctionName=FUNCTION, Runtime="python3.11", Handler="index.handler",
        Role=arn_role(PROD, "auth-probe"), Code={"ZipFile": _zip()}, Description="original")
    for sid, action in (("AnyoneReads", "lambda:GetFunction"),
                        ("AnyoneReconfigures", "lambda:UpdateFunctionConfiguration")):
        functions.add_permission(FunctionName=FUNCTION, StatementId=sid, Action=action,
                                 Principal="*")
    arn = f"arn:aws:sqs:{REGION}:{PROD}:{OPEN_QUEUE}"
    world.backend(PROD, "sqs").create_queue(QueueName=OPEN_QUEUE, Attributes={
        "Policy": document({"Sid": "AnyoneSends", "Effect": "Allow", "Principal": "*",
                            "Action": "sqs:SendMessage", "Resource": arn})})
    world.gateway.backend_state.invalidate()
    return world


@pytest.fixture(scope="module")
def app(landscape: World) -> Credential:
    """PROD's `app` role: writes prod-app-data, app-table and the queue `work`."""
    return landscape.session_of(arn_role(PROD, "app"), name="auth-app")


@pytest.fixture(scope="module")
def root(landscape: World) -> Credential:
    return landscape.root(PROD)


@pytest.fixture
def skewed(landscape: World) -> Iterator[Callable[[timedelta], None]]:
    """Moves the gateway's clock (the clients' stays), and puts it back."""
    def move(offset: timedelta) -> None:
        landscape.clock.offset = offset

    yield move
    landscape.clock.offset = timedelta(0)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


# --------------------------------------------------------------------------- clients and state


def client(world: World, credential: Credential | None, service: str,
           alter: Callable[[AWSPreparedRequest], None] | None = None) -> Any:
    """A fresh boto3 client through the endpoint (never cached: a forged credential shares its
    key with the real one), unsigned without a credential; `alter` changes each request after
    it is signed. S3's presigns with SigV4, as botocore does for AWS's own endpoints."""
    signing = UNSIGNED if credential is None else ("s3v4" if service == "s3" else None)
    config = _CONFIG.merge(Config(signature_version=signing))
    keys = {} if credential is None else {
        "aws_access_key_id": credential.access_key_id,
        "aws_secret_access_key": credential.secret_access_key,
        "aws_session_token": credential.session_token}
    made = boto3.session.Session().client(service, region_name=REGION, endpoint_url=world.url,
                                          config=config, **keys)
    if alter is not None:
        def hook(request: AWSPreparedRequest, **_: Any) -> None:
            alter(request)

        made.meta.events.register("before-send", hook)
    return made


def messages(world: World, queue: str) -> int:
    sqs = world.backend(PROD, "sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"])


def item(world: World, key: str) -> bool:
    found = world.backend(PROD, "dynamodb").get_item(TableName=TABLE, Key={"id": {"S": key}})
    return "Item" in found


def description(world: World) -> str:
    configuration = world.backend(PROD, "lambda").get_function_configuration(
        FunctionName=FUNCTION)
    return str(configuration.get("Description", ""))


def _names(listed: list[dict[str, Any]], key: str) -> list[str]:
    return sorted(str(entry[key]) for entry in listed)


# What each write of the probes would change, read from the backend (PROD's administrator).
STATE: dict[str, Callable[[World], Any]] = {
    "s3": lambda w: s3_objects(w, BUCKET),
    "sqs": lambda w: messages(w, "work"),
    "sns": lambda w: _names(w.backend(PROD, "sns").list_topics()["Topics"], "TopicArn"),
    "iam": lambda w: _names(w.backend(PROD, "iam").list_users()["Users"], "UserName"),
    "dynamodb": lambda w: item(w, "probe"),
    "kms": lambda w: _names(w.backend(PROD, "kms").list_keys()["Keys"], "KeyId"),
    "logs": lambda w: _names(w.backend(PROD, "logs").describe_log_groups()["logGroups"],
                             "logGroupName"),
    "secretsmanager": lambda w: _names(w.backend(PROD, "secretsmanager").list_secrets()[
        "SecretList"], "Name"),
    "lambda": description,
    "guardduty": lambda w: sorted(w.backend(PROD, "guardduty").list_detectors()["DetectorIds"]),
    "ec2": lambda w: _names(w.backend(PROD, "ec2").describe_vpcs()["Vpcs"], "VpcId"),
    "ecs": lambda w: sorted(w.backend(PROD, "ecs").list_clusters()["clusterArns"]),
}

# One write per service, as a client makes it.
WRITES: dict[str, Callable[[Any, World], Any]] = {
    "s3": lambda c, w: c.put_object(Bucket=BUCKET, Key="probe.txt", Body=b"probe"),
    "sqs": lambda c, w: c.send_message(QueueUrl=w.queue_url(PROD, "work"), MessageBody="probe"),
    "sns": lambda c, w: c.create_topic(Name="probe"),
    "iam": lambda c, w: c.create_user(UserName="probe"),
    "dynamodb": lambda c, w: c.put_item(TableName=TABLE, Item={"id": {"S": "probe"}}),
    "kms": lambda c, w: c.create_key(),
    "logs": lambda c, w: c.create_log_group(logGroupName="probe"),
    "secretsmanager": lambda c, w: c.create_secret(Name="probe", SecretString="s"),
    "lambda": lambda c, w: c.update_function_configuration(FunctionName=FUNCTION,
                                                           Description="probe"),
    "guardduty": lambda c, w: c.create_detector(Enable=True),
    "ec2": lambda c, w: c.create_vpc(CidrBlock="10.99.0.0/16"),
    "ecs": lambda c, w: c.create_cluster(clusterName="probe"),
}


def refused_write(world: World, service: str, made: Any) -> Any:
    """The ClientError of `service`'s write with client `made`, having checked that nothing was
    forwarded and the write's target is unchanged."""
    before = STATE[service](world)
    error = world.refused(lambda: WRITES[service](made, world))
    assert STATE[service](world) == before
    return error


def code_of(response: requests.Response) -> str:
    """The error code a raw response carries, read as the SDKs read it: x-amzn-query-error (a
    former query service), x-amzn-ErrorType, a JSON __type, or an XML <Code>."""
    if "x-amzn-query-error" in response.headers:
        return response.headers["x-amzn-query-error"].split(";")[0]
    if "x-amzn-errortype" in response.headers:
        return response.headers["x-amzn-errortype"].split(":")[0]
    text = response.content.decode("utf-8", "replace")
    if text.lstrip().startswith("{"):
        return str(json.loads(text).get("__type", "")).rsplit("#", 1)[-1]
    found = re.search(r"<Code>([^<]*)</Code>", text)
    return found.group(1) if found else ""


def assert_raw_refusal(world: World, response: requests.Response, code: str, status: int,
                       seen: int) -> None:
    assert (response.status_code, code_of(response)) == (status, code), response.text
    assert world.recorder.forwarded_since(seen) == [], "a refused request reached the backend"


# --------------------------------------------------------------------------- clock skew


# The request time must be within 15 minutes of AWS's (S3: RequestTimeTooSkewed; the query
# and JSON front end: "Signature expired" / "Signature not yet current").
# https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
SKEW = [
    ("s3", "RequestTimeTooSkewed", 403),
    ("sqs", "SignatureDoesNotMatch", 403),
    ("iam", "SignatureDoesNotMatch", 403),
    ("dynamodb", "InvalidSignatureException", 400),
    ("lambda", "InvalidSignatureException", 403),
    ("ec2", "RequestExpired", 400),
]


@pytest.mark.parametrize("minutes", [16, -16], ids=["late", "early"])
@pytest.mark.parametrize(("service", "code", "status"), SKEW, ids=[s[0] for s in SKEW])
def test_a_clock_skewed_beyond_15_minutes(
        landscape: World, root: Credential, skewed: Callable[[timedelta], None], minutes: int,
        service: str, code: str, status: int) -> None:
    skewed(timedelta(minutes=minutes))
    mark = landscape.mark()
    error = refused_write(landscape, service, client(landscape, root, service))
    got = error.response["Error"]
    assert (got["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    if service == "s3":
        assert got["Message"] == SKEWED
    elif service != "ec2":
        late = "Signature expired: " if minutes > 0 else "Signature not yet current: "
        assert got["Message"].startswith(late), got
    assert refusal(landscape, mark)["error_code"] == code


# --------------------------------------------------------------------------- replay


def test_a_replay_is_accepted_inside_the_window_and_refused_after(
        landscape: World, app: Credential, skewed: Callable[[timedelta], None]) -> None:
    """AWS keeps no record of the signatures it has seen: a signed request replayed while its
    time stamp is current is carried out again ("a request must reach AWS within five minutes
    of the time stamp", SQS: 15 minutes); after that it is refused.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-request-authentication.html
    """
    body = json.dumps({"QueueUrl": landscape.queue_url(PROD, "work"),
                       "MessageBody": "replayed"}).encode()
    request = sign(landscape, app, "sqs", "POST", "/", body, {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage",
        "x-amzn-query-mode": "true"})
    before = messages(landscape, "work")
    assert request.send().status_code == 200
    assert request.send().status_code == 200
    skewed(timedelta(minutes=14))
    assert request.send().status_code == 200
    assert messages(landscape, "work") == before + 3
    skewed(timedelta(minutes=16))
    seen = landscape.recorder.mark()
    late = request.send()
    assert_raw_refusal(landscape, late, "SignatureDoesNotMatch", 403, seen)
    assert b"Signature expired: " in late.content
    assert messages(landscape, "work") == before + 3


# --------------------------------------------------------------------------- tampering


def test_a_body_changed_after_signing(landscape: World, app: Credential) -> None:
    def tamper(request: AWSPreparedRequest) -> None:
        assert isinstance(request.body, bytes)
        request.body = request.body.replace(b'"signed"', b'"forged"')

    tampered = client(landscape, app, "dynamodb", tamper)
    error = landscape.refused(
        lambda: tampered.put_item(TableName=TABLE, Item={"id": {"S": "signed"}}))
    assert_error(error, "InvalidSignatureException", QUERY_SIGNATURE, 400)
    assert not item(landscape, "signed") and not item(landscape, "forged")
    client(landscape, app, "dynamodb").put_item(TableName=TABLE, Item={"id": {"S": "signed"}})
    assert item(landscape, "signed")  # the same call, unchanged, is carried out


def test_a_query_changed_after_signing(landscape: World, root: Credential) -> None:
    path = "/?Action=CreateUser&UserName=signed&Version=2010-05-08"
    request = sign(landscape, root, "iam", "GET", path)
    before = STATE["iam"](landscape)
    seen = landscape.recorder.mark()
    response = request.send(url=request.url.replace("UserName=signed", "UserName=forged"))
    assert_raw_refusal(landscape, response, "SignatureDoesNotMatch", 403, seen)
    assert b"<Message>" + QUERY_SIGNATURE.encode() + b"</Message>" in response.content
    assert STATE["iam"](landscape) == before
    assert request.send().status_code == 200  # the same call, unchanged, is carried out
    assert STATE["iam"](landscape) == sorted([*before, "signed"])


def test_a_host_changed_after_signing(landscape: World, app: Credential) -> None:
    request = sign(landscape, app, "s3", "PUT", f"/{BUCKET}/probe/host.txt", b"host")
    port = urlsplit(landscape.url).port
    seen = landscape.recorder.mark()
    response = request.send(headers={**request.headers, "Host": f"localhost:{port}"})
    assert_raw_refusal(landscape, response, "SignatureDoesNotMatch", 403, seen)
    assert b"<Message>" + S3_SIGNATURE.encode() + b"</Message>" in response.content
    assert "probe/host.txt" not in s3_objects(landscape, BUCKET)


def test_a_path_changed_after_signing(landscape: World, app: Credential) -> None:
    request = sign(landscape, app, "s3", "PUT", f"/{BUCKET}/probe/signed.txt", b"path")
    seen = landscape.recorder.mark()
    response = request.send(url=request.url.replace("signed.txt", "forged.txt"))
    assert_raw_refusal(landscape, response, "SignatureDoesNotMatch", 403, seen)
    objects = s3_objects(landscape, BUCKET)
    assert "probe/signed.txt" not in objects and "probe/forged.txt" not in objects


# --------------------------------------------------------------------------- presigned URLs


def test_a_presigned_url_expires(landscape: World, app: Credential,
                                 skewed: Callable[[timedelta], None]) -> None:
    url = client(landscape, app, "s3").generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "probe/expired.txt"}, ExpiresIn=60)
    skewed(timedelta(minutes=2))
    seen = landscape.recorder.mark()
    response = requests.put(url, data=b"late", timeout=30)
    assert_raw_refusal(landscape, response, "AccessDenied", 403, seen)
    assert b"<Message>Request has expired</Message>" in response.content
    assert "probe/expired.txt" not in s3_objects(landscape, BUCKET)


@pytest.mark.parametrize(("key", "original", "changed"), [
    ("probe/presigned-key.txt", "probe/presigned-key.txt", "probe/tampered.txt"),
    ("probe/presigned-expiry.txt", "X-Amz-Expires=60", "X-Amz-Expires=604800"),
], ids=["key", "expiry"])
def test_a_presigned_url_tampered_with(landscape: World, app: Credential, key: str,
                                       original: str, changed: str) -> None:
    url = client(landscape, app, "s3").generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=60)
    assert original in url
    seen = landscape.recorder.mark()
    response = requests.put(url.replace(original, changed), data=b"tampered", timeout=30)
    assert_raw_refusal(landscape, response, "SignatureDoesNotMatch", 403, seen)
    objects = s3_objects(landscape, BUCKET)
    assert key not in objects and "probe/tampered.txt" not in objects
    assert requests.put(url, data=b"in time", timeout=30).status_code == 200
    assert key in s3_objects(landscape, BUCKET)  # the URL as issued is good


# --------------------------------------------------------------------------- SigV2 and SigV4A


def _sigv2(world: World, credential: Credential, signer: Any, method: str, path: str,
           data: Any) -> requests.Response:
    """A request really signed with Signature Version 2 by botocore's signers."""
    form = isinstance(data, dict)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
    request = AWSRequest(method=method, url=world.url + path, data=data, headers=headers)
    signer(Credentials(credential.access_key_id, credential.secret_access_key)).add_auth(request)
    prepared = request.prepare()
    return requests.request(method, str(prepared.url), headers=dict(prepared.headers),
                            data=prepared.body, timeout=30)


def test_signature_version_2_on_s3(landscape: World, root: Credential) -> None:
    """S3 takes Signature Version 2 only for buckets created before 24 June 2020, in regions
    older than 2014; elsewhere it answers InvalidRequest.
    https://docs.aws.amazon.com/AmazonS3/latest/API/Appendix-Sigv2.html"""
    seen = landscape.recorder.mark()
    header = _sigv2(landscape, root, HmacV1Auth, "PUT", f"/{BUCKET}/probe/v2.txt", b"v2")
    assert_raw_refusal(landscape, header, "InvalidRequest", 400, seen)
    assert f"<Message>{S3_MECHANISM}</Message>".encode() in header.content
    query = _sigv2(landscape, root, lambda c: HmacV1QueryAuth(c, expires=60), "PUT",
                   f"/{BUCKET}/probe/v2.txt", b"v2")
    assert_raw_refusal(landscape, query, "InvalidRequest", 400, seen)
    assert "probe/v2.txt" not in s3_objects(landscape, BUCKET)


def test_signature_version_2_on_a_query_service(landscape: World, root: Credential) -> None:
    """Query APIs that still take Signature Version 2 verify it; the gateway verifies only
    SigV4, so it refuses even a correct SigV2 signature (IncompleteSignature, the front end's
    answer to a signature it cannot take) rather than pass it on unverified."""
    before = STATE["sns"](landscape)
    seen = landscape.recorder.mark()
    response = _sigv2(landscape, root, SigV2Auth, "POST", "/", {
        "Action": "CreateTopic", "Name": "v2", "Version": "2010-03-31"})
    assert_raw_refusal(landscape, response, "IncompleteSignature", 400, seen)
    assert STATE["sns"](landscape) == before


def _sigv4a(service: str) -> Callable[[AWSPreparedRequest], None]:
    """Re-label a request as signed with SigV4A (ECDSA P-256; no region in the scope, the
    regions in X-Amz-Region-Set). The gateway cannot verify such a signature, right or wrong.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html"""
    def relabel(request: AWSPreparedRequest) -> None:
        authorization = _authorization(request)
        credential = re.search(r"Credential=([^/]+)/([0-9]{8})/", authorization)
        assert credential is not None
        del request.headers["Authorization"]
        request.headers["X-Amz-Region-Set"] = "*"
        request.headers["Authorization"] = (
            f"AWS4-ECDSA-P256-SHA256 Credential={credential[1]}/{credential[2]}/{service}/"
            "aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, "
            "Signature=3045022100" + "ab" * 32 + "0220" + "cd" * 32)

    return relabel


@pytest.mark.parametrize(("service", "code", "status"), [
    ("s3", "InvalidRequest", 400),
    ("dynamodb", "IncompleteSignatureException", 400),
    ("sns", "IncompleteSignature", 400),
], ids=["s3", "dynamodb", "sns"])
def test_sigv4a_is_refused_not_passed_through(landscape: World, app: Credential, service: str,
                                              code: str, status: int) -> None:
    error = refused_write(landscape, service, client(landscape, app, service, _sigv4a(service)))
    assert (error.response["Error"]["Code"],
            error.response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    if service != "s3":
        assert error.response["Error"]["Message"] == (
            "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'.")


# --------------------------------------------------------------------------- credentials


@pytest.mark.parametrize(("service", "code", "status", "message"), [
    ("s3", "InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
    ("sqs", "InvalidClientTokenId", 403, INVALID_TOKEN),
    ("dynamodb", "UnrecognizedClientException", 400, INVALID_TOKEN),
    ("lambda", "UnrecognizedClientException", 403, INVALID_TOKEN),
], ids=["s3", "sqs", "dynamodb", "lambda"])
def test_the_session_token_of_another_session(landscape: World, app: Credential, service: str,
                                              code: str, status: int, message: str) -> None:
    other = landscape.session_of(arn_role(PROD, "app"), name="another-session")
    mixed = forged(app, session_token=str(other.session_token))
    error = refused_write(landscape, service, client(landscape, mixed, service))
    assert_error(error, code, message, status)


# Each service's answer to a signature its secret does not give: S3's SignatureDoesNotMatch,
# the query services' SignatureDoesNotMatch (SQS too, through x-amzn-query-error), the JSON
# services' InvalidSignatureException (400; REST-JSON 403), EC2's AuthFailure (401).
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
WRONG_SECRET = [
    ("s3", "SignatureDoesNotMatch", 403, S3_SIGNATURE),
    ("sqs", "SignatureDoesNotMatch", 403, QUERY_SIGNATURE),
    ("sns", "SignatureDoesNotMatch", 403, QUERY_SIGNATURE),
    ("iam", "SignatureDoesNotMatch", 403, QUERY_SIGNATURE),
    ("dynamodb", "InvalidSignatureException", 400, QUERY_SIGNATURE),
    ("kms", "InvalidSignatureException", 400, QUERY_SIGNATURE),
    ("logs", "InvalidSignatureException", 400, QUERY_SIGNATURE),
    ("secretsmanager", "InvalidSignatureException", 400, QUERY_SIGNATURE),
    ("ecs", "InvalidSignatureException", 400, QUERY_SIGNATURE),
    ("lambda", "InvalidSignatureException", 403, QUERY_SIGNATURE),
    ("guardduty", "InvalidSignatureException", 403, QUERY_SIGNATURE),
    ("ec2", "AuthFailure", 401, EC2_AUTH),
]


@pytest.mark.parametrize(("service", "code", "status", "message"), WRONG_SECRET,
                         ids=[w[0] for w in WRONG_SECRET])
def test_a_wrong_secret(landscape: World, root: Credential, service: str, code: str,
                        status: int, message: str) -> None:
    mark = landscape.mark()
    wrong = forged(root, secret_access_key="not-the-secret")
    error = refused_write(landscape, service, client(landscape, wrong, service))
    assert_error(error, code, message, status)
    assert refusal(landscape, mark)["error_code"] == code


# --------------------------------------------------------------------------- the header, read once


def _authorization(request: AWSPreparedRequest) -> str:
    value = request.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else str(value)


def _edit_authorization(edit: Callable[[str], str]) -> Callable[[AWSPreparedRequest], None]:
    def rewrite(request: AWSPreparedRequest) -> None:
        authorization = _authorization(request)
        del request.headers["Authorization"]
        request.headers["Authorization"] = edit(authorization)

    return rewrite


def _iam_scope(authorization: str) -> str:
    """The header's credential, scoped to IAM instead."""
    found = re.search(r"Credential=([^/]+)/([0-9]{8})/", authorization)
    assert found is not None
    return f"{found[1]}/{found[2]}/us-east-1/iam/aws4_request"


ALGORITHM = "AWS4-HMAC-SHA256 "
# Headers that verify (the signature does not cover the Authorization header) but that a second
# reader could take otherwise: moto finds the access key with a greedy expression and routes by
# the first comma-separated part.
ODD_HEADERS: dict[str, Callable[[str], str]] = {
    "lower-case credential first": lambda h: (
        f"{ALGORITHM}credential={_iam_scope(h)}, {h.removeprefix(ALGORITHM)}"),
    "credential twice": lambda h: f"{ALGORITHM}Credential={_iam_scope(h)}, "
                                  f"{h.removeprefix(ALGORITHM)}",
    "credential twice, last": lambda h: f"{h}, Credential={_iam_scope(h)}",
    "signature twice": lambda h: f"{h}, Signature={'0' * 64}",
    "lower-case signedheaders": lambda h: h.replace("SignedHeaders=", "signedheaders="),
    "unknown component": lambda h: f"{h}, Region=us-east-1",
    "empty component": lambda h: h.replace(", SignedHeaders", ",, SignedHeaders"),
    "trailing comma": lambda h: f"{h},",
    "tab after a comma": lambda h: h.replace(", SignedHeaders", ",\tSignedHeaders"),
    "two spaces after a comma": lambda h: h.replace(", SignedHeaders", ",  SignedHeaders"),
    "two spaces after the algorithm": lambda h: h.replace(ALGORITHM, ALGORITHM + " "),
    "algorithm twice": lambda h: ALGORITHM + h,
    "space around an equal sign": lambda h: h.replace("Signature=", "Signature = "),
}


@pytest.mark.parametrize("edit", list(ODD_HEADERS.values()), ids=list(ODD_HEADERS))
def test_an_authorization_header_that_could_be_read_two_ways(
        landscape: World, app: Credential, edit: Callable[[str], str]) -> None:
    made = client(landscape, app, "dynamodb", _edit_authorization(edit))
    error = refused_write(landscape, "dynamodb", made)
    got = error.response
    assert (got["Error"]["Code"], got["ResponseMetadata"]["HTTPStatusCode"]) == (
        "IncompleteSignatureException", 400)


@pytest.mark.parametrize(("service", "code", "status"), [
    ("s3", "AuthorizationHeaderMalformed", 400),
    ("sns", "IncompleteSignature", 400),
    ("sqs", "IncompleteSignature", 400),
    ("lambda", "IncompleteSignatureException", 403),
    ("ec2", "IncompleteSignature", 400),
], ids=["s3", "sns", "sqs", "lambda", "ec2"])
def test_an_odd_authorization_header_in_each_protocol(
        landscape: World, root: Credential, service: str, code: str, status: int) -> None:
    edit = ODD_HEADERS["lower-case credential first"]
    error = refused_write(landscape, service,
                          client(landscape, root, service, _edit_authorization(edit)))
    got = error.response
    assert (got["Error"]["Code"], got["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)


def test_the_probe_that_was_authorised_as_one_service_and_run_as_another(
        landscape: World, app: Credential) -> None:
    """identitystore:ListUsers with an IAM credential scope in front: verified for Identity
    Store, it was routed by moto to IAM."""
    edit = ODD_HEADERS["lower-case credential first"]
    made = client(landscape, app, "identitystore", _edit_authorization(edit))
    error = landscape.refused(lambda: made.list_users(IdentityStoreId="d-1234567890"))
    got = error.response
    assert (got["Error"]["Code"], got["ResponseMetadata"]["HTTPStatusCode"]) == (
        "IncompleteSignatureException", 400)


@pytest.mark.parametrize("edit", [
    lambda h: h,
    lambda h: h.replace(", ", ","),  # the documentation's own example has no spaces
], ids=["as botocore writes it", "without spaces"])
def test_the_one_layout_is_accepted(landscape: World, app: Credential,
                                    edit: Callable[[str], str]) -> None:
    made = client(landscape, app, "dynamodb", _edit_authorization(edit))
    made.put_item(TableName=TABLE, Item={"id": {"S": "layout"}})
    assert item(landscape, "layout")


# --------------------------------------------------------------------------- unsigned


def test_an_unsigned_call_to_lambda_is_refused_whatever_the_function_policy(
        landscape: World) -> None:
    """The function's policy lets Principal "*" read and reconfigure it; an unsigned request is
    still no principal at all. Lambda's front end answers it 403, in REST-JSON."""
    anonymous = client(landscape, None, "lambda")
    mark = landscape.mark()
    error = landscape.refused(lambda: anonymous.get_function(FunctionName=FUNCTION))
    assert_error(error, "MissingAuthenticationTokenException", "Missing Authentication Token",
                 403)
    error = refused_write(landscape, "lambda", anonymous)
    assert_error(error, "MissingAuthenticationTokenException", "Missing Authentication Token",
                 403)
    assert description(landscape) == "original"
    assert refusal(landscape, mark)["error_code"] == "MissingAuthenticationTokenException"


def test_an_unsigned_call_to_sqs_is_refused_whatever_the_queue_policy(landscape: World) -> None:
    """"If you submit a query request over HTTP or HTTPS, you must include a signature in every
    query request" — Principal "*" in a queue policy means any signed principal.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-request-authentication.html
    """
    before = messages(landscape, OPEN_QUEUE)
    error = landscape.refused(lambda: client(landscape, None, "sqs").send_message(
        QueueUrl=landscape.queue_url(PROD, OPEN_QUEUE), MessageBody="anonymous"))
    assert_error(error, "MissingAuthenticationToken", MISSING_TOKEN, 403)
    assert messages(landscape, OPEN_QUEUE) == before


def test_an_unsigned_call_to_dynamodb_is_refused(landscape: World) -> None:
    error = refused_write(landscape, "dynamodb", client(landscape, None, "dynamodb"))
    assert_error(error, "MissingAuthenticationTokenException", MISSING_TOKEN, 400)


def test_an_unsigned_call_to_s3_is_anonymous(landscape: World) -> None:
    """S3 alone serves anonymous requests, as far as its bucket policies allow: the public
    object is read; a write no policy allows is AccessDenied, and nothing is written.
    https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html"""
    anonymous = client(landscape, None, "s3")
    body = anonymous.get_object(Bucket="prod-public-assets", Key="public/logo.txt")["Body"]
    assert body.read() == b"content of public/logo.txt"
    error = refused_write(landscape, "s3", anonymous)
    assert_error(error, "AccessDenied", "Access Denied", 403)
