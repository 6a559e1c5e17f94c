"""Cucumber JSON — the format CI dashboards read (Jenkins' cucumber-reports, GitLab, Allure …).

The shape is the classic cucumber JSON report (cucumber-jvm / cucumber-js `--format json`):

    [ {uri, id, keyword, name, description, line, tags: [{name, line}],
       elements: [ {id, keyword, name, description, line, type: "scenario", tags,
                    before?: [hook], after?: [hook],
                    steps: [ {keyword, name, line, match: {location},
                              result: {status, duration (ns), error_message?},
                              rows?: [{cells}], doc_string?: {value, line} } ] } ] } ]

A failure outside the steps (the scenario's setup — e.g. the backend did not start — or its
teardown) is a failed `before`/`after` hook, as cucumber reports it, so that no scenario that
failed looks green on a dashboard.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from harness.report.records import FeatureInfo, ScenarioResult, StepResult

NANOSECONDS = 1_000_000_000


def cucumber_json(scenarios: list[ScenarioResult]) -> list[dict[str, Any]]:
    """Features in the order their scenarios come (give them ordered), each once."""
    features: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        feature = features.get(scenario.feature.uri)
        if feature is None:
            feature = features[scenario.feature.uri] = _feature(scenario.feature)
        feature["elements"].append(_element(scenario, feature["id"]))
    return list(features.values())


def write_cucumber(scenarios: list[ScenarioResult], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cucumber_json(scenarios), indent=1) + "\n", encoding="utf-8")
    return path


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _feature(feature: FeatureInfo) -> dict[str, Any]:
    return {
        "uri": feature.uri,
        "id": slug(feature.name) or slug(feature.uri),
        "keyword": feature.keyword,
        "name": feature.name,
        "description": feature.description,
        "line": feature.line,
        "language": feature.language,
        "tags": _tags(feature.tags, feature.line - 1),
        "elements": [],
    }


def _element(scenario: ScenarioResult, feature_id: str) -> dict[str, Any]:
    element_id = f"{feature_id};{slug(scenario.name)}"
    if scenario.example_index is not None:
        element_id += f";{scenario.example_index + 1}"
    element: dict[str, Any] = {
        "id": element_id,
        "keyword": scenario.keyword,
        "name": scenario.title,
        "description": scenario.description,
        "line": scenario.line,
        "type": "scenario",
        "tags": _tags(scenario.tags, scenario.line - 1),
        "steps": [_step(step, scenario) for step in scenario.steps],
    }
    hook_failure = _hook_failure(scenario)
    if hook_failure is not None:
        element[hook_failure[0]] = [hook_failure[1]]
    return element


def _step(step: StepResult, scenario: ScenarioResult) -> dict[str, Any]:
    result: dict[str, Any] = {
        "status": step.status,
        "duration": int(step.duration * NANOSECONDS),
    }
    if step.status in ("failed", "undefined"):
        # Dashboards show this text: pytest's full failure text says more than the step's
        # one-line message, and belongs to the step that failed.
        result["error_message"] = scenario.error or step.error or ""
    entry: dict[str, Any] = {
        "keyword": step.keyword.strip() + " ",
        "name": step.name,
        "line": step.line,
        "match": {"location": f"{scenario.feature.uri}:{step.line}"},
        "result": result,
    }
    if step.rows:
        entry["rows"] = [{"cells": list(row)} for row in step.rows]
    if step.docstring is not None:
        entry["doc_string"] = {"value": step.docstring, "line": step.line + 1}
    return entry


def _hook_failure(scenario: ScenarioResult) -> tuple[str, dict[str, Any]] | None:
    """A failed scenario none of whose steps failed failed around them: before (setup) when
    no step ran, after otherwise."""
    if scenario.outcome != "failed" or scenario.failed_step is not None:
        return None
    ran = any(step.started is not None for step in scenario.steps)
    where = "after" if ran else "before"
    duration = scenario.setup_duration if where == "before" else 0.0
    return where, {
        "match": {"location": scenario.nodeid},
        "result": {
            "status": "failed",
            "duration": int(duration * NANOSECONDS),
            "error_message": scenario.error or "failed outside the steps",
        },
    }


def _tags(tags: list[str], line: int) -> list[dict[str, Any]]:
    return [{"name": f"@{tag}", "line": max(line, 1)} for tag in tags]
