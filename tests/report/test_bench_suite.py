"""bench/suite.py against the fake suite: it runs `securecart run` and prints its figures."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bench import suite
from harness.backends import BACKENDS

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


def test_each_backend_is_measured_in_its_own_run(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[tuple[str, Path]] = []

    def measure(args: argparse.Namespace, backend: str, report: Path) -> int:
        measured.append((backend, report))
        print(f"figures of {backend}")
        return {"moto": 0, "localstack": 1}[backend]

    monkeypatch.setattr(suite, "measure", measure)
    assert suite.main(["--backend", "moto", "--backend", "localstack", "--report",
                       str(tmp_path)]) == 1
    assert measured == [("moto", tmp_path / "moto"), ("localstack", tmp_path / "localstack")]
    measured.clear()
    assert suite.main(["--report", str(tmp_path)]) == 0
    assert measured == [("moto", tmp_path)]  # one backend: the report folder as given
    with pytest.raises(SystemExit):
        suite.main(["--backend", "moto", "--backend", "moto"])


def test_the_backend_is_passed_through(tmp_path: Path) -> None:
    args = argparse.Namespace(workers=2, landscape=None, features=Path("f"), tags=None,
                              plugin=None)
    line = suite.command(args, "localstack", tmp_path)
    assert line[3:] == ["run", "--backend", "localstack", "--report", str(tmp_path),
                        "--workers", "2", "--features", "f"]


@pytest.mark.slow
def test_the_bench_on_two_backends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = BACKENDS[:2]
    status = suite.main(["--features", str(FAKE_SUITE / "features"), "--plugin",
                         "fake_steps_plugin", "--tags", "@guardrails", "--report", str(tmp_path),
                         "--backend", first, "--backend", second])
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out[0] == f"securecart run on {first}: exit 0, 2 scenarios (2 passed)"
    assert out[8] == f"securecart run on {second}: exit 0, 2 scenarios (2 passed)"
    assert [line.split()[0] for line in out[9:]] == [
        "start+seed", "run", "shutdown", "report", "total", "AWS"]
