"""Where a run's evidence comes from: which landscape (its git revision, and whether its files
had uncommitted changes), which backend and package versions, when, on which Python.

An auditor reading a report months later needs to know exactly which policy files were proven;
a revision without the dirty flag would claim more than it can.
"""

from __future__ import annotations

import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("securecart-harness", "moto", "boto3", "botocore", "pytest", "pytest-bdd",
            "pytest-xdist", "localstack-core")


@dataclass(frozen=True, slots=True)
class GitState:
    revision: str
    dirty: bool
    """Uncommitted changes (or untracked files) under the landscape directory."""
    toplevel: str


@dataclass(frozen=True, slots=True)
class Provenance:
    landscape: str
    landscape_name: str
    git: GitState | None
    backend: str
    versions: dict[str, str]
    python: str
    platform: str
    started: str
    finished: str
    features: str = ""
    tags: str | None = None
    workers: int = 0
    command: list[str] = field(default_factory=list)
    backend_detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def git_state(directory: Path) -> GitState | None:
    """None when the directory is not in a git work tree (or git is missing)."""
    try:
        revision = _git(directory, "rev-parse", "HEAD")
        toplevel = _git(directory, "rev-parse", "--show-toplevel")
        changes = _git(directory, "status", "--porcelain", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return None
    return GitState(revision=revision, dirty=bool(changes), toplevel=toplevel)


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def collect_provenance(
    *, landscape: Path, landscape_name: str, backend: str, started: float, finished: float,
    features: Path | None = None, tags: str | None = None, workers: int = 0,
    command: list[str] | None = None,
) -> Provenance:
    return Provenance(
        landscape=str(landscape.resolve()),
        landscape_name=landscape_name,
        git=git_state(landscape),
        backend=backend,
        versions=package_versions(),
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        platform=platform.platform(),
        started=iso(started),
        finished=iso(finished),
        features=str(features.resolve()) if features else "",
        tags=tags,
        workers=workers,
        command=list(command or []),
        backend_detail=_backend_detail(backend),
    )


def _backend_detail(backend: str) -> str:
    if backend == "localstack":
        from harness.backends.localstack import backend_detail

        return backend_detail()
    return ""


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _git(directory: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True, text=True, check=True, timeout=30,
    )
    return completed.stdout.strip()
