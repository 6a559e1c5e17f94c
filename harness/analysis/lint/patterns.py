"""Policy patterns against each other and against ARN templates: whether a policy's resource
pattern can name a resource of a type (`arn_pattern_fits`), and whether one pattern matches
everything another does (`covers`). Both decide over the patterns' characters, never by
enumerating strings."""

from __future__ import annotations

import re
from functools import cache

from harness.reference import ENVIRONMENT_VARIABLES


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


# A policy ARN pattern is a glob: '*' any run of characters (':' and '/' included), '?' one
# character; a policy variable ${…} stands for any run too. A resource type's ARN template is
# literal text and variables; a variable stands for one or more characters of a class.
_STAR = "*"
_ONE = "?"
_Var = tuple[frozenset[str], bool]  # excluded characters, at least one character
_TemplateToken = str | _Var

# Names that hold no '/' even as the last part of an ARN (AWS's naming rules for them).
_NO_SLASH_NAMES = frozenset({"BucketName", "TableName", "QueueName", "TopicName", "FunctionName"})


@cache
def _glob_tokens(pattern: str) -> tuple[tuple[str, bool], ...]:
    """(text, is_literal) per element: literal characters, or '*' / '?' wildcards
    (policy variables become '*')."""
    tokens: list[tuple[str, bool]] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("${", index) and "}" in pattern[index:]:
            index = pattern.index("}", index) + 1
            tokens.append((_STAR, False))
            continue
        char = pattern[index]
        tokens.append((char, char not in (_STAR, _ONE)))
        index += 1
    return tuple(tokens)


@cache
def _template_tokens(template: str) -> tuple[_TemplateToken, ...]:
    parts = re.split(r"\$\{([^}]+)\}", template)
    tokens: list[_TemplateToken] = []
    for number, part in enumerate(parts):
        if number % 2 == 0:
            tokens.extend(part)
            continue
        following = parts[number + 1] if number + 1 < len(parts) else ""
        last = number == len(parts) - 2 and following == ""
        if part in ENVIRONMENT_VARIABLES:
            tokens.append((frozenset(":"), False))
        elif part == "ObjectName" or part.endswith("Path"):
            tokens.append((frozenset(), True))
        elif last:
            tokens.append((frozenset("/") if part in _NO_SLASH_NAMES else frozenset(), True))
        else:
            excluded = {":"} | ({"/"} if following.startswith("/") else set())
            tokens.append((frozenset(excluded), True))
    return tuple(tokens)


@cache
def arn_pattern_fits(pattern: str, template: str) -> bool:
    """Whether some ARN both matches the policy's `pattern` and is of the resource type whose
    ARN template is `template` (e.g. "arn:${Partition}:s3:::${BucketName}/${ObjectName}")."""
    glob = _glob_tokens(pattern)
    tokens = _template_tokens(template)
    seen: set[tuple[int, int, bool]] = set()
    todo = [(0, 0, False)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        g, t, consumed = state
        if g == len(glob) and t == len(tokens):
            return True
        glob_token = glob[g] if g < len(glob) else None
        token = tokens[t] if t < len(tokens) else None
        if glob_token is not None and glob_token[0] == _STAR and not glob_token[1]:
            todo.append((g + 1, t, consumed))
        if isinstance(token, tuple) and (consumed or not token[1]):
            todo.append((g, t + 1, False))
        if glob_token is None or token is None:
            continue
        text, literal = glob_token
        if isinstance(token, str):
            if literal and text != token:
                continue
            step = (g + (1 if literal or text == _ONE else 0), t + 1, False)
        else:
            if literal and text in token[0]:
                continue
            step = (g + (1 if literal or text == _ONE else 0), t, True)
        todo.append(step)
    return False


def covers(wide: str, narrow: str, ignore_case: bool) -> bool:
    """Whether every string the glob `narrow` matches is matched by the glob `wide` (a sound
    test: `wide`'s '*' takes any part of `narrow`, its '?' one character or '?', its literals
    the same literals; policy variables only match themselves)."""
    if ignore_case:
        wide, narrow = wide.lower(), narrow.lower()
    a = _cover_tokens(wide)
    b = _cover_tokens(narrow)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == len(a):
            if j == len(b):
                return True
            continue
        token = a[i]
        if token == _STAR:
            todo.append((i + 1, j))
            if j < len(b):
                todo.append((i, j + 1))
        elif j < len(b):
            other = b[j]
            single = len(other) == 1 and other != _STAR  # not '*', not a variable
            if (token == _ONE and single) or (token == other and token != _STAR):
                todo.append((i + 1, j + 1))
    return False


@cache
def _cover_tokens(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("${", index) and "}" in pattern[index:]:
            end = pattern.index("}", index) + 1
            tokens.append(pattern[index:end])
            index = end
            continue
        tokens.append(pattern[index])
        index += 1
    return tuple(tokens)
