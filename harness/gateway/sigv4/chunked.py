"""aws-chunked bodies signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]).

Each chunk is `hex-size;chunk-signature=sig\\r\\n data \\r\\n`; its signature chains from the
previous one, starting at the seed (the request's signature); a zero-size chunk ends the
body, followed for the -TRAILER variant by trailing headers and x-amz-trailer-signature.
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
"""

from __future__ import annotations

import hashlib
import re

from harness.gateway.sigv4.canonical import EMPTY_SHA256, same, sign
from harness.gateway.sigv4.claim import Claim
from harness.gateway.sigv4.failures import AuthError, AuthFailure, s3_fail, signature_mismatch
from harness.gateway.sigv4.request import SignedRequest, utf8


def verify_chunks(request: SignedRequest, claim: Claim, key: bytes, *, trailer: bool) -> None:
    """Verify an aws-chunked body signed chunk by chunk, and its decoded length."""
    body, position, previous = request.body, 0, claim.signature
    decoded_length = 0
    while True:
        size, signature, start = _chunk_header(body, position)
        data = body[start : start + size]
        if len(data) != size:
            raise _incomplete_body()
        to_sign = _string_to_sign(
            "AWS4-HMAC-SHA256-PAYLOAD",
            claim,
            previous,
            EMPTY_SHA256,
            hashlib.sha256(data).hexdigest(),
        )
        previous = _check_chunk_signature(key, to_sign, signature, claim)
        decoded_length += size
        position = start + size
        if size == 0:
            break
        if body[position : position + 2] != b"\r\n":
            raise _incomplete_body()
        position += 2
    _check_body_end(body[position:], claim, key, previous, trailer)
    expected_length = request.header("x-amz-decoded-content-length")
    if expected_length is not None and expected_length.strip() != str(decoded_length):
        raise _incomplete_body()


def _chunk_header(body: bytes, position: int) -> tuple[int, str, int]:
    end = body.find(b"\r\n", position)
    if end < 0:
        raise _incomplete_body()
    line = body[position:end].decode("latin-1")
    size_text, _, extension = line.partition(";")
    name, _, signature = extension.partition("=")
    if not re.fullmatch(r"[0-9a-fA-F]{1,16}", size_text) or name.strip() != "chunk-signature":
        raise _incomplete_body()
    return int(size_text, 16), signature.strip(), end + 2


def _string_to_sign(algorithm: str, claim: Claim, previous: str, *digests: str) -> str:
    """What a chunk's or the trailer's signature signs: chained from the previous signature."""
    return "\n".join((algorithm, claim.amz_date, claim.scope, previous, *digests))


def _check_chunk_signature(key: bytes, to_sign: str, given: str, claim: Claim) -> str:
    expected = sign(key, to_sign)
    if not same(expected, given):
        details = {"AWSAccessKeyId": claim.access_key_id, "StringToSign": to_sign}
        raise signature_mismatch(claim.family, details)
    return expected


def _check_body_end(rest: bytes, claim: Claim, key: bytes, previous: str, trailer: bool) -> None:
    if not trailer:
        if rest not in (b"", b"\r\n"):
            raise _incomplete_body()
        return
    lines = rest.decode("latin-1").split("\r\n")
    headers: list[str] = []
    signature: str | None = None
    for line in lines:
        if not line:
            continue
        name, _, value = line.partition(":")
        if name.strip().lower() == "x-amz-trailer-signature":
            signature = value.strip()
        else:
            headers.append(f"{name.strip().lower()}:{value.strip()}\n")
    if signature is None:
        raise _incomplete_body()
    trailer_digest = hashlib.sha256(utf8("".join(headers))).hexdigest()
    to_sign = _string_to_sign("AWS4-HMAC-SHA256-TRAILER", claim, previous, trailer_digest)
    _check_chunk_signature(key, to_sign, signature, claim)


def _incomplete_body() -> AuthError:
    return s3_fail(
        AuthFailure.PAYLOAD, "IncompleteBody", 400, "The request body terminated unexpectedly"
    )
