"""IAM wildcard matching against several policy values at once.

`*` matches any run of characters and `?` any one character
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String);
the translation to regexes is harness.iam.wildcard's. Here the values a policy lists for one key
become one test, compiled once: a set lookup for the literal values — most of them — and one
alternation for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from harness.iam.wildcard import Parts, compile_glob, compile_parts


def glob_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A test for "matches any of these IAM globs". Literal patterns — most policy values —
    become a set lookup, the others one alternation compiled once."""
    literals = frozenset(p for p in patterns if not _is_glob(p))
    globs = tuple(sorted({p for p in patterns if _is_glob(p)}))
    if not globs:
        return literals.__contains__
    if "*" in globs:
        return _anything
    search = _alternation(globs).match
    if not literals:
        return lambda value: search(value) is not None
    return lambda value: value in literals or search(value) is not None


def _anything(_value: str) -> bool:
    return True


def _is_glob(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=4096)
def _alternation(globs: tuple[str, ...]) -> re.Pattern[str]:
    # Each compiled glob ends in \Z, so the alternatives can simply be joined.
    return re.compile("|".join(f"(?:{compile_glob(g).pattern})" for g in globs), re.DOTALL)


def parts_matcher(patterns: Sequence[Parts]) -> Callable[[str], bool]:
    """`glob_matcher` for patterns whose policy variables have been substituted: the
    substituted text is literal, the policy's own text keeps its wildcards."""
    if not patterns:
        return _nothing
    search = _parts_alternation(tuple(patterns)).match
    return lambda value: search(value) is not None


def _nothing(_value: str) -> bool:
    return False


@lru_cache(maxsize=4096)
def _parts_alternation(patterns: tuple[Parts, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{compile_parts(p).pattern})" for p in patterns), re.DOTALL)
