"""The running harness in one object: moto (embedded), seeded with a landscape, behind the
enforcing gateway, on loopback — what `securecart up` serves and what scenarios run against.

    with Stack(load_landscape()) as stack:
        alice = stack.login("alice", "dev", "DeveloperReadOnly").credentials
        stack.client("s3", alice).list_objects_v2(Bucket="securecart-dev-artifacts")  # HTTPS
        stack.reset()                                  # back to the seeded state

Starting (about ten seconds, almost all of it seeding):
1. moto starts on 127.0.0.1 (plain HTTP, and HTTPS unless `tls_port=None`), behind a readiness
   gate (harness.backends.readiness): from the first byte its ports answer
   `GET /_securecart/health` (503 while starting) and 503 ServiceUnavailable to every other
   request — never moto's answer;
2. the landscape is seeded straight into moto, the gateway not in front (the seeder is the
   world's author, not a principal under test): the seeder's requests alone get through, with
   a pass in their URL that is revoked when seeding ends;
3. the gateway is put in front of every request from then on;
4. the chain starts are made (see harness.identity.callers): a root user per account, and
   credentials for every service the landscape's roles trust acting for the role's account
   (Lambda for the function), minted by the gateway; the standing role sessions (each
   member account's administrator, the roles of root-administered accounts), issued by moto
   and registered with the gateway;
5. that is the reset point: moto is snapshotted again (so that it still knows the keys issued
   in 4, and the gateway's own administrator keys, after a reset) and so is the credential
   store;
6. the endpoint opens: the health route answers 200 and requests reach the gateway
   (`start(open_endpoint=False)` leaves that to `open_endpoint()`, for `securecart up`, which
   records its endpoints first). A failure on the way is reported by the health route (failed,
   and why) until the ports close.

`reset()` returns moto, the credential store and the gateway's caches to that point; the
decision log is kept (it is a log: `log_position()` and `decisions_since()` read a scenario's
part of it).
"""

from __future__ import annotations

import gc
import tempfile
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from harness.backends.localstack import LocalStackOptions
from harness.backends.moto import LOOPBACK, Middleware, MotoServer
from harness.backends.readiness import Health, LandscapeInfo
from harness.gateway.app import EnforcingGateway, GatewayConfig
from harness.gateway.credentials import Credential, CredentialStore, SessionContext
from harness.gateway.decision_log import DecisionLog
from harness.gateway.writes import changes_state
from harness.gateway.wsgi_client import wsgi_client
from harness.iam.context import PrincipalKind
from harness.identity import Credentials
from harness.identity.assume import (
    AssumeResult,
    assume,
    service_source_arn,
    trusted_services,
)
from harness.identity.callers import Callers, service_key, standing_roles, standing_session_name
from harness.identity.login import LoginResult, login
from harness.landscape.model import Landscape
from harness.seeding import seeder
from harness.seeding.context import SeededLandscape, SeedError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

STANDING_SESSION_SECONDS = 12 * 3600
"""How long the standing sessions last (STS's longest); a longer-running stack re-issues them
when started again."""
_BOOTSTRAP_KEY = "securecart-stack-bootstrap"
"""A key moto does not know (its default account): moto's AssumeRole issues keys in the role's
account whoever asks, which is how the standing sessions are issued, unenforced."""


class Stack:
    """moto (embedded) seeded with a landscape, behind the enforcing gateway, on loopback.

    `port` and `tls_port` are the plain-HTTP and HTTPS ports (0: a free one; `tls_port=None`:
    no HTTPS). `log_path`: the decision log's JSON-lines file (None: kept in memory only); or
    `log`, the decision log itself (a DecisionLog of the caller's). `backend_middleware` wraps
    moto's app where the gateway reads the world and forwards requests (e.g. to count the
    gateway's reads)."""

    def __init__(
        self,
        landscape: Landscape,
        *,
        host: str = LOOPBACK,
        port: int = 0,
        tls_port: int | None = 0,
        log_path: Path | None = None,
        log: DecisionLog | None = None,
        backend_middleware: Middleware | None = None,
        backend: str = "moto",
        localstack: LocalStackOptions | None = None,
    ) -> None:
        if log is not None and log_path is not None:
            raise ValueError("give the decision log or its path, not both")
        self.landscape = landscape
        self.backend_name = backend
        self.server = make_server(backend, localstack, host=host, port=port, tls_port=tls_port)
        self.store = CredentialStore()
        self.log = log if log is not None else DecisionLog(log_path)
        self._backend_middleware = backend_middleware
        self._gateway: EnforcingGateway | None = None
        self._seeded: SeededLandscape | None = None
        self._roots: dict[str, Credential] = {}
        self._services: dict[str, Credential] = {}
        self._standing: dict[str, Credentials] = {}
        self._reset_point: dict[str, Credential] = {}
        self._backend_clients: dict[tuple[str, str, str], Any] = {}
        self._stopped = False
        self._backend_written = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def start(self, *, open_endpoint: bool = True) -> Stack:
        """Start, seed, put the gateway in front and make the chain starts (see the module
        doc); then open the endpoint, unless `open_endpoint` is False: it answers 503 until
        `open_endpoint()`."""
        if self._gateway is not None:
            return self
        if self._stopped:
            # moto's state is the process's: a stopped stack's world is gone for good.
            raise RuntimeError("a stack runs once; make a new one")
        try:
            self.server.start()
            self._seeded = seed_server(self.server, self.landscape)
            self.server.set_middleware(self._make_gateway)
            gateway = self.gateway
            for account in self.landscape.accounts:
                self._roots[account.account_id] = gateway.mint_root(account.account_id)
                gateway.access.key(account.account_id)  # see the module doc, step 4
            for service, account_id, source in landscape_services(self.landscape):
                key = service_key(service, account_id, source)
                self._services[key] = gateway.mint_service(service, account_id, source)
            self._issue_standing_sessions()
            self.server.snapshot()
            gateway.backend_state.reset_point()
            self._reset_point = self.store.snapshot()
            self.server.on_reset(self._after_backend_reset)
            # The heap now holds the imports, moto's catalogues and the seeded world, millions
            # of objects that live as long as the stack: out of the cyclic collector's walks,
            # which otherwise took half of a suite's time (a full collection: ~2 s).
            # https://docs.python.org/3/library/gc.html#gc.freeze
            gc.freeze()
        except BaseException as error:
            self.server.readiness.failed(str(error) or type(error).__name__)
            self.stop()
            raise
        if open_endpoint:
            self.open_endpoint()
        return self

    def open_endpoint(self) -> None:
        """From now on the health route answers 200 and every request reaches the gateway."""
        if self._gateway is None:
            raise RuntimeError("the stack is not running; call start() first")
        self.server.readiness.ready()

    @property
    def health(self) -> Health:
        """What `GET /_securecart/health` answers."""
        return self.server.readiness.health

    def stop(self) -> None:
        self._stopped = True
        self.server.stop()
        self.log.close()
        self._gateway = None
        gc.unfreeze()  # what the stack held may be collected now

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the seeded state: backend, credential store, the gateway's caches (the
        decision log is kept). When nothing was written since the last reset (neither through
        the gateway nor with `backend` clients) the backend is left as it is and only the
        sessions issued since are forgotten: restoring moto takes ~0.2 s, and most scenarios
        only read or are refused."""
        if self.gateway.written or self._backend_written:
            self.server.reset()  # its listener, _after_backend_reset, does the rest
        else:
            with self._lock:
                self.store.restore(self._reset_point)

    def _after_backend_reset(self, restored: bool) -> None:
        # Sessions issued since the reset point are gone from moto: forget them too; and what
        # the gateway read from the backend since is no longer so (what it read at the reset
        # point is, when the backend was restored to it).
        with self._lock:
            self.store.restore(self._reset_point)
            self._backend_written = False
        if self._gateway is not None:
            if restored:
                self._gateway.backend_state.restored()
            else:
                self._gateway.backend_state.invalidate()
            self._gateway.written = False

    def _make_gateway(self, backend: WSGIApplication) -> WSGIApplication:
        accounts = tuple(account.account_id for account in self.landscape.accounts)
        if self._backend_middleware is not None:
            backend = self._backend_middleware(backend)
        self._gateway = EnforcingGateway(backend, self.store, GatewayConfig(accounts, self.log))
        return self._gateway

    # ------------------------------------------------------------------ where

    @property
    def gateway(self) -> EnforcingGateway:
        if self._gateway is None:
            raise RuntimeError("the stack is not running; call start() first")
        return self._gateway

    @property
    def seeded(self) -> SeededLandscape:
        if self._seeded is None:
            raise RuntimeError("the stack is not running; call start() first")
        return self._seeded

    @property
    def http_url(self) -> str:
        return self.server.url

    @property
    def url(self) -> str:
        """The endpoint to use: HTTPS when served, else plain HTTP."""
        return self.server.https_url or self.server.url

    @property
    def ca_bundle(self) -> Path | None:
        return self.server.ca_bundle

    @property
    def verify(self) -> str | None:
        """boto3's `verify` for `url` (None: botocore's default)."""
        return str(self.ca_bundle) if self.ca_bundle is not None else None

    # ------------------------------------------------------------------ who

    def root(self, account: str) -> Credential:
        """The root user of a landscape account (by name), or of any other account (by its
        12-digit id: an outsider, minted on first use and kept across resets)."""
        account_id = _account_id(self.landscape, account)
        with self._lock:
            found = self._roots.get(account_id)
        if found is None:
            found = self._remember(self.gateway.mint_root(account_id))
            with self._lock:
                found = self._roots.setdefault(account_id, found)
        return found

    def service(self, service: str, account: str, source_arn: str | None = None) -> Credential:
        """Credentials of a service principal (lambda.amazonaws.com) acting for a resource
        (`source_arn`) of `account` (a name, or any 12-digit id), minted by the gateway."""
        account_id = _account_id(self.landscape, account)
        key = service_key(service, account_id, source_arn)
        with self._lock:
            found = self._services.get(key)
        if found is None:
            minted = self.gateway.mint_service(service, account_id, source_arn)
            found = self._remember(minted)
            with self._lock:
                found = self._services.setdefault(key, found)
        return found

    def administrator(self, account_name: str) -> Credentials:
        """The management account's and outside accounts' root user; a member account's
        OrganizationAccountAccessRole session (see harness.identity.callers for why it is a
        standing session, not one the management account's root assumes)."""
        return self.callers().administrator(self.landscape, self.landscape.account(account_name))

    def role_session(self, account_name: str, role_name: str) -> Credentials:
        """The standing session of a role of a root-administered account (the vendor's
        integration role, as the vendor holds it)."""
        role = self.landscape.account(account_name).role(role_name)
        return self.callers().session(role.arn)

    def callers(self) -> Callers:
        """What `assume` signs its chain starts with (also written to `securecart up`'s state)."""
        with self._lock:
            return Callers(
                roots={key: _as_credentials(c) for key, c in self._roots.items()},
                services={key: _as_credentials(c) for key, c in self._services.items()},
                sessions=dict(self._standing),
                missing="the stack has none",
            )

    # ------------------------------------------------------------------ acting

    def client(
        self,
        service: str,
        credentials: Credential | Credentials,
        region: str | None = None,
        *,
        secure: bool = True,
        shared: bool = True,
    ) -> Any:
        """A boto3 client acting as `credentials` at the HTTPS endpoint (`secure=False`: the
        plain-HTTP one, where aws:SecureTransport is "false"): the process's shared one for
        them, on which nobody may register event handlers; `shared=False`: a new one."""
        found = _as_credentials(credentials) if isinstance(credentials, Credential) else credentials
        endpoint = self.url if secure else self.http_url
        return found.client(service, endpoint, region or self.landscape.regions.home,
                            self.verify, shared=shared)

    def login(
        self, user: str, account: str, permission_set: str | None = None, *, mfa: bool = True
    ) -> LoginResult:
        """`harness.identity.login` through the gateway (which decides the trust)."""
        return login(
            self.landscape, self.url, user, account, permission_set,
            use_mfa=mfa, trust_check=None, verify=self.verify,
        )

    def assume(self, role: str, account: str, **options: Any) -> AssumeResult:
        """`harness.identity.assume` through the gateway (which decides the trust)."""
        return assume(
            self.landscape, self.url, role, account,
            callers=self.callers(), trust_check=None, verify=self.verify, **options,
        )

    def backend(self, account: str, service: str, region: str | None = None) -> Any:
        """A client acting as an administrator of `account` on the backend itself, in-process,
        where nothing is decided: for setting a scenario up as the world's author (the seeder's
        `seeded.client` talks to the served endpoint with the seeder's pass, which is refused
        once seeding is over). Its writes drop what the gateway had read from the backend."""
        account_id = _account_id(self.landscape, account)
        key = (account_id, service, region or self.landscape.regions.home)
        with self._lock:
            found = self._backend_clients.get(key)
        if found is None:
            backend_key = self.gateway.access.key(account_id)
            found = wsgi_client(self.server.wsgi_app, service, region=key[2],
                                access_key_id=backend_key.access_key_id,
                                secret_access_key=backend_key.secret_access_key,
                                session_token=backend_key.session_token)
            found.meta.events.register("after-call", self._after_backend_call)
            with self._lock:
                found = self._backend_clients.setdefault(key, found)
        return found

    def _after_backend_call(self, model: Any, **_: Any) -> None:
        if changes_state(model.service_model.service_name, model.name):
            self._backend_written = True
            self.gateway.backend_state.invalidate()

    # ------------------------------------------------------------------ the decision log

    def log_position(self) -> int:
        """How many records the decision log holds: pass to `decisions_since`."""
        return len(self.log.records())

    def decisions_since(self, position: int) -> list[dict[str, Any]]:
        return self.log.records()[position:]

    # ------------------------------------------------------------------ internals

    def _remember(self, credential: Credential) -> Credential:
        """A principal minted after start stays across resets: it exists outside any scenario
        (root users, service principals), unlike the sessions a scenario obtains."""
        with self._lock:
            self._reset_point[credential.access_key_id] = credential
        return credential

    def _issue_standing_sessions(self) -> None:
        home = self.landscape.regions.home
        sts = wsgi_client(self.server.wsgi_app, "sts", region=home,
                          access_key_id=_BOOTSTRAP_KEY, secret_access_key=_BOOTSTRAP_KEY)
        for account, role_arn in standing_roles(self.landscape):
            issued = sts.assume_role(
                RoleArn=role_arn,
                RoleSessionName=standing_session_name(self.landscape, account),
                DurationSeconds=STANDING_SESSION_SECONDS,
            )
            session = _register(self.store, account.account_id, role_arn, issued)
            self._standing[role_arn] = session


def seed_server(server: MotoServer, landscape: Landscape) -> SeededLandscape:
    """Seed `landscape` through the AWS APIs at the server's endpoint (on an enforcing server,
    with the seeder's pass), then make that state the server's reset point. On failure the
    backend is left empty and `SeedError` raised."""
    with server.seeding(LandscapeInfo(landscape.name, str(landscape.directory.resolve()))) as url:
        seeded = seeder.seed(landscape, url, reset_backend=server.clear)
    try:
        server.snapshot()
    except Exception as error:  # a model moto keeps that pickle cannot take
        server.clear()
        raise SeedError(f"snapshotting the seeded state: {error}") from error
    return seeded


def make_server(backend: str, localstack: LocalStackOptions | None, *, host: str, port: int,
                tls_port: int | None) -> MotoServer:
    """The served backend: moto, or LocalStack with moto for what LocalStack lacks; enforcing
    (behind the readiness gate, its slot for the gateway never empty)."""
    if backend == "moto":
        return MotoServer(host=host, port=port, tls_port=tls_port, enforcing=True)
    if backend == "localstack":
        from harness.backends.composite import LocalStackServer
        from harness.backends.localstack import choose

        options = localstack or LocalStackOptions()
        log_dir = options.log_dir or Path(tempfile.mkdtemp(prefix="securecart-localstack-"))
        return LocalStackServer(choose(options, log_dir), host=host, port=port,
                                tls_port=tls_port, enforcing=True)
    raise ValueError(f"unknown backend {backend!r} (moto or localstack)")


def _register(store: CredentialStore, account_id: str, role_arn: str,
              response: Mapping[str, Any]) -> Credentials:
    """Tell the gateway who holds a session moto issued: what STS remembers of it."""
    issued, assumed = response["Credentials"], response["AssumedRoleUser"]
    store.add(Credential(
        access_key_id=issued["AccessKeyId"],
        secret_access_key=issued["SecretAccessKey"],
        account=account_id,
        kind=PrincipalKind.ROLE_SESSION,
        arn=assumed["Arn"],
        identity_arn=role_arn,
        user_id=assumed["AssumedRoleId"],
        session_token=issued["SessionToken"],
        expires_at=issued["Expiration"],
        session=SessionContext(issued_at=datetime.now(UTC)),
    ))
    return Credentials.from_sts(dict(response))


def landscape_services(landscape: Landscape) -> tuple[tuple[str, str, str | None], ...]:
    """(service, account id, source ARN) of every service the landscape's roles trust, acting
    for the resources of the role's account (Lambda for the function the role executes)."""
    found: dict[tuple[str, str, str | None], None] = {}
    for account in landscape.accounts:
        for role in account.roles:
            for service in trusted_services(role):
                source = service_source_arn(service, account, role)
                found[(service, account.account_id, source)] = None
    return tuple(found)


def _account_id(landscape: Landscape, account: str) -> str:
    if account.isdigit() and len(account) == 12:
        return account
    return landscape.account(account).account_id


def _as_credentials(credential: Credential) -> Credentials:
    return Credentials(
        access_key_id=credential.access_key_id,
        secret_access_key=credential.secret_access_key,
        arn=credential.arn,
        session_token=credential.session_token,
        expiration=credential.expires_at,
    )
