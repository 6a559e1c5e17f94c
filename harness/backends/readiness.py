"""Not a byte before ready: what an enforcing server answers while it starts, and its health
route.

An enforcing server (`MotoServer(enforcing=True)`, what `harness.stack.Stack` and so `securecart
up` serve) opens its ports at once, but for some seconds the backend behind them is neither
seeded nor guarded: answering then would hand a client moto's answers, and credentials the
gateway later refuses. So `ReadinessGate` answers every request first, in front of the gateway:

- `GET /_securecart/health` (as LocalStack's `/_localstack/health`): what the harness is doing —
  starting, seeding, ready, or failed and why — on which backend and landscape, and whether the
  gateway enforces; 503 until ready, 200 then. No credentials, keys or tokens are in it.
- any other `/_securecart/...` path is refused (403): the harness has no other route, and a
  backend behind it may have some (the LocalStack launcher's state routes).
- until ready, every other request is answered 503 with AWS's `ServiceUnavailable` error, in a
  shape each AWS SDK reads as a retryable error; never by the backend.
- the seeder's pass: the seeder writes the landscape through the AWS APIs over HTTP
  (`harness.seeding`), so while it runs, and only then, requests under
  `/_securecart/seed/<token>` go to the backend with that prefix removed. The token is 128
  random bits, made for one seeding and revoked when it ends; only the seeder's clients hold it.
- once ready: the enforcing app (the gateway) answers.
"""

from __future__ import annotations

import hmac
import json
import posixpath
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HEALTH_PATH = "/_securecart/health"
HARNESS_PREFIX = "/_securecart"
SEEDER_PREFIX = "/_securecart/seed/"
RETRY_AFTER_SECONDS = 1
_REASON_LIMIT = 500
# What a failure's reason must not carry out: the seeder's token (in a URL of an error message)
# and anything shaped like an AWS access key id.
_SECRETS = (re.compile(r"(/_securecart/seed/)[^/\s'\"]+"),
            re.compile(r"\b(?:AKIA|ASIA|LSIA|LKIA)[A-Z0-9]{12,}\b"))


class Phase(StrEnum):
    STARTING = "starting"
    """The ports are open; nothing is seeded yet."""
    SEEDING = "seeding"
    """The landscape is being written, then the gateway put in front and its callers made."""
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class BackendInfo:
    name: str
    """moto or localstack"""
    version: str


@dataclass(frozen=True, slots=True)
class LandscapeInfo:
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class Health:
    """What `/_securecart/health` says; one immutable value, replaced whole on each change, so
    that a request reads a consistent one without a lock."""

    backend: BackendInfo
    phase: Phase = Phase.STARTING
    landscape: LandscapeInfo | None = None
    enforcing: bool = False
    """The enforcing gateway is in front of the backend."""
    reason: str | None = None
    """Why it failed."""
    seconds_to_ready: float | None = None

    @property
    def ready(self) -> bool:
        return self.phase is Phase.READY

    def to_json(self) -> dict[str, Any]:
        landscape = self.landscape
        return {
            "status": self.phase.value,
            "ready": self.ready,
            "reason": self.reason,
            "backend": {"name": self.backend.name, "version": self.backend.version},
            "landscape": None if landscape is None else {"name": landscape.name,
                                                         "path": landscape.path},
            "gateway": {"enforcing": self.enforcing},
            "seconds_to_ready": self.seconds_to_ready,
        }


class Readiness:
    """The phase a server is in, moved forward by whoever starts it; read on every request."""

    def __init__(self, backend: BackendInfo) -> None:
        self._lock = threading.Lock()
        self._health = Health(backend)
        self._started = time.monotonic()

    @property
    def health(self) -> Health:
        return self._health

    def seeding(self, landscape: LandscapeInfo) -> None:
        with self._lock:
            if self._health.ready:
                # Its world is what clients act in now; and the seeder's pass would bypass it.
                raise RuntimeError("seeding a server that is ready")
            self._health = replace(self._health, phase=Phase.SEEDING, landscape=landscape)

    def enforcing(self) -> None:
        """The gateway is in front from now on."""
        with self._lock:
            self._health = replace(self._health, enforcing=True)

    def ready(self) -> None:
        """Open: requests reach the gateway from now on. Only after seeding, and only with the
        gateway in front (fail closed: an unguarded backend is never declared ready)."""
        with self._lock:
            health = self._health
            if health.phase is not Phase.SEEDING or not health.enforcing:
                raise RuntimeError(f"not ready: {health.phase.value}, "
                                   f"{'enforcing' if health.enforcing else 'no gateway'}")
            seconds = round(time.monotonic() - self._started, 3)
            self._health = replace(health, phase=Phase.READY, seconds_to_ready=seconds)

    def failed(self, reason: str) -> None:
        with self._lock:
            self._health = replace(self._health, phase=Phase.FAILED,
                                   reason=scrub(reason) or "failed")


def scrub(reason: str) -> str:
    """A failure's message, fit to show anyone who asks the health route."""
    for pattern in _SECRETS:
        reason = pattern.sub(lambda found: (found.group(1) if found.groups() else "") + "…",
                             reason)
    return reason[:_REASON_LIMIT]


# --------------------------------------------------------------------------- the gate


@dataclass(slots=True)
class _SeederPass:
    token: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReadinessGate:
    """WSGI, in front of the gateway: see the module doc. `enforced` answers once `readiness`
    is ready; `backend` answers the seeder's requests while its pass is valid."""

    def __init__(self, readiness: Readiness, enforced: WSGIApplication,
                 backend: WSGIApplication) -> None:
        self.readiness = readiness
        self._enforced = enforced
        self._backend = backend
        self._seeder = _SeederPass()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        if is_harness_path(path):
            return self._harness_route(environ, start_response, path)
        health = self.readiness.health
        if not health.ready:
            return _respond(start_response, service_unavailable(environ, health))
        return self._enforced(environ, start_response)

    @contextmanager
    def seeder_url(self, url: str) -> Iterator[str]:
        """`url` with a fresh seeder's pass in its path, valid until the block ends."""
        token = secrets.token_hex(16)
        with self._seeder.lock:
            if self._seeder.token is not None:
                raise RuntimeError("one seeding at a time")
            self._seeder.token = token
        try:
            yield f"{url.rstrip('/')}{SEEDER_PREFIX}{token}"
        finally:
            with self._seeder.lock:
                self._seeder.token = None

    def _harness_route(self, environ: WSGIEnvironment, start_response: StartResponse,
                       path: str) -> Iterable[bytes]:
        if path == HEALTH_PATH:
            return _respond(start_response, health_answer(environ, self.readiness.health))
        rest = self._seeders_request(environ, path)
        if rest is not None:
            return self._backend(rest, start_response)
        return _respond(start_response, refused(environ))

    def _seeders_request(self, environ: WSGIEnvironment, path: str) -> WSGIEnvironment | None:
        """The request without the seeder's prefix, if it carries the valid pass."""
        token = self._seeder.token
        if token is None or not path.startswith(SEEDER_PREFIX):
            return None
        given, slash, rest = path[len(SEEDER_PREFIX):].partition("/")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return None
        prefix = f"{SEEDER_PREFIX}{token}"
        raws = {key: str(environ[key]) for key in ("RAW_URI", "REQUEST_URI") if key in environ}
        if any(not raw.startswith(prefix) for raw in raws.values()):
            return None  # the raw target says otherwise (an absolute URL, …): not the seeder's
        environ["PATH_INFO"] = slash + rest or "/"
        for key, raw in raws.items():
            stripped = raw[len(prefix):]
            environ[key] = stripped if stripped.startswith("/") else "/" + stripped
        return environ


def is_harness_path(path: str) -> bool:
    """Is `path` under /_securecart, however written (//_securecart, /x/../_SecureCart)?"""
    squeezed = re.sub(r"/+", "/", path).lower()
    normal = posixpath.normpath(squeezed)
    return any(candidate == HARNESS_PREFIX or candidate.startswith(HARNESS_PREFIX + "/")
               for candidate in (squeezed, normal))


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True, slots=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def _respond(start_response: StartResponse, answer: Answer) -> Iterable[bytes]:
    start_response(answer.status, [*answer.headers, ("Content-Length", str(len(answer.body)))])
    return [answer.body]


def health_answer(environ: WSGIEnvironment, health: Health) -> Answer:
    method = str(environ.get("REQUEST_METHOD", "GET"))
    if method not in ("GET", "HEAD"):
        return Answer("405 Method Not Allowed", [("Allow", "GET, HEAD")], b"")
    body = json.dumps(health.to_json(), indent=2).encode() + b"\n"
    status = "200 OK" if health.ready else "503 Service Unavailable"
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
    if not health.ready:
        headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
    return Answer(status, headers, b"" if method == "HEAD" else body)


def service_unavailable(environ: WSGIEnvironment, health: Health) -> Answer:
    """AWS's ServiceUnavailable (503), which every SDK retries, in the client's protocol."""
    if health.phase is Phase.FAILED:
        message = (f"The SecureCart harness failed to start ({health.reason}); "
                   f"see {HEALTH_PATH}.")
    else:
        message = (f"The SecureCart harness is {health.phase.value}; retry once "
                   f"{HEALTH_PATH} answers 200.")
    answer = error_answer(environ, "503 Service Unavailable", "ServiceUnavailable", message)
    return replace(answer, headers=[*answer.headers, ("Retry-After", str(RETRY_AFTER_SECONDS))])


def refused(environ: WSGIEnvironment) -> Answer:
    message = f"Not a route of the harness endpoint (only {HEALTH_PATH} is)."
    return error_answer(environ, "403 Forbidden", "AccessDenied", message)


def error_answer(environ: WSGIEnvironment, status: str, code: str, message: str) -> Answer:
    """An AWS error without knowing the service: the body in the request's family (CBOR for
    Smithy RPC v2, JSON for the JSON protocols, else the query protocol's <ErrorResponse>,
    which the query, EC2 and REST-XML parsers all read), and the code in x-amzn-ErrorType too
    (where REST-JSON clients read it)."""
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", code),
               ("Cache-Control", "no-store")]
    if str(environ.get("HTTP_SMITHY_PROTOCOL", "")).lower() == "rpc-v2-cbor":
        body = _cbor_map({"__type": code, "message": message})
        headers += [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor")]
    elif _speaks_json(environ):
        body = json.dumps({"__type": code, "message": message}).encode()
        headers.append(("Content-Type", "application/x-amz-json-1.1"))
    else:
        body = _error_xml(code, message, request_id)
        headers.append(("Content-Type", "text/xml"))
    return Answer(status, headers, body)


def _speaks_json(environ: WSGIEnvironment) -> bool:
    return "json" in str(environ.get("CONTENT_TYPE", "")) or "HTTP_X_AMZ_TARGET" in environ


def _error_xml(code: str, message: str, request_id: str) -> bytes:
    from xml.sax.saxutils import escape

    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error>'
            f"<Type>Receiver</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()


def _cbor_map(items: dict[str, str]) -> bytes:
    """A CBOR map of text strings (RFC 8949): all an RPC v2 error body needs."""
    return bytes([0xA0 | len(items)]) + b"".join(
        _cbor_text(key) + _cbor_text(value) for key, value in items.items())


def _cbor_text(text: str) -> bytes:
    data = text.encode()
    size = len(data)
    if size < 24:
        head = bytes([0x60 | size])
    elif size < 0x100:
        head = bytes([0x78, size])
    else:
        head = bytes([0x79]) + size.to_bytes(2, "big")  # messages are far below 64 KiB
    return head + data


def unavailable_app(readiness: Readiness) -> WSGIApplication:
    """The enforcing slot's content until a gateway is put there: 503, never the backend."""

    def unavailable(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return _respond(start_response, service_unavailable(environ, readiness.health))

    return unavailable
