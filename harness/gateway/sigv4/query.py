"""Query strings and form bodies: their name=value pairs, raw or decoded."""

from __future__ import annotations

from urllib.parse import unquote

from harness.gateway.sigv4.request import SignedRequest


def raw_pairs(query: str) -> list[tuple[str, str]]:
    """The query's name=value pairs as on the wire (a name without '=' has an empty value)."""
    if not query:
        return []
    return [(key, value) for key, _, value in (pair.partition("=") for pair in query.split("&"))]


def decode(text: str) -> str:
    # '+' stays '+': SigV4 clients encode a space as %20, and tokens hold literal pluses.
    return unquote(text, errors="replace")


def query_params(query: str) -> dict[str, str]:
    """Decoded parameters, the first value of each name."""
    params: dict[str, str] = {}
    for key, value in raw_pairs(query):
        params.setdefault(decode(key), decode(value))
    return params


def count_param(query: str, name: str) -> int:
    return sum(1 for key, _ in raw_pairs(query) if decode(key) == name)


def form_params(request: SignedRequest) -> dict[str, str]:
    """The parameters of an application/x-www-form-urlencoded body (none for any other body)."""
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    return query_params(request.body.decode("utf-8", "replace"))
