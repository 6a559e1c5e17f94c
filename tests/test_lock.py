"""The locks (requirements/lock.py): compiled from pyproject.toml's current inputs, every pin
exact and hash-checked, each version inside pyproject.toml's range, and every installer - the
README, tox, .ci/run, the compose image, the LocalStack virtualenv - reading its lock."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from harness.backends import localstack
from requirements.lock import LOCKS, ROOT, Lock, Pin, pins, read_pyproject, stale_locks

BY_NAME = {lock.name: lock for lock in LOCKS}
README = ROOT / "README.md"
TOX_INI = ROOT / "tox.ini"
CI_RUN = ROOT / ".ci" / "run"

INSTALL_LOCK = "pip install --require-hashes -r requirements/harness.txt"
INSTALL_PROJECT = "pip install --no-deps --build-constraint requirements/build.txt -e ."


def test_every_lock_was_compiled_from_the_inputs_pyproject_toml_has_now() -> None:
    assert stale_locks(read_pyproject()) == []


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("dependencies", lambda p: p["project"]["dependencies"].append("requests>=2")),
        ("test extra", lambda p: p["project"]["optional-dependencies"]["test"].pop()),
        ("range", lambda p: p["project"]["dependencies"].__setitem__(0, "boto3>=1.40")),
        ("build backend", lambda p: p["build-system"]["requires"].append("wheel")),
        ("tools group", lambda p: p["dependency-groups"]["tools"].append("nox")),
        ("localstack group", lambda p: p["dependency-groups"]["localstack"].pop()),
        ("python", lambda p: p["project"].__setitem__("requires-python", ">=3.12")),
    ],
)
def test_a_dependency_change_without_its_lock_is_caught(table: str, change: object) -> None:
    pyproject = copy.deepcopy(read_pyproject())
    change(pyproject)  # type: ignore[operator]
    assert stale_locks(pyproject), f"a change to the {table} went unnoticed"


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_every_pin_is_exact_and_hashed_where_pip_checks_hashes(lock: Lock) -> None:
    locked = list(pins(lock.path))
    assert locked
    for pin in locked:
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", pin.version), pin
        assert bool(pin.hashes) == lock.hashes, pin
        assert all(h.startswith("sha256:") for h in pin.hashes), pin


@pytest.mark.parametrize("lock", LOCKS, ids=lambda lock: lock.name)
def test_every_locked_version_is_inside_pyproject_toml_s_range(lock: Lock) -> None:
    locked: dict[str, list[Pin]] = {}
    for pin in pins(lock.path):
        locked.setdefault(pin.name, []).append(pin)
    for line in lock.inputs(read_pyproject()):
        if line.startswith("requires-python"):
            continue
        requirement = Requirement(line)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in locked, f"{lock.path.name} has no {name}"
        for pin in locked[name]:
            assert requirement.specifier.contains(pin.version, prereleases=True), (line, pin)


def test_the_fast_moving_parts_have_upper_bounds() -> None:
    """New releases of these change what the tests pin (service models, emulators, the BDD
    plugin): pyproject.toml lets them move only with the lock."""
    requirements = [Requirement(line) for line in read_pyproject()["project"]["dependencies"]]
    for name in ("boto3", "botocore", "moto", "localstack-core", "pytest-bdd"):
        (requirement,) = [r for r in requirements if r.name == name]
        assert any(s.operator in ("<", "<=", "==", "~=") for s in requirement.specifier), name


def test_pins_reads_markers_extras_and_continued_hash_lines(tmp_path: Path) -> None:
    sample = tmp_path / "lock.txt"
    sample.write_text(
        "# header\n"
        "moto-ext==5.1.54 ; python_full_version < '3.14' \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "    # via localstack-core\n"
        "Typing_Extensions==4.16.0\n")
    assert list(pins(sample)) == [
        Pin("moto-ext", "5.1.54", "python_full_version < '3.14'", ("sha256:aa", "sha256:bb")),
        Pin("typing-extensions", "4.16.0", None, ()),
    ]
    sample.write_text("boto3>=1.40\n")
    with pytest.raises(SystemExit, match=r"not a pin: boto3>=1\.40"):
        list(pins(sample))


# --------------------------------------------------------------------------- who reads them


def test_the_readme_installs_the_lock_then_the_project() -> None:
    quickstart = README.read_text(encoding="utf-8").split("\n## Quickstart\n", 1)[1]
    first = quickstart.split("```sh\n", 1)[1].splitlines()[0]
    assert f"{INSTALL_LOCK} && {INSTALL_PROJECT} && securecart run" in first


def test_tox_installs_the_lock() -> None:
    text = TOX_INI.read_text(encoding="utf-8")
    assert "deps = -r requirements/harness.txt" in text
    assert "--no-deps --build-constraint requirements/build.txt --editable ." in text


def test_ci_installs_the_tools_lock_and_shows_the_environments_against_their_locks() -> None:
    script = CI_RUN.read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/tools.txt" in script
    assert "requirements/lock.py check" in script
    assert "requirements/lock.py verify requirements/harness.txt" in script
    localstack_verify = "requirements/lock.py verify \\\n    " + str(
        BY_NAME["localstack"].path.relative_to(ROOT))
    assert localstack_verify in script


def test_the_localstack_virtualenv_reads_the_localstack_lock() -> None:
    assert BY_NAME["localstack"].path == localstack.LOCK
    locked = {pin.name: pin.version for pin in pins(localstack.LOCK)}
    assert locked["localstack-core"] == localstack.LOCALSTACK_VERSION
    package_data = read_pyproject()["tool"]["setuptools"]["package-data"]["harness.backends"]
    assert localstack.LOCK.name in package_data
