"""The collector plugin in real pytest runs of a small fake suite (tests/report/fake_suite: two
features, a fake step plugin writing canned decision-log records): the same outcomes and a
complete cucumber JSON with and without pytest-xdist — where pytest-bdd's own is empty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from harness.report.records import read_results
from harness.runner.pytest_command import plugin_options

from .conftest import FAKE_SUITE
from .test_cucumber import check_shape

pytestmark = pytest.mark.slow

EXPECTED = {
    ("Developers read non-production", "A developer lists the artifacts bucket"): "passed",
    ("Developers read non-production", "A developer cannot read secrets"): "passed",
    ("Developers read non-production",
     "A developer may upload (a wrong expectation, to fail)"): "failed",
    ("Developers read non-production", "A scenario not ready yet"): "skipped",
    ("Destructive actions are blocked in production",
     "An administrator cannot destroy production resources [s3:DeleteBucket, "
     "arn:aws:s3:::securecart-prod-customer-data]"): "passed",
    ("Destructive actions are blocked in production",
     "An administrator cannot destroy production resources [dynamodb:DeleteTable, "
     "arn:aws:dynamodb:us-east-1:666666666666:table/orders]"): "passed",
}


def run_fake_suite(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    out.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(FAKE_SUITE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(FAKE_SUITE / "features"),
         *plugin_options("fake_steps_plugin"), "-p", "harness.report.pytest_collect",
         "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-q",
         "--decision-log", str(out / "decisions.jsonl"),
         "--securecart-results", str(out / "results.jsonl"),
         # Folders that do not exist yet: created (pytest-bdd's --cucumberjson fails there).
         "--securecart-cucumber", str(out / "ci" / "cucumber.json"),
         "--securecart-junit", str(out / "ci" / "junit.xml"),
         "--cucumberjson", str(out / "pytest-bdd-cucumber.json"),
         *extra],
        capture_output=True, text=True, env=environment, timeout=300, check=False,
    )


def outcomes(cucumber: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """Scenario → outcome, as a (strict) CI dashboard derives it from the steps and hooks."""
    found = {}
    for feature in cucumber:
        for element in feature["elements"]:
            statuses = [s["result"]["status"] for s in element["steps"] + element.get(
                "before", []) + element.get("after", [])]
            outcome = ("failed" if {"failed", "undefined"} & set(statuses) else
                       "passed" if all(s == "passed" for s in statuses) else "skipped")
            found[(feature["name"], element["name"])] = outcome
    return found


def stripped(cucumber: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report without what differs from run to run (durations, failure texts)."""
    for feature in cucumber:
        for element in feature["elements"]:
            for step in element["steps"]:
                step["result"].pop("duration")
                step["result"].pop("error_message", None)
    return cucumber


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fake-runs")
    serial = run_fake_suite(base / "serial")
    parallel = run_fake_suite(base / "xdist", "-n", "2")
    for completed in (serial, parallel):
        assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
        assert "1 failed, 4 passed, 1 skipped" in completed.stdout
    return {"serial": base / "serial", "xdist": base / "xdist"}


def test_under_xdist_the_cucumber_json_is_complete(runs: dict[str, Path]) -> None:
    for run in runs.values():
        cucumber = json.loads((run / "ci" / "cucumber.json").read_text(encoding="utf-8"))
        check_shape(cucumber)
        assert outcomes(cucumber) == EXPECTED
    # What this plugin exists for: pytest-bdd's own report is empty under xdist.
    pytest_bdd_own = json.loads((runs["xdist"] / "pytest-bdd-cucumber.json").read_text())
    assert pytest_bdd_own == []


def test_the_same_report_with_and_without_xdist(runs: dict[str, Path]) -> None:
    serial, parallel = (
        stripped(json.loads((runs[k] / "ci" / "cucumber.json").read_text(encoding="utf-8")))
        for k in ("serial", "xdist"))
    assert serial == parallel


def test_steps_are_timed_and_failures_explained(runs: dict[str, Path]) -> None:
    results = read_results(runs["xdist"] / "results.jsonl")
    assert results.session is not None and results.session.exitstatus == 1
    assert results.session.workers == 2
    assert {s.worker for s in results.scenarios} <= {"gw0", "gw1"}
    failed = next(s for s in results.scenarios if s.outcome == "failed")
    step = failed.failed_step
    assert step is not None and step.name == "the request is allowed"
    assert step.error is not None and step.error.startswith("AssertionError: denied:")
    assert [s.status for s in failed.steps] == ["passed", "passed", "failed", "skipped"]
    assert failed.error is not None and "implicitDeny" in failed.error
    for ran in failed.steps[:3]:
        assert ran.started is not None and ran.stopped is not None
        assert ran.stopped >= ran.started
    secrets = next(s for s in results.scenarios if s.name == "A developer cannot read secrets")
    assert secrets.steps[1].rows == [["SecretId", "securecart/dev/database"]]
    outline = next(s for s in results.scenarios if s.example)
    assert set(outline.example) == {"action", "resource"}
    assert outline.feature.tags == ["guardrails", "scp"]
    assert outline.feature.description.startswith("A service control policy on the Prod OU")


def test_junit_under_xdist(runs: dict[str, Path]) -> None:
    root = ET.parse(runs["xdist"] / "ci" / "junit.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("6", "1", "1")


def test_every_call_of_the_log_names_a_collected_scenario(runs: dict[str, Path]) -> None:
    results = read_results(runs["xdist"] / "results.jsonl")
    nodeids = {s.nodeid for s in results.scenarios}
    lines = (runs["xdist"] / "decisions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    assert {json.loads(line)["scenario"] for line in lines} <= nodeids


def test_setup_failures_and_undefined_steps(tmp_path: Path) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "odd.feature").write_text(
        "Feature: Odd cases\n"
        "\n"
        "  @broken-setup\n"
        "  Scenario: The backend is down\n"
        '    Given alice has signed in as "Admin" in the "dev" account\n'
        "\n"
        "  Scenario: A step nobody wrote\n"
        '    Given alice has signed in as "Admin" in the "dev" account\n'
        "    When she does something new\n"
        "    Then the request is allowed\n",
        encoding="utf-8",
    )
    environment = {**os.environ, "PYTHONPATH": str(FAKE_SUITE)}
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(features), *plugin_options("fake_steps_plugin"),
         "-p", "harness.report.pytest_collect", "-p", "no:cacheprovider",
         "--securecart-results", str(tmp_path / "results.jsonl"),
         "--securecart-cucumber", str(tmp_path / "cucumber.json"), "-n", "2"],
        capture_output=True, text=True, env=environment, timeout=300, check=False,
    )
    assert completed.returncode == 1, completed.stdout
    results = {s.name: s for s in read_results(tmp_path / "results.jsonl").scenarios}
    down = results["The backend is down"]
    assert down.outcome == "failed" and [s.status for s in down.steps] == ["skipped"]
    assert down.error is not None and "the backend did not start" in down.error
    new = results["A step nobody wrote"]
    assert [s.status for s in new.steps] == ["passed", "undefined", "skipped"]
    assert new.failed_step is not None and new.failed_step.error is not None
    assert "StepDefinitionNotFoundError" in new.failed_step.error
    cucumber = json.loads((tmp_path / "cucumber.json").read_text(encoding="utf-8"))
    check_shape(cucumber)
    elements = {e["name"]: e for e in cucumber[0]["elements"]}
    assert elements["The backend is down"]["before"][0]["result"]["status"] == "failed"
    assert outcomes(cucumber) == {("Odd cases", "The backend is down"): "failed",
                                  ("Odd cases", "A step nobody wrote"): "failed"}
