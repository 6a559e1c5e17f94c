"""`securecart run` end to end on the fake suite (its step plugin stands in for the step
library), on one backend and on two compared, and its pieces: tag expressions, the pytest
command, where features are found."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.commands import run
from harness.commands.main import build_parser, main
from harness.landscape.layout import DEFAULT_DIRECTORY
from harness.runner.pytest_command import pytest_command
from harness.runner.repository import find_features
from harness.runner.tags import tags_to_markers

from .conftest import FAKE_SUITE
from .test_html import text_of

REPOSITORY = Path(__file__).resolve().parents[2]


def securecart_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.commands", "run",
         "--features", str(FAKE_SUITE / "features"),
         "--plugin", "fake_steps_plugin", "--report", str(tmp_path / "reports"), *args],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        env={**__import__("os").environ, "COLUMNS": "160", "PYTHONIOENCODING": "utf-8"},
    )


@pytest.mark.slow
def test_a_run_with_a_failure(tmp_path: Path) -> None:
    completed = securecart_run(tmp_path)
    assert completed.returncode == 1, completed.stderr
    out = completed.stdout.splitlines()
    # Progress: a line per scenario as it finishes.
    assert "✘ Developers read non-production › A developer may upload (a wrong expectation, " \
           "to fail)" in "\n".join(out)
    assert sum(line.startswith(("✔ ", "✘ ", "– ")) for line in out) == 6
    # The summary: the policy statement behind each denial, the failure, counts, timings.
    assert ("             dynamodb:DeleteTable: SCP deny-destructive-actions-in-prod › "
            "DenyDestructiveActionsInProd") in out
    assert "    at Then the request is allowed (line 19)" in out
    assert "6 scenarios: 4 passed, 1 failed, 1 skipped" in out
    timing = next(line for line in out if line.startswith("ready in "))
    assert "6 scenarios in" in timing and "reports in" in timing
    assert timing.endswith("5 AWS calls (4 denied)")
    reports = tmp_path / "reports"
    for name in ("report.html", "cucumber.json", "junit.xml", "run.json", "pytest.log",
                 "results.jsonl", "decisions.jsonl"):
        assert (reports / name).is_file(), name
    figures = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert figures["exit_status"] == 1
    assert figures["outcomes"] == {"passed": 4, "failed": 1, "skipped": 1}
    assert figures["timings"]["calls"] == 5
    assert figures["provenance"]["backend"] == "moto"
    html = (reports / "report.html").read_text(encoding="utf-8")
    assert "NoReadingSecretValues" in html and "policies/permission-sets/" in html


@pytest.mark.slow
def test_tags_choose_the_scenarios_and_a_second_run_starts_afresh(tmp_path: Path) -> None:
    securecart_run(tmp_path)
    completed = securecart_run(tmp_path, "--tags", "@guardrails and not @developer-access",
                               "--workers", "2")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "2 scenarios: 2 passed, 0 failed, 0 skipped" in completed.stdout
    # The decision log of the first run is gone: only this run's two calls.
    log = (tmp_path / "reports" / "decisions.jsonl").read_text(encoding="utf-8")
    assert len(log.splitlines()) == 2
    cucumber = json.loads((tmp_path / "reports" / "cucumber.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in cucumber] == ["Destructive actions are blocked in production"]


@pytest.mark.slow
@pytest.mark.parametrize("tags", ["@no-such-tag", "@scp and @developer-access"])
def test_no_scenario_collected_is_a_failure_that_says_so(tmp_path: Path, tags: str) -> None:
    completed = securecart_run(tmp_path, "--tags", tags)
    assert completed.returncode == 5
    assert (f"no scenario matching tags {tags} was collected from "
            f"{FAKE_SUITE / 'features'}") in completed.stderr


@pytest.mark.slow
def test_a_missing_step_plugin_is_named(tmp_path: Path) -> None:
    completed = securecart_run(tmp_path, "--plugin", "no_such_steps_plugin")
    assert completed.returncode != 0
    assert "the step library's pytest plugin no_such_steps_plugin cannot be imported" in (
        completed.stderr)


@pytest.mark.slow
def test_one_backend_named_keeps_the_one_backend_layout(tmp_path: Path) -> None:
    completed = securecart_run(tmp_path, "--backend", "moto", "--tags", "@guardrails")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    reports = tmp_path / "reports"
    assert sorted(path.name for path in reports.iterdir()) == [
        "cucumber.json", "decisions.jsonl", "junit.xml", "pytest.log", "report.html",
        "results.jsonl", "run.json"]
    figures = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert sorted(figures) == ["exit_status", "outcomes", "provenance", "timings"]
    out = completed.stdout.splitlines()
    assert sum(line.startswith("✔ ") for line in out) == 2  # progress lines, not prefixed
    assert not any(line.startswith(("DIFFERS", "comparison:")) for line in out)
    assert out[-1].startswith("reports: ")


LISTING = "Developers read non-production › A developer lists the artifacts bucket"


@pytest.mark.slow
def test_two_backends_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    """The fake localstack refuses s3:ListBucket: the listing scenario passes on moto and fails
    on localstack — a finding about a backend. (The scenario that fails by design is left out,
    so that moto's run is green and the comparison's exit status is localstack's doing.)"""
    monkeypatch.setattr(run, "BACKENDS", ("moto", "localstack"))
    monkeypatch.setenv("FAKE_SUITE_REFUSES", "localstack=s3:ListBucket")
    monkeypatch.setenv("COLUMNS", "160")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "cucumber.json").write_text("[]", encoding="utf-8")  # a one-backend run's
    status = main(["run", "--features", str(FAKE_SUITE / "features"),
                   "--plugin", "fake_steps_plugin", "--report", str(reports),
                   "--backend", "moto", "--backend", "localstack", "--", "-k", "not upload"])
    out = capsys.readouterr().out.splitlines()
    assert status == 1

    # Progress lines name the backend; each backend's summary, then the comparison table.
    assert any(line.startswith(f"moto       ✔ {LISTING}  (") for line in out)
    assert any(line.startswith(f"localstack ✘ {LISTING}") for line in out)
    table = out.index(next(line for line in out if line.startswith("backend ")))
    assert out[table + 2].split()[:6] == ["moto", "5", "4", "0", "1", "0"]
    assert out[table + 3].split()[:6] == ["localstack", "5", "3", "1", "1", "1"]
    assert out[-1] == (f"DIFFERS  {LISTING}: moto passed, localstack failed (AssertionError: "
                       "denied: s3:ListBucket is not implemented by this backend)")
    assert sum(line.startswith("DIFFERS") for line in out) == 1

    # Each backend's own reports in its folder; the comparison at the top.
    for backend in ("moto", "localstack"):
        for name in ("report.html", "cucumber.json", "junit.xml", "run.json", "pytest.log",
                     "results.jsonl", "decisions.jsonl"):
            assert (reports / backend / name).is_file(), (backend, name)
        own = json.loads((reports / backend / "run.json").read_text(encoding="utf-8"))
        assert own["provenance"]["backend"] == backend
    assert sorted(path.name for path in reports.iterdir()) == [
        "localstack", "moto", "report.html", "run.json"]

    figures = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert figures["exit_status"] == 1
    assert {name: (b["exit_status"], b["outcomes"]) for name, b in figures["backends"].items()} \
        == {"moto": (0, {"passed": 4, "skipped": 1}),
            "localstack": (1, {"failed": 1, "passed": 3, "skipped": 1})}
    assert figures["backends"]["localstack"]["timings"]["scenario_count"] == 5
    assert [(d["feature"], d["scenario"], d["outcomes"]) for d in figures["differences"]] == [
        ("Developers read non-production", "A developer lists the artifacts bucket",
         {"moto": "passed", "localstack": "failed"})]

    html = (reports / "report.html").read_text(encoding="utf-8")
    finding = re.search(r'<tr id="[^"]*" class="differs">(.*?)</tr>', html, re.S)
    assert finding is not None
    assert text_of(finding.group(1)).strip() == (
        "backend finding Developers read non-production A developer lists the artifacts bucket "
        "tests/report/fake_suite/features/developers/read.feature::"
        "test_a_developer_lists_the_artifacts_bucket passed failed AssertionError: denied: "
        "s3:ListBucket is not implemented by this backend")
    for link in re.findall(r'href="([^"#]+)', html):
        assert (reports / link).is_file(), link


def test_a_backend_given_twice_is_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--backend", "moto", "--backend", "moto",
                 "--report", str(tmp_path)]) == 2
    assert "--backend moto is given more than once" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_bad_input_stops_before_pytest(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    assert main(["run", "--tags", "@a and $b", "--report", str(tmp_path)]) == 2
    assert "'$b' is not a tag" in capsys.readouterr().err
    assert main(["run", "--features", str(tmp_path / "none"),
                 "--report", str(tmp_path)]) == 2
    assert "no features at" in capsys.readouterr().err
    assert main(["run", "--landscape", str(tmp_path), "--report", str(tmp_path)]) == 2
    assert "is invalid" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("tags", "markers"),
    [
        ("@guardrails", "guardrails"),
        ("@guardrails and not @scp", "guardrails and not scp"),
        ("(@use-case-developer-read-only or @mfa) AND NOT @slow",
         "( use-case-developer-read-only or mfa ) and not slow"),
    ],
)
def test_tag_expressions_become_marker_expressions(tags: str, markers: str) -> None:
    assert tags_to_markers(tags) == markers


def test_the_pytest_command(tmp_path: Path) -> None:
    command = pytest_command(
        features=Path("/f"), landscape=Path("/l"), backend="moto", report=tmp_path,
        markers="scp", workers=2, plugin="steps.plugin", extra=["-x"])
    assert command[:4] == [sys.executable, "-m", "pytest", "/f"]
    joined = " ".join(command)
    # steps.plugin is the installed pytest11 entry point: pytest loads it by itself.
    assert "steps.plugin" not in joined
    assert "-p harness.report.pytest_collect" in joined
    assert f"--decision-log {tmp_path / 'decisions.jsonl'}" in joined
    assert f"--securecart-results {tmp_path / 'results.jsonl'}" in joined
    assert "--landscape /l --backend moto" in joined
    assert command[-5:] == ["-m", "scp", "-n", "2", "-x"]
    serial = pytest_command(features=Path("/f"), landscape=Path("/l"), backend="moto",
                            report=tmp_path, markers=None, workers=1, plugin="p", extra=[])
    assert "-n" not in serial[3:] and "-m" not in serial[3:]
    # Another step plugin replaces the installed one.
    assert "-p no:securecart -p p -p harness.report.pytest_collect" in " ".join(serial)


def test_features_are_found_beside_the_landscape(tmp_path: Path) -> None:
    assert find_features(DEFAULT_DIRECTORY) == REPOSITORY / "features"
    project = tmp_path / "project"
    (project / "features").mkdir(parents=True)
    (project / "fixtures" / "acme").mkdir(parents=True)
    assert find_features(project / "fixtures" / "acme") == project / "features"


def test_the_command_is_registered() -> None:
    args = build_parser().parse_args(["run", "--tags", "@scp", "--", "-x"])
    assert args.func is run.run_command
    assert args.pytest_args == ["-x"] and args.report == Path("reports")
    assert args.backend is None  # moto
    args = build_parser().parse_args(["run", "--backend", "moto", "--backend", "moto"])
    assert args.backend == ["moto", "moto"]
