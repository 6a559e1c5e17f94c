"""bench/suite.py against the fake suite: it runs `securecart run` and prints its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import suite

from .conftest import FAKE_SUITE


@pytest.mark.slow
def test_the_bench_prints_where_the_time_went(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    status = suite.main(["--features", str(FAKE_SUITE / "features"), "--plugin",
                         "fake_steps_plugin", "--tags", "@guardrails", "--report",
                         str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out[0] == "securecart run on moto: exit 0, 2 scenarios (2 passed)"
    assert [line.split()[0] for line in out[1:]] == [
        "start+seed", "run", "shutdown", "report", "total", "AWS"]
    assert out[-1].split()[:3] == ["AWS", "calls", "2"]
    assert "target < 30 s" in out[-2]


@pytest.mark.slow
def test_without_figures_the_bench_shows_why(capsys: pytest.CaptureFixture[str]) -> None:
    status = suite.main(["--features", str(FAKE_SUITE / "features"), "--plugin",
                         "no_such_steps_plugin"])
    assert status != 0
    assert "securecart run wrote no figures" in capsys.readouterr().err


def test_figures_from_a_run_json() -> None:
    run = {"exit_status": 1, "outcomes": {"passed": 50, "failed": 2},
           "provenance": {"backend": "moto"},
           "timings": {"ready": 5.2, "backend_setup": 4.1, "scenarios": 18.0, "shutdown": 0.3,
                       "reports": 0.6, "total": 24.1, "scenario_count": 52, "calls": 640,
                       "calls_in_scenarios": 600, "denied": 120}}
    lines = suite.figures(run, 31.5)
    assert lines[0] == "securecart run on moto: exit 1, 52 scenarios (2 failed, 50 passed)"
    assert lines[1].startswith("start+seed    5.20 s")
    assert lines[-2].endswith("target < 30 s (over)")
    assert lines[-1] == "AWS calls      640     600 in scenarios, 120 denied"
