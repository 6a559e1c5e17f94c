"""What the enforcing gateway costs: the latency of a mix of S3, SNS, DynamoDB and IAM calls
through the endpoint and straight to moto, measured in one run.

    python -m bench.endpoint [--calls N] [--block B] [--seed-landscape DIR] [--profile P]

One moto server, seeded with the landscape (a `harness.stack.Stack`, see `bench.stack_setup`);
the same boto3 clients call it alternately with the gateway in front and without
(`MotoServer.set_middleware`), in blocks of B calls, so that drift (the heap growing, other
load on the machine) falls on both modes alike; one block of each mode is run first and not
counted. Every call is one the gateway allows, made with credentials moto
itself knows (sessions its STS issued), so that straight to moto the same work is done in the
same account:

    s3 ListObjectsV2, s3 GetObject   alice (DeveloperReadOnly, MFA) in dev
    sns Publish                      carol (Admin, MFA) to prod's order-events
    dynamodb GetItem                 the orders API's task role, prod's orders table
    iam GetRole                      carol, prod's orders-api role

Prints, per call kind and overall: the median client-observed latency direct and through the
endpoint and their ratio (target: at most 1.3); the median time the server spent on a request
(wall and CPU of the thread serving it, which includes the gateway's reads of the backend); and
the process's CPU time per call in each mode (client and server share the process, so that ratio
is diluted by the client's share, which both modes pay alike). `--profile P` then profiles P more
calls through the endpoint (cProfile in the serving thread) and prints the top functions.
Figures are reported, not asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.stack_setup import DEFAULT_LANDSCAPE, ORDER_ITEM, SEED_OBJECTS, BenchStack, start_stack
from harness.gateway.wsgi_call import read_all

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DIRECT, THROUGH = "direct", "through"
TARGET = 1.3


@dataclass(frozen=True)
class BenchCall:
    label: str
    persona: str
    service: str
    method: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


def mix(built: BenchStack) -> tuple[BenchCall, ...]:
    """One of each kind; all allowed by the gateway."""
    prod = built.account_id("prod")
    (_, dev_bucket, dev_key) = SEED_OBJECTS[0]
    order_key = {name: ORDER_ITEM[name] for name in ("order_id", "created_at")}
    return (
        BenchCall("s3 ListObjectsV2", "alice", "s3", "list_objects_v2", {"Bucket": dev_bucket}),
        BenchCall("s3 GetObject", "alice", "s3", "get_object",
                  {"Bucket": dev_bucket, "Key": dev_key}),
        BenchCall("sns Publish", "carol", "sns", "publish",
                  {"TopicArn": f"arn:aws:sns:us-east-1:{prod}:order-events",
                   "Message": "order placed"}),
        BenchCall("dynamodb GetItem", "orders-api", "dynamodb", "get_item",
                  {"TableName": "orders", "Key": order_key}),
        BenchCall("iam GetRole", "carol", "iam", "get_role", {"RoleName": "orders-api"}),
    )


# --------------------------------------------------------------------------- server side


class ServerMeter:
    """Outermost middleware in both modes: the wall and thread-CPU time the server spends on
    each request, and, while `profiling`, a cProfile of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.samples: list[tuple[float, float]] = []
        self.profiling = False
        self._profiles: list[cProfile.Profile] = []

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        def measured(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            profile = cProfile.Profile() if self.profiling else None
            wall, cpu = time.perf_counter(), time.thread_time()
            if profile is not None:
                profile.enable()
            try:
                body = read_all(app(environ, start_response))
            finally:
                if profile is not None:
                    profile.disable()
                sample = (time.perf_counter() - wall, time.thread_time() - cpu)
                with self._lock:
                    self.samples.append(sample)
                    if profile is not None:
                        self._profiles.append(profile)
            return [body]

        return measured

    def take(self) -> list[tuple[float, float]]:
        with self._lock:
            taken, self.samples = self.samples, []
        return taken

    def start_profiling(self) -> None:
        self.profiling = True

    def stop_profiling(self) -> pstats.Stats | None:
        with self._lock:
            profiles, self._profiles = self._profiles, []
        self.profiling = False
        if not profiles:
            return None
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        return stats


class GcMeter:
    """Time the process spends in the cyclic garbage collector (moto's state makes the heap
    large, and a full collection walks all of it)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.full += info.get("generation") == 2

    def take(self) -> tuple[float, int]:
        taken = (self.seconds, self.full)
        self.seconds, self.full = 0.0, 0
        return taken


# --------------------------------------------------------------------------- client side


@dataclass
class Measured:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    server_wall: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    process_cpu: float = 0.0
    wall: float = 0.0
    gc_seconds: float = 0.0
    gc_full: int = 0
    backend_reads: int = 0
    calls: int = 0

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


def _invoke(client: Any, call: BenchCall) -> None:
    response = getattr(client, call.method)(**call.params)
    body = response.get("Body")
    if body is not None:
        body.read()
        body.close()


_GC = GcMeter()


def run_block(built: BenchStack, clients: Mapping[BenchCall, Any], calls: list[BenchCall],
              into: Measured | None, meter: ServerMeter) -> None:
    """Make `calls` in order; add their figures to `into` (None: a warm-up, not counted)."""
    meter.take()
    _GC.take()
    built.backend_reads.take()
    latencies: list[tuple[str, float]] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for call in calls:
        started = time.perf_counter()
        _invoke(clients[call], call)
        latencies.append((call.label, time.perf_counter() - started))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    served = meter.take()
    gc_seconds, gc_full = _GC.take()
    reads = built.backend_reads.take()
    if into is None:
        return
    into.backend_reads += reads
    into.gc_seconds += gc_seconds
    into.gc_full += gc_full
    for label, latency in latencies:
        into.latencies.setdefault(label, []).append(latency)
    into.server_wall += [sample[0] for sample in served]
    into.server_cpu += [sample[1] for sample in served]
    into.process_cpu += cpu
    into.wall += wall
    into.calls += len(calls)


def measure(built: BenchStack, meter: ServerMeter, calls: int, block: int
            ) -> tuple[Measured, Measured]:
    kinds = mix(built)
    clients = {call: built.client(call.persona, call.service) for call in kinds}
    sequence = [kinds[index % len(kinds)] for index in range(block)]
    modes: dict[str, Callable[[], None]] = {DIRECT: built.direct, THROUGH: built.enforce}
    results = {DIRECT: Measured(), THROUGH: Measured()}
    for serve in modes.values():  # warm-up: first calls (connections, caches) not counted
        serve()
        run_block(built, clients, sequence, None, meter)
    rounds = max(1, -(-calls // block))
    for index in range(rounds):
        # Alternate which mode goes first in a round, too.
        order = (DIRECT, THROUGH) if index % 2 == 0 else (THROUGH, DIRECT)
        for mode in order:
            modes[mode]()
            run_block(built, clients, sequence, results[mode], meter)
    built.enforce()
    return results[DIRECT], results[THROUGH]


def profile(built: BenchStack, meter: ServerMeter, calls: int) -> pstats.Stats | None:
    kinds = mix(built)
    clients = {call: built.client(call.persona, call.service) for call in kinds}
    built.enforce()
    run_block(built, clients, list(kinds) * 2, None, meter)
    meter.start_profiling()
    try:
        sequence = [kinds[index % len(kinds)] for index in range(calls)]
        run_block(built, clients, sequence, None, meter)
    finally:
        stats = meter.stop_profiling()
    return stats


# --------------------------------------------------------------------------- report


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def _row(label: str, direct: float, through: float, unit: str = "ms") -> str:
    ratio = through / direct if direct else float("nan")
    return f"  {label:<34} {direct:9.2f} {through:9.2f} {unit:<3} {ratio:6.2f}"


def report(direct: Measured, through: Measured, calls_per_block: int) -> str:
    lines = [f"calls: {direct.calls} direct + {through.calls} through the endpoint "
             f"(blocks of {calls_per_block}, alternating; one warm-up block per mode "
             "not counted)",
             f"  {'':<34} {'direct':>9} {'through':>9}     {'ratio':>6}",
             "  median latency per call, client-observed:"]
    for label in direct.latencies:
        lines.append(_row(f"  {label}", _ms(direct.latencies[label]),
                          _ms(through.latencies[label])))
    overall_direct, overall_through = _ms(direct.all_latencies()), _ms(through.all_latencies())
    lines.append(_row("overall median", overall_direct, overall_through))
    lines.append(_row("mean (wall of the blocks / calls)", direct.wall / direct.calls * 1000,
                      through.wall / through.calls * 1000))
    lines.append(_row("server: median wall per request", _ms(direct.server_wall),
                      _ms(through.server_wall)))
    lines.append(_row("server: median thread CPU / request", _ms(direct.server_cpu),
                      _ms(through.server_cpu)))
    lines.append(_row("process CPU per call", direct.process_cpu / direct.calls * 1000,
                      through.process_cpu / through.calls * 1000))
    lines.append(_row("garbage collection per call", direct.gc_seconds / direct.calls * 1000,
                      through.gc_seconds / through.calls * 1000))
    lines.append(f"  {'full collections':<34} {direct.gc_full:9d} {through.gc_full:9d}")
    lines.append(f"  {'gateway reads of the backend / call':<34} {'':>9} "
                 f"{through.backend_reads / through.calls:9.2f}")
    ratio = overall_through / overall_direct
    verdict = "meets" if ratio <= TARGET else "misses"
    lines.append(f"ratio (overall median, through / direct): {ratio:.2f} — {verdict} the "
                 f"target of at most {TARGET}")
    cpu_ratio = (through.process_cpu / through.calls) / (direct.process_cpu / direct.calls)
    lines.append(f"CPU-time ratio (process CPU per call, through / direct): {cpu_ratio:.2f}")
    return "\n".join(lines)


def hotspots(stats: pstats.Stats, top: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    # The gateway's own steps (and the engine's), by the time spent under them.
    stats.sort_stats("cumulative").print_stats("harness/", top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.endpoint",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=1000, metavar="N",
                        help="calls counted per mode (default 1000)")
    parser.add_argument("--block", type=int, default=50, metavar="B",
                        help="calls per block; modes alternate by block (default 50)")
    parser.add_argument("--seed-landscape", type=Path, default=DEFAULT_LANDSCAPE, metavar="DIR",
                        help=f"the landscape to seed (default {DEFAULT_LANDSCAPE})")
    parser.add_argument("--profile", type=int, default=0, metavar="P",
                        help="then profile P calls through the endpoint and print hotspots")
    parser.add_argument("--top", type=int, default=30, help="functions listed by --profile")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.block < 1:
        parser.error("--calls and --block must be at least 1")

    meter = ServerMeter()
    gc.callbacks.append(_GC)
    try:
        return _run(args, meter)
    finally:
        gc.callbacks.remove(_GC)


def _run(args: argparse.Namespace, meter: ServerMeter) -> int:
    print(f"starting moto and seeding {args.seed_landscape} ...", flush=True)
    with start_stack(args.seed_landscape) as built:
        built.wrap = meter.wrap
        direct, through = measure(built, meter, args.calls, args.block)
        print(report(direct, through, args.block), flush=True)
        if args.profile > 0:
            stats = profile(built, meter, args.profile)
            if stats is not None:
                print(f"\nprofile of {args.profile} calls through the endpoint "
                      "(serving thread):")
                print(hotspots(stats, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
