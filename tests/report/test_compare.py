"""One suite on several backends, compared: the differing scenarios (findings about a backend)
first, in the printed table, run.json and the comparison page."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

from harness.report.compare import (
    BackendRun,
    compare,
    comparison_text,
    differs_line,
    failure_headline,
)
from harness.report.html_compare import render_comparison, write_comparison
from harness.report.provenance import Provenance
from harness.report.records import ScenarioResult

from . import samples
from .test_html import text_of

DEVELOPERS = samples.DEVELOPERS.name
LISTING = "features/developer_access/test_dev.py::test_list"
LATER = "features/developer_access/test_dev.py::test_later"
PROVENANCE = Provenance(
    landscape="/l", landscape_name="securecart", git=None, backend="moto",
    versions={"moto": "5.2.5", "localstack-core": "4.13.1"}, python="CPython 3.11",
    platform="Linux", started="2026-01-01T00:00:00+00:00",
    finished="2026-01-01T00:01:00+00:00",
)


def ordered() -> list[ScenarioResult]:
    return sorted(samples.scenarios(), key=ScenarioResult.sort_key)


def localstack_scenarios() -> list[ScenarioResult]:
    """The samples as a second backend ran them: the listing fails there, and the scenario
    for later never ran."""
    scenarios = [copy.deepcopy(s) for s in ordered() if s.nodeid != LATER]
    listing = next(s for s in scenarios if s.nodeid == LISTING)
    listing.outcome = "failed"
    listing.steps[2].status = "failed"
    listing.steps[2].error = ("AssertionError: denied: s3:ListObjectsV2 is not implemented\n"
                              "assert 'refused' == 'allowed'")
    return scenarios


def runs(localstack: list[ScenarioResult] | None = None) -> list[BackendRun]:
    other = localstack_scenarios() if localstack is None else localstack
    return [
        BackendRun("moto", 1, "moto", ordered(), provenance=PROVENANCE),
        BackendRun("localstack", 1, "localstack", other,
                   provenance=replace(PROVENANCE, backend="localstack",
                                      started="2026-01-01T00:02:00+00:00")),
    ]


def test_the_differing_scenarios_come_first_and_a_common_failure_is_no_difference() -> None:
    comparison = compare(runs())
    assert [row.nodeid for row in comparison.differences] == [LISTING, LATER]
    assert [row.nodeid for row in comparison.rows[:2]] == [LISTING, LATER]
    # The rest in the order of the features, including the scenario that fails on both.
    rest = [row.nodeid for row in comparison.rows[2:]]
    assert rest == [s.nodeid for s in ordered() if s.nodeid not in (LISTING, LATER)]
    secrets = next(row for row in comparison.rows if row.nodeid.endswith("test_secrets"))
    assert not secrets.differs and secrets.outcomes == {"moto": "failed", "localstack": "failed"}


def test_a_difference_in_json_and_in_words() -> None:
    comparison = compare(runs())
    assert comparison.to_json()["differences"] == [
        {"scenario": "Developers list artifacts", "feature": DEVELOPERS, "nodeid": LISTING,
         "outcomes": {"moto": "passed", "localstack": "failed"},
         "failures": {"localstack": "AssertionError: denied: s3:ListObjectsV2 is not "
                                    "implemented"}},
        {"scenario": "A scenario for later", "feature": DEVELOPERS, "nodeid": LATER,
         "outcomes": {"moto": "skipped", "localstack": "not run"}, "failures": {}},
    ]
    listing, later = comparison.differences
    assert differs_line(listing) == (
        f"DIFFERS  {DEVELOPERS} › Developers list artifacts: moto passed, localstack failed "
        "(AssertionError: denied: s3:ListObjectsV2 is not implemented)")
    assert differs_line(later, unicode=False) == (
        f"DIFFERS  {DEVELOPERS} > A scenario for later: moto skipped, localstack not run")


def test_the_printed_table_ends_with_the_differences() -> None:
    lines = comparison_text(compare(runs())).splitlines()
    assert lines[0].split() == ["backend", "scenarios", "passed", "failed", "skipped", "exit",
                                "time"]
    assert lines[2].split() == ["moto", "6", "3", "2", "1", "1", "–", "s"]
    assert lines[3].split() == ["localstack", "5", "2", "3", "0", "1", "–", "s"]
    assert lines[5] == ("2 scenarios differ between the backends; each difference is a "
                        "finding about a backend:")
    assert [line.split(":")[0] for line in lines[6:]] == [
        f"DIFFERS  {DEVELOPERS} › Developers list artifacts",
        f"DIFFERS  {DEVELOPERS} › A scenario for later"]
    same = comparison_text(compare(runs(ordered()))).splitlines()
    assert same[-1] == "No scenario differs between the backends."


def test_the_exit_status_of_a_comparison() -> None:
    passing = [s for s in ordered() if s.outcome != "failed"]
    failing_there = copy.deepcopy(passing)
    next(s for s in failing_there if s.nodeid == LISTING).outcome = "failed"

    def status(*backends: BackendRun) -> int:
        return compare(list(backends)).status

    assert status(BackendRun("moto", 0, "moto", passing),
                  BackendRun("localstack", 0, "localstack", passing)) == 0
    # A scenario failed on one backend only: the comparison fails.
    assert status(BackendRun("moto", 0, "moto", passing),
                  BackendRun("localstack", 1, "localstack", failing_there)) == 1
    # Nothing ran on a backend: its status (pytest's 5).
    assert status(BackendRun("moto", 0, "moto", passing),
                  BackendRun("localstack", 5, "localstack", [])) == 5
    # Interrupted: 2, whatever failed before.
    assert status(BackendRun("moto", 1, "moto", failing_there),
                  BackendRun("localstack", 2, "localstack", [], interrupted=True)) == 2


def test_the_first_line_of_a_failure() -> None:
    by_id = {s.nodeid: s for s in ordered()}
    assert failure_headline(by_id["features/developer_access/test_dev.py::test_secrets"]) == (
        "AssertionError: denied by NoReadingSecretValues")
    assert failure_headline(by_id["features/developer_access/test_dev.py::test_sign_in"]) == (
        "[setup] RuntimeError: the backend did not start")


def test_the_comparison_page(tmp_path: Path) -> None:
    page = write_comparison(compare(runs()), "securecart", tmp_path / "report.html")
    html = page.read_text(encoding="utf-8")
    text = text_of(html)
    assert "Access-control scenarios on 2 backends — securecart" in text
    assert "moto: 6 scenarios 3 passed 2 failed 1 skipped" in text
    assert "localstack: 5 scenarios 2 passed 3 failed 0 skipped" in text
    # The differing scenarios: counted, listed, and first in the table, marked as findings.
    assert "2 backend findings" in text
    scenarios = html[html.index('<section id="scenarios">'):]
    rows = re.findall(r'<tr id="scenario-[^"]*" class="(\w+)">(.*?)</tr>', scenarios, re.S)
    assert [css for css, _ in rows] == ["differs", "differs", "same", "same", "same", "same"]
    first = text_of(rows[0][1])
    assert first.split() == (
        f"backend finding {DEVELOPERS} Developers list artifacts {LISTING} passed failed "
        "AssertionError: denied: s3:ListObjectsV2 is not implemented").split()
    assert "skipped not run" in text_of(rows[1][1])
    # Each outcome links to the backend's own report, at the feature.
    assert ('<a href="localstack/report.html#feature-features-developer-access-read-only-in-'
            'non-prod-feature">failed</a>') in rows[0][1]
    assert '<a href="moto/report.html">moto/report.html</a>' in html
    # Provenance side by side: what the runs share spans the columns.
    assert '<td class="shared" colspan="2">moto 5.2.5, localstack-core 4.13.1</td>' in html
    assert "<th>Backend</th><td>moto</td><td>localstack</td>" in html


def test_the_comparison_page_needs_no_network() -> None:
    page = render_comparison(compare(runs()), "securecart")
    assert "default-src 'none'" in page
    links = re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', page)
    assert links and all(link.startswith(("#", "moto/report.html", "localstack/report.html"))
                         for link in links)
    assert "@import" not in page and "url(" not in page
    assert not re.findall(r"https?://", page)
