"""The results file: scenario and session records, written by the plugin, read back."""

from __future__ import annotations

import json
from pathlib import Path

from harness.report.records import Results, SessionRecord, parse_line, read_results

from . import samples


def test_a_scenario_survives_the_round_trip_through_json() -> None:
    for scenario in samples.scenarios():
        line = json.dumps(scenario.to_json())
        assert parse_line(line) == scenario


def test_lines_that_are_not_records_are_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    scenario = samples.scenarios()[0]
    path.write_text(
        json.dumps(SessionRecord(started=1.0).to_json()) + "\n"
        + "not json\n[1, 2]\n" + json.dumps({"kind": "other"}) + "\n"
        + json.dumps(scenario.to_json()) + "\n"
        + json.dumps(SessionRecord(started=1.0, finished=2.0, exitstatus=1).to_json()) + "\n"
        + '{"kind": "scenario", "nodeid": "cut sh',  # a line still being written
        encoding="utf-8",
    )
    results = read_results(path)
    assert results.scenarios == [scenario]
    assert results.session == SessionRecord(started=1.0, finished=2.0, exitstatus=1)


def test_results_are_ordered_as_the_features_list_them() -> None:
    ordered = [(s.feature.uri, s.line, s.example_index)
               for s in Results(samples.scenarios(), None).ordered]
    assert ordered == sorted(ordered, key=lambda k: (k[0], k[1], k[2] or 0))
    assert ordered[0][0].startswith("features/developer_access/")


def test_a_title_carries_the_example_values() -> None:
    outline = next(s for s in samples.scenarios() if s.example)
    assert outline.title.endswith("[s3, DeleteBucket]") or outline.title.endswith(
        "[dynamodb, DeleteTable]")
    plain = next(s for s in samples.scenarios() if not s.example)
    assert plain.title == plain.name
