"""Calling a WSGI app in this process and collecting its whole response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment


def read_all(chunks: Iterable[bytes]) -> bytes:
    """The body a WSGI app returned, joined; the iterable is then closed, as a WSGI server
    must (PEP 3333), whether or not reading it failed."""
    try:
        return b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def call_wsgi(app: WSGIApplication, environ: WSGIEnvironment
              ) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line such as "200 OK", headers, body) of `app` answering `environ`."""
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                       ) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    body = read_all(app(environ, start_response))
    return str(captured["status"]), captured["headers"], body
