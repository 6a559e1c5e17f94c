"""`securecart mutate` on the canonical landscape: how long, and which verdicts.

    python -m bench.mutate [--policy GLOB ...] [--workers N] [--compare] [--work DIR]

Runs the analysis (the baseline run, then every mutant: replayed from the baseline's decisions
where that is sound, rerun otherwise — `harness.analysis.replay`) and prints the mutants, the
seconds, the verdict counts and how many were decided by replay and by rerun. `--compare` runs
the analysis again with every reached mutant rerun (as before replay existed) and prints whether
every verdict agrees, listing those that do not.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from harness.analysis.mutate import Analysis, Config, analyse
from harness.runner.repository import CANONICAL, FEATURES


def _run(work: Path, patterns: list[str], workers: int, replay: bool) -> tuple[Analysis, float]:
    started = time.perf_counter()
    analysis = analyse(Config(CANONICAL, FEATURES, work, workers=workers, replay=replay),
                       patterns)
    return analysis, time.perf_counter() - started


def _summary(name: str, analysis: Analysis, seconds: float) -> None:
    statuses = Counter(r.status for r in analysis.results)
    by = Counter(r.by for r in analysis.results)
    print(f"{name}: {len(analysis.results)} mutants in {seconds:.1f} s (baseline "
          f"{analysis.baseline.seconds:.1f} s, {len(analysis.baseline.passed)} scenarios "
          f"passed); killed {statuses['killed']}, survived {statuses['survived']}, "
          f"error {statuses['error']}; by replay {by['replay']}, by rerun {by['rerun']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy", action="append", default=[], metavar="GLOB")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare", action="store_true",
                        help="also rerun every reached mutant and compare the verdicts")
    parser.add_argument("--work", type=Path, default=None, metavar="DIR")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-mutate-"))
    analysis, seconds = _run(work / "replay", args.policy, args.workers, replay=True)
    _summary("replay", analysis, seconds)
    if not args.compare:
        return 0
    rerun, rerun_seconds = _run(work / "rerun", args.policy, args.workers, replay=False)
    _summary("rerun", rerun, rerun_seconds)
    expected = {r.mutant.id: r.status for r in rerun.results}
    differ = [(r.mutant.id, r.status, r.by, expected.get(r.mutant.id))
              for r in analysis.results if expected.get(r.mutant.id) != r.status]
    print(f"verdicts agree: {'yes' if not differ else 'NO'} "
          f"({len(analysis.results) - len(differ)} of {len(analysis.results)}); "
          f"{rerun_seconds / max(seconds, 0.001):.1f}x faster")
    for mutant, status, by, other in differ:
        print(f"  {mutant}: {status} by {by}, rerun says {other}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
