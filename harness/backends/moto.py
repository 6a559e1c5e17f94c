"""moto, served in-process: its own WSGI app behind werkzeug's threaded server on loopback.

    with MotoServer() as server:            # http://127.0.0.1:<free port>
        with server.seeding(info) as url:   # open for the seeder (harness.stack.seed_server),
            seed(landscape, url)            # which writes the landscape through the AWS APIs
        server.snapshot()                   # remember this state as the reset point
        ...                                 # a scenario changes things
        server.reset()                      # back to the seeded state (about 0.2 s)

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

What the harness changes in moto is in `moto_changes`; how moto's state is snapshotted,
restored and emptied, in `moto_snapshots`.
"""
from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, make_server

from harness.backends.keep_alive import KeepAliveHandler, close_connections, track_connections
from harness.backends.moto_changes import prepare_moto
from harness.backends.moto_snapshots import Snapshot, capture, empty, gc_paused, restore
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
        prepare_moto()
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
        self._snapshot: Snapshot | None = None
        self._reset_listeners: list[Callable[[bool], None]] = []

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
        server = make_server(
            self.host,
            port,
            self._dispatch,
            threaded=True,
            request_handler=_handler_class(quiet=self.quiet),
            ssl_context=ssl_context,
        )
        track_connections(server)
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
            close_connections(server)
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

    @contextlib.contextmanager
    def seeding(self, landscape: LandscapeInfo) -> Iterator[str]:
        """Open for the seeder while the block runs: yields the URL it writes `landscape`
        through (`url`: through the middleware, if one is set; on an enforcing server, straight
        to the backend with the seeder's pass, refused once the block ends). The last snapshot
        is forgotten, and the health route says "seeding"; `snapshot()` after the block makes
        the seeded state the reset point."""
        self._snapshot = None
        self.readiness.seeding(landscape)
        # Seeding builds ~10^5 objects in a heap that moto has made large; the cyclic garbage
        # collector would walk that heap again and again meanwhile (a third of the time).
        with gc_paused(), self._seeder_url() as url:
            yield url

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
        self._snapshot = capture()

    def reset(self) -> None:
        """Back to the last snapshot (the seeded state); to empty if there is none."""
        if self._snapshot is None:
            empty()
        else:
            restore(self._snapshot)
        self._notify_reset(restored=self._snapshot is not None)

    def clear(self) -> None:
        """Empty the backend and forget the snapshot (moto's own `POST /moto-api/reset`)."""
        self._snapshot = None
        empty()
        self._notify_reset(restored=False)

    def on_reset(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(restored)` after every reset() and clear(): whatever was read from
        the backend since the snapshot (a gateway's cached policies, backend keys issued) is
        stale then. `restored` is True when the state is the snapshot's again (False: empty)."""
        self._reset_listeners.append(listener)

    def _notify_reset(self, *, restored: bool) -> None:
        for listener in self._reset_listeners:
            listener(restored)


def _url(scheme: str, host: str, port: int) -> str:
    # Listening on every interface is reached, here, on loopback (the certificate's name).
    host = {"0.0.0.0": LOOPBACK, "::": "::1"}.get(host, host)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{port}"


IDLE_SECONDS = 60
"""How long a connection may stay silent in the middle of a request before the server drops it."""


def _handler_class(*, quiet: bool) -> type[Any]:
    """moto's request handler (its headers with underscores kept), on connections kept alive
    (`harness.backends.keep_alive`); `quiet`: without the access log."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class Handler(KeepAliveHandler, MotoRequestHandler):
        pass

    if not quiet:
        return Handler

    class QuietHandler(Handler):
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
