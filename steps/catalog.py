"""How steps are declared, and the catalogue feature writers read (docs/steps.md).

Each step has one readable pattern, as a feature writer would copy it:

    @when('{actor} reads "{key}" from the "{bucket}" bucket', example=...)

`{name}` is one word (no spaces; inside quotes, anything but a quote), `{name:text}` any
text, `{name:int}` a whole number, `{name:json}` a JSON object, `{actor}` a pronoun (she, he,
they, it), `[a|b]` one of the alternatives (not captured), `(a|b)` one of the alternatives,
captured as the step function's `choice`. Patterns become anchored regular expressions (pytest-bdd
matches them with fullmatch), so steps that share a prefix never shadow each other.

    python -m steps.catalog            rewrite docs/steps.md
    python -m steps.catalog --check    exit 1 when docs/steps.md is out of date
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import pytest_bdd
from pytest_bdd import parsers

Kind = Literal["given", "when", "then"]
F = TypeVar("F", bound=Callable[..., object])

DOCS = Path(__file__).resolve().parents[1] / "docs" / "steps.md"
PRONOUNS = "she|he|they|it"
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}|\[([^\]]+)\]|\(([^)]+)\)")
_TYPES = {None: r"\S+", "text": r".+", "int": r"\d+", "json": r"\{.*\}"}


@dataclass(frozen=True, slots=True)
class StepEntry:
    kind: Kind
    pattern: str
    example: str
    doc: str
    module: str


CATALOGUE: list[StepEntry] = []


def to_regex(pattern: str) -> str:
    """The anchored regular expression of a readable pattern (see the module doc)."""
    out, position = [], 0
    for match in _PLACEHOLDER.finditer(pattern):
        out.append(re.escape(pattern[position:match.start()]))
        name, kind, optional, choice = match.groups()
        if name == "actor":
            out.append(f"(?P<actor>{PRONOUNS})")
        elif name is not None and kind is None and pattern[match.start() - 1:match.start()] == '"':
            out.append(f'(?P<{name}>[^"]*)')  # a quoted value may hold spaces
        elif name is not None:
            out.append(f"(?P<{name}>{_TYPES[kind]})")
        elif optional is not None:
            out.append(f"(?:{optional})")
        else:
            out.append(f"(?P<choice>{choice})")
        position = match.end()
    out.append(re.escape(pattern[position:]))
    return "".join(out)


def _declare(kind: Kind, pattern: str, example: str,
             converters: dict[str, Callable[[str], object]] | None) -> Callable[[F], F]:
    decorator = getattr(pytest_bdd, kind)

    def register(function: F) -> F:
        CATALOGUE.append(StepEntry(kind, pattern, example, inspect.cleandoc(function.__doc__ or ""),
                                   function.__module__))
        # stacklevel 2: pytest-bdd injects the step's fixture into the module that called us.
        decorated: F = decorator(parsers.re(to_regex(pattern)), converters=converters,
                                 stacklevel=2)(function)
        return decorated

    return register


def given(pattern: str, *, example: str,
          converters: dict[str, Callable[[str], object]] | None = None) -> Callable[[F], F]:
    return _declare("given", pattern, example, converters)


def when(pattern: str, *, example: str,
         converters: dict[str, Callable[[str], object]] | None = None) -> Callable[[F], F]:
    return _declare("when", pattern, example, converters)


def then(pattern: str, *, example: str,
         converters: dict[str, Callable[[str], object]] | None = None) -> Callable[[F], F]:
    return _declare("then", pattern, example, converters)


# --------------------------------------------------------------------------- docs/steps.md

_HEADINGS: dict[Kind, str] = {
    "given": "Given — who acts, and the state of the world",
    "when": "When — the AWS calls",
    "then": "Then — what AWS answered, and what the world looks like after",
}

_INTRO = """\
# Step catalogue

Generated from the step library (`python -m steps.catalog`); `tests/steps/test_catalog.py`
fails when this file is out of date. Every step reads as it appears in a feature: `{name}` is
one word (inside quotes: any text without a quote), `{name:text}` any text, `{name:int}` a
number, `{name:json}` a JSON object, `{actor}` a pronoun for whoever acts (she, he, they, it),
`[a|b]` and `(a|b)` mean one of the alternatives. A `When` step makes a
real AWS call through the enforcing gateway as the current actor; `Then the request is …`
reads that call's answer and the gateway's decision record.
"""


def load() -> list[StepEntry]:
    """Every step, once (importing the step modules the plugin loads registers them)."""
    from steps.plugin import pytest_plugins

    for module in pytest_plugins:
        importlib.import_module(module)

    # `python -m steps.catalog` runs this file as __main__: the steps register with the
    # imported steps.catalog, whose list is the one to read.
    from steps import catalog

    return list(catalog.CATALOGUE)


def render(entries: list[StepEntry]) -> str:
    lines = [_INTRO]
    for kind in ("given", "when", "then"):
        lines.append(f"## {_HEADINGS[kind]}\n")
        for entry in sorted((e for e in entries if e.kind == kind), key=lambda e: e.pattern):
            lines.append(f"### `{kind.capitalize()} {entry.pattern}`\n")
            if entry.doc:
                lines.append(f"{entry.doc}\n")
            lines.append("```gherkin")
            lines.extend(entry.example.strip("\n").splitlines())
            lines.append("```\n")
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m steps.catalog")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = render(load())
    if args.check:
        current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
        if current != text:
            print(f"{DOCS} is out of date: run python -m steps.catalog", file=sys.stderr)
            return 1
        return 0
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
