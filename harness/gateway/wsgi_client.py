"""boto3 clients that talk to a WSGI app in the same process, without a socket.

The gateway reads the world it decides about (policies, the organisation tree, resource
owners) from the backend, unenforced; going through HTTP to itself would cost a connection per
read and a server thread. botocore lets a client's HTTP session be replaced: this one turns the
prepared request into a WSGI environ, calls the app, and hands botocore the response.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config

from harness.gateway.wsgi_call import call_wsgi

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

_CONFIG = Config(retries={"total_max_attempts": 1})
# Headers about the HTTP transfer itself: the body is handed over whole, with its length.
_HOP_BY_HOP = frozenset({"CONTENT_LENGTH", "TRANSFER_ENCODING", "EXPECT", "CONNECTION"})


class _RawBody(io.BytesIO):
    """What botocore's AWSResponse expects of `raw`: a stream with `stream()`."""

    def stream(self, amt: int = 65536, decode_content: bool = True) -> Iterable[bytes]:
        while chunk := self.read(amt):
            yield chunk


class WsgiHttpSession:
    """A stand-in for botocore's URLLib3Session that calls `app` in-process."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def send(self, request: AWSPreparedRequest) -> AWSResponse:
        url = urlsplit(request.url)
        body = _body_bytes(request.body)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": _unquote_path(url.path or "/"),
            "RAW_URI": (url.path or "/") + (f"?{url.query}" if url.query else ""),
            "QUERY_STRING": url.query,
            "SERVER_NAME": url.hostname or "127.0.0.1",
            "SERVER_PORT": str(url.port or 443),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme or "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in request.headers.items():
            text = value.decode() if isinstance(value, bytes) else str(value)
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
            elif key not in _HOP_BY_HOP:
                environ[f"HTTP_{key}"] = text
        # The host the client signed for (botocore adds the Host header only when sending).
        environ.setdefault("HTTP_HOST", url.netloc or "127.0.0.1")

        status, headers, payload = call_wsgi(self.app, environ)
        return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(headers),
                           _RawBody(payload))


def _unquote_path(path: str) -> str:
    from urllib.parse import unquote

    return unquote(path)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    read = getattr(body, "read", None)
    if read is not None:
        # botocore may have read the stream already (to checksum it): start from the top.
        seek = getattr(body, "seek", None)
        if seek is not None:
            seek(0)
        data = read()
        return data if isinstance(data, bytes) else str(data).encode()
    return b"".join(body)


def wsgi_client(app: WSGIApplication, service: str, *, region: str, access_key_id: str,
                secret_access_key: str, session_token: str | None = None) -> Any:
    """A boto3 client for `service` whose requests `app` answers in-process."""
    from harness.clients import make_client

    client = make_client(
        service,
        region=region,
        endpoint_url="https://127.0.0.1",
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
        config=_CONFIG,
    )
    client._endpoint.http_session = WsgiHttpSession(app)
    return client
