#!/usr/bin/env python3
"""The locks: every package of every environment pinned, with hashes, compiled by uv from the
ranges in pyproject.toml (docs/dependencies.md says why uv and why these files).

    python requirements/lock.py                          re-lock: keep each pin that still fits
    python requirements/lock.py --upgrade                the newest releases pyproject.toml allows
    python requirements/lock.py --upgrade-package NAME   move one package (repeatable)
    python requirements/lock.py check                    exit 1 if a lock is older than its inputs
    python requirements/lock.py verify [LOCK]            this Python's packages against a lock

`tox -e lock` runs the first form with the locked uv. Compiling needs uv (requirements/tools.txt);
`check` needs only the standard library, `verify` also `packaging`, which every locked
environment holds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
PYTHON = "3.11"
INPUTS_LINE = "# inputs sha256: "
REGENERATE = "python requirements/lock.py"


@dataclass(frozen=True)
class Lock:
    """One lock file and what it is compiled from (tables of pyproject.toml)."""

    name: str
    path: Path
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    project: bool = False
    """The project's own dependencies (and `extras`) are inputs."""
    build: bool = False
    """The build backend (`[build-system] requires`) is the input."""
    hashes: bool = True
    """pip reads build constraints as plain pins: a hash there turns on hash-checking for the
    project's own build requirements, which are ranges, and the build fails."""

    def inputs(self, pyproject: dict[str, object]) -> list[str]:
        """The requirement strings the lock is compiled from, sorted."""
        project = _table(pyproject, "project")
        requirements: list[str] = []
        if self.project:
            requirements += _strings(project.get("dependencies", []))
            optional = _table(project, "optional-dependencies")
            for extra in self.extras:
                requirements += _strings(optional[extra])
            requirements.append(f"requires-python {project.get('requires-python', '')}")
        if self.build:
            requirements += _strings(_table(pyproject, "build-system")["requires"])
        groups = _table(pyproject, "dependency-groups")
        for group in self.groups:
            requirements += _strings(groups[group])
        return sorted(requirements)

    def digest(self, pyproject: dict[str, object]) -> str:
        return hashlib.sha256(json.dumps(self.inputs(pyproject)).encode()).hexdigest()

    def recorded_digest(self) -> str | None:
        if not self.path.exists():
            return None
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.startswith(INPUTS_LINE):
                return line[len(INPUTS_LINE):].strip()
        return None


LOCKS = (
    # The harness, its test tools and the installer that reads the other locks: the README's
    # install, tox's environments, .ci/run and the compose image.
    Lock("harness", ROOT / "requirements" / "harness.txt", extras=("test",),
         groups=("installer",), project=True),
    # The build backend for the editable install (pip --build-constraint).
    Lock("build", ROOT / "requirements" / "build.txt", build=True, hashes=False),
    # tox, its plugin, and uv for this script: what .ci/run and `tox -e lock` install first.
    Lock("tools", ROOT / "requirements" / "tools.txt", groups=("tools",)),
    # The virtualenv `securecart localstack install` creates; shipped inside the package.
    Lock("localstack", ROOT / "harness" / "backends" / "localstack-requirements.txt",
         groups=("localstack",)),
)


def _table(parent: dict[str, object], key: str) -> dict[str, object]:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise SystemExit(f"pyproject.toml: [{key}] is not a table")
    return value


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SystemExit(f"pyproject.toml: expected a list of requirement strings, got {value!r}")
    return list(value)


def read_pyproject() -> dict[str, object]:
    with PYPROJECT.open("rb") as handle:
        return tomllib.load(handle)


# --------------------------------------------------------------------------- compile


def compile_lock(lock: Lock, pyproject: dict[str, object], upgrade: list[str],
                 upgrade_all: bool) -> None:
    command = [sys.executable, "-m", "uv", "pip", "compile", "--quiet", "--universal",
               "--python-version", PYTHON, "--custom-compile-command", REGENERATE,
               "--output-file", str(lock.path)]
    if lock.hashes:
        command.append("--generate-hashes")
    if lock.project:
        command.append(str(PYPROJECT))
        command += [f"--extra={extra}" for extra in lock.extras]
    command += [f"--group={PYPROJECT}:{group}" for group in lock.groups]
    if lock.build:
        command.append("-")
    if upgrade_all:
        command.append("--upgrade")
    command += [f"--upgrade-package={name}" for name in upgrade]
    build_input = "\n".join(lock.inputs(pyproject)) if lock.build else None
    completed = subprocess.run(command, input=build_input, text=True, cwd=ROOT, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{lock.name}: uv pip compile failed (exit {completed.returncode})")
    _record_digest(lock, lock.digest(pyproject))
    print(f"{lock.path.relative_to(ROOT)}: {len(list(pins(lock.path)))} packages")


def _record_digest(lock: Lock, digest: str) -> None:
    """The digest of the inputs goes under uv's header: `check` and tests/test_lock.py compare
    it with pyproject.toml, so a dependency change cannot land without its lock."""
    lines = lock.path.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith(INPUTS_LINE)]
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    lines.insert(header, f"{INPUTS_LINE}{digest}")
    lock.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- read


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str | None
    hashes: tuple[str, ...]


def pins(path: Path) -> Iterator[Pin]:
    """The pins of a lock file as uv writes it (`name==version ; marker` and `--hash` lines)."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement, *hashes = line.split("--hash=")
        match = re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)\s*(?:;\s*(.+))?",
                             requirement.strip())
        if match is None:
            raise SystemExit(f"{path}: not a pin: {line}")
        yield Pin(_normalise(match.group(1)), match.group(2), match.group(3),
                  tuple(h.strip() for h in hashes))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------------- check / verify


def stale_locks(pyproject: dict[str, object]) -> list[str]:
    """Every lock whose recorded inputs differ from pyproject.toml's, with what to run."""
    return [f"{lock.path.relative_to(ROOT)} was compiled from other inputs than pyproject.toml "
            f"has now: run `{REGENERATE}` (or `tox -e lock`)"
            for lock in LOCKS if lock.recorded_digest() != lock.digest(pyproject)]


def verify(path: Path) -> int:
    """Print this Python's packages against a lock; 1 if a locked one is missing or differs."""
    from importlib import metadata

    from packaging.markers import Marker

    installed = {_normalise(dist.metadata["Name"]): dist.version
                 for dist in metadata.distributions()}
    wrong: list[str] = []
    locked = 0
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}, against "
          f"{sys.executable}:")
    for pin in pins(path):
        if pin.marker and not Marker(pin.marker).evaluate():
            continue
        locked += 1
        have = installed.pop(pin.name, None)
        status = "ok" if have == pin.version else "DIFFERS"
        if have != pin.version:
            wrong.append(pin.name)
        print(f"  {status:8} {pin.name}=={pin.version}"
              + ("" if have == pin.version else f"  (installed: {have or 'nothing'})"))
    for name, version in sorted(installed.items()):
        print(f"  {'outside':8} {name}=={version}  (not in the lock)")
    print(f"{locked} locked packages, {len(wrong)} differ, {len(installed)} outside the lock")
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", choices=("compile", "check", "verify"),
                        default="compile")
    parser.add_argument("lock", nargs="?", type=Path, default=LOCKS[0].path,
                        help="with verify: the lock to compare with (default: %(default)s)")
    parser.add_argument("--upgrade", action="store_true", help="the newest allowed releases")
    parser.add_argument("--upgrade-package", action="append", default=[], metavar="NAME",
                        help="move this package to its newest allowed release")
    args = parser.parse_args(argv)
    pyproject = read_pyproject()
    if args.action == "verify":
        return verify(args.lock.resolve())
    if args.action == "check":
        problems = stale_locks(pyproject)
        print("\n".join(problems) or "every lock matches pyproject.toml")
        return 1 if problems else 0
    for lock in LOCKS:
        compile_lock(lock, pyproject, args.upgrade_package, args.upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
