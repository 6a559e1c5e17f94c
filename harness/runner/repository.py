"""This repository's suite: its root, its features and the canonical landscape; and where the
features of a landscape kept in another project are."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
FEATURES = REPOSITORY / "features"
CANONICAL = REPOSITORY / "fixtures" / "securecart"


def find_features(landscape: Path) -> Path:
    """The features/ directory of the landscape's project: the nearest one above the
    landscape directory; else the repository's."""
    for parent in landscape.resolve().parents:
        if (parent / "features").is_dir():
            return parent / "features"
    return FEATURES
