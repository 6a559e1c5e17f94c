"""Running a selection of scenarios against a landscape, in a subprocess, and reading what
happened to each scenario — shared by the control tests (tests/controls) and `securecart
mutate` (harness.analysis.mutate).

    result = run_scenarios(selection, landscape_dir, work_dir)
    result.failed       # the scenarios whose steps failed, as "<feature stem>::<test name>"

Each run is `python -m pytest <features or node ids> --landscape DIR [-k EXPR]` in the
repository (the step plugin loads as the installed pytest11 entry point; one Stack start per
run); the outcome of every scenario is read from the run's JUnit XML report. A scenario that
fails in its setup (the stack did not start, the landscape did not load) is an error, not a
failure: an error never counts as a control being caught.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.runner.pytest_command import STEPS_PLUGIN, plugin_options
from harness.runner.repository import REPOSITORY
from harness.runner.selection import Scenarios

TIMEOUT = 900.0
"""Seconds one run may take before it is abandoned (a run of a few scenarios takes ~20 s)."""
REPORT_NAME = "scenarios.xml"


def outcome_name(node_id: str) -> str:
    """A node id as an `Outcome` names the scenario: "<feature stem>::<test name>"."""
    path, _, test = node_id.partition("::")
    return f"{Path(path).name.split('.')[0]}::{test}"


@dataclass(frozen=True)
class Outcome:
    """What happened to each selected scenario in one run."""

    summary: str
    """pytest's result line, e.g. "3 failed, 5 passed, 14 deselected in 18.02s"."""
    passed: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    messages: dict[str, str] = field(default_factory=dict)
    """The first line of the failure or error message, by scenario."""

    @property
    def selected(self) -> int:
        return len(self.passed) + len(self.failed) + len(self.errors) + len(self.skipped)

    def describe(self) -> str:
        lines = [self.summary]
        for name in (*self.failed, *self.errors):
            lines.append(f"  {name}: {self.messages.get(name, '')}")
        return "\n".join(lines)


class RunError(RuntimeError):
    """A run that wrote no report: pytest did not get as far as running a scenario."""


def run_scenarios(selection: Scenarios, landscape: Path, work: Path, *,
                  cwd: Path = REPOSITORY, extra: Sequence[str] = (),
                  timeout: float = TIMEOUT) -> Outcome:
    """Run the scenarios of `selection` against the landscape directory `landscape`; `work` is
    a directory for the run's report. `cwd` is where pytest starts (node ids and feature
    paths are relative to it); `extra` are more pytest arguments (e.g. --decision-log FILE).
    Raises RunError when the run wrote no report, subprocess.TimeoutExpired after
    `timeout` seconds."""
    work.mkdir(parents=True, exist_ok=True)
    report = work / REPORT_NAME
    report.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "pytest", *selection.arguments(),
        *plugin_options(STEPS_PLUGIN), "--landscape", str(landscape),
        "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
        f"--junitxml={report}", "-o", "junit_family=xunit2", *extra,
    ]
    completed = subprocess.run(
        command, cwd=cwd, env=environment(cwd), capture_output=True, text=True,
        timeout=timeout, check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    summary = lines[-1].strip("= ") if lines else f"no output (exit {completed.returncode})"
    if not report.exists():
        raise RunError(
            f"the scenario run wrote no report (exit {completed.returncode}): {summary}\n"
            f"{completed.stderr[-3000:]}"
        )
    return read_report(report, summary)


def environment(cwd: Path = REPOSITORY) -> dict[str, str]:
    """The environment of a scenario run: the outer run may be an xdist worker, whose PYTEST_*
    variables are not the inner run's; the step library (steps/) beside the features and this
    repository go on the path."""
    variables = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    paths = [str(cwd), str(REPOSITORY), variables.get("PYTHONPATH", "")]
    variables["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
    return variables


def read_report(report: Path, summary: str) -> Outcome:
    """The outcome of each test case of a JUnit XML report."""
    passed: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    skipped: list[str] = []
    messages: dict[str, str] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        # classname "features.guardrails.organisation_guardrails.feature" → its stem
        parts = case.get("classname", "").split(".")
        stem = parts[-2] if len(parts) >= 2 else parts[-1]
        name = f"{stem}::{case.get('name', '')}"
        failure, error, skip = case.find("failure"), case.find("error"), case.find("skipped")
        if failure is not None:
            failed.append(name)
            messages[name] = _first_line(failure.get("message", ""))
        elif error is not None:
            errors.append(name)
            messages[name] = _first_line(error.get("message", ""))
        elif skip is not None:
            skipped.append(name)
        else:
            passed.append(name)
    return Outcome(summary, tuple(passed), tuple(failed), tuple(errors), tuple(skipped), messages)


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " / ".join(lines[:2])[:300]
