"""How long the offline checks take on the canonical landscape (warm: imports not counted).

    python -m bench.analysis

Prints the median of 3 runs of `securecart lint` and `securecart analyze` (without the
credential report, which starts a backend), each loading the landscape itself.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from harness.analysis.analyze import analyze
from harness.analysis.lint import lint_landscape
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape


def _median(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    lint = _median(lambda: lint_landscape(load_landscape(DEFAULT_DIRECTORY)))
    print(f"securecart lint     {lint:6.2f} s   (load and check every policy)")
    analysis = _median(lambda: analyze(load_landscape(DEFAULT_DIRECTORY)))
    print(f"securecart analyze  {analysis:6.2f} s   (load, external access, escalation paths)")


if __name__ == "__main__":
    main()
