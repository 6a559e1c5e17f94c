"""The request body, read whole and exactly as it is framed (`read_body`): Content-Length bytes,
or HTTP chunked encoding decoded strictly here, each read bounded in time, never through a
decoder that can be made to read past what the client sent. A body that cannot be read is
answered as the service of its credential scope answers it (`ProtocolError`).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, cast
from urllib.parse import unquote

from werkzeug.serving import DechunkedInput

from harness.gateway.protocol import ProtocolError
from harness.gateway.services import service_catalog

BODY_IDLE_SECONDS = 20.0
"""How long the gateway waits for the next bytes of a request body. S3 closes a connection
left idle (RequestTimeout, "not read from or written to within the timeout period") but does
not document after how long; this bound is the harness's own."""
_CHUNK_LINE = 4096  # a chunk-size line with its extensions; a trailer field line
_TRAILER_LINES = 100
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_SCOPE = re.compile(r"Credential=[^/,\s]+/[^/]+/[^/]+/([^/,\s]+)/aws4_request")


class _Incomplete(Exception):
    """The client ended the body before the bytes its framing announced."""


class _Malformed(Exception):
    """The body's chunked framing is not HTTP's (RFC 9112 §7.1)."""


@dataclass(frozen=True, slots=True)
class _BodyErrors:
    """What a service answers a body it cannot read, by the service of the credential scope:
    S3's own codes, or the errors common to all other AWS APIs.
    https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
    https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html"""

    service: str | None

    def incomplete(self) -> ProtocolError:
        if self.service == "s3":
            return self._error("IncompleteBody", "You did not provide the number of bytes "
                               "specified by the Content-Length HTTP header.", 400)
        return self._error("RequestAbortedException", "The request was aborted before its "
                           "body was complete.", 400)

    def timeout(self) -> ProtocolError:
        if self.service == "s3":
            return self._error("RequestTimeout", "Your socket connection to the server was not "
                               "read from or written to within the timeout period. Idle "
                               "connections will be closed.", 400)
        return self._error("RequestTimeoutException", "Reading the request timed out.", 408)

    def malformed(self, why: str) -> ProtocolError:
        return self._error("MalformedHttpRequestException",
                           f"The request's chunked body is malformed: {why}", 400)

    def unknown_method(self) -> ProtocolError:
        if self.service == "s3":
            return self._error("MethodNotAllowed", "The specified method is not allowed against "
                               "this resource.", 405)
        return self._error("UnknownOperationException", "The action or operation requested is "
                           "invalid.", 404)

    def _error(self, code: str, message: str, status: int) -> ProtocolError:
        return ProtocolError(code, message, status, service=self.service)


def read_body(environ: Mapping[str, Any]) -> bytes:
    """The request body, read whole, exactly as it is framed (Content-Length, or HTTP chunked
    encoding decoded strictly here), waiting at most `BODY_IDLE_SECONDS` for each read.

    Raises `ProtocolError` with AWS's answer: a body shorter than announced, a read that timed
    out, or malformed chunks. werkzeug's DechunkedInput is not
    used: given a chunk size larger than what follows, it hands out bytes the client never
    sent, without end. What is left unread stays unread: the server closes the connection.

    The request line is checked first, as it is read before the body: a method in lower case
    is no method of any AWS API (methods are case-sensitive, RFC 9110 §9.1), though
    `HttpRequest` spells every method in capitals.
    """
    errors = _BodyErrors(_scope_service(environ))
    method = str(environ.get("REQUEST_METHOD", ""))
    if method != method.upper():
        raise errors.unknown_method()
    # S3 too: botocore streams an upload with a trailing checksum (aws-chunked over HTTPS) with
    # Transfer-Encoding: chunked, and S3 takes it.
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    stream = cast("IO[bytes]", environ.get("wsgi.input") or io.BytesIO())
    try:
        with _idle_timeout(environ):
            if chunked:
                return _dechunk(stream)
            return _read_exactly(stream, _content_length(environ))
    except _Incomplete as error:
        raise errors.incomplete() from error
    except TimeoutError as error:
        raise errors.timeout() from error
    except _Malformed as error:
        raise errors.malformed(str(error)) from error


def _content_length(environ: Mapping[str, Any]) -> int:
    # An absent or unreadable Content-Length is no body, as werkzeug and moto take it.
    text = str(environ.get("CONTENT_LENGTH") or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        part = stream.read(min(remaining, 1 << 16))
        if not part:
            raise _Incomplete()
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


def _dechunk(stream: IO[bytes]) -> bytes:
    """chunked-body = *chunk last-chunk trailer-section CRLF (RFC 9112 §7.1)."""
    raw = _undecoded(stream)
    if raw is None:  # a server that decodes chunks itself hands over the body
        return stream.read()
    parts: list[bytes] = []
    while size := _chunk_size(_line(raw)):
        parts.append(_read_exactly(raw, size))
        if _line(raw) not in (b"\r\n", b"\n"):
            raise _Malformed("chunk data not followed by CRLF")
    for _ in range(_TRAILER_LINES):
        if _line(raw) in (b"\r\n", b"\n"):
            return b"".join(parts)
    raise _Malformed("too many trailer fields")


def _undecoded(stream: IO[bytes]) -> IO[bytes] | None:
    """The connection's stream under werkzeug's chunk decoder (it keeps it as `_rfile`)."""
    if isinstance(stream, DechunkedInput):
        return stream._rfile
    return None


def _line(raw: IO[bytes]) -> bytes:
    line = raw.readline(_CHUNK_LINE + 1)
    if not line:
        raise _Incomplete()
    if len(line) > _CHUNK_LINE or not line.endswith(b"\n"):
        raise _Malformed("line too long")
    return line


def _chunk_size(line: bytes) -> int:
    size = line.split(b";", 1)[0].strip(b" \t\r\n")
    if not _HEX.fullmatch(size):
        raise _Malformed(f"invalid chunk size {size[:20]!r}")
    return int(size, 16)


@contextlib.contextmanager
def _idle_timeout(environ: Mapping[str, Any]) -> Iterator[None]:
    """Bound each read of the body on werkzeug's connection socket (werkzeug.socket)."""
    sock = environ.get("werkzeug.socket")
    if sock is None or not hasattr(sock, "settimeout"):
        yield
        return
    before = sock.gettimeout()
    sock.settimeout(BODY_IDLE_SECONDS)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(before)


def _scope_service(environ: Mapping[str, Any]) -> str | None:
    """The service a request is signed for (its SigV4 credential scope), to answer a body it
    could not read in that service's terms; S3 when unsigned or signed otherwise (SigV2)."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    query = unquote(str(environ.get("QUERY_STRING", "")))  # a presigned X-Amz-Credential
    found = _SCOPE.search(authorization) or _SCOPE.search(query)
    if found is None:
        return "s3"
    return _service_named(found.group(1))


def _service_named(signing_name: str) -> str | None:
    if signing_name == "s3":
        return "s3"
    try:
        names = {str(i.name) for i in service_catalog().by_signing_name(signing_name)}
    except Exception:  # a name no service signs with
        return None
    if signing_name in names:
        return signing_name
    return names.pop() if len(names) == 1 else None
