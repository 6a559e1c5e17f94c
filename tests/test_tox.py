"""tox.ini: an environment per workflow, one shared virtualenv, the README's test command as
`unit`, and `.ci/run` running every environment (the two single-backend suites through
`report`, which runs both) without running a suite twice."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOX_INI = ROOT / "tox.ini"
CI_RUN = ROOT / ".ci" / "run"
README = ROOT / "README.md"

ENVIRONMENTS = {"unit", "suite-moto", "suite-localstack", "lint", "types", "report"}
UNIT_COMMAND = "python -m pytest -n 2"


def tox_config() -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.read(TOX_INI, encoding="utf-8")
    return config


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def env_list(config: configparser.ConfigParser) -> list[str]:
    return [name for name in re.split(r"[\s,]+", config["tox"]["env_list"]) if name]


def commands(config: configparser.ConfigParser, env: str) -> list[list[str]]:
    value = config.get(f"testenv:{env}", "commands", fallback=None)
    if value is None:  # tox falls back to [testenv]
        value = config.get("testenv", "commands", fallback="")
    return [shlex.split(line) for line in lines(value)]


def readme_test_command() -> str:
    """The second line of the first ```sh block under "## Quickstart"."""
    text = README.read_text(encoding="utf-8")
    quickstart = text.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"^```sh\n(.*?)^```", quickstart, re.MULTILINE | re.DOTALL)
    assert block is not None, "no ```sh block under ## Quickstart"
    return block.group(1).splitlines()[1].strip()


def ci_tox_envs() -> list[str]:
    """Every environment whose commands `.ci/run` runs (`step NAME tox -e ENV`), in order;
    comments and `--notest` (installing only) ignored."""
    envs: list[str] = []
    for raw in CI_RUN.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        line = re.sub(r"^step\s+\S+\s+", "", line)
        if not re.match(r"tox\b", line) or "--notest" in line:
            continue
        for match in re.finditer(r"(?:^|\s)-e(?:\s+|=)?(\S+)", line):
            envs.extend(name for name in match.group(1).strip("\"'").split(",") if name)
    return envs


def suite_backends(argv: list[str]) -> list[str]:
    """The backends a `securecart run` command runs the suite on (empty for anything else)."""
    if argv[:2] != ["securecart", "run"]:
        return []
    return [argv[i + 1] for i, word in enumerate(argv[:-1]) if word == "--backend"]


def test_env_list_is_every_workflow() -> None:
    names = env_list(tox_config())
    assert sorted(names) == sorted(ENVIRONMENTS)
    assert len(names) == len(set(names))
    for name in names:
        assert tox_config().has_section(f"testenv:{name}"), name


def test_unit_runs_the_readme_test_command() -> None:
    config = tox_config()
    assert lines(config["testenv:unit"]["commands"]) == [UNIT_COMMAND]
    assert readme_test_command() == UNIT_COMMAND


def test_every_environment_shares_one_virtualenv_installed_from_the_lock() -> None:
    config = tox_config()
    base = config["testenv"]
    assert base.get("runner") == "ignore_env_name_mismatch"
    assert base.get("env_dir") == "{toxworkdir}/shared"
    # The lock, hash-checked; then the project alone, its build backend pinned.
    assert base.get("skip_install") == "true"
    assert lines(base["deps"]) == ["-r requirements/harness.txt"]
    assert lines(base["commands_pre"]) == [
        "python -m pip install --quiet --no-deps --build-constraint requirements/build.txt "
        "--editable ."]
    for name in ENVIRONMENTS:
        section = config[f"testenv:{name}"]
        for key in ("runner", "env_dir", "envdir", "package", "extras", "skip_install", "deps"):
            assert key not in section, f"testenv:{name} overrides {key}: it would not share"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("lint", ["ruff check ."]),
        ("types", ["mypy"]),
        ("suite-moto", ["securecart run --backend moto --workers 2 --report reports/moto"]),
        ("suite-localstack", [
            "securecart localstack install",
            "securecart run --backend localstack --workers 2 --report reports/localstack",
        ]),
        ("report", [
            "securecart localstack install",
            "securecart run --backend moto --backend localstack --workers 2 --report reports",
        ]),
    ],
)
def test_environment_commands(env: str, expected: list[str]) -> None:
    assert lines(tox_config()[f"testenv:{env}"]["commands"]) == expected


def test_ci_runs_every_environment_and_no_suite_twice() -> None:
    config = tox_config()
    invoked = ci_tox_envs()
    assert invoked, ".ci/run does not call tox -e"
    assert set(invoked) <= ENVIRONMENTS
    assert len(invoked) == len(set(invoked))
    ci_commands = [argv for env in invoked for argv in commands(config, env)]
    ci_backends = [backend for argv in ci_commands for backend in suite_backends(argv)]
    for env in sorted(ENVIRONMENTS - set(invoked)):
        # Not called by CI: then everything it runs, CI runs through another environment.
        for argv in commands(config, env):
            if backends := suite_backends(argv):  # one run on these backends, or a wider one
                assert any(set(backends) <= set(suite_backends(ci)) for ci in ci_commands), (
                    f"{env}: CI never runs the suite on {' and '.join(backends)} in one run")
            else:
                assert argv in ci_commands, f"{env}: CI never runs {shlex.join(argv)}"
    assert sorted(ci_backends) == sorted(set(ci_backends)), "CI runs a suite twice"
    assert {"moto", "localstack"} <= set(ci_backends)


def test_ci_installs_the_locked_tox_that_tox_ini_requires() -> None:
    from packaging.requirements import Requirement

    from requirements.lock import ROOT as LOCK_ROOT
    from requirements.lock import pins

    script = CI_RUN.read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert "pip install --quiet --require-hashes -r requirements/tools.txt" in script
    locked = {pin.name: pin.version for pin in pins(LOCK_ROOT / "requirements" / "tools.txt")}
    for line in lines(tox_config()["tox"]["requires"]):
        requirement = Requirement(line)
        assert requirement.specifier.contains(locked[requirement.name]), line


def test_the_lock_and_upstream_environments_keep_out_of_the_shared_one() -> None:
    config = tox_config()
    assert "lock" not in env_list(config) and "upstream" not in env_list(config)
    assert "lock" not in ci_tox_envs() and "upstream" not in ci_tox_envs()
    for name in ("lock", "upstream"):
        section = config[f"testenv:{name}"]
        assert section["runner"] == "virtualenv"
        assert section["env_dir"] == f"{{toxworkdir}}/{name}"
    assert lines(config["testenv:lock"]["deps"]) == ["-r requirements/tools.txt"]
    assert lines(config["testenv:lock"]["commands"]) == ["python requirements/lock.py {posargs}"]
