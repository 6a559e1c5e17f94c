"""HTTP/1.1 persistent connections for werkzeug's threaded server.

werkzeug's development server answers every request with `Connection: close`: http.server
cannot tell where an unread request body ends and the next request begins, so werkzeug drains
the socket after each response and closes it. Every AWS call then pays a new TCP connection, a
new server thread and, on the HTTPS port, a new TLS handshake: measured on the development
machine, a moto call took 4.8 ms over plain HTTP and 17.5 ms over HTTPS, most of it the
handshake. botocore keeps its connections alive whenever the server lets it.

`KeepAliveHandler.run_wsgi` is werkzeug's (3.1), changed where keep-alive needs it:
- a body framed by one valid Content-Length is handed to the app as a `Body` of that many
  bytes: no reader can take a byte of the next request (a short or timed-out read reaches the
  app as it would from the socket: b"" or the error);
- the connection stays open only when that body has been read to its end by the time the
  response starts, no Transfer-Encoding framed the request, the client did not ask to close,
  and the app neither failed nor was cut off; otherwise the response says `Connection: close`
  and the connection closes after it, as werkzeug's always did (after werkzeug's drain, so the
  client reads the answer rather than a reset);
- between requests nothing is drained: a kept-alive connection's next bytes are the next request.
Every request on a kept-alive connection is a request of its own, dispatched to the same app
(the gateway), so keeping a connection open changes nothing the app decides.

The server keeps its open connections (`track_connections`) so that stopping it closes the idle
ones too (`close_connections`): a kept-alive connection waits in its own thread for a next request
that will never come.
https://www.rfc-editor.org/rfc/rfc9112#name-persistence
"""

from __future__ import annotations

import contextlib
import io
import selectors
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import InternalServerError
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

# What werkzeug counts as the client going away mid-response (werkzeug.serving's own tuple).
_DROPPED = (ConnectionError, socket.timeout)
_DRAIN_LIMIT = 10_000_000


class _Connections:
    """The sockets a server has open, each with the thread serving it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def add(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.add(connection)

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def close_all(self) -> None:
        with self._lock:
            open_now, self._open = list(self._open), set()
        for connection in open_now:
            # Shutting the socket down wakes its thread from the wait for a next request.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def track_connections(server: BaseWSGIServer) -> None:
    """Make `server` keep its open connections (served by `KeepAliveHandler`)."""
    server.open_connections = _Connections()  # type: ignore[attr-defined]


def close_connections(server: BaseWSGIServer) -> None:
    """Close every connection `server` still has open (after `shutdown()`: no new ones come)."""
    connections: _Connections | None = getattr(server, "open_connections", None)
    if connections is not None:
        connections.close_all()


def _body_length(handler: WSGIRequestHandler) -> int | None:
    """The request body's length when one Content-Length frames it alone (none: 0); None when
    the framing cannot be trusted to leave the connection at the next request."""
    if handler.headers.get("Transfer-Encoding") is not None:
        return None
    lengths = handler.headers.get_all("Content-Length") or []
    if not lengths:
        return 0
    if len(lengths) > 1:
        return None
    text = lengths[0].strip()
    return int(text) if text.isascii() and text.isdigit() else None


class Body:
    """A request's body: the next `length` bytes of the connection's stream, no more."""

    def __init__(self, stream: io.BufferedIOBase, length: int) -> None:
        self._stream = stream
        self.remaining = length

    @property
    def exhausted(self) -> bool:
        return self.remaining <= 0

    def read(self, size: int | None = -1) -> bytes:
        return self._take(self._stream.read, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._take(self._stream.readline, size)

    def _take(self, read: Callable[[int], bytes], size: int | None) -> bytes:
        if self.remaining <= 0:
            return b""
        wanted = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = read(wanted)
        self.remaining -= len(data)
        return data


class KeepAliveHandler(WSGIRequestHandler):
    """werkzeug's request handler, keeping connections alive where that is safe (module doc)."""

    requests_served = 0

    def setup(self) -> None:
        super().setup()
        # A response goes out in two writes (head, body); on a connection kept alive, Nagle's
        # algorithm holds the second until the client's delayed ACK of the first: 40 ms a call.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connections: _Connections | None = getattr(self.server, "open_connections", None)
        if connections is not None:
            connections.add(self.connection)

    def finish(self) -> None:
        connections: _Connections | None = getattr(self.server, "open_connections", None)
        if connections is not None:
            connections.discard(self.connection)
        super().finish()

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

        self.requests_served += 1
        self.environ = environ = self.make_environ()
        length = _body_length(self)
        body: Body | None = None
        if length is None:
            self.close_connection = True
        else:
            body = Body(self.rfile, length)
            environ["wsgi.input"] = body
        response = _Response(self, environ, body)
        try:
            response.execute(self.server.app)
        except _DROPPED as error:
            self.close_connection = True
            self.connection_dropped(error, environ)
        except Exception as error:
            self.close_connection = True
            if self.server.passthrough_errors:
                raise
            with contextlib.suppress(Exception):
                response.execute(InternalServerError())
            from werkzeug.debug.tbtools import DebugTraceback

            trace = DebugTraceback(error).render_traceback_text()
            self.server.log("error", f"Error on request:\n{trace}")
        if self.close_connection:
            self._drain()

    def log_error(self, format: str, *args: Any) -> None:
        if self.requests_served and format.startswith("Request timed out"):
            return  # a kept-alive connection left idle (`timeout`): its normal end
        super().log_error(format, *args)

    def _drain(self) -> None:
        """werkzeug's drain before a close: what the client still sends is read and dropped,
        so that it reads the response instead of a connection reset."""
        selector = selectors.DefaultSelector()
        selector.register(self.connection, selectors.EVENT_READ)
        total, reads = 0, 0
        try:
            while selector.select(timeout=0.01):
                data = self.rfile.read(_DRAIN_LIMIT)
                total, reads = total + len(data), reads + 1
                if not data or total >= 1000 * _DRAIN_LIMIT or reads > 1000:
                    break
        except OSError:
            pass
        finally:
            selector.close()


class _Response:
    """One response on the handler's connection: werkzeug's `start_response`/`write`, saying
    `Connection: close` unless the connection can serve a next request."""

    def __init__(self, handler: KeepAliveHandler, environ: WSGIEnvironment,
                 body: Body | None) -> None:
        self.handler = handler
        self.environ = environ
        self.body = body
        self.status_set: str | None = None
        self.headers_set: list[tuple[str, str]] | None = None
        self.status_sent: str | None = None
        self.chunked = False

    def execute(self, app: WSGIApplication) -> None:
        if self.status_sent is None:  # a failed app's answer replaces what it had set
            self.status_set = self.headers_set = None
        iterable = app(self.environ, self.start_response)
        try:
            for data in iterable:
                self.write(data)
            if self.status_sent is None:
                self.write(b"")
            if self.chunked:
                self.handler.wfile.write(b"0\r\n\r\n")
        except BaseException:
            if self.status_sent is not None:
                # Part of a response went out: the connection cannot carry another one.
                self.handler.close_connection = True
            raise
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Any:
        if exc_info:
            try:
                if self.status_sent is not None:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.headers_set is not None:
            raise AssertionError("Headers already set")
        self.status_set, self.headers_set = status, headers
        return self.write

    def write(self, data: bytes) -> None:
        handler = self.handler
        if self.status_set is None or self.headers_set is None:
            raise AssertionError("write() before start_response")
        if self.status_sent is None:
            self._send_head(self.status_set, self.headers_set)
        if not isinstance(data, bytes):
            raise AssertionError("applications must write bytes")
        if data:
            if self.chunked:
                handler.wfile.write(f"{len(data):x}\r\n".encode())
            handler.wfile.write(data)
            if self.chunked:
                handler.wfile.write(b"\r\n")
        handler.wfile.flush()

    def _send_head(self, status: str, headers: list[tuple[str, str]]) -> None:
        handler = self.handler
        self.status_sent = status
        code_text, _, message = status.partition(" ")
        code = int(code_text)
        handler.send_response(code, message)
        names = set()
        for name, value in headers:
            if name.lower() == "connection":
                continue  # the connection's persistence is the server's to say
            handler.send_header(name, value)
            names.add(name.lower())
        # werkzeug's rule: chunked when there is no length, except where no body may follow.
        # https://httpwg.org/specs/rfc7230.html#rfc.section.3.3.1
        if not ("content-length" in names or self.environ["REQUEST_METHOD"] == "HEAD"
                or 100 <= code < 200 or code in {204, 304}):
            self.chunked = True
            handler.send_header("Transfer-Encoding", "chunked")
        if self.body is None or not self.body.exhausted or handler.close_connection:
            # send_header sets close_connection
            handler.send_header("Connection", "close")
        handler.end_headers()
