"""The request as it arrived: method, raw path and query, case-insensitive headers, body."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote


class HeaderMap(Mapping[str, str]):
    """HTTP headers with case-insensitive names. A name given twice keeps both values, joined
    with a comma, which is how SigV4 canonicalises repeated headers."""

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in pairs:
            lowered = name.lower()
            if lowered in self._items:
                first_name, first_value = self._items[lowered]
                self._items[lowered] = (first_name, f"{first_value},{value}")
            else:
                self._items[lowered] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"HeaderMap({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """An HTTP request as received. `path` and `query_string` are raw (percent-encoded, as on
    the wire); `headers` is looked up case-insensitively (any Mapping is wrapped in a HeaderMap)."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes = b""

    def __post_init__(self) -> None:
        if not isinstance(self.headers, HeaderMap):
            object.__setattr__(self, "headers", HeaderMap(self.headers))

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def signed_request_from_environ(environ: Mapping[str, object], body: bytes) -> SignedRequest:
    """Build a SignedRequest from a WSGI environ and the body already read from wsgi.input.

    The signature covers the path as the client encoded it, so the raw request target
    (werkzeug's RAW_URI, or REQUEST_URI) is used when the server provides it. Otherwise the path
    is re-encoded from PATH_INFO, which PEP 3333 hands over percent-decoded as latin-1 text; that
    is exact for every path an SDK produces except one holding an encoded slash (%2F).
    """
    method = str(environ.get("REQUEST_METHOD") or "GET")
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw_uri, str) and raw_uri:
        path, query = _split_request_target(raw_uri)
    else:
        decoded = str(environ.get("SCRIPT_NAME") or "") + str(environ.get("PATH_INFO") or "")
        path = quote(_wsgi_bytes(decoded), safe="/~") or "/"
        query = str(environ.get("QUERY_STRING") or "")
    return SignedRequest(method, path, query, HeaderMap(_environ_headers(environ)), body)


def utf8(text: str) -> bytes:
    # surrogatepass: a header or path may carry anything; never fail on encoding.
    return text.encode("utf-8", "surrogatepass")


def _split_request_target(target: str) -> tuple[str, str]:
    if "://" in target.split("?", 1)[0]:  # absolute-form (a request through a proxy)
        after_scheme = target.split("://", 1)[1]
        slash = after_scheme.find("/")
        target = after_scheme[slash:] if slash >= 0 else "/"
    target = target.split("#", 1)[0]
    path, _, query = target.partition("?")
    return path or "/", query


def _environ_headers(environ: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            yield key[5:].replace("_", "-").lower(), str(value)
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value not in (None, ""):
            yield key.replace("_", "-").lower(), str(value)


def _wsgi_bytes(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # a server that decoded as UTF-8 despite PEP 3333
        return utf8(text)
