"""Cucumber JSON: the classic report shape CI tools read, checked field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.report.cucumber import cucumber_json, write_cucumber
from harness.report.records import Results

from . import samples

STATUSES = {"passed", "failed", "skipped", "undefined", "pending"}


def check_shape(report: Any) -> None:
    """The cucumber JSON schema's required fields and their types."""
    assert isinstance(report, list)
    for feature in report:
        for key, kind in (("uri", str), ("id", str), ("keyword", str), ("name", str),
                          ("description", str), ("line", int), ("tags", list),
                          ("elements", list)):
            assert isinstance(feature[key], kind), (key, feature)
        for tag in feature["tags"]:
            assert tag["name"].startswith("@") and isinstance(tag["line"], int)
        for element in feature["elements"]:
            assert element["type"] == "scenario"
            for key, kind in (("id", str), ("keyword", str), ("name", str),
                              ("description", str), ("line", int), ("tags", list),
                              ("steps", list)):
                assert isinstance(element[key], kind), (key, element)
            for hook in element.get("before", []) + element.get("after", []):
                assert hook["result"]["status"] in STATUSES
            for step in element["steps"]:
                assert isinstance(step["keyword"], str) and isinstance(step["name"], str)
                assert isinstance(step["line"], int)
                result = step["result"]
                assert result["status"] in STATUSES
                assert isinstance(result["duration"], int) and result["duration"] >= 0
                if result["status"] == "failed":
                    assert isinstance(result["error_message"], str)


def report() -> list[dict[str, Any]]:
    return cucumber_json(Results(samples.scenarios(), None).ordered)


def test_the_report_has_the_cucumber_shape(tmp_path: Path) -> None:
    path = write_cucumber(Results(samples.scenarios(), None).ordered,
                          tmp_path / "missing" / "folder" / "cucumber.json")
    check_shape(json.loads(path.read_text(encoding="utf-8")))


def test_each_feature_once_with_its_scenarios_in_file_order() -> None:
    features = report()
    assert [f["uri"] for f in features] == [samples.DEVELOPERS.uri, samples.GUARDRAILS.uri]
    developers, guardrails = features
    assert [e["line"] for e in developers["elements"]] == [10, 18, 24, 40]
    assert [e["name"] for e in guardrails["elements"]] == [
        "An administrator cannot destroy production resources [s3, DeleteBucket]",
        "An administrator cannot destroy production resources [dynamodb, DeleteTable]",
    ]
    ids = [e["id"] for f in features for e in f["elements"]]
    assert len(ids) == len(set(ids))
    assert guardrails["tags"] == [{"name": "@guardrails", "line": 1},
                                  {"name": "@scp", "line": 1}]


def test_step_results_durations_and_data_tables() -> None:
    guardrails = report()[1]
    when = guardrails["elements"][0]["steps"][1]
    assert when["keyword"] == "When "
    assert when["result"] == {"status": "passed", "duration": 50_000_000}
    assert when["rows"] == [{"cells": ["Bucket", "securecart-prod-customer-data"]}]
    assert when["match"]["location"] == f"{samples.GUARDRAILS.uri}:10"


def test_a_failed_step_carries_the_failure_and_the_rest_are_skipped() -> None:
    failing = report()[0]["elements"][2]
    statuses = [s["result"]["status"] for s in failing["steps"]]
    assert statuses == ["passed", "passed", "failed", "skipped"]
    assert "NoReadingSecretValues" in failing["steps"][2]["result"]["error_message"]
    assert "before" not in failing and "after" not in failing


def test_a_setup_failure_is_a_failed_before_hook() -> None:
    setup_error = report()[0]["elements"][1]
    assert [s["result"]["status"] for s in setup_error["steps"]] == ["skipped"]
    (hook,) = setup_error["before"]
    assert hook["result"]["status"] == "failed"
    assert "the backend did not start" in hook["result"]["error_message"]


def test_a_skipped_scenario_has_skipped_steps_and_no_hook() -> None:
    skipped = report()[0]["elements"][3]
    assert [s["result"]["status"] for s in skipped["steps"]] == ["skipped"]
    assert skipped["tags"] == [{"name": "@skip", "line": 39}]
    assert "before" not in skipped
