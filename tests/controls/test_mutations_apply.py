"""The mutation table is current: every mutation finds what it edits in the canonical
landscape, changes it, and leaves a landscape that still loads — so that a scenario failing
against it fails because the control is gone, not because the landscape is broken. (Fast: no
stack is started; test_controls_matter runs the scenarios.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.landscape.loader import load_landscape
from tests.controls.mutations import MUTATIONS, Mutation, mutated_copy


def test_mutation_ids_are_unique() -> None:
    ids = [mutation.id for mutation in MUTATIONS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.id)
def test_the_mutation_applies_and_the_landscape_still_loads(
    mutation: Mutation, tmp_path: Path
) -> None:
    load_landscape(mutated_copy(mutation, tmp_path))
    assert mutation.min_failed >= 1
