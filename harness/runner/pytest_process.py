"""A plan's pytest command in a subprocess, with a line printed per finished scenario (read
from the results file as it grows); pytest's own output goes to REPORT/pytest.log (and, when
the plan is verbose, to the terminal as well).

A subprocess, not pytest.main() in this process: moto's state is global to a process, and a
clean interpreter per run is what CI gets too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from harness.runner.plan import Plan
from harness.runner.report_folder import PYTEST_LOG, RESULTS
from harness.runner.repository import REPOSITORY

EXIT_INTERRUPTED = 2
POLL_SECONDS = 0.1


def run_pytest(plan: Plan, *, unicode: bool, out: TextIO, prefix: str = "") -> tuple[int, bool]:
    """pytest's exit status, and whether the user interrupted it (Ctrl-C)."""
    from harness.report.records import ScenarioResult, parse_line
    from harness.report.summary import progress_line

    results, output = _Tail(plan.report / RESULTS), _Tail(plan.report / PYTEST_LOG)
    with (plan.report / PYTEST_LOG).open("wb") as log:
        process = subprocess.Popen(plan.command, cwd=plan.cwd, env=_environment(plan),
                                   stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            while True:
                finished = process.poll() is not None
                if plan.verbose:
                    for line in output.lines():
                        print(f"{prefix}  | {line}", file=out)
                for line in results.lines():
                    item = parse_line(line)
                    if isinstance(item, ScenarioResult):
                        print(prefix + progress_line(item, unicode), file=out, flush=True)
                if finished:
                    break
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            print("securecart run: interrupted; stopping pytest", file=sys.stderr)
            return _stop(process), True
    return int(process.returncode), False


def _environment(plan: Plan) -> dict[str, str]:
    """The step library sits beside the features (steps/), in the project or in this
    repository: both go on the path."""
    paths = [str(plan.cwd), str(REPOSITORY), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(p for p in paths if p)),
            "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return EXIT_INTERRUPTED


class _Tail:
    """The complete lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""

    def lines(self) -> list[str]:
        try:
            with self.path.open("rb") as stream:
                stream.seek(self.offset)
                data = stream.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        *complete, self.partial = (self.partial + data).split(b"\n")
        return [line.decode("utf-8", "replace").rstrip("\r") for line in complete]
