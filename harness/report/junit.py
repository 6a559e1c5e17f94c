"""JUnit XML — a test suite per feature, a test case per scenario (per example row).

pytest's own `--junitxml` also works under xdist, but names test cases after the Python
functions pytest-bdd generates (`test_an_administrator_cannot_destroy_production_resources[s3-…]`);
CI pages read better with the feature's and scenario's own words, and the steps in system-out.

A step that failed is a `<failure>`; a failure outside the steps (setup, teardown) is an
`<error>`, as JUnit distinguishes a test that failed from one that could not run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from pathlib import Path

from harness.report.records import ScenarioResult

STATUS_MARKS = {"passed": "✔", "failed": "✘", "skipped": "-", "undefined": "?"}
# Characters XML 1.0 cannot carry at all (ANSI colour codes in a traceback, say): ElementTree
# would write them and the file would not parse.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_xml(scenarios: list[ScenarioResult], suite_name: str = "securecart") -> ET.Element:
    root = ET.Element("testsuites", name=suite_name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for _uri, group in groupby(scenarios, key=lambda s: s.feature.uri):
        members = list(group)
        suite = ET.SubElement(root, "testsuite", name=members[0].feature.name,
                              file=members[0].feature.uri)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite_time = 0.0
        for scenario in members:
            kind = _testcase(suite, scenario)
            counts["tests"] += 1
            if kind:
                counts[kind] += 1
            suite_time += _time(scenario)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{suite_time:.3f}")
        total_time += suite_time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    return root


def write_junit(scenarios: list[ScenarioResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(junit_xml(scenarios))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def _testcase(suite: ET.Element, scenario: ScenarioResult) -> str | None:
    """Add the scenario's test case; the counter it adds to (None when it passed)."""
    case = ET.SubElement(
        suite, "testcase", name=xml_safe(scenario.title),
        classname=xml_safe(scenario.feature.name),
        file=scenario.feature.uri, line=str(scenario.line), time=f"{_time(scenario):.3f}",
    )
    kind: str | None = None
    failed_step = scenario.failed_step
    if scenario.outcome == "failed" and failed_step is not None:
        failure = ET.SubElement(case, "failure", message=_message(failed_step.error),
                                type=failed_step.status)
        failure.text = xml_safe(scenario.error or failed_step.error or "")
        kind = "failures"
    elif scenario.outcome == "failed":
        error = ET.SubElement(case, "error", message=_message(scenario.error))
        error.text = xml_safe(scenario.error or "")
        kind = "errors"
    elif scenario.outcome == "skipped":
        ET.SubElement(case, "skipped", message=_message(scenario.error) or "skipped")
        kind = "skipped"
    out = ET.SubElement(case, "system-out")
    out.text = xml_safe("\n".join(
        f"{STATUS_MARKS.get(step.status, '?')} {step.keyword.strip()} {step.name}"
        for step in scenario.steps
    ))
    return kind


def _time(scenario: ScenarioResult) -> float:
    return scenario.setup_duration + scenario.call_duration


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _message(text: str | None) -> str:
    """The first line, short enough for an attribute CI pages show in a list."""
    if not text or not text.strip():
        return ""
    first = xml_safe(text.strip().splitlines()[0])
    return first if len(first) <= 300 else first[:299] + "…"
