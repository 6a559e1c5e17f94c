"""Which scenarios a run selects: those of some feature files matching a -k expression
(`Selection`), or pytest node ids (`Nodes`).

    Selection(("guardrails/organisation_guardrails.feature",), "use-case-no-root-user")
    Nodes(("features/vendor/order_events.feature::test_x",))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class Scenarios(Protocol):
    """What a run selects: pytest's positional arguments and options."""

    def arguments(self) -> list[str]: ...


@dataclass(frozen=True)
class Selection:
    """Scenarios: those of `features` (paths under features/) that match the pytest -k
    expression `keyword` (all of them when it is None). -k matches test names, parameter ids
    and tags (pytest-bdd tags are markers) as case-insensitive substrings."""

    features: tuple[str, ...]
    keyword: str | None = None

    def paths(self) -> list[str]:
        return [str(Path("features", feature)) for feature in self.features]

    def expression(self) -> str:
        """A -k expression that selects these scenarios even when other features are run too
        (a feature file's name is a keyword of each of its scenarios)."""
        files = " or ".join(Path(feature).name for feature in self.features)
        if self.keyword is None:
            return f"({files})"
        return f"(({files}) and ({self.keyword}))"

    def arguments(self) -> list[str]:
        return [*self.paths(), "-k", self.expression()]


@dataclass(frozen=True)
class Nodes:
    """Scenarios by pytest node id (`features/x/y.feature::test_name[params]`), relative to the
    directory the run starts in."""

    ids: tuple[str, ...]

    def arguments(self) -> list[str]:
        return list(self.ids)


def union(selections: Iterable[Selection]) -> Selection:
    """One selection holding the scenarios of every one of `selections`."""
    selections = list(selections)
    features = tuple(dict.fromkeys(f for s in selections for f in s.features))
    return Selection(features, " or ".join(s.expression() for s in selections))
