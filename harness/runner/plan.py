"""One backend's run of the suite: what it runs, where, and how."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Plan:
    landscape: Path
    landscape_name: str
    features: Path
    report: Path
    """The run's report folder (harness.runner.report_folder)."""
    markers: str | None
    """pytest's -m expression, from `tags`."""
    plugin: str
    command: list[str]
    """pytest's command line (harness.runner.pytest_command)."""
    cwd: Path
    backend: str
    tags: str | None
    """The cucumber tag expression as given, for messages and provenance."""
    workers: int
    """pytest-xdist workers; 1: none."""
    verbose: bool
    """Show pytest's own output as well as the progress lines."""
