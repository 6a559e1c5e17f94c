"""A cucumber tag expression (`@a and not (@b or @c)`) as pytest's -m expression over the
markers pytest-bdd makes from tags (the tag without its @)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_TAG = re.compile(r"@?[\w.:-]+")


def tags_to_markers(expression: str) -> str:
    """The marker expression; ValueError, worded for `--tags`, when `expression` is empty or
    holds something that is not a tag, an operator or a parenthesis."""
    tokens = _TOKEN.findall(expression)
    if not tokens:
        raise ValueError("--tags: an empty tag expression")
    words = []
    for token in tokens:
        if token in ("(", ")"):
            words.append(token)
        elif token.lower() in ("and", "or", "not"):
            words.append(token.lower())
        elif _TAG.fullmatch(token):
            words.append(token.removeprefix("@"))
        else:
            raise ValueError(f"--tags: {token!r} is not a tag (write @name, and, or, not, ( ))")
    return " ".join(words)
