"""JUnit XML: a suite per feature, a case per scenario, parsed back with ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report.junit import write_junit
from harness.report.records import Results

from . import samples


def parsed(tmp_path: Path) -> ET.Element:
    path = write_junit(Results(samples.scenarios(), None).ordered, tmp_path / "j" / "junit.xml")
    return ET.parse(path).getroot()


def test_totals_and_suites(tmp_path: Path) -> None:
    root = parsed(tmp_path)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"),
            root.get("skipped")) == ("6", "1", "1", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [samples.DEVELOPERS.name, samples.GUARDRAILS.name]
    assert [s.get("tests") for s in suites] == ["4", "2"]
    assert float(suites[1].get("time", "0")) == 6.0


def test_cases_are_named_by_the_scenarios(tmp_path: Path) -> None:
    cases = parsed(tmp_path).iter("testcase")
    names = [c.get("name") for c in cases]
    assert "An administrator cannot destroy production resources [s3, DeleteBucket]" in names
    assert "Read-only developers cannot read secrets even in dev" in names


def test_a_failed_step_is_a_failure_and_a_setup_error_an_error(tmp_path: Path) -> None:
    cases = {c.get("name"): c for c in parsed(tmp_path).iter("testcase")}
    failure = cases["Read-only developers cannot read secrets even in dev"].find("failure")
    assert failure is not None
    assert failure.get("message") == "AssertionError: denied by NoReadingSecretValues"
    error = cases["Developers have no assignment in production"].find("error")
    assert error is not None and "backend did not start" in (error.text or "")
    skipped = cases["A scenario for later"].find("skipped")
    assert skipped is not None and skipped.get("message") == "not ready"
    out = cases["Developers list artifacts"].findtext("system-out") or ""
    assert out.splitlines()[0] == (
        '✔ Given alice has signed in with MFA as "DeveloperReadOnly" in the "dev" account')


def test_characters_xml_cannot_carry_are_written_out(tmp_path: Path) -> None:
    scenarios = Results(samples.scenarios(), None).ordered
    failing = next(s for s in scenarios if s.failed_step is not None)
    failing.error = "\x1b[31mAssertionError\x1b[0m: denied\x00"
    path = write_junit(scenarios, tmp_path / "junit.xml")
    failure = next(c for c in ET.parse(path).getroot().iter("testcase")
                   if c.find("failure") is not None).find("failure")
    assert failure is not None
    assert failure.text == "\\x1b[31mAssertionError\\x1b[0m: denied\\x00"
