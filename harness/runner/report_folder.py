"""The files a suite run writes into its report folder (REPORT, or REPORT/<backend>/ when
several backends are compared)."""

from __future__ import annotations

from pathlib import Path

RESULTS, DECISIONS = "results.jsonl", "decisions.jsonl"
"""Each finished scenario (harness.report.pytest_collect); each access decision (the gateway)."""
PYTEST_LOG, RUN_JSON = "pytest.log", "run.json"
COMPARISON_HTML = "report.html"
SINGLE_RUN_FILES = ("cucumber.json", "junit.xml")
"""With RESULTS … RUN_JSON: what a run on one backend writes at the top of REPORT, and a run on
several must not leave there (it writes them per backend)."""


def prepare(report: Path, also: tuple[str, ...] = ()) -> None:
    """A report directory holds one run: the decision log is appended to by its writer, so a
    previous run's must go first (and, for a comparison, a previous single run's files)."""
    report.mkdir(parents=True, exist_ok=True)
    for name in (RESULTS, DECISIONS, PYTEST_LOG, RUN_JSON, *also):
        (report / name).unlink(missing_ok=True)
