"""Connections kept alive by the server (harness.backends.keep_alive): a connection serves
request after request only where its framing leaves it exactly at the next request; anything
else is answered with `Connection: close` and closed, as werkzeug always did."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from harness.backends.keep_alive import KeepAliveHandler, close_connections, track_connections
from harness.backends.moto import MotoServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """/read answers with the body it read (Content-Length bytes, as the gateway reads them);
    /ignore answers without reading it; /fail fails."""
    path = environ["PATH_INFO"]
    if path == "/fail":
        raise RuntimeError("the app failed")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = b"" if path == "/ignore" else environ["wsgi.input"].read(length)
    answer = b"%s read %d bytes: %s" % (path.encode(), len(body), body)
    start_response("200 OK", [("Content-Length", str(len(answer)))])
    return [answer]


@pytest.fixture
def server() -> Iterator[BaseWSGIServer]:
    served = make_server("127.0.0.1", 0, app, threaded=True, request_handler=KeepAliveHandler)
    track_connections(served)
    thread = threading.Thread(target=served.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield served
    served.shutdown()
    served.server_close()
    close_connections(served)
    thread.join()


def connect(server: BaseWSGIServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.server_port), timeout=5)


def post(path: str, body: bytes, *extra: str) -> bytes:
    head = [f"POST {path} HTTP/1.1", "Host: localhost", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def read_responses(connection: socket.socket, count: int = 1) -> list[tuple[bytes, bytes]]:
    """The next `count` responses (each framed by Content-Length): their heads and bodies."""
    data, responses = b"", list[tuple[bytes, bytes]]()
    while len(responses) < count:
        if b"\r\n\r\n" in data:
            head, _, rest = data.partition(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            if len(rest) >= length:
                responses.append((head, rest[:length]))
                data = rest[length:]
                continue
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed before {count} responses: {data!r}"
        data += chunk
    return responses


def test_a_connection_serves_request_after_request(server: BaseWSGIServer) -> None:
    with connect(server) as connection:
        for number in range(3):
            connection.sendall(post("/read", b"call %d" % number))
            [(head, body)] = read_responses(connection)
            assert b"Connection: close" not in head
            assert body == b"/read read 6 bytes: call %d" % number


def test_pipelined_requests_are_each_answered_with_their_own_body(
        server: BaseWSGIServer) -> None:
    with connect(server) as connection:
        connection.sendall(post("/read", b"first") + post("/read", b"second"))
        first, second = read_responses(connection, 2)
        assert first[1] == b"/read read 5 bytes: first"
        assert second[1] == b"/read read 6 bytes: second"


def test_an_unread_body_is_never_taken_for_a_next_request(server: BaseWSGIServer) -> None:
    # A body that is itself a request: were it read as the next request, a second answer
    # (from /read) would follow.
    smuggled = post("/read", b"smuggled")
    with connect(server) as connection:
        connection.sendall(post("/ignore", smuggled))
        answer = read_all(connection)
    assert b"Connection: close" in answer
    assert answer.count(b"HTTP/1.1 200") == 1
    assert b"smuggled" not in answer


@pytest.mark.parametrize("framing", [
    ["Transfer-Encoding: chunked"],
    ["Content-Length: 4"],          # a second Content-Length
    ["Connection: close"],
])
def test_a_request_framed_otherwise_closes_its_connection(
        server: BaseWSGIServer, framing: list[str]) -> None:
    if framing == ["Transfer-Encoding: chunked"]:
        request = (b"POST /read HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"4\r\nbody\r\n0\r\n\r\n")
    else:
        request = post("/read", b"body", *framing)
    with connect(server) as connection:
        connection.sendall(request + post("/read", b"next"))
        answer = read_all(connection)
    assert b"Connection: close" in answer
    assert b"next" not in answer


def test_an_http_1_0_request_closes_its_connection(server: BaseWSGIServer) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /read HTTP/1.0\r\n\r\n")
        answer = read_all(connection)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"Connection: close" in answer


def test_a_failing_app_answers_500_and_closes(server: BaseWSGIServer) -> None:
    with connect(server) as connection:
        connection.sendall(post("/fail", b"") + post("/read", b"next"))
        answer = read_all(connection)
    assert answer.startswith(b"HTTP/1.1 500")
    assert b"Connection: close" in answer
    assert b"next" not in answer


def test_stopping_the_server_closes_its_idle_connections(server: BaseWSGIServer) -> None:
    connection = connect(server)
    with connection:
        connection.sendall(post("/read", b"x"))
        read_responses(connection)
        serving = threading.active_count()  # with the thread that waits for a next request
        close_connections(server)
        assert connection.recv(1) == b""  # the server's end is shut: no next request
    deadline = time.monotonic() + 5
    while threading.active_count() >= serving and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() < serving, "the connection's thread still waits"


def test_the_backend_server_keeps_https_connections_alive() -> None:
    # One TLS handshake for many calls: what keeping connections alive is for.
    with MotoServer(tls_port=0) as served:
        assert served.https_url is not None and served.ca_bundle is not None
        url = urlsplit(served.https_url)
        context = ssl.create_default_context(cafile=str(served.ca_bundle))
        connection = http.client.HTTPSConnection(url.hostname or "", url.port, context=context)
        sockets = []
        for _ in range(3):
            connection.request("POST", "/", body="Action=GetCallerIdentity&Version=2011-06-15",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            assert response.status == 200, response.read()
            assert response.getheader("Connection") is None
            response.read()
            sockets.append(connection.sock)
        connection.close()
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3


def test_an_idle_kept_alive_connection_is_closed_without_a_word(
        caplog: pytest.LogCaptureFixture) -> None:
    class Impatient(KeepAliveHandler):
        timeout = 0.2

    served = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Impatient)
    thread = threading.Thread(target=served.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with connect(served) as connection:
            connection.sendall(post("/read", b"x"))
            read_responses(connection)
            assert read_all(connection) == b""  # closed by the server once idle
        with connect(served) as connection:  # silent from the start: a slow client, logged
            assert read_all(connection) == b""
    finally:
        served.shutdown()
        served.server_close()
        thread.join()
    timeouts = [r for r in caplog.records if "timed out" in r.getMessage()]
    assert len(timeouts) == 1, [r.getMessage() for r in caplog.records]
