"""Requests as they go on the wire: built, SigV4-signed over exactly what is sent (so only their
content is odd or hostile), sent on a fresh socket, and the answer read back with whether the
gateway forwarded anything to the backend."""

from __future__ import annotations

import http.client
import json
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness.gateway.credentials import Credential
from tests.gateway.conftest import REGION, World

BOUND = 15.0
"""Seconds within which every answer must come (the machine is shared: generous)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    forwarded: bool
    seconds: float

    def code(self) -> str:
        text = self.body.decode("utf-8", "replace")
        if text.lstrip().startswith("{"):
            found = json.loads(text)
            return str(found.get("__type", found.get("code", ""))).rsplit("#", 1)[-1]
        start = text.find("<Code>")
        return text[start + 6:text.find("</Code>")] if start >= 0 else ""


@dataclass(frozen=True)
class Wire:
    """A request as it goes on the wire, before signing."""

    service: str
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    """The request target sent, when it is not `path` (an absolute-form target)."""
    host: str | None = None
    """The host signed for, when it is not the endpoint's."""


def _exact_method(signer: type[SigV4Auth]) -> type[SigV4Auth]:
    """botocore writes the method in capitals into the canonical request; the gateway (as AWS)
    signs the method as sent. Sign a lower-case method as it is sent."""
    class ExactMethod(signer):  # type: ignore[misc]
        def canonical_request(self, request: AWSRequest) -> str:
            canonical: str = super().canonical_request(request)
            return str(request.method) + canonical[len(str(request.method)):]
    return ExactMethod


def signed(world: World, credential: Credential, wire: Wire) -> list[tuple[str, str]]:
    """The header lines of `wire`, SigV4-signed for its service with `credential`."""
    base = f"http://{wire.host}" if wire.host else world.url
    request = AWSRequest(method=wire.method, url=base + wire.path, data=wire.body,
                         headers=dict(wire.headers))
    signer = _exact_method(S3SigV4Auth if wire.service == "s3" else SigV4Auth)
    signer(Credentials(credential.access_key_id, credential.secret_access_key,
                       credential.session_token), wire.service, REGION).add_auth(request)
    lines = [(name, str(value)) for name, value in request.headers.items()]
    if not any(name.lower() == "host" for name, _ in lines):
        lines.insert(0, ("Host", urlsplit(base).netloc))
    return lines


def head_bytes(request_line: str, lines: list[tuple[str, str]]) -> bytes:
    text = request_line + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in lines)
    return (text + "\r\n").encode("latin-1")


def exchange(world: World, head: bytes, body: bytes = b"", *, half_close: bool = False,
             timeout: float = BOUND) -> Answer:
    """Send the bytes on a fresh connection and read the answer (0: none within `timeout`)."""
    endpoint = urlsplit(world.url)
    mark = world.recorder.mark()
    started = time.perf_counter()
    with socket.create_connection((endpoint.hostname, endpoint.port), timeout=timeout) as sock:
        try:
            sock.sendall(head + body)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server answered and closed before taking everything
            pass
        status, payload = _response(sock)
    return Answer(status, payload, bool(world.recorder.forwarded_since(mark)),
                  time.perf_counter() - started)


def _response(sock: socket.socket) -> tuple[int, bytes]:
    response = http.client.HTTPResponse(sock)
    try:
        response.begin()
        return response.status, response.read()
    except (TimeoutError, ConnectionError, http.client.HTTPException):
        return 0, b""
    finally:
        response.close()


def send(world: World, credential: Credential, wire: Wire, *, length: int | None = None,
         half_close: bool = False, timeout: float = BOUND) -> Answer:
    """`wire`, signed, with Content-Length `length` (default: the body's)."""
    lines = signed(world, credential, wire)
    lines.append(("Content-Length", str(len(wire.body) if length is None else length)))
    request_line = f"{wire.method} {wire.target or wire.path} HTTP/1.1"
    return exchange(world, head_bytes(request_line, lines), wire.body, half_close=half_close,
                    timeout=timeout)


def send_chunked(world: World, credential: Credential, wire: Wire, chunks: bytes,
                 *, half_close: bool = False) -> Answer:
    """`wire` signed over its body, sent as the given chunked framing."""
    lines = signed(world, credential, wire)
    lines.append(("Transfer-Encoding", "chunked"))
    return exchange(world, head_bytes(f"{wire.method} {wire.path} HTTP/1.1", lines), chunks,
                    half_close=half_close)
