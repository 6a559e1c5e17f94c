"""Broken landscapes for tests: a copy of the canonical SecureCart landscape in tmp_path, edited.

directory = copy_landscape(tmp_path)
edit_yaml(directory, "identity-center.yaml", lambda data: ...)   # change the parsed YAML
assert "… unknown account 'qa' …" in messages(directory)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from harness.landscape.loader import DEFAULT_DIRECTORY, validate_landscape

CANONICAL = DEFAULT_DIRECTORY


def copy_landscape(tmp_path: Path) -> Path:
    target = tmp_path / "securecart"
    shutil.copytree(CANONICAL, target)
    return target


def edit_yaml(directory: Path, relative: str, change: Callable[[Any], None]) -> None:
    """Parse a YAML file, let `change` modify the data in place, write it back."""
    path = directory / relative
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def edit_json(directory: Path, relative: str, change: Callable[[Any], None]) -> None:
    path = directory / relative
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def write(directory: Path, relative: str, text: str) -> Path:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def messages(directory: Path) -> list[str]:
    """Every error of the landscape, as `str(error)`, in the loader's order."""
    return [str(error) for error in validate_landscape(directory)]


def account_entry(data: dict[str, Any], name: str) -> dict[str, Any]:
    """The entry of a member or external account in parsed organization.yaml."""

    def walk(level: dict[str, Any]) -> dict[str, Any] | None:
        for account in level.get("accounts", []):
            if account["name"] == name:
                entry: dict[str, Any] = account
                return entry
        for ou in level.get("ous", []):
            found = walk(ou)
            if found is not None:
                return found
        return None

    found = walk(data["root"])
    if found is None:
        found = next(a for a in data.get("external_accounts", []) if a["name"] == name)
    return found


def role_entry(data: dict[str, Any], name: str) -> dict[str, Any]:
    role: dict[str, Any] = next(r for r in data["roles"] if r["name"] == name)
    return role
