"""The canonical request, the string to sign and the signing key, as botocore
(botocore/auth.py) and the other SDKs build them.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, unquote_to_bytes

from harness.gateway.sigv4.query import decode, raw_pairs
from harness.gateway.sigv4.request import SignedRequest, utf8

ALGORITHM = "AWS4-HMAC-SHA256"
SIGV4A_ALGORITHM = "AWS4-ECDSA-P256-SHA256"
TERMINATOR = "aws4_request"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@functools.lru_cache(maxsize=1024)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    A pure function of its arguments, cached: a key signs every request of its day."""
    key = utf8("AWS4" + secret)
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, utf8(part), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    digest = hashlib.sha256(utf8(canonical_request)).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def sign(key: bytes, text: str) -> str:
    """The hex signature of `text` with the signing key."""
    return hmac.new(key, utf8(text), hashlib.sha256).hexdigest()


def same(left: str, right: str) -> bool:
    """Equal, compared in constant time."""
    return hmac.compare_digest(utf8(left), utf8(right))


def header_names(signed_headers: str) -> list[str]:
    """The names of SignedHeaders (`host;x-amz-date`), lower-cased, in the order signed."""
    return [name.strip().lower() for name in signed_headers.split(";")]


def canonical_requests(
    request: SignedRequest, signed_headers: str, payload_hash: str, *, s3: bool, presigned: bool
) -> list[str]:
    """The canonical requests to try, AWS's own form first.

    The URI: S3 signs the path as it is, other services the path with dot segments and repeated
    slashes removed and then percent-encoded once more (botocore's _normalize_url_path). Besides
    the wire form, S3's path is also tried re-encoded from its decoded bytes (the documented
    UriEncode), which is what clients that send some characters unencoded sign.
    The query: each name and value decoded and UriEncoded, sorted; also botocore's form, which
    sorts the pairs as they are on the wire without re-encoding them.
    """
    uris = _canonical_uris(request.path, s3=s3)
    queries = _canonical_queries(request.query_string, presigned=presigned)
    headers = _canonical_headers(request.headers, header_names(signed_headers))
    method = request.method
    forms = [
        "\n".join((method, uri, query, headers, signed_headers, payload_hash))
        for uri in uris
        for query in queries
    ]
    return list(dict.fromkeys(forms))


def _canonical_uris(raw_path: str, *, s3: bool) -> list[str]:
    path = raw_path or "/"
    if not s3:
        return [quote(utf8(_remove_dot_segments(path)), safe="/~")]
    return list(dict.fromkeys((_uri_encode(unquote_to_bytes(utf8(path)), slash=False), path)))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4, and empty segments dropped (AWS collapses repeated slashes)."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last or "/"


def _uri_encode(value: bytes, *, slash: bool) -> str:
    """UriEncode of the SigV4 documentation: every byte but A-Z a-z 0-9 - _ . ~ as %XY; the
    slash too unless it separates path segments."""
    return quote(value, safe="~" if slash else "/~")


def _canonical_queries(query: str, *, presigned: bool) -> list[str]:
    pairs = [
        (key, value)
        for key, value in raw_pairs(query)
        if not (presigned and decode(key) == "X-Amz-Signature")
    ]
    encoded = sorted((_requote(key), _requote(value)) for key, value in pairs)
    aws_form = "&".join(f"{key}={value}" for key, value in encoded)
    botocore_form = "&".join(f"{key}={value}" for key, value in sorted(pairs))
    return list(dict.fromkeys((aws_form, botocore_form)))


def _requote(component: str) -> str:
    # A raw '+' in a query is a space to every server behind the gateway (form decoding), so it
    # is canonicalised as the %20 that SigV4 clients sign for a space.
    return _uri_encode(unquote_to_bytes(utf8(component.replace("+", " "))), slash=True)


def _canonical_headers(headers: Mapping[str, str], names: list[str]) -> str:
    """`name:value\\n` for each signed header, in the order signed; values trimmed and inner runs
    of white space collapsed (the documented Trimall, as botocore does it)."""
    return "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in names)
