"""Each control matters: removed or weakened in a copy of the landscape, it makes the scenarios
that document it fail (issue 5). The table is tests.controls.mutations.MUTATIONS.

Every case runs its scenarios in a subprocess against the mutated copy (one stack each,
~20 s); the canonical landscape runs the union of all selections once and must pass it all —
the control of the control: a selection that failed anyway would prove nothing.

    python -m pytest tests/controls -n 2            # ~45 runs; -rA shows each run's outcome

A mutation marked as a survivor is one no scenario catches today: its case checks that the run
is clean and nothing failed, and prints the reason; once a scenario catches it, the case fails
until the survivor note is removed from the table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.controls.mutations import MUTATIONS, Mutation, mutated_copy
from tests.controls.suite import CANONICAL, run_scenarios, union

pytestmark = pytest.mark.slow


def test_the_canonical_landscape_passes_every_selection(tmp_path: Path) -> None:
    outcome = run_scenarios(union(m.selection for m in MUTATIONS), CANONICAL, tmp_path)
    print(outcome.describe())
    assert outcome.passed, outcome.describe()
    assert not outcome.failed and not outcome.errors, outcome.describe()
    assert not outcome.skipped, outcome.describe()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.id)
def test_breaking_the_control_fails_its_scenarios(mutation: Mutation, tmp_path: Path) -> None:
    landscape = mutated_copy(mutation, tmp_path)
    outcome = run_scenarios(mutation.selection, landscape, tmp_path / "run")
    print(f"{mutation.id}: {mutation.control} — {mutation.change}\n{outcome.describe()}")

    # Errors (a stack that did not start, a landscape that did not load) catch nothing.
    assert not outcome.errors, outcome.describe()
    assert outcome.selected >= mutation.min_failed, (
        f"the selection holds {outcome.selected} scenarios, fewer than {mutation.min_failed}: "
        f"is it stale?\n{outcome.describe()}"
    )
    if mutation.survivor is not None:
        assert not outcome.failed, (
            f"{mutation.id} is caught now: remove its `survivor` note from the table\n"
            f"{outcome.describe()}"
        )
        # A known survivor, listed with its reason in the table (and in the closing note):
        # what this case proves is that the table still tells the truth about it.
        print(f"survivor, no scenario catches it: {mutation.survivor}")
        return
    assert len(outcome.failed) >= mutation.min_failed, (
        f"{mutation.control} — {mutation.change}: {len(outcome.failed)} of the scenarios that "
        f"document it failed, {mutation.min_failed} at least expected\n{outcome.describe()}"
    )
