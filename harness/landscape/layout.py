"""The files of a landscape directory, and where the checked-in SecureCart landscape is."""

from __future__ import annotations

from pathlib import Path

LANDSCAPE_FILE = "landscape.yaml"
ORGANIZATION_FILE = "organization.yaml"
IDENTITY_CENTER_FILE = "identity-center.yaml"
ACCOUNTS_DIR = "accounts"


def _default_directory() -> Path:
    """The checked-in SecureCart landscape: beside the package in a checkout, else under the
    working directory."""
    beside_package = Path(__file__).resolve().parents[2] / "fixtures" / "securecart"
    if beside_package.is_dir():
        return beside_package
    return Path("fixtures") / "securecart"


DEFAULT_DIRECTORY = _default_directory()
