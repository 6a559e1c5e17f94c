"""Provenance: the landscape's git revision and dirty flag, versions, times."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness.report.provenance import collect_provenance, git_state, package_versions


def git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(directory), *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_a_clean_then_dirty_landscape_in_git(tmp_path: Path) -> None:
    landscape = tmp_path / "fixtures" / "acme"
    landscape.mkdir(parents=True)
    (landscape / "landscape.yaml").write_text("name: acme\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x")
    state = git_state(landscape)
    assert state is not None
    assert state.revision == git(tmp_path, "rev-parse", "HEAD") and not state.dirty
    # Changes elsewhere in the repository do not make the landscape dirty …
    (tmp_path / "README").write_text("x", encoding="utf-8")
    assert git_state(landscape) == state
    # … its own files do.
    (landscape / "landscape.yaml").write_text("name: changed\n", encoding="utf-8")
    changed = git_state(landscape)
    assert changed is not None and changed.dirty


def test_outside_git_there_is_no_revision(tmp_path: Path) -> None:
    assert git_state(tmp_path) is None


def test_versions_and_times() -> None:
    versions = package_versions(("moto", "no-such-package-here"))
    assert versions["no-such-package-here"] == "not installed"
    assert versions["moto"][0].isdigit()
    provenance = collect_provenance(landscape=Path("."), landscape_name="x", backend="moto",
                                    started=0.0, finished=61.0, tags="@scp", workers=2)
    assert provenance.started == "1970-01-01T00:00:00+00:00"
    assert provenance.finished == "1970-01-01T00:01:01+00:00"
    assert set(provenance.to_json()) >= {"landscape", "git", "backend", "versions", "python"}
