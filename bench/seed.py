"""Time to bring up the moto backend with the canonical landscape, and to reset it.

    python -m bench.seed [--landscape DIR] [--resets N]

Prints, for one cold start in this process (wall clock, and CPU time of the process, which is
less disturbed by other load on the machine):
- start: MotoServer listening (moto imported);
- seed: `harness.stack.seed_server`: the landscape seeded through the AWS APIs (every
  service's first request included), and the seeded state captured as the reset point;
- snapshot: that capture alone (taken again), the part of "seed" it accounts for;
- reset: back to the seeded state, the median of N resets (each after a small change).
Targets: seed under 5 s, reset under 0.5 s. Figures are reported, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from harness.backends.moto import MotoServer
from harness.landscape.loader import load_landscape
from harness.stack import seed_server

T = TypeVar("T")


def _timed(action: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__)
    parser.add_argument("--landscape", type=Path, default=None, metavar="DIR")
    parser.add_argument("--resets", type=int, default=7)
    args = parser.parse_args(argv)

    landscape = load_landscape(args.landscape)
    # MotoServer imports moto (half a second) when first constructed: part of "start".
    server, start_wall, start_cpu = _timed(lambda: MotoServer().start())
    try:
        seeded, seed_wall, seed_cpu = _timed(lambda: seed_server(server, landscape))
        _, snap_wall, snap_cpu = _timed(server.snapshot)  # again, to show its share
        bucket = next((b for a in landscape.accounts for b in a.resources.buckets), None)
        resets = []
        for index in range(args.resets):
            if bucket is not None:  # something for the reset to undo
                owner = next(a for a in landscape.accounts if bucket in a.resources.buckets)
                seeded.client(owner.name, "s3").put_object(
                    Bucket=bucket.name, Key=f"bench/{index}", Body=b"x"
                )
            resets.append(_timed(server.reset)[1:])
    finally:
        server.stop()

    reset_wall = statistics.median(wall for wall, _ in resets)
    reset_cpu = statistics.median(cpu for _, cpu in resets)
    print(f"landscape {landscape.name}: {len(landscape.accounts)} accounts")
    print(f"start     {start_wall:6.2f} s  (cpu {start_cpu:5.2f} s)")
    print(f"seed      {seed_wall:6.2f} s  (cpu {seed_cpu:5.2f} s)   target < 5 s")
    print(f"snapshot  {snap_wall:6.2f} s  (cpu {snap_cpu:5.2f} s)")
    print(
        f"reset     {reset_wall:6.3f} s  (cpu {reset_cpu:5.3f} s)   median of {len(resets)},"
        " target < 0.5 s"
    )
    print(f"up        {start_wall + seed_wall:6.2f} s  (start + seed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
