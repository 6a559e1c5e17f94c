"""The grammar of the `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
Signature=…` header, read one way only, and the same header written back from what was verified.

AWS's own reader is lenient: it splits the header on commas and white space, reports the first
token without an equal sign, and looks the three components up by name, ignoring the rest. The
gateway is not the only reader of the header, though: the backend reads it again with its own
rules (moto takes the access key with a greedy regular expression, and routes by the first
comma-separated part), so a header that can be read two ways could be authorised as one service
or account and executed as another. The gateway therefore accepts only the one layout the SDKs
write — the algorithm, one space, then `Credential`, `SignedHeaders` and `Signature`, each once,
spelt exactly so, separated by a comma and at most one space — and forwards the header rebuilt
from the verified components (`format_authorization`).
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from harness.gateway.sigv4.canonical import ALGORITHM

COMPONENTS = ("Credential", "SignedHeaders", "Signature")

# AWS's tokens: the header after the algorithm, split on commas and white space (its messages
# name "'<AKID> /…' not a valid key=value pair" for a space inside the credential).
_TOKEN_SEPARATORS = re.compile(r"[,\s]+")
_COMPONENT = re.compile(r"(?P<name>Credential|SignedHeaders|Signature)=(?P<value>[^\s,=]+)")
_ANY_PAIR = re.compile(r"[^\s,=]+=[^\s,=]+")
# "The list includes header names only, and the header names must be in lowercase" (the page
# above): lower-case header names (RFC 9110 tokens) separated by semicolons. A colon or slash
# here would give the backend's key-finding expression a second access key to find.
_SIGNED_HEADERS = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*")


@dataclass(frozen=True, slots=True)
class Tokens:
    """The header as AWS tokenises it: the algorithm, each `name=value` token (first value of
    each name), and the first token without an equal sign."""

    algorithm: str
    components: dict[str, str]
    bad_pair: str | None


class Oddity(StrEnum):
    """How a header departs from the one layout the gateway reads."""

    DUPLICATE = "duplicate"  # a component given twice
    UNKNOWN = "unknown"  # a name=value pair of another name (or another case)
    SHAPE = "shape"  # white space, commas, or a value the layout does not allow


@dataclass(frozen=True, slots=True)
class LayoutProblem:
    """What is odd, and the component (as sent) that is."""

    oddity: Oddity
    component: str


def tokens(value: str) -> Tokens:
    """The header split as AWS splits it (see the module's documentation)."""
    algorithm, _, rest = value.strip().partition(" ")
    components: dict[str, str] = {}
    for token in _TOKEN_SEPARATORS.split(rest):
        if not token:
            continue
        name, equal, component = token.partition("=")
        if not equal:
            return Tokens(algorithm, components, token)
        components.setdefault(name, component)
    return Tokens(algorithm, components, None)


def layout_problem(value: str) -> LayoutProblem | None:
    """None when `value` is `AWS4-HMAC-SHA256 ` and the three components each once, separated
    by `,` or `, `; else the first component that is not so. The algorithm is not checked here."""
    _, _, rest = value.strip(" \t").partition(" ")
    seen: set[str] = set()
    for index, piece in enumerate(rest.split(",")):
        component = piece[1:] if index and piece.startswith(" ") else piece
        found = _COMPONENT.fullmatch(component)
        if found is None:
            oddity = Oddity.UNKNOWN if _ANY_PAIR.fullmatch(component) else Oddity.SHAPE
            return LayoutProblem(oddity, piece)
        if found["name"] in seen:
            return LayoutProblem(Oddity.DUPLICATE, piece)
        seen.add(found["name"])
    missing = [name for name in COMPONENTS if name not in seen]
    return LayoutProblem(Oddity.SHAPE, missing[0]) if missing else None


def strict_components(value: str) -> dict[str, str] | None:
    """The three components of a header in the one layout with the AWS4-HMAC-SHA256 algorithm;
    None for any other header."""
    read = tokens(value)
    if read.algorithm != ALGORITHM or layout_problem(value) is not None:
        return None
    return {name: read.components[name] for name in COMPONENTS}


def valid_signed_headers(signed_headers: str) -> bool:
    return _SIGNED_HEADERS.fullmatch(signed_headers) is not None


def format_authorization(credential: str, signed_headers: str, signature: str) -> str:
    """The header in the one layout: what the SDKs write (botocore/auth.py), and what the
    gateway forwards."""
    return (
        f"{ALGORITHM} Credential={credential}, SignedHeaders={signed_headers}, "
        f"Signature={signature}"
    )
