"""docs/steps.md is the step library's catalogue: it must say what the code does. And every
step of every feature must match exactly one step definition (no gaps, no shadowing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_bdd.parser import FeatureParser

from steps import catalog

FEATURES = Path(__file__).resolve().parents[2] / "features"


def test_docs_steps_md_is_current() -> None:
    expected = catalog.render(catalog.load())
    current = catalog.DOCS.read_text(encoding="utf-8") if catalog.DOCS.exists() else ""
    assert current == expected, "docs/steps.md is out of date: run python -m steps.catalog"


def test_every_step_has_an_example_that_it_matches() -> None:
    for entry in catalog.load():
        first = entry.example.strip().splitlines()[0]
        keyword, _, text = first.partition(" ")
        assert keyword.lower() == entry.kind, entry
        assert re.fullmatch(catalog.to_regex(entry.pattern), text), (entry.pattern, text)


def _feature_steps() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(FEATURES.rglob("*.feature")):
        feature = FeatureParser(str(FEATURES), str(path.relative_to(FEATURES))).parse()
        for scenario in feature.scenarios.values():
            rows = [row for examples in scenario.examples for row in examples.as_contexts()]
            for context in rows or [{}]:
                for step in scenario.render(context).steps:
                    found.append((path.name, step.type, step.name))
    return found


@pytest.mark.parametrize("kind", ["given", "when", "then"])
def test_every_feature_step_matches_exactly_one_definition(kind: str) -> None:
    entries = [e for e in catalog.load() if e.kind == kind]
    for feature, step_type, text in _feature_steps():
        if step_type != kind:
            continue
        matching = [e.pattern for e in entries if re.fullmatch(catalog.to_regex(e.pattern), text)]
        assert len(matching) == 1, f"{feature}: {kind} {text!r} matches {matching}"
