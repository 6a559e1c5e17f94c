"""moto, served in-process: its own WSGI app behind werkzeug's threaded server on loopback.

    with MotoServer() as server:          # http://127.0.0.1:<free port>
        seeded = server.seed(landscape)   # seed, then remember this state as the reset point
        ...                               # a scenario changes things
        server.reset()                    # back to the seeded state (about 0.2 s)

The gateway wraps the app: `MotoServer(middleware=gateway)`, or `server.set_middleware(gateway)`
at any time, e.g. after seeding: the seeder talks to the served app, which must let it through.
`MotoServer(enforcing=True)` is a server meant to enforce (what `harness.stack.Stack` serves):
not a byte of the backend's before it is ready (`harness.backends.readiness`). Its ports answer
`/_securecart/health`, and 503 ServiceUnavailable to everything else, until `readiness.ready()`;
the seeder alone gets through meanwhile, with a pass in its URL; and its middleware slot holds
503 until a gateway is put there, and cannot be emptied: it never falls through to moto.
`MotoServer(tls_port=0)` serves the same app over HTTPS too, on a second loopback port
(`https_url`, verified with `ca_bundle`; see `harness.backends.tls`): requests arriving there
have `wsgi.url_scheme` "https", which the gateway reads for aws:SecureTransport.
moto's state lives in the process, shared by every MotoServer in it: run one at a time.

Everything here that touches moto's internals does so because no API offers it; it is confined
to this module, and each piece says why:

- moto's own S3 bucket-policy check is switched off (`_disable_bucket_policy_check`): the
  harness owns access decisions, and moto's check denies everyone on any matching Deny (and
  unsigned reads that the gateway allowed).
- moto executes the operation the gateway authorised, named in the WSGI environ, not the one
  it would read from a URL `Action`, a form or JSON body, or a header
  (`_execute_the_authorised_operation`; harness.gateway.forwarding).
- member accounts get the landscape's ids, and the management account its name and e-mail
  (`_honour_reserved_account_tags`): moto's CreateAccount picks random ids.
- AWS managed policies are loaded into IAM, as every AWS account has them; moto leaves them out
  unless configured, and then AttachRolePolicy of e.g. ReadOnlyAccess fails. sso-admin finds
  those outside "/" (job-function/ViewOnlyAccess), which moto 5.2.5 misses.
- moto is spared work it repeats: a directory listing and a method listing per request, a
  region computation per account.
- the backend state is snapshotted and restored (`_capture`, `_restore`) by pickling moto's
  backend dictionaries, for fast scenario isolation.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import pickle
import ssl
import threading
import types
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from werkzeug.serving import BaseWSGIServer, make_server

from harness.aws_managed import aws_managed_table
from harness.backends import (
    ACCOUNT_EMAIL_TAG,
    ACCOUNT_ID_TAG,
    ACCOUNT_NAME_TAG,
    AUTHORISED_OPERATION,
    RESERVED_TAGS,
)
from harness.backends.readiness import (
    BackendInfo,
    LandscapeInfo,
    Readiness,
    ReadinessGate,
    unavailable_app,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from harness.backends.tls import TlsFiles
    from harness.landscape.model import Landscape
    from harness.seed import SeededLandscape

Middleware = Callable[["WSGIApplication"], "WSGIApplication"]
"""Takes the WSGI app that answers a request and returns the one to serve in front of it."""

LOOPBACK = "127.0.0.1"


class MotoServer:
    """moto's WSGI app, wrapped by an optional middleware, served on `host`:`port` (0: a free
    port) by werkzeug's threaded server in a daemon thread. `enforcing`: behind a readiness
    gate, the middleware slot never empty (see the module doc)."""

    def __init__(
        self,
        host: str = LOOPBACK,
        port: int = 0,
        middleware: Middleware | None = None,
        quiet: bool = True,
        tls_port: int | None = None,
        front: Middleware | None = None,
        enforcing: bool = False,
    ) -> None:
        _prepare_moto()
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            create_backend_app,
        )

        self.host = host
        self.port = port
        self.quiet = quiet
        self.tls_port = tls_port
        """None: no HTTPS listener; 0: one on a free port."""
        self.tls: TlsFiles | None = None
        self.moto_app: WSGIApplication = DomainDispatcherApplication(create_backend_app)
        """moto's own app."""
        self.wsgi_app: WSGIApplication = (
            self.moto_app if front is None else front(self.moto_app))
        """What answers requests, unenforced: moto, or `front` around it (a router that sends
        some services elsewhere)."""
        self.readiness = Readiness(self.backend_info())
        self._gate: ReadinessGate | None = None
        self._served: WSGIApplication = self.wsgi_app
        if enforcing:
            # Fail closed: the slot holds 503 until a gateway is put there, never moto itself.
            self._served = unavailable_app(self.readiness)
            self._gate = ReadinessGate(self.readiness, self._serve, self.wsgi_app)
        if middleware is not None:
            self.set_middleware(middleware)
        self._server: BaseWSGIServer | None = None
        self._tls_server: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self._snapshot: _Snapshot | None = None
        self._reset_listeners: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ serving

    @property
    def enforcing(self) -> bool:
        return self._gate is not None

    def set_middleware(self, middleware: Middleware | None) -> None:
        """Serve `middleware(wsgi_app)` from the next request on (None: moto itself, which an
        enforcing server refuses: its slot holds a gateway or 503, never moto)."""
        if middleware is None:
            if self.enforcing:
                raise ValueError("an enforcing server serves a gateway, never moto itself")
            self._served = self.wsgi_app
            return
        self._served = middleware(self.wsgi_app)
        if self.enforcing:
            self.readiness.enforcing()

    def _dispatch(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if self._gate is not None:
            return self._gate(environ, start_response)
        return self._serve(environ, start_response)

    def _serve(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        # Looked up per request so that set_middleware takes effect on a running server.
        return self._served(environ, start_response)

    @property
    def url(self) -> str:
        """The plain-HTTP endpoint."""
        if self._server is None:
            raise RuntimeError("the moto server is not running; call start() first")
        return _url("http", self.host, self._server.server_port)

    @property
    def https_url(self) -> str | None:
        """The HTTPS endpoint, None when the server was made without `tls_port`."""
        if self._server is None:
            raise RuntimeError("the moto server is not running; call start() first")
        if self._tls_server is None:
            return None
        return _url("https", self.host, self._tls_server.server_port)

    @property
    def ca_bundle(self) -> Path | None:
        """What an HTTPS client verifies the server with (AWS_CA_BUNDLE, boto3's `verify`)."""
        return self.tls.ca_bundle if self.tls is not None else None

    def describe(self) -> str:
        return f"moto {self.backend_info().version} (embedded)"

    def backend_info(self) -> BackendInfo:
        from importlib.metadata import version

        return BackendInfo("moto", version("moto"))

    def start(self) -> MotoServer:
        if self._server is not None:
            return self
        self._server = self._listen(self.port, None)
        if self.tls_port is not None:
            from harness.backends.tls import loopback_certificate, server_context

            self.tls = loopback_certificate()
            try:
                self._tls_server = self._listen(self.tls_port, server_context(self.tls))
            except BaseException:
                self.stop()
                raise
        return self

    def _listen(self, port: int, ssl_context: ssl.SSLContext | None) -> BaseWSGIServer:
        """Serve on `port` from a daemon thread of its own."""
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        handler = _quiet_handler_class() if self.quiet else MotoRequestHandler
        server = make_server(
            self.host,
            port,
            self._dispatch,
            threaded=True,
            request_handler=handler,
            ssl_context=ssl_context,
        )
        thread = threading.Thread(
            # A short poll interval: shutdown() waits up to one interval.
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"moto-{server.server_port}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)
        return server

    def stop(self) -> None:
        """Stop serving, close the sockets, join the threads, and empty moto's state: it lives
        in this process, shared by every MotoServer in it (run one at a time), and would
        otherwise outlive the server."""
        servers = [s for s in (self._server, self._tls_server) if s is not None]
        threads, self._threads = self._threads, []
        self._server = self._tls_server = None
        if not servers:
            return
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join()
        self.clear()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ state

    def seed(self, landscape: Landscape) -> SeededLandscape:
        """Seed `landscape` through the AWS APIs at `url` (through the middleware, if one is
        set; an enforcing server lets the seeder alone through, to moto), then make that state
        the reset point. On failure the backend is left empty and `SeedError` raised."""
        from harness.seed import SeedError, seed

        self._snapshot = None
        self.readiness.seeding(LandscapeInfo(landscape.name, str(landscape.directory.resolve())))
        # Seeding builds ~10^5 objects in a heap that moto has made large; the cyclic garbage
        # collector would walk that heap again and again meanwhile (a third of the time).
        with _gc_paused():
            with self._seeder_url() as url:
                seeded = seed(landscape, url, reset_backend=self.clear)
            try:
                self.snapshot()
            except Exception as error:  # a model moto keeps that pickle cannot take
                self.clear()
                raise SeedError(f"snapshotting the seeded state: {error}") from error
        return seeded

    @contextlib.contextmanager
    def _seeder_url(self) -> Iterator[str]:
        """Where the seeder talks to the backend: `url`; with the seeder's pass on an enforcing
        server (refused outside this block)."""
        if self._gate is None:
            yield self.url
            return
        with self._gate.seeder_url(self.url) as url:
            yield url

    def snapshot(self) -> None:
        """Remember the current state as what `reset()` returns to."""
        self._snapshot = _capture()

    def reset(self) -> None:
        """Back to the last snapshot (the seeded state); to empty if there is none."""
        if self._snapshot is None:
            _empty()
        else:
            _restore(self._snapshot)
        self._notify_reset()

    def clear(self) -> None:
        """Empty the backend and forget the snapshot (moto's own `POST /moto-api/reset`)."""
        self._snapshot = None
        _empty()
        self._notify_reset()

    def on_reset(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every reset() and clear(): whatever was read from the backend
        (a gateway's cached policies, backend keys issued since the snapshot) is stale then."""
        self._reset_listeners.append(listener)

    def _notify_reset(self) -> None:
        for listener in self._reset_listeners:
            listener()


def _url(scheme: str, host: str, port: int) -> str:
    # Listening on every interface is reached, here, on loopback (the certificate's name).
    host = {"0.0.0.0": LOOPBACK, "::": "::1"}.get(host, host)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


IDLE_SECONDS = 60
"""How long a connection may stay silent in the middle of a request before the server drops it."""


def _quiet_handler_class() -> type[Any]:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        """moto's request handler without the access log line per request (the gateway keeps
        the log that matters: its decisions); a client that never finishes its request does
        not hold a server thread for ever; and a header section http.server refuses before any
        WSGI app runs (more than 100 fields) is answered as AWS answers an oversized one."""

        timeout = IDLE_SECONDS

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            if code != 431:
                super().send_error(code, message, explain)
                return
            # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
            body = (b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>"
                    b"RequestHeaderSectionTooLarge</Code><Message>Your request header section "
                    b"exceeds the maximum allowed size.</Message></Error>")
            self.close_connection = True
            self.send_response(400, "Bad Request")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

    return QuietHandler


# --------------------------------------------------------------------------- moto changes

_prepared = threading.Lock()
_done = False


def _prepare_moto() -> None:
    """Apply this module's changes to moto, once per process."""
    global _done
    with _prepared:
        if _done:
            return
        _load_aws_managed_policies()
        _find_sso_managed_policies_by_path()
        _disable_bucket_policy_check()
        _execute_the_authorised_operation()
        _honour_reserved_account_tags()
        _route_without_listing_moto()
        _cache_regions_per_service()
        _cache_method_names()
        _done = True


def _replace(owner: object, name: str, value: Any) -> None:
    """Replace a function of moto's (every change here is one of these, applied once)."""
    setattr(owner, name, value)


def _disable_bucket_policy_check() -> None:
    """moto 5.2.5 evaluates a bucket's policy on object requests by itself (s3/responses.py
    calls `FakeBucket.get_permission`), ignoring Principal and Condition: a "deny unless the
    caller is orders-processor" policy denies everyone with a bare 403, and an unsigned read is
    refused unless the policy allows it. The harness decides access in its gateway, and moto
    must carry out what the gateway let through: every bucket answers PERMITTED."""
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: Any, action: str, resource: str) -> Any:
        return PermissionResult.PERMITTED

    _replace(FakeBucket, "get_permission", get_permission)


def _execute_the_authorised_operation() -> None:
    """moto reads a request's operation its own way: a URL `Action` first, then a form body,
    then a JSON body parsed as a query string, then the headers, then X-Amz-Target, then the
    path. The gateway authorised one operation, read LocalStack's way; a request that reads
    otherwise to moto (`?Action=DeleteTable` on a GetItem) would run what nobody authorised.
    So moto executes the operation the gateway names in the WSGI environ, where no client can
    write (AUTHORISED_OPERATION); requests without it (the harness's own clients) are read as
    moto reads them."""
    from moto.core.responses import BaseResponse

    read_by_moto = BaseResponse._get_action

    def _get_action(self: Any) -> str:
        request = getattr(self, "normalized_request", None)
        environ = getattr(request, "environ", None) or {}
        authorised = environ.get(AUTHORISED_OPERATION)
        return str(authorised) if authorised else str(read_by_moto(self))

    _replace(BaseResponse, "_get_action", _get_action)


@functools.cache
def _aws_managed_policy_templates() -> tuple[Any, ...]:
    """Each AWS managed policy built once by moto's own constructor (as its `from_data` does),
    to be cloned into every account's IAM."""
    from moto.iam import models as iam_models

    return tuple(
        cast(Any, iam_models.AWSManagedPolicy)(
            name,
            account_id="000000000000",  # replaced in every clone
            region="aws",
            default_version_id=data.get("DefaultVersionId"),
            path=data.get("Path"),
            document=json.dumps(data.get("Document")),
            create_date=datetime.fromisoformat(data["CreateDate"]),
            update_date=datetime.fromisoformat(data["UpdateDate"]),
        )
        for name, data in aws_managed_table().items()
    )


def _clone(template: Any, **changes: Any) -> Any:
    """A copy of a moto model object (one level deep), without running its constructor."""
    clone = object.__new__(type(template))
    clone.__dict__.update(vars(template), **changes)
    return clone


def _load_aws_managed_policies() -> None:
    """Every AWS account has the AWS managed policies (arn:aws:iam::aws:policy/...); moto
    loads them only when configured to, and then parses its table and builds 1,500 objects
    again for every account (0.1 s each). Load them always, as clones of objects built once:
    the clones share the immutable parts (document strings, dates; and the policy id, which
    AWS too gives an AWS managed policy in every account), which also keeps snapshots small
    (pickle stores a shared object once), and own the mutable ones (attachment count, tags,
    versions). Only in the commercial partition: moto builds an IAM backend for every
    partition of an account as soon as it looks up an access key, and no landscape uses
    arn:aws-cn:... policies."""
    from moto.iam import models as iam_models

    def init_aws_policies(self: Any) -> list[Any]:
        if self.region_name != "aws":  # IAM backends are keyed by partition
            return []
        with _gc_paused():
            return [
                _clone(
                    template,
                    account_id=self.account_id,
                    tags={},
                    versions=[_clone(version) for version in template.versions],
                )
                for template in _aws_managed_policy_templates()
            ]

    _replace(iam_models.IAMBackend, "_init_aws_policies", init_aws_policies)


def _cache_method_names() -> None:
    """moto lists a response class's methods (inspect.getmembers) on every request to check
    the action exists, a tenth of a request's cost; classes do not change, so once per class."""
    from moto.core import responses, utils

    _replace(responses, "method_names_from_class", functools.cache(utils.method_names_from_class))


def _cache_regions_per_service() -> None:
    """moto computes a service's region list (from botocore's endpoint data, 2 ms) for every
    new (account, service) pair: its cache is keyed by the backend object. Key it by service."""
    from moto.core.base_backend import AccountSpecificBackend

    compute = AccountSpecificBackend._generate_regions.__wrapped__
    regions: dict[str, list[str]] = {}

    def generate_regions(self: Any, service_name: str) -> list[str]:
        if service_name not in regions:
            regions[service_name] = compute(self, service_name)
        return regions[service_name]

    _replace(AccountSpecificBackend, "_generate_regions", generate_regions)


def _find_sso_managed_policies_by_path() -> None:
    """moto's sso-admin looks an AWS managed policy's path up under the key "path" where its
    table says "Path", so every policy outside "/" (job-function/ViewOnlyAccess,
    service-role/...) is "not found" when attached to a permission set. Same check, right key."""
    from moto.ssoadmin import models as sso_models
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    def find_managed_policy(self: Any, managed_policy_arn: str) -> Any:
        name = managed_policy_arn.split("/")[-1]
        data = aws_managed_table().get(name)
        if data is not None:
            expected = f"arn:{self.partition}:iam::aws:policy{data.get('Path', '/')}{name}"
            if managed_policy_arn == expected:
                return sso_models.ManagedPolicy(managed_policy_arn, name)
        raise ResourceNotFoundException(f"Policy does not exist with ARN: {managed_policy_arn}")

    _replace(sso_models.SSOAdminBackend, "_find_managed_policy", find_managed_policy)


def _route_without_listing_moto() -> None:
    """moto's server lists its own package directory (and stats each entry) on every request
    to route it, about 2 ms a request, a third of its cost; the directory does not change
    while we run."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    _replace(backends, "list_of_moto_modules", lambda: iter(modules))


_requested = threading.local()
"""The account id asked for by the CreateAccount being handled in this thread (werkzeug serves
each request in its own thread)."""


def _honour_reserved_account_tags() -> None:
    """Give accounts the ids, names and e-mails the seeder asks for through the reserved tags.

    moto's `FakeAccount.__init__` draws `utils.make_random_account_id()` and then creates the
    account's OrganizationAccountAccessRole under that id, so the id must be chosen before the
    constructor runs, not patched in afterwards."""
    from moto.organizations import models as org_models
    from moto.organizations import utils as org_utils
    from moto.organizations.exceptions import OrganizationsClientError

    random_account_id = org_utils.make_random_account_id

    def make_account_id() -> str:
        requested: str | None = getattr(_requested, "account_id", None)
        return requested if requested else random_account_id()

    original_init = org_models.FakeAccount.__init__

    def account_init(self: Any, organization: Any, **kwargs: Any) -> None:
        reserved, kwargs["Tags"] = _split_tags(kwargs.get("Tags") or [])
        _requested.account_id = reserved.get(ACCOUNT_ID_TAG)
        try:
            original_init(self, organization, **kwargs)
        finally:
            _requested.account_id = None

    original_create = org_models.OrganizationsBackend.create_account

    def create_account(self: Any, **kwargs: Any) -> dict[str, Any]:
        reserved, _ = _split_tags(kwargs.get("Tags") or [])
        wanted = reserved.get(ACCOUNT_ID_TAG)
        if wanted and any(account.id == wanted for account in self.accounts):
            raise OrganizationsClientError(
                "DuplicateAccountException", f"An account with id {wanted} already exists."
            )
        result: dict[str, Any] = original_create(self, **kwargs)
        return result

    original_tag = org_models.OrganizationsBackend.tag_resource

    def tag_resource(self: Any, **kwargs: Any) -> None:
        reserved, kwargs["Tags"] = _split_tags(kwargs["Tags"])
        if reserved:
            _rename_account(self, self.get_account_by_id(kwargs["ResourceId"]), reserved)
        if kwargs["Tags"]:
            original_tag(self, **kwargs)

    _replace(org_utils, "make_random_account_id", make_account_id)
    _replace(org_models.FakeAccount, "__init__", account_init)
    _replace(org_models.OrganizationsBackend, "create_account", create_account)
    _replace(org_models.OrganizationsBackend, "tag_resource", tag_resource)


def _split_tags(tags: list[dict[str, str]]) -> tuple[dict[str, str], list[dict[str, str]]]:
    reserved = {tag["Key"]: tag["Value"] for tag in tags if tag["Key"] in RESERVED_TAGS}
    return reserved, [tag for tag in tags if tag["Key"] not in RESERVED_TAGS]


def _rename_account(backend: Any, account: Any, reserved: dict[str, str]) -> None:
    account.name = reserved.get(ACCOUNT_NAME_TAG, account.name)
    account.email = reserved.get(ACCOUNT_EMAIL_TAG, account.email)
    if backend.org is not None and account.id == backend.org.master_account_id:
        backend.org.master_account_email = account.email


# --------------------------------------------------------------------------- snapshots


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """moto's state: the backend dictionaries in use and their pickled contents."""

    dicts: tuple[Any, ...]
    data: bytes
    shared: tuple[Any, ...]


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def _treatment(kind: type) -> str:
    """How a snapshot takes objects of one type: "value" (pickled); "backend-dict" (by
    reference: moto's code looks its backend dictionaries up as module globals, so a restore
    must refill those very objects); "lock" (a fresh lock); "weak-values" (rebuilt from its
    items); "shared" (the very object, kept beside the bytes: immutable things pickle cannot
    take, such as cryptography keys); "function" (by name, as pickle does, but lambdas and
    local functions, which have none, shared)."""
    from moto.core.base_backend import BackendDict

    if issubclass(kind, BackendDict):
        return "backend-dict"
    if kind in _LOCK_TYPES:
        return "lock"
    if kind is weakref.WeakValueDictionary:
        return "weak-values"
    if kind is types.FunctionType:
        return "function"
    if kind.__module__.startswith("cryptography"):
        return "shared"
    return "value"


class _Pickler(pickle.Pickler):
    """Pickles moto's state, taking a few kinds of object specially (see `_treatment`)."""

    def __init__(self, file: io.BytesIO, dicts: tuple[Any, ...]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._dicts = {id(backend_dict): index for index, backend_dict in enumerate(dicts)}
        self._treatments: dict[type, str] = {}
        self.shared: list[Any] = []

    def reducer_override(self, obj: Any) -> Any:
        # Called for every object but plain strings, numbers and containers: one dict lookup
        # in the common case (a persistent_id would be called for those too, five times as
        # often).
        kind = type(obj)
        treatment = self._treatments.get(kind)
        if treatment is None:
            treatment = self._treatments[kind] = _treatment(kind)
        if treatment == "value":
            return NotImplemented
        if treatment == "backend-dict":
            index = self._dicts.get(id(obj))
            return NotImplemented if index is None else (_from_snapshot, ("dicts", index))
        if treatment == "lock":
            return (threading.RLock if kind is _LOCK_TYPES[1] else threading.Lock, ())
        if treatment == "weak-values":
            return (weakref.WeakValueDictionary, (dict(obj),))
        if treatment == "function" and "<" not in obj.__qualname__:
            return NotImplemented  # importable: <lambda> and <locals> are not
        self.shared.append(obj)
        return (_from_snapshot, ("shared", len(self.shared) - 1))


_restoring = threading.local()
"""The snapshot being unpickled in this thread, for `_from_snapshot`."""


def _from_snapshot(part: str, index: int) -> Any:
    """An object a snapshot holds by reference (called by pickle while restoring)."""
    snapshot: _Snapshot = _restoring.snapshot
    return (snapshot.dicts if part == "dicts" else snapshot.shared)[index]


def _capture() -> _Snapshot:
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock, _gc_paused():
        dicts = tuple(_in_use(BackendDict))
        buffer = io.BytesIO()
        # Contents as plain dicts, so that the top level is pickled by value; attributes too
        # (OrganizationsBackendDict.master_accounts, S3's bucket_accounts, ...).
        pickler = _Pickler(buffer, dicts)
        pickler.dump([(dict(d), dict(vars(d))) for d in dicts])
        return _Snapshot(dicts, buffer.getvalue(), tuple(pickler.shared))


def _restore(snapshot: _Snapshot) -> None:
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import reset_model_data

    with backend_lock, _gc_paused():
        _restoring.snapshot = snapshot
        try:
            contents = pickle.loads(snapshot.data)
        finally:
            _restoring.snapshot = None
        in_use = _in_use(BackendDict)
        for backend_dict in in_use:
            if all(backend_dict is not kept for kept in snapshot.dicts):
                _empty_dict(backend_dict)
        for backend_dict, (items, attributes) in zip(snapshot.dicts, contents, strict=True):
            backend_dict.clear()
            backend_dict.update(items)
            vars(backend_dict).update(attributes)
        in_use[:] = snapshot.dicts
        reset_model_data()


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pickling moto's state makes ~10^5 objects; the cyclic garbage collector would walk the
    whole heap several times meanwhile, for nothing (nothing becomes garbage in between)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _in_use(backend_dict_class: Any) -> list[Any]:
    """moto's registry of the backend dictionaries holding state (`BackendDict._instances`)."""
    in_use: list[Any] = backend_dict_class._instances
    return in_use


def _empty_dict(backend_dict: Any) -> None:
    for account_backends in backend_dict.values():
        account_backends.reset()
    backend_dict.clear()


def _empty() -> None:
    """Everything gone, as after moto's `POST /moto-api/reset` — and what that reset misses:
    moto 5.2.5 keeps Organizations' member → management map on the backend dict itself, so an
    account that was once a member could never create or join another organisation."""
    from moto.moto_api._internal.models import moto_api_backend
    from moto.organizations.models import organizations_backends

    moto_api_backend.reset()
    organizations_backends.master_accounts.clear()
