"""Errors of a landscape: each names the file, the place in it and the problem.

    fixtures/securecart/identity-center.yaml: assignments[2].accounts[0]: unknown account 'qa' …

The loader collects every error it finds and raises them together (`InvalidLandscape`), sorted by
file, then place (indices in numeric order), then text, so a reviewer sees the whole list at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NUMBER = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    """A sort key in which `roles[10]` follows `roles[9]`."""
    return tuple(
        (1, f"{int(part):012d}") if part.isdigit() else (0, part)
        for part in _NUMBER.split(text)
        if part
    )


class LandscapeError(Exception):
    """One problem: `file` as given to the loader, `path` inside it (`roles[1].trust`, `''` for
    the file as a whole), `problem` in words."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.problem}"

    def __repr__(self) -> str:
        return f"LandscapeError({self.file!r}, {self.path!r}, {self.problem!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LandscapeError):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.path, self.problem)

    def sort_key(self) -> tuple[tuple[tuple[int, str], ...], ...]:
        return (_natural(self.file), _natural(self.path), _natural(self.problem))


class InvalidLandscape(Exception):
    """A landscape with one or more errors; `errors` are sorted and free of duplicates."""

    def __init__(self, errors: Iterable[LandscapeError]) -> None:
        self.errors: tuple[LandscapeError, ...] = sorted_errors(errors)
        count = len(self.errors)
        lines = "\n".join(str(error) for error in self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in the landscape:\n{lines}")


def sorted_errors(errors: Iterable[LandscapeError]) -> tuple[LandscapeError, ...]:
    return tuple(sorted(set(errors), key=LandscapeError.sort_key))


class ErrorSink:
    """Where the loader records errors as it goes."""

    def __init__(self) -> None:
        self._errors: list[LandscapeError] = []

    def add(self, file: str, path: str, problem: str) -> None:
        self._errors.append(LandscapeError(file, path, problem))

    def __len__(self) -> int:
        return len(self._errors)

    @property
    def errors(self) -> tuple[LandscapeError, ...]:
        return sorted_errors(self._errors)
