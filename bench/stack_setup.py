"""The SecureCart landscape in moto with the enforcing gateway in front, and personas signed in:
the shared setup of `bench.endpoint` and the gateway's concurrency test.

    with start_stack() as stack:              # moto seeded, gateway installed, personas ready
        s3 = stack.client("alice", "s3")      # a boto3 client through the endpoint
        stack.direct()                        # serve moto itself (no gateway) ...
        stack.enforce()                       # ... and the gateway again

Personas (every one a credential both the gateway and moto know, except the root users, which
the gateway mints and moto never sees):

    alice        Identity Center DeveloperReadOnly in dev, signed in with MFA
    dave         the same permission set, signed in without MFA (every action denied)
    bob          SecurityAudit in prod, with MFA
    carol        Admin in prod, with MFA
    orders-api   the orders API's ECS task role session in prod (as ECS would obtain it)
    root:<name>  an account's root user (management, prod, vendor)

Every request a client makes carries the header `x-bench-call-id` when the caller asks for one
(`call_id`), and the decision log (`TaggedLog`) remembers, for each record, the call id of the
request being handled in the same server thread: which decisions each client call caused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from harness.backends.moto import MotoServer
from harness.gateway.app import EnforcingGateway, GatewayConfig
from harness.gateway.credentials import Credential, CredentialStore, SessionContext
from harness.gateway.decision_log import DecisionLog, Entry
from harness.iam.context import PrincipalKind
from harness.identity.login import login
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from harness.landscape.model import Landscape
    from harness.seed import SeededLandscape

DEFAULT_LANDSCAPE: Path = DEFAULT_DIRECTORY
CALL_ID_HEADER = "x-bench-call-id"
_CALL_ID_ENVIRON = "HTTP_X_BENCH_CALL_ID"
# One attempt: a retry would hide a 5xx or a dropped connection.
CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60,
                       max_pool_connections=4)

# (persona, account, permission set, MFA) signed in through the IdP.
LOGINS: tuple[tuple[str, str, str, bool], ...] = (
    ("alice", "dev", "DeveloperReadOnly", True),
    ("dave", "dev", "DeveloperReadOnly", False),
    ("bob", "prod", "SecurityAudit", True),
    ("carol", "prod", "Admin", True),
)
ROOTS = ("management", "prod", "vendor")
SERVICE_SESSIONS: tuple[tuple[str, str, str], ...] = (("orders-api", "prod", "orders-api"),)
"""(persona, account, role) sessions a service obtains for its workload."""

# Objects and items the calls read, put in place while moto is served directly.
SEED_OBJECTS: tuple[tuple[str, str, str], ...] = (
    ("dev", "securecart-dev-artifacts", "builds/app-1.0.zip"),
    ("prod", "securecart-prod-customer-data", "customers/c-1.json"),
)
ORDER_ITEM = {"order_id": {"S": "o-1"}, "created_at": {"S": "2026-11-01T00:00:00Z"},
              "total": {"N": "42"}}


# --------------------------------------------------------------------------- the call tags

_current = threading.local()
"""The call id of the request this server thread is handling."""


class TaggedLog(DecisionLog):
    """The decision log, remembering for each record the call id of the request that caused it
    (None: no call id, e.g. sign-ins and setup)."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path)
        self._tag_lock = threading.Lock()
        self._tagged: list[tuple[str | None, dict[str, Any]]] = []

    def append(self, entry: Entry) -> dict[str, Any]:
        record = super().append(entry)
        call_id: str | None = getattr(_current, "call_id", None)
        with self._tag_lock:
            self._tagged.append((call_id, record))
        return record

    def tagged(self) -> list[tuple[str | None, dict[str, Any]]]:
        with self._tag_lock:
            return list(self._tagged)

    def mark(self) -> int:
        with self._tag_lock:
            return len(self._tagged)


class CallTagger:
    """WSGI middleware: makes the request's call id known to `TaggedLog` in this thread."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        _current.call_id = environ.get(_CALL_ID_ENVIRON)
        try:
            # Handled whole here (the gateway answers a list), so that every decision is
            # made while the tag is set.
            return list(self.app(environ, start_response))
        finally:
            _current.call_id = None


class BackendCounter:
    """WSGI middleware between the gateway and moto: counts the gateway's own reads of the
    backend (in-process requests, which have no client socket: no REMOTE_PORT)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self.reads = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        if "REMOTE_PORT" not in environ:
            with self._lock:
                self.reads += 1
        return self.app(environ, start_response)

    def take(self) -> int:
        with self._lock:
            taken, self.reads = self.reads, 0
        return taken


# --------------------------------------------------------------------------- the stack


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    known_to_backend: bool = True
    """False for the gateway's root users: straight to moto they would land in its default
    account."""


@dataclass
class Stack:
    server: MotoServer
    gateway: EnforcingGateway
    backend_reads: BackendCounter
    log: TaggedLog
    landscape: Landscape
    seeded: SeededLandscape
    personas: dict[str, Persona] = field(default_factory=dict)
    wrap: Callable[[WSGIApplication], WSGIApplication] | None = None
    """Extra middleware served outermost in both modes (timing, profiling)."""

    @property
    def url(self) -> str:
        return self.server.url

    def account_id(self, name: str) -> str:
        return self.landscape.account(name).account_id

    def enforce(self) -> None:
        """Serve the gateway (in front of moto) from the next request on."""
        self._serve(CallTagger(self.gateway))

    def direct(self) -> None:
        """Serve moto itself, unenforced, from the next request on."""
        self._serve(self.server.wsgi_app)

    def _serve(self, app: WSGIApplication) -> None:
        served = self.wrap(app) if self.wrap is not None else app
        self.server.set_middleware(lambda _: served)

    def client(self, persona: str, service: str, region: str = "us-east-1",
               session: boto3.session.Session | None = None,
               call_id: Callable[[], str | None] | None = None) -> Any:
        """A boto3 client through the endpoint as `persona`, made from `session` (boto3
        sessions are not thread-safe: one per thread). With `call_id`, every request carries
        the header `x-bench-call-id: call_id()`."""
        found = self.personas[persona]
        made = (session or boto3.session.Session()).client(
            service, region_name=region, endpoint_url=self.url,
            aws_access_key_id=found.access_key_id,
            aws_secret_access_key=found.secret_access_key,
            aws_session_token=found.session_token, config=CLIENT_CONFIG)
        if call_id is not None:
            def add_call_id(params: dict[str, Any], **_: Any) -> None:
                value = call_id()
                if value is not None:
                    params["headers"][CALL_ID_HEADER] = value

            made.meta.events.register("before-call.*.*", add_call_id)
        return made

    def stop(self) -> None:
        try:
            self.server.stop()
        finally:
            self.log.close()


def start_stack(landscape_dir: Path | str = DEFAULT_LANDSCAPE, log_path: Path | None = None
                ) -> Stack:
    """Start moto, seed the landscape, put the data the calls read in place, install the
    gateway and sign every persona in. The decision log is kept in memory, and written to
    `log_path` too when given. The caller stops it (`Stack.stop`, or `stack()`)."""
    landscape = load_landscape(landscape_dir)
    server = MotoServer().start()
    try:
        seeded = server.seed(landscape)
        _put_data(seeded)
        log = TaggedLog(log_path)
        store = CredentialStore()
        accounts = tuple(account.account_id for account in landscape.accounts)
        reads = BackendCounter(server.wsgi_app)
        gateway = EnforcingGateway(reads, store, GatewayConfig(accounts=accounts, log=log))
        server.on_reset(gateway.world.invalidate)
        built = Stack(server, gateway, reads, log, landscape, seeded)
        built.enforce()
        _sign_in(built)
        return built
    except BaseException:
        server.stop()
        raise


@contextmanager
def stack(landscape_dir: Path | str = DEFAULT_LANDSCAPE) -> Iterator[Stack]:
    started = start_stack(landscape_dir)
    try:
        yield started
    finally:
        started.stop()


def _put_data(seeded: SeededLandscape) -> None:
    for account, bucket, key in SEED_OBJECTS:
        seeded.client(account, "s3").put_object(Bucket=bucket, Key=key, Body=b'{"seeded": 1}',
                                                ServerSideEncryption="AES256")
    seeded.client("prod", "dynamodb").put_item(TableName="orders", Item=ORDER_ITEM)


def _sign_in(built: Stack) -> None:
    for name, account, permission_set, mfa in LOGINS:
        issued = login(built.landscape, built.url, name, account, permission_set, use_mfa=mfa,
                       trust_check=None).credentials
        built.personas[name] = Persona(name, issued.access_key_id, issued.secret_access_key,
                                       issued.session_token)
    for account in ROOTS:
        root = built.gateway.mint_root(built.account_id(account))
        built.personas[f"root:{account}"] = Persona(f"root:{account}", root.access_key_id,
                                                    root.secret_access_key,
                                                    known_to_backend=False)
    for name, account, role in SERVICE_SESSIONS:
        built.personas[name] = _service_session(built, name, account, role)


def _service_session(built: Stack, name: str, account: str, role: str) -> Persona:
    """A role session as the service that runs the workload obtains it (ECS for a task role):
    issued by the backend's STS outside the endpoint (AWS's services do not call the customer's
    endpoint) and made known to the gateway, as AWS knows every session its STS issued."""
    account_id = built.account_id(account)
    role_arn = f"arn:aws:iam::{account_id}:role/{role}"
    issued = built.gateway.access.client(account_id, "sts").assume_role(
        RoleArn=role_arn, RoleSessionName=f"{name}-task")
    keys, assumed = issued["Credentials"], issued["AssumedRoleUser"]
    expires = keys["Expiration"]
    built.gateway.store.add(Credential(
        access_key_id=keys["AccessKeyId"], secret_access_key=keys["SecretAccessKey"],
        account=account_id, kind=PrincipalKind.ROLE_SESSION, arn=assumed["Arn"],
        identity_arn=role_arn, user_id=assumed["AssumedRoleId"],
        session_token=keys["SessionToken"],
        expires_at=expires if isinstance(expires, datetime) else None,
        session=SessionContext(issued_at=datetime.now(UTC))))
    return Persona(name, keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])
