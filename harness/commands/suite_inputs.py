"""What the commands that run the features (`run`, `mutate`) read from their arguments before
anything starts: the landscape, loaded and valid; the features, existing; the workers, possible.
A problem is a `UsageError` whose message the command prints after its own name."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from harness.landscape.errors import InvalidLandscape
from harness.landscape.layout import DEFAULT_DIRECTORY
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.runner.repository import find_features


class UsageError(ValueError):
    """Arguments the command cannot run with; the message says which and why."""


@dataclass(frozen=True, slots=True)
class SuiteInputs:
    landscape_dir: Path
    landscape: Landscape
    features: Path


def suite_inputs(landscape: Path | None, features: Path | None, workers: int) -> SuiteInputs:
    """The landscape directory (default: the repository's), the landscape loaded from it, and
    the features (default: the landscape's project's), checked."""
    landscape_dir = (landscape or DEFAULT_DIRECTORY).resolve()
    try:
        loaded = load_landscape(landscape_dir)
    except (InvalidLandscape, OSError) as error:
        raise UsageError(f"the landscape {landscape_dir} is invalid:\n{error}") from None
    found = (features or find_features(landscape_dir)).resolve()
    if not found.exists():
        raise UsageError(f"no features at {found} (give --features DIR)")
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if workers > 1 and importlib.util.find_spec("xdist") is None:
        raise UsageError("--workers needs pytest-xdist (pip install pytest-xdist)")
    return SuiteInputs(landscape_dir, loaded, found)
