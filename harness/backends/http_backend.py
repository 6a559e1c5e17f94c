"""A backend across HTTP, as a WSGI app: the gateway and the seeder talk WSGI to every backend,
and this one forwards each request to an emulator listening elsewhere (LocalStack).

The emulator does not verify signatures, so the request goes on as it came — method, path and
query as the client wrote them, headers, body — with only the Host header made the emulator's.
A backend that does not answer, or answers 5xx, is a broken backend, not an AWS error: the
request fails with `BackendFailure`, whose message names the backend and its log (the gateway
turns it into a denial that carries the message: fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import urllib3

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

# Headers about one HTTP hop, not the request.
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "trailer",
                         "upgrade", "proxy-authorization", "proxy-authenticate", "host"})
CONNECT_SECONDS, READ_SECONDS = 5.0, 120.0


class BackendFailure(RuntimeError):
    """The backend did not answer, or answered with a server error."""


class HttpBackend:
    """Forwards WSGI requests to `url`. `describe` tells, when a request fails, what the
    backend is and where its log is (it may look at the process: has it exited?)."""

    def __init__(self, url: str, describe: Callable[[], str]) -> None:
        self.url = url.rstrip("/")
        self.describe = describe
        self._host = urlsplit(self.url).netloc
        self._pool = urllib3.PoolManager(
            maxsize=16, block=False, retries=False,
            timeout=urllib3.Timeout(connect=CONNECT_SECONDS, read=READ_SECONDS))
        # The connection pool's urlopen sends the target as given; the pool manager's would
        # normalise it (drop ./ and ../, uppercase %2f), which changes S3 keys.
        self._connections = self._pool.connection_from_url(self.url)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        method = str(environ["REQUEST_METHOD"])
        target = _target(environ)
        body = _body(environ)
        headers = _headers(environ)
        headers["Host"] = self._host
        try:
            response = self._connections.urlopen(method, target, body=body or None,
                                                 headers=headers, preload_content=True,
                                                 decode_content=False, redirect=False,
                                                 retries=False)
        except urllib3.exceptions.HTTPError as error:
            raise BackendFailure(
                f"{self.describe()} did not answer {method} {target[:200]}: {error}") from error
        if response.status >= 500:
            text = response.data[:300].decode("utf-8", "replace").strip()
            raise BackendFailure(
                f"{self.describe()} answered {response.status} to {method} {target[:200]}: "
                f"{text}")
        bodiless = method == "HEAD" or response.status in (204, 304)
        out = [(name, value) for name, value in response.headers.items()
               if name.lower() not in _HOP_BY_HOP
               and (bodiless or name.lower() != "content-length")]
        if not bodiless:
            # The body is handed over whole (decoded from any chunking): its own length.
            out.append(("Content-Length", str(len(response.data))))
        start_response(f"{response.status} {response.reason or ''}".strip(), out)
        return [response.data]

    def close(self) -> None:
        self._pool.clear()


def _target(environ: WSGIEnvironment) -> str:
    """The path and query as the client sent them (S3 keys keep their own escaping)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    path = quote(str(environ.get("PATH_INFO", "/")), safe="/~!$&'()*+,;=:@")
    query = str(environ.get("QUERY_STRING", ""))
    return f"{path}?{query}" if query else path


def _body(environ: WSGIEnvironment) -> bytes:
    length = str(environ.get("CONTENT_LENGTH") or "0")
    stream: Any = environ["wsgi.input"]
    return bytes(stream.read(int(length))) if length.isdigit() and int(length) > 0 else b""


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
            if name.lower() not in _HOP_BY_HOP:
                headers[name] = str(value)
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = str(environ["CONTENT_TYPE"])
    return headers
