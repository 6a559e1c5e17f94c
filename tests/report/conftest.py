from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.report.build import build_report
from harness.report.decisions import read_decision_log
from harness.report.model import ReportData
from harness.report.provenance import collect_provenance
from harness.report.records import Results, SessionRecord

from . import samples

FAKE_SUITE = Path(__file__).parent / "fake_suite"


@pytest.fixture(scope="session")
def landscape() -> Landscape:
    return load_landscape()


@pytest.fixture
def decision_log_file(tmp_path: Path) -> Path:
    path = tmp_path / "decisions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in samples.log_records()),
                    encoding="utf-8")
    return path


@pytest.fixture
def report_data(landscape: Landscape, decision_log_file: Path) -> ReportData:
    provenance = collect_provenance(
        landscape=landscape.directory, landscape_name=landscape.name, backend="moto",
        started=samples.T0 - 10, finished=samples.T0 + 70, tags="@guardrails",
    )
    results = Results(samples.scenarios(), SessionRecord(started=samples.T0 - 10))
    return build_report(results, read_decision_log(decision_log_file), landscape, provenance)
