"""A backend across HTTP (harness.backends.http_backend): the request goes on as the client
wrote it (only Host is the emulator's), the answer comes back with a correct Content-Length, and
a backend that does not answer or answers 5xx is a `BackendFailure` naming it."""

from __future__ import annotations

import gzip
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from harness.backends.http_backend import BackendFailure, HttpBackend

DESCRIBED = "FakeStack 1.0 (test server; its log: /tmp/fake/localstack.log)"
GZIPPED = gzip.compress(b"compressed as the emulator sent it", mtime=0)


class EchoHandler(BaseHTTPRequestHandler):
    """Echoes the request as JSON (method, raw target, headers, body); `/status/N` answers N,
    `/close` closes the connection without an answer, `/chunked` answers chunked, `/gzip`
    answers gzip-encoded bytes."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/close"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Echo", "chunked")
            self.end_headers()
            for part in (b"first part, ", b"second part"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path.startswith("/gzip"):
            self._answer(200, GZIPPED, [("Content-Encoding", "gzip")])
            return
        status = 201
        if self.path.startswith("/status/"):
            status = int(self.path.split("/")[2].split("?")[0])
        if status >= 500:
            self._answer(status, b"boom: the emulator exploded", [])
            return
        echo = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                "body": body.decode("latin-1")}
        self._answer(status, json.dumps(echo).encode(),
                     [("Content-Type", "application/json"), ("X-Echo", "yes"),
                      ("Keep-Alive", "timeout=5"), ("Connection", "keep-alive")])

    def _answer(self, status: int, data: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def backend(echo_url: str) -> Iterator[HttpBackend]:
    found = HttpBackend(echo_url + "/", lambda: DESCRIBED)
    yield found
    found.close()


@dataclass
class Answer:
    status: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def echo(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.body)
        return found


def environ(method: str = "GET", *, raw_uri: str | None = "/", body: bytes = b"",
            **extra: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "4566",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": "s3.localhost.example:4566",
    }
    if raw_uri is not None:
        found["RAW_URI"] = raw_uri
    if body:
        found["CONTENT_LENGTH"] = str(len(body))
    found.update(extra)
    return found


def call(backend: HttpBackend, env: dict[str, Any]) -> Answer:
    answer = Answer()

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                       ) -> Any:
        answer.status, answer.headers = status, headers
        return None

    answer.body = b"".join(backend(env, start_response))
    return answer


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- the request


@pytest.mark.parametrize(
    ("where", "target"),
    [
        ("RAW_URI", "/securecart-dev-artifacts/dir%2Fkey%20one.txt"),
        ("RAW_URI", "/bucket/a%2Fb?list-type=2&prefix=logs%2F2026%2F&delimiter=%2F"),
        ("RAW_URI", "/?Action=ListTopics&Version=2010-03-31"),
        ("REQUEST_URI", "/bucket/with%2Bplus%3Dequals?tagging="),
        # S3 keys may hold dot segments and lower-case escapes: not normalised on the way.
        ("RAW_URI", "/bucket/x/../y"),
        ("RAW_URI", "/bucket/./a%2Fb"),
    ],
)
def test_path_and_query_arrive_as_the_client_wrote_them(
    backend: HttpBackend, where: str, target: str
) -> None:
    env = environ(raw_uri=None, PATH_INFO="/decoded/would/differ", QUERY_STRING="x=1")
    env[where] = target
    assert call(backend, env).echo()["path"] == target


def test_without_a_raw_uri_the_path_is_quoted_from_path_info(backend: HttpBackend) -> None:
    env = environ(raw_uri=None, PATH_INFO="/bucket/a b/ü", QUERY_STRING="versions&x=1")
    assert call(backend, env).echo()["path"] == "/bucket/a%20b/%C3%BC?versions&x=1"


def test_host_is_the_backends_and_other_headers_go_on(
    backend: HttpBackend, echo_url: str
) -> None:
    env = environ(
        "POST",
        body=b"Action=Publish&Message=hello",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION="AWS4-HMAC-SHA256 Credential=666666666666/20260101/us-east-1/sns/"
        "aws4_request, SignedHeaders=host, Signature=0",
        HTTP_X_AMZ_DATE="20260101T000000Z",
        HTTP_CONNECTION="close",
    )
    echo = call(backend, env).echo()
    headers = {name.lower(): value for name, value in echo["headers"].items()}
    assert headers["host"] == echo_url.removeprefix("http://")
    assert headers["authorization"] == env["HTTP_AUTHORIZATION"]
    assert headers["x-amz-date"] == "20260101T000000Z"
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert echo["method"] == "POST"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_body_is_forwarded(backend: HttpBackend, method: str) -> None:
    body = bytes(range(256)) * 3
    echo = call(backend, environ(method, raw_uri="/bucket/key", body=body)).echo()
    assert echo["method"] == method
    assert echo["body"].encode("latin-1") == body
    assert echo["headers"]["Content-Length"] == str(len(body))


# --------------------------------------------------------------------------- the answer


def test_status_headers_and_body_come_back(backend: HttpBackend) -> None:
    answer = call(backend, environ(raw_uri="/status/404?x=1"))
    assert answer.status == "404 Not Found"  # a 4xx is an AWS answer, not a failure
    assert answer.echo()["path"] == "/status/404?x=1"
    assert answer.header("X-Echo") == ["yes"]
    assert answer.header("Content-Type") == ["application/json"]
    assert answer.header("Content-Length") == [str(len(answer.body))]
    # About the hop to the emulator, not the answer.
    assert answer.header("Connection") == [] and answer.header("Keep-Alive") == []


def test_a_chunked_answer_gets_a_content_length(backend: HttpBackend) -> None:
    answer = call(backend, environ(raw_uri="/chunked"))
    assert answer.status == "200 OK"
    assert answer.body == b"first part, second part"
    assert answer.header("Content-Length") == [str(len(answer.body))]
    assert answer.header("Transfer-Encoding") == []
    assert answer.header("X-Echo") == ["chunked"]


def test_an_encoded_answer_is_passed_back_encoded(backend: HttpBackend) -> None:
    answer = call(backend, environ(raw_uri="/gzip"))
    assert answer.body == GZIPPED
    assert answer.header("Content-Encoding") == ["gzip"]
    assert answer.header("Content-Length") == [str(len(GZIPPED))]


def test_head_answers_no_body(backend: HttpBackend) -> None:
    answer = call(backend, environ("HEAD", raw_uri="/bucket/key"))
    assert answer.status == "201 Created"
    assert answer.body == b""
    assert answer.header("X-Echo") == ["yes"]


def test_head_keeps_the_length_of_the_body_it_describes(backend: HttpBackend) -> None:
    """HeadObject's Content-Length is the object's size, not the (empty) answer's."""
    head = call(backend, environ("HEAD", raw_uri="/bucket/key"))
    assert head.body == b""
    # The echo server describes a JSON body of ~160 bytes; a recomputed length would be 0.
    assert len(head.header("Content-Length")) == 1
    assert int(head.header("Content-Length")[0]) > 100


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_a_backend_failure(echo_url: str, status: int) -> None:
    described = {"text": "not yet described"}
    backend = HttpBackend(echo_url, lambda: described["text"])
    described["text"] = DESCRIBED  # describe() is asked when the request fails
    try:
        with pytest.raises(BackendFailure) as raised:
            call(backend, environ("PUT", raw_uri=f"/status/{status}?x=1", body=b"data"))
    finally:
        backend.close()
    message = str(raised.value)
    assert DESCRIBED in message
    assert str(status) in message
    assert f"PUT /status/{status}?x=1" in message
    assert "boom: the emulator exploded" in message


def test_a_closed_connection_is_a_backend_failure(backend: HttpBackend) -> None:
    started = time.monotonic()
    with pytest.raises(BackendFailure, match="did not answer GET /close") as raised:
        call(backend, environ(raw_uri="/close"))
    assert time.monotonic() - started < 10
    assert DESCRIBED in str(raised.value)


def test_a_refused_connection_is_a_backend_failure_naming_the_backend() -> None:
    port = closed_port()
    backend = HttpBackend(f"http://127.0.0.1:{port}", lambda: DESCRIBED)
    started = time.monotonic()
    try:
        with pytest.raises(BackendFailure) as raised:
            call(backend, environ(raw_uri="/bucket?location"))
    finally:
        backend.close()
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert message.startswith(f"{DESCRIBED} did not answer GET /bucket?location")
    assert "refused" in message.lower()


def test_a_long_target_is_cut_short_in_the_message() -> None:
    backend = HttpBackend(f"http://127.0.0.1:{closed_port()}", lambda: DESCRIBED)
    target = "/bucket/" + "k" * 1000
    try:
        with pytest.raises(BackendFailure) as raised:
            call(backend, environ(raw_uri=target))
    finally:
        backend.close()
    assert target[:200] in str(raised.value)
    assert target[:201] not in str(raised.value)
