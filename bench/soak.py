"""A concurrency soak of the enforcing gateway: personas in client threads make a fixed mix of
allowed and denied calls through it for a while, and every call must be decided exactly as the
same call was when made alone.

    python -m bench.soak [--seconds 60] [--threads 8] [--seed-landscape DIR]

One moto server, seeded with the landscape, behind the gateway (a `harness.stack.Stack`, see
`bench.stack_setup`), with the personas of `bench.endpoint` and the gateway's concurrency test:
alice (MFA) and dave (no MFA) as developers in dev, bob (SecurityAudit) and carol (Admin) in
prod, the orders API's task role, the root users of prod and the vendor. Each makes the same
calls — S3 list/get/put, SNS publish, DynamoDB get/put, IAM GetRole, STS GetCallerIdentity — so
that identity policies, the MFA rule, SCPs, resource policies and the backend's own errors all
decide some of them. Every call's outcome is independent of the order of the calls (writes put
the same object or item again), so each concurrent call can be compared with its reference.

1. the reference: every call of the mix once, one after another (also the warm-up);
2. the soak: `--threads` client threads, each with its own clients, go round the mix in an
   order of their own until `--seconds` have passed (and at most `MAX_REQUESTS` in all);
3. the comparison: each call's outcome (allowed, or the error code and status) and its records
   in the decision log (for each authorisation request: the action, the resource, the decision
   and the statements that decided it) against those of its reference.

Prints requests per second, the median and 99th-percentile latency, the count of 5xx answers
(and of requests that got no answer), whether every decision equals its reference, and the
resident memory of the process (client and server share it) once every client is made and
after the soak, with the number of records the decision log then keeps in memory (it keeps
them all: a few KiB each). Exits 1 if a decision or an
outcome differs, or if any request was answered with a 5xx or not at all.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from bench.stack_setup import (
    DEFAULT_LANDSCAPE,
    ORDER_ITEM,
    SEED_OBJECTS,
    BenchStack,
    Call,
    Outcome,
    Runner,
    start_stack,
)

MAX_REQUESTS = 1_000_000
"""A bound on the soak's requests, whatever the time given."""
JOIN_GRACE = 120.0
"""Seconds past the deadline a client thread may take to finish its last call (the clients'
read timeout is 60 s)."""
PERSONAS = ("alice", "dave", "bob", "carol", "orders-api", "root:prod", "root:vendor")
SEED = 20261207

DEV_BUCKET, DEV_KEY = SEED_OBJECTS[0][1:]
PROD_BUCKET, PROD_KEY = SEED_OBJECTS[1][1:]


@dataclass(frozen=True)
class Sample:
    """One request of the soak."""

    index: int
    """The call of the mix it made."""
    call_id: str
    outcome: Outcome
    seconds: float


Verdict = tuple[tuple[Any, ...], ...]
"""What the decision log says of one call: per record, what decided and how."""


def mix(built: BenchStack) -> tuple[Call, ...]:
    """Every call of the soak: each persona makes each kind of call."""
    prod = built.account_id("prod")
    topic = f"arn:aws:sns:us-east-1:{prod}:order-events"
    order_key = {name: ORDER_ITEM[name] for name in ("order_id", "created_at")}
    calls: list[Call] = []
    for persona in PERSONAS:
        calls += [
            Call(persona, "s3", "list_objects_v2", {"Bucket": DEV_BUCKET}),
            Call(persona, "s3", "get_object", {"Bucket": DEV_BUCKET, "Key": DEV_KEY}),
            Call(persona, "s3", "put_object", {"Bucket": DEV_BUCKET, "Key": "soak/x",
                                                   "Body": b"same",
                                                   "ServerSideEncryption": "AES256"}),
            Call(persona, "s3", "get_object", {"Bucket": PROD_BUCKET, "Key": PROD_KEY}),
            Call(persona, "sns", "publish", {"TopicArn": topic, "Message": "order placed"}),
            Call(persona, "dynamodb", "get_item", {"TableName": "orders", "Key": order_key}),
            Call(persona, "dynamodb", "put_item", {"TableName": "orders",
                                                       "Item": ORDER_ITEM}),
            Call(persona, "iam", "get_role", {"RoleName": "orders-api"}),
            Call(persona, "sts", "get_caller_identity", {}),
        ]
    return tuple(calls)


# --------------------------------------------------------------------------- calling


def ready_runner(built: BenchStack, calls: Sequence[Call]) -> Runner:
    """A client thread's runner with every client it needs made up front: making one is no
    part of a request's latency."""
    runner = Runner(built)
    for call in calls:
        runner.client(call.persona, call.service)
    return runner


def reference(built: BenchStack, calls: Sequence[Call]) -> list[Outcome]:
    """Every call once, alone (tagged `ref-<index>`)."""
    runner = ready_runner(built, calls)
    return [runner.run(f"ref-{index}", call) for index, call in enumerate(calls)]


@dataclass
class Soak:
    """Client threads going round the mix until the deadline."""

    built: BenchStack
    calls: Sequence[Call]
    threads: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    rss_before: int = 0
    """Resident memory once every client is made, just before the first request."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _issued: int = field(default=0, init=False)

    def run(self) -> float:
        """The soak's wall time, from the start of the first request to the end of the last."""
        runners = [ready_runner(self.built, self.calls) for _ in range(self.threads)]
        start = threading.Barrier(self.threads + 1)
        workers = [threading.Thread(target=self._work, args=(number, runner, start),
                                    name=f"soak-{number}", daemon=True)
                   for number, runner in enumerate(runners)]
        for worker in workers:
            worker.start()
        self.rss_before = _rss()
        start.wait()
        began = time.perf_counter()
        for worker in workers:
            worker.join(timeout=self.seconds + JOIN_GRACE)
        wall = time.perf_counter() - began
        stuck = [worker.name for worker in workers if worker.is_alive()]
        if stuck:
            raise RuntimeError(f"client threads did not finish: {stuck}")
        if self.failures:
            raise RuntimeError(f"client threads failed: {self.failures!r}")
        return wall

    def _work(self, number: int, runner: Runner, start: threading.Barrier) -> None:
        order = list(range(len(self.calls)))
        random.Random(SEED + number).shuffle(order)
        try:
            start.wait()
            deadline = time.perf_counter() + self.seconds
            for count in range(MAX_REQUESTS):
                if time.perf_counter() >= deadline or not self._take():
                    return
                index = order[count % len(order)]
                call_id = f"soak-{number}-{count}"
                began = time.perf_counter()
                outcome = runner.run(call_id, self.calls[index])
                sample = Sample(index, call_id, outcome, time.perf_counter() - began)
                with self._lock:
                    self.samples.append(sample)
        except BaseException as error:
            self.failures.append(error)
            start.abort()

    def _take(self) -> bool:
        with self._lock:
            self._issued += 1
            return self._issued <= MAX_REQUESTS


# --------------------------------------------------------------------------- comparing


def verdicts(built: BenchStack, since: int) -> dict[str, Verdict]:
    """What the decision log says of each tagged call since `since`."""
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for call_id, record in built.log.tagged()[since:]:
        if call_id is not None:
            grouped.setdefault(call_id, []).append(_decided(record))
    return {call_id: tuple(records) for call_id, records in grouped.items()}


def _decided(record: Mapping[str, Any]) -> tuple[Any, ...]:
    deciding = tuple((s["policy"], s["statement"]) for s in record["deciding"])
    return (record["action"], record["resource"], record["decision"], record["denied_by"],
            deciding, record.get("error_code"))


@dataclass(frozen=True)
class Difference:
    call: str
    call_id: str
    expected: tuple[Outcome, Verdict]
    found: tuple[Outcome, Verdict]


def differences(calls: Sequence[Call], expected: Sequence[Outcome],
                expected_log: Mapping[str, Verdict], samples: Sequence[Sample],
                found_log: Mapping[str, Verdict]) -> list[Difference]:
    found: list[Difference] = []
    for sample in samples:
        want = (expected[sample.index], expected_log.get(f"ref-{sample.index}", ()))
        got = (sample.outcome, found_log.get(sample.call_id, ()))
        if want != got:
            found.append(Difference(str(calls[sample.index]), sample.call_id, want, got))
    return found


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class Figures:
    requests: int
    wall: float
    latencies: list[float]
    allowed: int
    server_errors: int
    unanswered: int
    differing: list[Difference]
    rss_before: int
    rss_after: int
    peak_rss: int
    log_records: int

    @property
    def failed(self) -> bool:
        return bool(self.differing or self.server_errors or self.unanswered)


def figures(soak: Soak, wall: float, differing: list[Difference], log_records: int
            ) -> Figures:
    samples = soak.samples
    return Figures(
        requests=len(samples), wall=wall, latencies=[s.seconds for s in samples],
        allowed=sum(s.outcome.allowed for s in samples),
        server_errors=sum(s.outcome.status >= 500 for s in samples),
        unanswered=sum(s.outcome.status == 0 for s in samples),
        differing=differing, rss_before=soak.rss_before, rss_after=_rss(),
        peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        log_records=log_records)


def report(found: Figures, threads: int) -> str:
    p50, p99 = _percentiles(found.latencies)
    identical = "yes" if not found.differing else f"NO ({len(found.differing)} differ)"
    lines = [
        f"requests: {found.requests} from {threads} threads in {found.wall:.1f} s "
        f"({found.allowed} allowed, {found.requests - found.allowed} refused)",
        f"  requests/s:             {found.requests / found.wall:9.1f}",
        f"  latency p50 / p99:      {p50 * 1000:9.1f} / {p99 * 1000:.1f} ms",
        f"  5xx answers:            {found.server_errors:9d}",
        f"  no answer:              {found.unanswered:9d}",
        f"  decisions identical to the sequential run: {identical}",
        f"  RSS before / after:     {_mib(found.rss_before):9.1f} / "
        f"{_mib(found.rss_after):.1f} MiB (peak {_mib(found.peak_rss):.1f} MiB; "
        f"{_growth(found):+.1f} KiB per request)",
        f"  decision log:           {found.log_records:9d} records, all kept in memory",
    ]
    for difference in found.differing[:5]:
        lines.append(f"  DIFFERS {difference.call} ({difference.call_id}): expected "
                     f"{difference.expected}, found {difference.found}")
    lines.append("FAILED" if found.failed else "OK")
    return "\n".join(lines)


def _percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _growth(found: Figures) -> float:
    return (found.rss_after - found.rss_before) / max(found.requests, 1) / 1024


def _rss() -> int:
    return int(psutil.Process().memory_info().rss)


def _mib(size: int) -> float:
    return size / (1 << 20)


# --------------------------------------------------------------------------- main


def run(built: BenchStack, seconds: float, threads: int) -> Figures:
    calls = mix(built)
    since = built.log.mark()
    expected = reference(built, calls)
    if any(outcome.unexpected for outcome in expected):
        raise RuntimeError(f"the reference run failed: {expected}")
    expected_log = verdicts(built, since)
    since = built.log.mark()
    soak = Soak(built, calls, threads, seconds)
    wall = soak.run()
    found_log = verdicts(built, since)
    differing = differences(calls, expected, expected_log, soak.samples, found_log)
    return figures(soak, wall, differing, len(built.log.records()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="how long the soak runs (default 60)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--seed-landscape", type=Path, default=DEFAULT_LANDSCAPE, metavar="DIR",
                        help=f"the landscape to seed (default {DEFAULT_LANDSCAPE})")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.threads < 1:
        parser.error("--seconds must be positive and --threads at least 1")
    print(f"starting moto and seeding {args.seed_landscape} ...", flush=True)
    with start_stack(args.seed_landscape) as built:
        found = run(built, args.seconds, args.threads)
    print(report(found, args.threads), flush=True)
    return 1 if found.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
