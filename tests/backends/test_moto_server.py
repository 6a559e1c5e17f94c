"""The embedded moto server: loopback (HTTP and HTTPS), start/stop without leftovers,
middleware, moto's bucket-policy check switched off, fixed account ids, snapshots; and an
enforcing server's readiness gate (nothing of moto's before ready, the health route)."""

from __future__ import annotations

import contextlib
import gc
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, SSLError

from harness.backends import ACCOUNT_EMAIL_TAG, ACCOUNT_ID_TAG, ACCOUNT_NAME_TAG
from harness.backends.localstack import LocalStack
from harness.backends.moto import MotoServer
from harness.backends.readiness import LandscapeInfo

pytestmark = pytest.mark.slow

REGION = "us-east-1"


@pytest.fixture
def server() -> Iterator[MotoServer]:
    with MotoServer() as running:
        yield running


def client(server: MotoServer, service: str, account_id: str | None = None) -> Any:
    """A client in `account_id` (through STS, as the seeder does), else moto's default account."""
    keys: dict[str, str] = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    if account_id is not None:
        sts = boto3.client("sts", region_name=REGION, endpoint_url=server.url, **keys)
        found = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/Admin", RoleSessionName="test"
        )["Credentials"]
        keys = {
            "aws_access_key_id": found["AccessKeyId"],
            "aws_secret_access_key": found["SecretAccessKey"],
            "aws_session_token": found["SessionToken"],
        }
    return boto3.client(service, region_name=REGION, endpoint_url=server.url, **keys)


# --------------------------------------------------------------------------- serving


def test_binds_loopback_only_on_a_free_port(server: MotoServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert server._server is not None
    host, port = server._server.socket.getsockname()[:2]
    assert host == "127.0.0.1"
    assert port != 0 and server.url.endswith(f":{port}")


def local_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (none on a machine without a network)."""
    found: set[str] = set()
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        found.update(str(info[4][0]) for info in infos)
    except OSError:
        pass
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks a route
        found.add(probe.getsockname()[0])
    return sorted(a for a in found if not a.startswith("127."))


def test_serves_https_beside_http_on_loopback_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    schemes: list[str] = []

    def recorder(app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            schemes.append(environ["wsgi.url_scheme"])
            return app(environ, start_response)

        return wrapped

    with MotoServer(tls_port=0, middleware=recorder) as server:
        assert server.https_url is not None and server.ca_bundle is not None
        assert server.https_url.startswith("https://127.0.0.1:")
        assert server.ca_bundle == tmp_path / "securecart" / "tls" / "ca.pem"
        ports = []
        for listening in (server._server, server._tls_server):
            assert listening is not None
            host, port = listening.socket.getsockname()[:2]
            assert host == "127.0.0.1"
            ports.append(port)
        for url in (server.url, server.https_url):
            sts = boto3.client("sts", region_name=REGION, endpoint_url=url,
                               aws_access_key_id="test", aws_secret_access_key="test",
                               verify=str(server.ca_bundle))
            assert sts.get_caller_identity()["Account"] == "123456789012"
        # The gateway reads aws:SecureTransport from the scheme.
        assert schemes == ["http", "https"]
        # Without the CA, the certificate is not trusted (it is the harness's own).
        untrusted = boto3.client("sts", region_name=REGION, endpoint_url=server.https_url,
                                 aws_access_key_id="test", aws_secret_access_key="test")
        with pytest.raises(SSLError):
            untrusted.get_caller_identity()
        # Nothing answers on this machine's other addresses.
        for address in local_addresses():
            for port in ports:
                with pytest.raises(OSError), socket.create_connection((address, port), 1):
                    pass
    for port in ports:
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass


def test_no_https_unless_asked(server: MotoServer) -> None:
    assert (server.https_url, server.ca_bundle) == (None, None)


def test_stop_closes_the_port_and_joins_the_thread() -> None:
    before = set(threading.enumerate())
    server = MotoServer().start()
    port = int(server.url.rsplit(":", 1)[1])
    client(server, "sts").get_caller_identity()
    server.stop()
    # The serving thread is joined; a request's thread ends right after its response.
    deadline = time.monotonic() + 2
    while not set(threading.enumerate()) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    server.stop()  # a second stop is harmless


def test_middleware_wraps_every_request_and_can_be_set_later() -> None:
    seen: list[str] = []

    def recorder(app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            seen.append(environ["PATH_INFO"])
            return app(environ, start_response)

        return wrapped

    with MotoServer(middleware=recorder) as server:
        client(server, "sts").get_caller_identity()
        assert seen == ["/"]
        server.set_middleware(None)
        client(server, "sts").get_caller_identity()
        assert seen == ["/"]
        server.set_middleware(recorder)
        client(server, "s3").list_buckets()
        assert seen == ["/", "/"]


# --------------------------------------------------------------------------- moto changes


def test_moto_no_longer_applies_bucket_policies_itself(server: MotoServer) -> None:
    """A policy denying everyone but orders-processor, and everyone without TLS, would make
    moto answer 403 to anyone; the harness's gateway decides instead."""
    s3 = client(server, "s3", "666666666666")
    s3.create_bucket(Bucket="customer-data")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::customer-data", "arn:aws:s3:::customer-data/*"],
                "Condition": {
                    "ArnNotEquals": {
                        "aws:PrincipalArn": "arn:aws:iam::666666666666:role/orders-processor"
                    }
                },
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::customer-data/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
    s3.put_bucket_policy(Bucket="customer-data", Policy=json.dumps(policy))
    s3.put_object(Bucket="customer-data", Key="order.json", Body=b"{}")
    assert s3.get_object(Bucket="customer-data", Key="order.json")["Body"].read() == b"{}"
    # Unsigned, as an anonymous caller the gateway let through (moto would answer 403).
    with urllib.request.urlopen(f"{server.url}/customer-data/order.json") as response:
        assert response.read() == b"{}"
    s3.delete_objects(Bucket="customer-data", Delete={"Objects": [{"Key": "order.json"}]})
    assert "Contents" not in s3.list_objects_v2(Bucket="customer-data")


def test_accounts_get_the_ids_names_and_emails_asked_for(server: MotoServer) -> None:
    org = client(server, "organizations", "111111111111")
    org.create_organization(FeatureSet="ALL")
    status = org.create_account(
        AccountName="dev",
        Email="dev@example.com",
        Tags=[{"Key": ACCOUNT_ID_TAG, "Value": "444444444444"}, {"Key": "team", "Value": "a"}],
    )["CreateAccountStatus"]
    assert status["AccountId"] == "444444444444"
    assert org.list_tags_for_resource(ResourceId="444444444444")["Tags"] == [
        {"Key": "team", "Value": "a"}
    ]
    # moto created the account's OrganizationAccountAccessRole under the asked-for id.
    role = client(server, "iam", "444444444444").get_role(RoleName="OrganizationAccountAccessRole")[
        "Role"
    ]
    assert role["Arn"] == "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"
    with pytest.raises(ClientError, match="DuplicateAccountException"):
        org.create_account(
            AccountName="dev2",
            Email="dev2@example.com",
            Tags=[{"Key": ACCOUNT_ID_TAG, "Value": "444444444444"}],
        )
    org.tag_resource(
        ResourceId="111111111111",
        Tags=[
            {"Key": ACCOUNT_NAME_TAG, "Value": "management"},
            {"Key": ACCOUNT_EMAIL_TAG, "Value": "root@example.com"},
        ],
    )
    management = org.describe_account(AccountId="111111111111")["Account"]
    assert (management["Name"], management["Email"]) == ("management", "root@example.com")
    assert org.describe_organization()["Organization"]["MasterAccountEmail"] == ("root@example.com")
    assert org.list_tags_for_resource(ResourceId="111111111111")["Tags"] == []
    # Without the tag, moto still draws a random id.
    other = org.create_account(AccountName="x", Email="x@example.com")["CreateAccountStatus"]
    assert other["AccountId"] not in {"111111111111", "444444444444"}


def test_aws_managed_policies_exist_in_every_account(server: MotoServer) -> None:
    iam = client(server, "iam", "222222222222")
    for arn in (
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ):
        assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn
    trust = {"Version": "2012-10-17", "Statement": []}
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")["Policy"]
    assert policy["AttachmentCount"] == 1
    other = client(server, "iam", "333333333333")
    assert other.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 0


def test_permission_sets_take_aws_managed_policies_outside_the_root_path(
    server: MotoServer,
) -> None:
    admin = client(server, "sso-admin", "111111111111")
    instance = admin.list_instances()["Instances"][0]["InstanceArn"]
    arn = admin.create_permission_set(InstanceArn=instance, Name="Audit")["PermissionSet"][
        "PermissionSetArn"
    ]
    admin.attach_managed_policy_to_permission_set(
        InstanceArn=instance,
        PermissionSetArn=arn,
        ManagedPolicyArn="arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    )
    with pytest.raises(ClientError, match="ResourceNotFound"):
        admin.attach_managed_policy_to_permission_set(
            InstanceArn=instance,
            PermissionSetArn=arn,
            ManagedPolicyArn="arn:aws:iam::aws:policy/ViewOnlyAccess",  # wrong path
        )


# --------------------------------------------------------------------------- state


def test_reset_returns_to_the_snapshot(server: MotoServer) -> None:
    s3 = client(server, "s3", "666666666666")
    s3.create_bucket(Bucket="kept")
    s3.put_object(Bucket="kept", Key="a", Body=b"1")
    server.snapshot()

    s3.delete_object(Bucket="kept", Key="a")
    s3.put_bucket_policy(
        Bucket="kept", Policy=json.dumps({"Version": "2012-10-17", "Statement": []})
    )
    s3.create_bucket(Bucket="added")
    client(server, "sqs", "777777777777").create_queue(QueueName="added")
    server.reset()

    s3 = client(server, "s3", "666666666666")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]
    assert s3.get_object(Bucket="kept", Key="a")["Body"].read() == b"1"
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="kept")
    assert "QueueUrls" not in client(server, "sqs", "777777777777").list_queues()

    server.reset()  # a snapshot serves any number of resets
    assert client(server, "s3", "666666666666").list_objects_v2(Bucket="kept")["KeyCount"] == 1


@pytest.mark.parametrize("budget, collected", [(10**12, False), (0, True)])
def test_a_replaced_state_waits_frozen_until_the_budget_then_is_collected(
        server: MotoServer, monkeypatch: pytest.MonkeyPatch, budget: int, collected: bool
) -> None:
    """The state a restore replaces is garbage in reference cycles: frozen with the rest until
    FROZEN_GARBAGE_BUDGET is reached (no collection walks it meanwhile), then freed."""
    from moto.s3.models import s3_backends

    from harness.backends import moto_snapshots

    client(server, "s3", "666666666666").create_bucket(Bucket="kept")
    buckets = s3_backends["666666666666"]["aws"].buckets
    buckets["kept"].itself = buckets["kept"]  # a reference cycle, as moto's models make
    server.snapshot()
    server.reset()  # the live bucket is now one a restore made
    monkeypatch.setattr(moto_snapshots, "FROZEN_GARBAGE_BUDGET", budget)
    bucket = weakref.ref(s3_backends["666666666666"]["aws"].buckets["kept"])
    server.reset()
    gc.collect()  # a collection of its own would not free a frozen cycle
    assert (bucket() is None) is collected
    assert s3_backends["666666666666"]["aws"].buckets["kept"] is not bucket()


def test_reset_without_snapshot_and_clear_empty_the_backend(server: MotoServer) -> None:
    client(server, "s3", "666666666666").create_bucket(Bucket="gone")
    server.reset()
    assert client(server, "s3", "666666666666").list_buckets()["Buckets"] == []
    client(server, "s3", "666666666666").create_bucket(Bucket="gone")
    server.snapshot()
    server.clear()
    server.reset()  # clear() forgot the snapshot
    assert client(server, "s3", "666666666666").list_buckets()["Buckets"] == []


def test_listeners_hear_of_every_reset_and_whether_it_restored(server: MotoServer) -> None:
    heard: list[bool] = []
    server.on_reset(heard.append)
    server.reset()  # no snapshot yet: emptied
    server.snapshot()
    server.reset()
    server.clear()
    assert heard == [False, True, False]


def test_clearing_forgets_organisation_memberships() -> None:
    """moto's own reset keeps Organizations' member → management map; an emptied backend must
    let a former member account start an organisation of its own."""
    from harness.gateway.backend import BackendAccess

    server = MotoServer()
    server.clear()
    access = BackendAccess(server.wsgi_app)
    management, member = "100000000001", "200000000002"
    organizations = access.client(management, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    organizations.create_account(
        AccountName="member", Email="member@example.com",
        Tags=[{"Key": ACCOUNT_ID_TAG, "Value": member}])
    server.clear()
    fresh = BackendAccess(server.wsgi_app)
    created = fresh.client(member, "organizations").create_organization(FeatureSet="ALL")
    assert created["Organization"]["MasterAccountId"] == member
    server.clear()


# --------------------------------------------------------------------------- enforcing


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a plain request, whatever the status."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def unavailable_error(call: Any) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value


@pytest.fixture
def enforcing() -> Iterator[MotoServer]:
    with MotoServer(enforcing=True) as running:
        yield running


def no_retries(server: MotoServer, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=server.url,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"total_max_attempts": 1}))


# Every protocol family, each with a call moto would answer 200 to any key.
PROTOCOL_CALLS = {
    "sts": lambda c: c.get_caller_identity(),            # query
    "s3": lambda c: c.list_buckets(),                    # rest-xml
    "ec2": lambda c: c.describe_volumes(),               # ec2
    "dynamodb": lambda c: c.list_tables(),               # json
    "sqs": lambda c: c.list_queues(),                    # json, query-compatible
    "lambda": lambda c: c.list_functions(),              # rest-json, a GET without a body
    "cloudwatch": lambda c: c.list_metrics(),            # smithy-rpc-v2-cbor
}


@pytest.mark.parametrize("service", sorted(PROTOCOL_CALLS))
def test_before_ready_every_sdk_reads_service_unavailable(
        enforcing: MotoServer, service: str) -> None:
    error = unavailable_error(lambda: PROTOCOL_CALLS[service](no_retries(enforcing, service)))
    assert error.response["Error"]["Code"] == "ServiceUnavailable"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert "/_securecart/health" in error.response["Error"]["Message"]


def test_the_sdk_retries_service_unavailable(enforcing: MotoServer) -> None:
    sts = boto3.client("sts", region_name=REGION, endpoint_url=enforcing.url,
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    error = unavailable_error(sts.get_caller_identity)
    assert error.response["ResponseMetadata"]["RetryAttempts"] == 1


def test_before_ready_nothing_reaches_moto_not_even_its_admin_api(
        enforcing: MotoServer) -> None:
    for path in ("/moto-api/data.json", "/", "/some-bucket"):
        status, headers, body = get(f"{enforcing.url}{path}")
        assert (status, headers["x-amzn-ErrorType"]) == (503, "ServiceUnavailable"), path
        assert b"<Code>ServiceUnavailable</Code>" in body
    status, _, _ = get(f"{enforcing.url}/moto-api/reset", method="POST")
    assert status == 503


def test_the_health_route_says_what_the_server_is_doing(enforcing: MotoServer) -> None:
    status, headers, body = get(f"{enforcing.url}/_securecart/health")
    assert (status, headers["Content-Type"]) == (503, "application/json")
    health = json.loads(body)
    assert health["status"] == "starting" and health["ready"] is False
    assert health["backend"]["name"] == "moto" and health["backend"]["version"][0].isdigit()
    assert health["gateway"] == {"enforcing": False}
    assert get(f"{enforcing.url}/_securecart/health", method="HEAD")[2] == b""
    assert get(f"{enforcing.url}/_securecart/health", method="POST")[0] == 405


@pytest.mark.parametrize("path", [
    "/_securecart", "/_securecart/", "/_securecart/state/reset", "/_securecart/seed/0000",
    "//_securecart/state/reset", "/_SecureCart/health", "/x/../_securecart/health",
    "/_securecart/health/", "/%5Fsecurecart/state/reset",
])
def test_no_other_harness_route(enforcing: MotoServer, path: str) -> None:
    status, headers, body = get(f"{enforcing.url}{path}", method="POST")
    assert (status, headers["x-amzn-ErrorType"]) == (403, "AccessDenied")
    assert b"Not a route of the harness endpoint" in body


def test_the_seeder_alone_reaches_moto_while_seeding(enforcing: MotoServer) -> None:
    with enforcing._seeder_url() as url:
        assert url.startswith(f"{enforcing.url}/_securecart/seed/")
        seeder = boto3.client("s3", region_name=REGION, endpoint_url=url,
                              aws_access_key_id="test", aws_secret_access_key="test")
        seeder.create_bucket(Bucket="seeded")
        seeder.put_object(Bucket="seeded", Key="a b/c%2Fd.json", Body=b"1")
        assert seeder.get_object(Bucket="seeded", Key="a b/c%2Fd.json")["Body"].read() == b"1"
        sts = boto3.client("sts", region_name=REGION, endpoint_url=url,
                           aws_access_key_id="test", aws_secret_access_key="test")
        assert sts.get_caller_identity()["Account"] == "123456789012"
        # Everyone else still gets 503; a wrong pass is refused.
        code = unavailable_error(no_retries(enforcing, "s3").list_buckets).response["Error"]
        assert code["Code"] == "ServiceUnavailable"
        token = url.rsplit("/", 1)[1]
        forged = f"{enforcing.url}/_securecart/seed/{token[:-1]}{'0' if token[-1] != '0' else '1'}"
        assert get(f"{forged}/seeded")[0] == 403
    # The pass ends with the block.
    assert get(f"{url}/seeded")[0] == 403
    with pytest.raises(ClientError, match="AccessDenied"):
        seeder.list_buckets()


def test_the_enforcing_slot_never_holds_moto(enforcing: MotoServer) -> None:
    with pytest.raises(ValueError, match="never moto itself"):
        enforcing.set_middleware(None)
    with pytest.raises(RuntimeError, match="no gateway"):
        enforcing.readiness.ready()  # never ready with nothing in front
    seen: list[str] = []

    def gateway(app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            seen.append(environ["PATH_INFO"])
            return app(environ, start_response)

        return wrapped

    enforcing.set_middleware(gateway)
    assert enforcing.readiness.health.enforcing
    # In front, but not yet ready: still 503, and the gateway is not asked.
    assert get(f"{enforcing.url}/")[0] == 503 and seen == []
    enforcing.readiness.seeding(LandscapeInfo("test", "/nowhere"))
    enforcing.readiness.ready()
    status, _, body = get(f"{enforcing.url}/_securecart/health")
    health = json.loads(body)
    assert (status, health["status"], health["gateway"]) == (200, "ready", {"enforcing": True})
    assert health["landscape"] == {"name": "test", "path": "/nowhere"}
    assert health["seconds_to_ready"] >= 0
    assert no_retries(enforcing, "sts").get_caller_identity()["Account"] == "123456789012"
    assert seen == ["/"]
    # The health route and refusals stay the harness's own, not the gateway's.
    assert get(f"{enforcing.url}/_securecart/state/reset")[0] == 403 and seen == ["/"]
    with pytest.raises(RuntimeError, match="ready"):
        enforcing.readiness.seeding(LandscapeInfo("again", "/nowhere"))


def test_a_failure_is_reported_without_secrets(enforcing: MotoServer) -> None:
    enforcing.readiness.failed(
        "seeding account prod: Could not connect to the endpoint URL: "
        "http://127.0.0.1:1/_securecart/seed/0123456789abcdef/ with key AKIAABCDEFGHIJKLMNOP")
    status, _, body = get(f"{enforcing.url}/_securecart/health")
    health = json.loads(body)
    assert (status, health["status"], health["ready"]) == (503, "failed", False)
    assert health["reason"] == ("seeding account prod: Could not connect to the endpoint URL: "
                                "http://127.0.0.1:1/_securecart/seed/…/ with key …")
    error = unavailable_error(no_retries(enforcing, "sts").get_caller_identity)
    assert "failed to start" in error.response["Error"]["Message"]


class _Answers200(BaseHTTPRequestHandler):
    """A stand-in LocalStack: 200 to anything, and remembers what it was asked."""

    def _answer(self) -> None:
        self.server.asked.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _StandIn(LocalStack):
    def __init__(self, url: str) -> None:
        self.url = url

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def describe(self) -> str:
        return "a stand-in LocalStack"


def test_the_localstack_backend_is_gated_too() -> None:
    """LocalStack community decides nothing: before ready, nothing reaches it through the
    harness; and its launcher's state routes never do."""
    from harness.backends.composite import LocalStackServer
    from harness.backends.localstack import LOCALSTACK_VERSION

    localstack = ThreadingHTTPServer(("127.0.0.1", 0), _Answers200)
    localstack.asked = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=localstack.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        stand_in = _StandIn(f"http://127.0.0.1:{localstack.server_address[1]}")
        with LocalStackServer(stand_in, enforcing=True) as server:
            error = unavailable_error(no_retries(server, "s3").list_buckets)
            assert error.response["Error"]["Code"] == "ServiceUnavailable"
            assert get(f"{server.url}/_securecart/state/reset", method="POST")[0] == 403
            health = json.loads(get(f"{server.url}/_securecart/health")[2])
            assert health["backend"] == {"name": "localstack", "version": LOCALSTACK_VERSION}
        assert localstack.asked == []  # type: ignore[attr-defined]
        # The stand-in does answer: it is the gate that kept the requests away.
        assert get(f"{stand_in.url}/_securecart/state/reset", method="POST")[0] == 200
    finally:
        localstack.shutdown()
        localstack.server_close()
        thread.join()
