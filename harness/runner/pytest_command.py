"""The pytest command line of a suite run, with the step library's plugin (which starts the
backend and the gateway, seeds the landscape and writes the decision log) and this package's
collector (`harness.report.pytest_collect`, which writes each finished scenario to the results
file):

    python -m pytest FEATURES -p steps.plugin -p harness.report.pytest_collect
        --landscape DIR --backend NAME --decision-log REPORT/decisions.jsonl
        --securecart-results REPORT/results.jsonl [-m MARKERS] [-n N]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness.runner.report_folder import DECISIONS, RESULTS

STEPS_PLUGIN = "steps.plugin"
"""The step library's pytest plugin: options --landscape, --backend, --decision-log."""
ENTRY_POINT = "securecart"
"""The plugin's name as a pytest11 entry point (pyproject.toml): pytest loads it by itself."""
COLLECT_PLUGIN = "harness.report.pytest_collect"


def pytest_command(*, features: Path, landscape: Path, backend: str, report: Path,
                   markers: str | None, workers: int, plugin: str, extra: list[str]) -> list[str]:
    command = [
        sys.executable, "-m", "pytest", str(features),
        *plugin_options(plugin), "-p", COLLECT_PLUGIN,
        "--landscape", str(landscape), "--backend", backend,
        "--decision-log", str(report / DECISIONS),
        "--securecart-results", str(report / RESULTS),
        # The terminal is ours; pytest's output goes to a log (its caches to nowhere).
        "-p", "no:cacheprovider", "-q", "-rfE", "--tb=short",
        # Hypothesis' pytest plugin (installed with the test extra) adds ~2 s at exit, and no
        # scenario uses it.
        "-p", "no:hypothesispytest",
    ]
    if markers:
        command += ["-m", markers]
    if workers > 1:
        command += ["-n", str(workers)]
    return command + extra


def plugin_options(plugin: str) -> list[str]:
    """pytest's options that load the step plugin `plugin` and no other: the installed package
    declares steps.plugin as a pytest11 entry point, which pytest loads by itself (loading it
    twice is an error); another plugin must replace it, not run beside it."""
    if not _entry_point_loads(STEPS_PLUGIN):
        return ["-p", plugin]
    if plugin == STEPS_PLUGIN:
        return []
    return ["-p", f"no:{ENTRY_POINT}", "-p", plugin]


def _entry_point_loads(module: str) -> bool:
    from importlib.metadata import entry_points

    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    found = entry_points(group="pytest11", name=ENTRY_POINT)
    return any(entry.value == module for entry in found)
