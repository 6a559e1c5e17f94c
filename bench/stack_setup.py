"""A `harness.stack.Stack` (moto seeded with the SecureCart landscape, behind the enforcing
gateway, here on plain HTTP only) with what `bench.endpoint` and the gateway's concurrency test
add to it: the data their calls read, personas by name, serving moto with or without the
gateway, the gateway's reads of the backend counted, and each decision tagged with the call
that caused it.

    with start_stack() as bench:              # started, data in place, personas ready
        s3 = bench.client("alice", "s3")      # a boto3 client through the endpoint
        bench.direct()                        # serve moto itself (no gateway) ...
        bench.enforce()                       # ... and the gateway again

Personas (every one a credential both the gateway and moto know, except the root users, which
the gateway mints and moto never sees):

    alice        Identity Center DeveloperReadOnly in dev, signed in with MFA
    dave         the same permission set, signed in without MFA (every action denied)
    bob          SecurityAudit in prod, with MFA
    carol        Admin in prod, with MFA
    orders-api   the orders API's task role session in prod (obtained as ECS, the service the
                 role trusts)
    root:<name>  an account's root user (management, prod, vendor)

Every request a client makes carries the header `x-bench-call-id` when the caller asks for one
(`call_id`), and the decision log (`TaggedLog`) remembers, for each record, the call id of the
request being handled in the same server thread: which decisions each client call caused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from harness.backends.moto import Middleware
from harness.gateway.credentials import Credential
from harness.gateway.decision_log import DecisionLog, Entry
from harness.identity import Credentials
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape
from harness.stack import Stack

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DEFAULT_LANDSCAPE: Path = DEFAULT_DIRECTORY
CALL_ID_HEADER = "x-bench-call-id"
_CALL_ID_ENVIRON = "HTTP_X_BENCH_CALL_ID"

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

# Objects and items the calls read, put in place on the backend itself.
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


def tag_calls(client: Any, call_id: Callable[[], str | None]) -> None:
    """Every request `client` makes carries the header `x-bench-call-id: call_id()` (none when
    it gives None)."""
    def add_call_id(params: dict[str, Any], **_: Any) -> None:
        value = call_id()
        if value is not None:
            params["headers"][CALL_ID_HEADER] = value

    client.meta.events.register("before-call.*.*", add_call_id)


class BackendCounter:
    """WSGI middleware between the gateway and moto (`Stack`'s `backend_middleware`): counts
    the gateway's own reads of the backend (in-process requests, which have no client socket:
    no REMOTE_PORT)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reads = 0

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        def counted(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            if "REMOTE_PORT" not in environ:
                with self._lock:
                    self.reads += 1
            return app(environ, start_response)

        return counted

    def take(self) -> int:
        with self._lock:
            taken, self.reads = self.reads, 0
        return taken


# --------------------------------------------------------------------------- the stack


@dataclass
class BenchStack:
    stack: Stack
    log: TaggedLog
    backend_reads: BackendCounter
    personas: dict[str, Credential | Credentials] = field(default_factory=dict)
    wrap: Middleware | None = None
    """Extra middleware served outermost in both modes (timing, profiling)."""

    def account_id(self, name: str) -> str:
        return self.stack.landscape.account(name).account_id

    def enforce(self) -> None:
        """Serve the gateway (in front of moto) from the next request on."""
        self._serve(CallTagger(self.stack.gateway))

    def direct(self) -> None:
        """Serve moto itself, unenforced, from the next request on."""
        self._serve(self.stack.server.wsgi_app)

    def _serve(self, app: WSGIApplication) -> None:
        served = self.wrap(app) if self.wrap is not None else app
        self.stack.server.set_middleware(lambda _: served)

    def client(self, persona: str, service: str,
               call_id: Callable[[], str | None] | None = None) -> Any:
        """A boto3 client through the endpoint as `persona`. With `call_id`, every request
        carries the header `x-bench-call-id: call_id()`."""
        # Its own client when tagging: a shared one would tag every holder's calls.
        made = self.stack.client(service, self.personas[persona], shared=call_id is None)
        if call_id is not None:
            tag_calls(made, call_id)
        return made

    def stop(self) -> None:
        self.stack.stop()

    def __enter__(self) -> BenchStack:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def start_stack(landscape_dir: Path | str = DEFAULT_LANDSCAPE, log_path: Path | None = None
                ) -> BenchStack:
    """Start the stack (plain HTTP), put the data the calls read in place, serve the gateway
    with the call tags and sign every persona in. The decision log is kept in memory, and
    written to `log_path` too when given. The caller stops it (`BenchStack.stop`, or `with`)."""
    log = TaggedLog(log_path)
    reads = BackendCounter()
    started = Stack(load_landscape(landscape_dir), tls_port=None, log=log,
                    backend_middleware=reads.wrap).start()
    try:
        _put_data(started)
        built = BenchStack(started, log, reads)
        built.enforce()
        _sign_in(built)
        return built
    except BaseException:
        started.stop()
        raise


def _put_data(started: Stack) -> None:
    for account, bucket, key in SEED_OBJECTS:
        started.backend(account, "s3").put_object(Bucket=bucket, Key=key, Body=b'{"seeded": 1}',
                                                  ServerSideEncryption="AES256")
    started.backend("prod", "dynamodb").put_item(TableName="orders", Item=ORDER_ITEM)


def _sign_in(built: BenchStack) -> None:
    for name, account, permission_set, mfa in LOGINS:
        built.personas[name] = built.stack.login(name, account, permission_set,
                                                 mfa=mfa).credentials
    for account in ROOTS:
        built.personas[f"root:{account}"] = built.stack.root(account)
    for name, account, role in SERVICE_SESSIONS:
        built.personas[name] = built.stack.assume(role, account,
                                                  session_name=f"{name}-task").credentials


# --------------------------------------------------------------------------- calls and outcomes
# One catalogue entry, what a client was answered, and a client thread's runner: the gateway's
# concurrency test and bench.soak compare concurrent calls with sequential ones through these.


@dataclass(frozen=True)
class Call:
    persona: str
    service: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return f"{self.persona} {self.service}.{self.method}({dict(self.params)})"


@dataclass(frozen=True)
class Outcome:
    """Allowed, or the error the client was answered with."""

    allowed: bool
    code: str | None = None
    message: str | None = None
    status: int = 200
    request_id: str | None = field(default=None, compare=False)

    @property
    def unexpected(self) -> bool:
        """A server error or no answer at all: never a valid outcome."""
        return self.status >= 500 or self.status == 0



class Runner:
    """One client thread: its own boto3 clients, each request carrying the id of the call it
    belongs to (`x-bench-call-id`), for the decision log to be matched to calls."""

    def __init__(self, stack: BenchStack) -> None:
        self.stack = stack
        self.clients: dict[tuple[str, str], Any] = {}
        self.current: str | None = None

    def client(self, persona: str, service: str) -> Any:
        key = (persona, service)
        if key not in self.clients:
            self.clients[key] = self.stack.client(persona, service,
                                                  call_id=lambda: self.current)
        return self.clients[key]

    def run(self, call_id: str, call: Call) -> Outcome:
        client = self.client(call.persona, call.service)
        self.current = call_id
        try:
            response = getattr(client, call.method)(**call.params)
            if "Body" in response:
                response["Body"].read()
                response["Body"].close()
            return Outcome(True, status=response["ResponseMetadata"]["HTTPStatusCode"],
                           request_id=response["ResponseMetadata"].get("RequestId"))
        except ClientError as error:
            found = error.response.get("Error", {})
            metadata = error.response.get("ResponseMetadata", {})
            return Outcome(False, found.get("Code"), found.get("Message"),
                           int(metadata.get("HTTPStatusCode", 0)), metadata.get("RequestId"))
        except BotoCoreError as error:  # no answer: connection refused, reset, timed out
            return Outcome(False, type(error).__name__, str(error), 0)
        finally:
            self.current = None
