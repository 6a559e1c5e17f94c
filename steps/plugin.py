"""The step library's pytest plugin.

    python -m pytest features/ [--landscape DIR] [--backend moto] [--decision-log PATH] [-n N]

Installed with the package, it is the pytest11 entry point "securecart": pytest loads it in
every run (`-p no:securecart` leaves it out), so another team's repository needs only its
features and its landscape.

Collection: every .feature file under the paths pytest is given is collected as a module whose
tests are its scenarios (pytest-bdd's `scenarios()` run in a module made for the file), so no
binding module has to be kept in step with the features. Tags become markers: the plugin
registers every tag found in the features it is given, so `--strict-markers` and `-m` work.

The stack: one `harness.stack.Stack` per process (per xdist worker), started on first use —
moto embedded, seeded with the landscape, behind the enforcing gateway. Isolation: each
scenario begins with `stack.reset()` (back to the seeded state: backend, sessions, the
gateway's caches), so scenarios neither see each other's writes nor depend on their order.

The decision log: when a scenario ends, the gateway's records made during it (sign-ins,
AssumeRole, every call) are appended to --decision-log with `scenario` set to its node id, one
write per line on a file opened for appending, so xdist workers can share the file.
"""

from __future__ import annotations

import gc
import json
import os
import re
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.backends import BACKENDS
from harness.backends.localstack import VIA, LocalStackOptions
from harness.gateway.decision_log import PolicyTable, asserted_path, policies_path
from steps import outcomes
from steps.world import World

# Importing the step modules registers their steps as fixtures of this plugin.
pytest_plugins = ["steps.given", "steps.when", "steps.then", "steps.analysis", "steps.workloads"]

_TAG = re.compile(r"(?<!\S)@([^\s@]+)")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("securecart", "SecureCart step library")
    group.addoption("--landscape", metavar="DIR", default=None,
                    help="the landscape directory (default: fixtures/securecart)")
    group.addoption("--backend", default="moto", choices=BACKENDS,
                    help="the emulated AWS behind the gateway (default: moto)")
    group.addoption("--localstack-url", metavar="URL", default=None,
                    help="with --backend localstack: a LocalStack you run (it must have the "
                    "harness's state routes; default: $LOCALSTACK_ENDPOINT)")
    group.addoption("--localstack-via", choices=VIA, default=None,
                    help="with --backend localstack: endpoint, docker or process (default: "
                    "the first available, in that order)")
    group.addoption("--localstack-log-dir", metavar="DIR", default=None,
                    help="where the log of a LocalStack the run starts goes (one folder per "
                    "xdist worker)")
    group.addoption("--decision-log", metavar="PATH", default=None,
                    help="append the gateway's decision records, each with the scenario's "
                    "node id, to PATH (JSON lines)")


# --------------------------------------------------------------------------- markers


def feature_tags(paths: list[Path]) -> set[str]:
    """Every tag (without its @) in the .feature files at or under `paths`."""
    tags: set[str] = set()
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*.feature"))
        for file in files:
            if file.suffix != ".feature":
                continue
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.lstrip().startswith("@"):
                    tags.update(_TAG.findall(line))
    return tags


def pytest_configure(config: pytest.Config) -> None:
    # pytest's arguments may carry ::node ids; the default features/ counts too (`-m` alone).
    paths = [Path(config.invocation_params.dir, arg.split("::")[0]) for arg in config.args]
    paths.append(config.rootpath / "features")
    for tag in sorted(feature_tags([p for p in paths if p.exists()])):
        config.addinivalue_line("markers", f"{tag}: a feature tag")


# --------------------------------------------------------------------------- collection


class FeatureFile(pytest.Module):
    """A .feature file collected as a module whose tests are its scenarios."""

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(f"features.{self.path.stem}")
        module.__file__ = str(self.path)
        # scenarios() puts the test functions into its caller's module: run it inside this one.
        code = f"from pytest_bdd import scenarios\nscenarios({str(self.path)!r})\n"
        exec(compile(code, str(self.path), "exec"), module.__dict__)
        return module


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".feature":
        collected: pytest.Collector = FeatureFile.from_parent(parent, path=file_path)
        return collected
    return None


# --------------------------------------------------------------------------- the stack


@pytest.fixture(scope="session")
def securecart_stack(request: pytest.FixtureRequest) -> Iterator[object]:
    """The running harness of this process (an xdist worker has its own)."""
    from harness.landscape.layout import DEFAULT_DIRECTORY
    from harness.landscape.loader import load_landscape
    from harness.stack import Stack

    config = request.config
    directory = config.getoption("landscape") or DEFAULT_DIRECTORY
    log_dir = config.getoption("localstack_log_dir")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    localstack = LocalStackOptions(
        url=config.getoption("localstack_url"), via=config.getoption("localstack_via"),
        log_dir=Path(log_dir, worker) if log_dir else None)
    stack = Stack(load_landscape(Path(directory)), backend=config.getoption("backend"),
                  localstack=localstack)
    with stack:
        yield stack
    # The process ends after the session: Python's last full collection at exit would walk the
    # whole heap (seconds); frozen, the objects are simply left to the exiting process.
    gc.freeze()


@pytest.fixture
def world(request: pytest.FixtureRequest, securecart_stack: object) -> Iterator[World]:
    """A scenario's world, from the seeded state; its decisions go to the log when it ends."""
    from harness.stack import Stack

    assert isinstance(securecart_stack, Stack)
    securecart_stack.reset()
    position = securecart_stack.log_position()
    asserted = outcomes.ASSERTED
    asserted.clear()
    yield World(securecart_stack)
    path = request.config.getoption("decision_log")
    if path:
        log = Path(path)
        write_records(log, request.node.nodeid, securecart_stack.decisions_since(position))
        # Beside the log, for `securecart mutate`'s replay: the policies the records name by
        # digest, and which calls the scenario's steps asserted the outcome of.
        write_policies(policies_path(log), securecart_stack.log.policies)
        write_records(asserted_path(log), request.node.nodeid, list(asserted))
    asserted.clear()


@pytest.fixture(autouse=True)
def _scenario_setup(request: pytest.FixtureRequest) -> None:
    """A scenario's world is made in its setup phase, not when its first step asks for it:
    the stack's start and the reset are then timed (and fail) as setup, not as a step."""
    if isinstance(request.node.getparent(FeatureFile), FeatureFile):
        request.getfixturevalue("world")


_WRITTEN_POLICIES: dict[Path, int] = {}
"""How many lines of its stack's policy table this process has written to each file."""


def write_policies(path: Path, table: PolicyTable) -> None:
    """The policy table's lines this process has not written to `path` yet."""
    new: list[dict[str, object]] = table.lines_after(_WRITTEN_POLICIES.get(path, 0))
    write_records(path, "", new)
    _WRITTEN_POLICIES[path] = _WRITTEN_POLICIES.get(path, 0) + len(new)


def write_records(path: Path, scenario: str, records: list[dict[str, object]]) -> None:
    """Append each record, with `scenario`, as one line in one write: O_APPEND makes every
    write land whole at the end of the file, whichever process writes."""
    if not records:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for record in records:
            os.write(descriptor, (json.dumps({**record, "scenario": scenario}) + "\n").encode())
    finally:
        os.close(descriptor)
