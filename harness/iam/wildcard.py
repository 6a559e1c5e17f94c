"""Glob patterns as IAM uses them: `*` matches any run of characters, `?` any one character.

Patterns are compiled once and cached: the same few hundred patterns are matched millions of
times in a run, and compiling is what costs.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A pattern made of parts: (text, is_pattern). Text from the policy keeps its wildcard meaning;
# text substituted from a policy variable, or an escape such as ${*}, is matched literally.
Parts = tuple[tuple[str, bool], ...]


def _translate(text: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)


@lru_cache(maxsize=16384)
def compile_glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(_translate(pattern) + r"\Z", flags)


@lru_cache(maxsize=16384)
def compile_parts(parts: Parts, ignore_case: bool = False) -> re.Pattern[str]:
    regex = "".join(
        _translate(text) if is_pattern else re.escape(text) for text, is_pattern in parts
    )
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(regex + r"\Z", flags)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return compile_glob(pattern, ignore_case).match(value) is not None


def parts_match(parts: Parts, value: str, ignore_case: bool = False) -> bool:
    return compile_parts(parts, ignore_case).match(value) is not None
