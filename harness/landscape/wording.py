"""How the loader's errors word things: the kind of a value, the names that would have been
accepted, the closest of them, a path."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


def describe(value: object) -> str:
    """A value as an error names what it got: `a string ('x')`, `a mapping`, …"""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def known(names: Iterable[str]) -> str:
    """The names that would have been accepted: `(known: a, b)`."""
    listed = list(names)
    return f"(known: {', '.join(listed)})" if listed else "(none are defined)"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` when one of `choices` is close to `word`, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def display(path: Path) -> str:
    """A path as errors show it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
