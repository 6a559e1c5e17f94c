"""The known name closest to a misspelt one, for a finding's "did you mean …?"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The candidate most like `word` (case-insensitively, difflib's ratio, ties to the longer
    common prefix), or None below `cutoff`."""
    lowered = word.lower()
    best: tuple[float, int, str] | None = None
    matcher = difflib.SequenceMatcher(b=lowered, autojunk=False)
    for candidate in dict.fromkeys(candidates):
        matcher.set_seq1(candidate.lower())
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        ratio = matcher.ratio()
        if ratio < cutoff:
            continue
        prefix = _common_prefix(candidate.lower(), lowered)
        if best is None or (ratio, prefix) > best[:2]:
            best = (ratio, prefix, candidate)
    return None if best is None else best[2]


def _common_prefix(first: str, second: str) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length
