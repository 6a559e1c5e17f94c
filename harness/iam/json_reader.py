"""Policy JSON as IAM reads it: the document's text (UTF-8, size and nesting bounded, IAM's
character set where the policy type demands it) and its values, refusing what json.loads takes
but IAM does not: duplicate keys (named with their path), NaN and Infinity. Numbers are kept as
written, since AWS reads condition values as strings.

Duplicate keys: "Individual elements must not contain multiple instances of the same key"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html, notes).
Character set: "Policy documents can contain only the following Unicode characters: horizontal
tab (U+0009), linefeed (U+000A), carriage return (U+000D), and characters in the range U+0020 to
U+00FF" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).

Every refusal is a PolicyValidationError naming the place: a line and column in the text, or
the path of the value ("Statement[0].Condition").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import Any

from harness.iam.errors import PolicyValidationError

__all__ = ["MAX_DOCUMENT_CHARS", "MAX_NESTING", "Number", "loads_strict", "read_document"]

# Inputs beyond these are refused before any parsing: no policy comes near them (the largest
# quota is 20 KB; the deepest legal document nests six levels: document, Statement list,
# statement, Condition, operator, value list), and the json module parses recursively.
MAX_DOCUMENT_CHARS = 1_048_576
MAX_NESTING = 64


def loads_strict(text: str | bytes) -> Any:
    """json.loads, refusing what IAM refuses: duplicate keys (naming the key and its path),
    NaN and Infinity, absurd size or nesting. Errors are PolicyValidationErrors; a JSON syntax
    error reads 'not JSON: <reason> at line L column C'."""
    return _loads(_as_text(text), keep_numbers=False)


def read_document(document: object, *, latin1_only: bool) -> tuple[Any, str]:
    """A policy document's values (dict, list, str, bool, Number, None) and its text: `document`
    is JSON text (bytes are read as UTF-8), held to IAM's character set when `latin1_only`, or an
    already-parsed mapping, whose text is the compact JSON a client would send."""
    if isinstance(document, (str, bytes)):
        text = _as_text(document)
        if latin1_only:
            _check_latin1(text)
        return _loads(text, keep_numbers=True), text
    if isinstance(document, Mapping):
        value = _plain(document, "", 0)
        # The size of a parsed document (for its quota) is that of the JSON a client would send.
        text = _compact_json(value)
        _check_length(len(text))
        return value, text
    raise PolicyValidationError(
        f"a policy document is JSON text or a mapping, not {type(document).__name__}"
    )


class Number:
    """A JSON number kept as written. AWS reads condition values as strings, so 1.50 stays
    "1.50" and 1e2 stays "1e2", where float() would make them "1.5" and "100.0"."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class _ObjectWithDuplicate(dict[str, Any]):
    """An object in which a key appears twice; IAM refuses it: "Individual elements must not
    contain multiple instances of the same key" (grammar notes). `duplicate` is the key."""

    duplicate: str


class _NonFiniteNumber(Exception):
    pass


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_CONSTANT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(NaN|-?Infinity)', re.DOTALL)
_NOT_LATIN1 = re.compile(r"[^\t\n\r\x20-\xff]")


def _as_text(document: str | bytes) -> str:
    if isinstance(document, bytes):
        _check_length(len(document))
        try:
            return document.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PolicyValidationError(
                f"not UTF-8: {error.reason}", f"byte {error.start}"
            ) from None
    if not isinstance(document, str):
        raise PolicyValidationError(f"not JSON text: {type(document).__name__}")
    _check_length(len(document))
    return document


def _check_length(length: int) -> None:
    if length > MAX_DOCUMENT_CHARS:
        raise PolicyValidationError(
            f"a document of {length} characters is far beyond any policy size quota "
            f"(refused above {MAX_DOCUMENT_CHARS})"
        )


def _check_nesting(text: str) -> None:
    # Fewer opening brackets than the limit can't nest deeper than it: skip the scan.
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return
    # Brackets inside strings do not nest; strip the strings, then follow the depth.
    brackets = _BRACKET.findall(_STRING.sub("", text))
    depth = max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)
    if depth > MAX_NESTING:
        raise PolicyValidationError(f"nesting deeper than {MAX_NESTING} levels")


def _check_latin1(text: str) -> None:
    found = _NOT_LATIN1.search(text)
    if found:
        raise PolicyValidationError(
            f"character U+{ord(found.group()):04X} is not allowed: IAM policy documents may contain"
            " only tab, line feed, carriage return and characters U+0020 to U+00FF",
            _line_column(text, found.start()),
        )


def _loads(text: str, *, keep_numbers: bool) -> Any:
    _check_nesting(text)
    duplicates_seen = False

    def make_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates_seen
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        duplicates_seen = True
        marked = _ObjectWithDuplicate(pairs)
        marked.duplicate = _first_repeated([key for key, _ in pairs])
        return marked

    number = Number if keep_numbers else None
    try:
        value = json.loads(
            text,
            object_pairs_hook=make_object,
            parse_int=number,
            parse_float=number,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        # json says "Unterminated string starting at"; the place follows in `where`.
        problem = f"not JSON: {error.msg.removesuffix(' at')}"
        raise PolicyValidationError(problem, where) from None
    except _NonFiniteNumber as error:
        problem = f"not JSON: {error} is not a number JSON allows"
        raise PolicyValidationError(problem, _constant_location(text)) from None
    except (ValueError, RecursionError) as error:  # e.g. an integer too long for int()
        raise PolicyValidationError(f"not JSON: {error}") from None
    if duplicates_seen:
        _raise_first_duplicate(value)
    return value


def _reject_constant(name: str) -> Any:
    raise _NonFiniteNumber(name)


def _constant_location(text: str) -> str:
    for found in _CONSTANT.finditer(text):
        if found.group(1):
            return _line_column(text, found.start(1))
    return ""


def _line_column(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    return f"line {line} column {column}"


def _first_repeated(keys: list[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return ""


def _raise_first_duplicate(value: Any, path: str = "") -> None:
    """Raise for the first object holding a duplicate key, in document order (depth-bounded by
    _check_nesting)."""
    if isinstance(value, _ObjectWithDuplicate):
        raise PolicyValidationError(
            f'Duplicate key "{value.duplicate}"', _child(path, value.duplicate)
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _raise_first_duplicate(item, _child(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _raise_first_duplicate(item, f"{path}[{index}]")


def _plain(value: Any, path: str, depth: int) -> Any:
    """A caller's already-parsed document as the values _loads gives: dict, list, str, bool,
    Number, None. Anything JSON cannot hold is refused here, with its place."""
    if depth > MAX_NESTING:
        raise PolicyValidationError(f"nesting deeper than {MAX_NESTING} levels", path)
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        try:
            return Number(str(value))
        except ValueError:  # more digits than int→str allows
            raise PolicyValidationError("integer too long", path) from None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PolicyValidationError(f"not JSON: {value} is not a number JSON allows", path)
        return Number(repr(value))
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise PolicyValidationError(f"object key {key!r} is not a string", path)
            plain[key] = _plain(item, _child(path, key), depth + 1)
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    raise PolicyValidationError(f"a {type(value).__name__} is not a JSON value", path)


def _compact_json(value: Any) -> str:
    if isinstance(value, Number):
        return value.text
    if isinstance(value, dict):
        members = (f"{json.dumps(key)}:{_compact_json(item)}" for key, item in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact_json(item) for item in value) + "]"
    return json.dumps(value)


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
