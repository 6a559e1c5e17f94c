"""The running harness in one object: moto seeded with the landscape, behind the enforcing
gateway, on loopback over HTTP and HTTPS; who acts in it (roots, administrators, services,
people), and reset to the seeded state."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from harness.gateway.decision_log import DecisionLog, policies_path
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType
from harness.identity import Credentials
from harness.identity.callers import Callers
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.stack import Stack, landscape_services

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

pytestmark = pytest.mark.slow

CUSTOMER_DATA = "securecart-prod-customer-data"
ADMIN_SESSION = "assumed-role/OrganizationAccountAccessRole/securecart-admin"


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape()


class BackendRequests:
    """`backend_middleware`: the paths of the requests that reach moto behind the gateway."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        def seen(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            self.paths.append(environ.get("PATH_INFO", ""))
            return app(environ, start_response)

        return seen


@pytest.fixture(scope="module")
def backend_requests() -> BackendRequests:
    return BackendRequests()


@pytest.fixture(scope="module")
def stack(landscape: Landscape, tmp_path_factory: pytest.TempPathFactory,
          backend_requests: BackendRequests) -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
        log = tmp_path_factory.mktemp("log") / "decisions.jsonl"
        with Stack(landscape, log_path=log, backend_middleware=backend_requests.wrap) as running:
            yield running


def refused(call: Any) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value


def arn_of(stack: Stack, credentials: Any) -> str:
    arn: str = stack.client("sts", credentials).get_caller_identity()["Arn"]
    return arn


# --------------------------------------------------------------------------- where


def test_https_and_http_on_loopback_only(stack: Stack) -> None:
    assert stack.url.startswith("https://127.0.0.1:")
    assert stack.http_url.startswith("http://127.0.0.1:")
    assert stack.ca_bundle is not None and stack.ca_bundle.is_file()
    for listening in (stack.server._server, stack.server._tls_server):
        assert listening is not None
        assert listening.socket.getsockname()[0] == "127.0.0.1"


def test_secure_transport_is_what_the_client_used(stack: Stack) -> None:
    """The customer-data bucket denies aws:SecureTransport "false": HTTPS lists, HTTP is
    refused by the bucket policy's DenyInsecureTransport."""
    admin = stack.administrator("prod")
    assert stack.client("s3", admin).list_objects_v2(Bucket=CUSTOMER_DATA)["KeyCount"] == 0
    position = stack.log_position()
    error = refused(lambda: stack.client("s3", admin, secure=False).list_objects_v2(
        Bucket=CUSTOMER_DATA))
    assert error.response["Error"]["Code"] == "AccessDenied"
    [decision] = stack.decisions_since(position)
    assert decision["decision"] == "explicitDeny"
    assert [s["statement"] for s in decision["deciding"]] == ["DenyInsecureTransport"]


def test_the_decision_log_is_written_with_its_policy_table(stack: Stack) -> None:
    assert stack.log.path is not None
    stack.client("sts", stack.administrator("prod")).get_caller_identity()
    stack.client("s3", stack.administrator("prod")).list_buckets()
    lines = stack.log.path.read_text().splitlines()
    assert len(lines) == stack.log_position()
    # Every policy a record names is in the table beside the log (as `securecart up
    # --decision-log` leaves it for a reader), as JSON text that parses to a policy again.
    table = {entry["digest"]: entry["policy"] for entry in map(
        json.loads, policies_path(stack.log.path).read_text().splitlines())}
    named = {digest for line in lines
             for level in (json.loads(line).get("policy_set") or {}).get("scps") or ()
             for digest in level}
    assert named and named <= table.keys()
    for digest in named:
        entry = table[digest]
        assert parse_policy(entry["document"], PolicyType(entry["type"]), entry["name"])


def test_a_stack_keeps_the_decision_log_it_is_given(landscape: Landscape,
                                                    tmp_path: Any) -> None:
    log = DecisionLog()
    assert Stack(landscape, log=log).log is log
    with pytest.raises(ValueError, match="not both"):
        Stack(landscape, log=log, log_path=tmp_path / "decisions.jsonl")


def test_the_backend_middleware_sees_what_the_gateway_reads_and_forwards(
        stack: Stack, backend_requests: BackendRequests) -> None:
    stack.gateway.backend_state.invalidate()
    before = len(backend_requests.paths)
    admin = stack.client("s3", stack.administrator("dev"))
    admin.list_objects_v2(Bucket="securecart-dev-artifacts")
    seen = backend_requests.paths[before:]
    # The gateway's reads of the world (the bucket policy among them), then the request it
    # forwarded.
    assert len(seen) > 1
    assert seen[-1] == "/securecart-dev-artifacts"


def get(stack: Stack, url: str) -> tuple[int, bytes]:
    """Status and body of a plain GET (HTTPS verified with the stack's CA), whatever the
    status."""
    context = ssl.create_default_context(cafile=str(stack.ca_bundle))
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_health_route_answers_ready_on_both_endpoints(stack: Stack,
                                                          landscape: Landscape) -> None:
    for endpoint in (stack.url, stack.http_url):
        status, body = get(stack, f"{endpoint}/_securecart/health")
        health = json.loads(body)
        assert (status, health["status"], health["ready"]) == (200, "ready", True)
        assert health["backend"]["name"] == "moto"
        assert health["landscape"] == {"name": landscape.name,
                                       "path": str(landscape.directory.resolve())}
        assert health["gateway"] == {"enforcing": True}
        assert health == stack.health.to_json()


def test_the_health_route_tells_no_secret(stack: Stack, landscape: Landscape) -> None:
    _, body = get(stack, f"{stack.http_url}/_securecart/health")
    text = body.decode()
    callers = stack.callers()
    held = [*callers.roots.values(), *callers.services.values(), *callers.sessions.values()]
    backend = [stack.gateway.access.key(account.account_id) for account in landscape.accounts]
    known = {c.access_key_id for c in held} | {c.secret_access_key for c in held}
    known |= {k.access_key_id for k in backend} | {k.secret_access_key for k in backend}
    assert len(known) > 2 * len(landscape.accounts)
    assert not [secret for secret in known if secret in text]
    assert "/_securecart/seed/" not in text


def test_the_seeders_pass_is_refused_once_open(stack: Stack) -> None:
    """The seeder reached moto over the socket with a pass in its URL, during seeding only."""
    seeder_url = stack.seeded.endpoint_url
    assert seeder_url.startswith(f"{stack.http_url}/_securecart/seed/")
    for path in ("", "/securecart-dev-artifacts", "/moto-api/data.json"):
        status, body = get(stack, f"{seeder_url}{path}")
        assert status == 403 and b"Not a route of the harness endpoint" in body
    error = refused(lambda: stack.seeded.client("prod", "s3").list_buckets())
    assert error.response["Error"]["Code"] == "AccessDenied"


def test_an_endpoint_opens_only_once_started(landscape: Landscape) -> None:
    with pytest.raises(RuntimeError, match="not running"):
        Stack(landscape).open_endpoint()


# --------------------------------------------------------------------------- who


def test_root_users(stack: Stack) -> None:
    management, prod = stack.root("management"), stack.root("prod")
    assert management.arn == "arn:aws:iam::111111111111:root"
    assert stack.root("111111111111") is management
    stack.client("s3", management).list_buckets()  # SCPs do not apply to the management account
    error = refused(lambda: stack.client("s3", prod).list_buckets())
    # The SCP deny-root-user (AWS's message names the policy, the decision log the statement).
    assert "with an explicit deny in a service control policy: arn:aws:organizations::" \
        in str(error)


def test_administrators(stack: Stack, landscape: Landscape) -> None:
    for account in landscape.accounts:
        admin = stack.administrator(account.name)
        if account.external or account.name == "management":
            assert admin.arn == account.root_arn
            assert admin.session_token is None
        else:
            assert admin.arn == f"arn:aws:sts::{account.account_id}:{ADMIN_SESSION}"
        assert arn_of(stack, admin) == admin.arn


def test_an_administrator_is_bound_by_the_scps(stack: Stack) -> None:
    dynamodb = stack.client("dynamodb", stack.administrator("prod"))
    error = refused(lambda: dynamodb.delete_table(TableName="orders"))
    assert "with an explicit deny in a service control policy" in str(error)
    assert dynamodb.describe_table(TableName="orders")["Table"]["TableName"] == "orders"


def test_services(stack: Stack, landscape: Landscape) -> None:
    prod = landscape.account("prod").account_id
    function = f"arn:aws:lambda:us-east-1:{prod}:function:orders-processor"
    assert ("lambda.amazonaws.com", prod, function) in landscape_services(landscape)
    lambda_ = stack.service("lambda.amazonaws.com", "prod", function)
    assert stack.service("lambda.amazonaws.com", prod, function) is lambda_
    sts = stack.client("sts", lambda_)
    issued = sts.assume_role(RoleArn=f"arn:aws:iam::{prod}:role/orders-processor",
                             RoleSessionName="orders-processor")
    assert issued["AssumedRoleUser"]["Arn"].endswith("orders-processor/orders-processor")


def test_people_and_workloads_through_the_gateway(stack: Stack) -> None:
    alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
    s3 = stack.client("s3", alice)
    s3.list_objects_v2(Bucket="securecart-dev-artifacts")
    assert "AccessDenied" in str(refused(lambda: s3.put_object(
        Bucket="securecart-dev-artifacts", Key="x", Body=b"1")))
    deploy = stack.assume("DeployRole", "prod", as_="shared-services:ci-deployer")
    assert deploy.credentials.arn.startswith("arn:aws:sts::666666666666:assumed-role/DeployRole/")
    vendor = stack.role_session("vendor", "vendor-integration")
    assert vendor.arn == (
        "arn:aws:sts::999999999999:assumed-role/vendor-integration/securecart-vendor"
    )
    assert arn_of(stack, vendor) == vendor.arn


def test_only_the_orders_lambda_reads_customer_data(stack: Stack) -> None:
    """Set up on the backend itself, then decided by the gateway: the bucket policy lets only
    orders-processor read, and only over HTTPS."""
    stack.backend("prod", "s3").put_object(Bucket=CUSTOMER_DATA, Key="customers/0001.json",
                                           Body=b"{}", ServerSideEncryption="AES256")
    processor = stack.assume("orders-processor", "prod").credentials
    read = {"Bucket": CUSTOMER_DATA, "Key": "customers/0001.json"}
    assert stack.client("s3", processor).get_object(**read)["Body"].read() == b"{}"
    over_http = refused(lambda: stack.client("s3", processor, secure=False).get_object(**read))
    assert "explicit deny in a resource-based policy" in str(over_http)
    admin = refused(lambda: stack.client("s3", stack.administrator("prod")).get_object(**read))
    assert "explicit deny in a resource-based policy" in str(admin)


def test_backend_writes_are_seen_by_the_gateway_at_once(stack: Stack) -> None:
    admin = stack.client("s3", stack.administrator("dev"))
    admin.list_objects_v2(Bucket="securecart-dev-artifacts")  # the gateway reads the policy
    deny = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Closed", "Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::securecart-dev-artifacts"}]})
    stack.backend("dev", "s3").put_bucket_policy(Bucket="securecart-dev-artifacts", Policy=deny)
    assert "explicit deny in a resource-based policy" in str(
        refused(lambda: admin.list_objects_v2(Bucket="securecart-dev-artifacts")))
    stack.reset()
    admin.list_objects_v2(Bucket="securecart-dev-artifacts")


def test_callers_round_trip_as_json(stack: Stack) -> None:
    callers = stack.callers()
    assert Callers.from_json(callers.to_json(), missing=callers.missing) == callers
    assert len(callers.roots) == len(stack.landscape.accounts)


# --------------------------------------------------------------------------- reset


def test_reset_returns_to_the_seeded_state(stack: Stack) -> None:
    admin = stack.administrator("dev")
    stack.client("s3", admin).create_bucket(Bucket="scenario-scratch")
    alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
    outsider = stack.root("123456789012")
    position = stack.log_position()

    stack.reset()

    # The backend: what the scenario made is gone.
    buckets = stack.client("s3", stack.administrator("dev")).list_buckets()["Buckets"]
    assert "scenario-scratch" not in {b["Name"] for b in buckets}
    # The credential store: sessions the scenario obtained are forgotten, as AWS never issued
    # them; root users, services and administrators are still there.
    error = refused(lambda: stack.client("sts", alice).get_caller_identity())
    assert error.response["Error"]["Code"] == "InvalidClientTokenId"
    assert arn_of(stack, admin) == admin.arn
    assert arn_of(stack, outsider) == "arn:aws:iam::123456789012:root"
    # Decisions are right after a reset: the gateway's view of the world was dropped, and its
    # own backend keys still work.
    alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
    stack.client("s3", alice).list_objects_v2(Bucket="securecart-dev-artifacts")
    assert "AccessDenied" in str(refused(lambda: stack.client("s3", alice).put_object(
        Bucket="securecart-dev-artifacts", Key="x", Body=b"1")))
    # The decision log is kept.
    assert stack.log_position() > position


def test_a_policy_change_is_undone_by_reset(stack: Stack) -> None:
    """A scenario that loosens a policy leaves the next one the seeded policy (and the
    gateway does not decide from a cached copy of the changed one)."""
    alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
    s3 = stack.client("s3", alice)
    s3.list_objects_v2(Bucket="securecart-dev-artifacts")
    management = stack.client("organizations", stack.root("management"))
    scps = management.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    deny_all = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*",' \
        '"Resource":"*"}]}'
    policy = management.create_policy(Name="deny-s3", Description="", Content=deny_all,
                                      Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]
    management.attach_policy(PolicyId=policy["Id"], TargetId="444444444444")
    assert "AccessDenied" in str(refused(lambda: s3.list_objects_v2(
        Bucket="securecart-dev-artifacts")))
    stack.reset()
    alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
    stack.client("s3", alice).list_objects_v2(Bucket="securecart-dev-artifacts")
    after = stack.client("organizations", stack.root("management"))
    assert after.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] == scps


def test_what_the_gateway_read_at_the_seeded_state_serves_again_after_a_reset(
        stack: Stack, backend_requests: BackendRequests) -> None:
    """A restore returns the backend to the seeded state byte for byte: what the gateway read
    there holds again, and is not read through the APIs once more."""
    def alice_lists() -> None:
        alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
        stack.client("s3", alice).list_objects_v2(Bucket="securecart-dev-artifacts")

    stack.gateway.written = True
    stack.reset()
    alice_lists()  # reads what it needs at the seeded state
    stack.client("s3", stack.administrator("dev")).create_bucket(Bucket="scenario-scratch-2")
    alice_lists()  # after a write: read again, and not kept for the seeded state
    stack.reset()
    before = len(backend_requests.paths)
    alice_lists()
    # Only the two forwarded requests (the sign-in's AssumeRoleWithSAML, the listing).
    assert backend_requests.paths[before:] == ["/", "/securecart-dev-artifacts"]


# --------------------------------------------------------------------------- stopping


def test_stop_leaves_nothing_behind(landscape: Landscape, tmp_path_factory: Any) -> None:
    before = set(threading.enumerate())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
        stack = Stack(landscape).start()
    ports = [int(url.rsplit(":", 1)[1]) for url in (stack.url, stack.http_url)]
    stack.client("sts", stack.root("management")).get_caller_identity()
    stack.stop()
    deadline = time.monotonic() + 2
    while not set(threading.enumerate()) <= before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert set(threading.enumerate()) <= before
    for port in ports:
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    stack.stop()  # a second stop is harmless
    with pytest.raises(RuntimeError, match="a stack runs once"):
        stack.start()


def test_credentials_of_a_root_user_are_long_term(stack: Stack) -> None:
    root = stack.administrator("management")
    assert isinstance(root, Credentials)
    assert root.process_output() == {
        "Version": 1, "AccessKeyId": root.access_key_id, "SecretAccessKey": root.secret_access_key
    }
