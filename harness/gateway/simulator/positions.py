"""Where each statement of a policy document stands in its text: the StartPosition and
EndPosition of a MatchedStatement.

AWS's reference leaves them open; its answers show them. They are the 1-based line and column
of where a streaming JSON parser stands before and after reading the statement: the end just
after its closing brace; the start just after the "[" (first statement of a list) or the
previous statement's "}" (later ones), or just after the statement's own "{" when "Statement"
holds a single object. The AWS CLI's documented example (PolicyInputList.1 from line 1 column
38 to column 167) fixes the last case; AWS managed policies' results (AdministratorAccess from
line 3 column 17 to line 8 column 6) and a two-statement bucket policy (38–248, then 248–470)
fix the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int

    def wire(self) -> dict[str, int]:
        return {"Line": self.line, "Column": self.column}


Span = tuple[Position, Position]
"""A statement's start and end."""


def statement_spans(text: str) -> tuple[Span, ...]:
    """The start and end position of each statement of the document `text`, by index.
    Raises ValueError or IndexError for text that is not a policy document."""
    decoder = json.JSONDecoder()
    at = _statement_value(text, decoder)
    if at is None:
        return ()
    if text[at] == "{":
        _, end = decoder.raw_decode(text, at)
        return ((_position(text, at + 1), _position(text, end)),)
    spans: list[Span] = []
    before = at + 1  # just after "["
    while True:
        at = _skip(text, before)
        at = _skip(text, at + 1) if text[at] == "," else at
        if text[at] == "]":
            return tuple(spans)
        _, end = decoder.raw_decode(text, at)
        spans.append((_position(text, before), _position(text, end)))
        before = end


def _statement_value(text: str, decoder: json.JSONDecoder) -> int | None:
    """Where the value of the document's "Statement" begins (None: the document has none)."""
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("a policy document is a JSON object")
    at += 1
    while True:
        at = _skip(text, at)
        if text[at] == "}":
            return None
        key, at = decoder.raw_decode(text, at)
        at = _skip(text, at) + 1  # the colon
        at = _skip(text, at)
        if key == "Statement":
            return at
        _, at = decoder.raw_decode(text, at)
        at = _skip(text, at)
        at += 1 if text[at] == "," else 0


def _skip(text: str, at: int) -> int:
    while text[at] in " \t\r\n":
        at += 1
    return at


def _position(text: str, offset: int) -> Position:
    """1-based line and column of the character at `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)
