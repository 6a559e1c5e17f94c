"""The gateway under concurrent load (issue 4): several client threads, thousands of mixed
calls, no errors, every outcome identical to a sequential run of the same calls, and the
decision log complete — exactly one record per authorisation request (in its records and in
its JSON-lines file, each line whole), the same decisions for each call, under the request id its
client was answered with. About a minute: 2,000 calls sequentially, then from 8 threads.

The SecureCart landscape is seeded into moto behind the gateway (a `harness.stack.Stack`), and
personas signed in (`bench.stack_setup`): alice (MFA) and dave (no MFA) as developers in dev,
bob (SecurityAudit) and carol (Admin) in prod, the orders API's task role, and the root users
of the management, prod and vendor accounts. The calls mix S3 list/get/put, SNS publish,
DynamoDB get/put on prod's `orders`, IAM GetRole/ListRoles and STS GetCallerIdentity, allowed
and denied (by identity policies, the MFA rule, SCPs, resource policies, and the backend's own
"not found").

Every call's outcome is independent of the order of the calls: writes put the same object or
item again, and reads only read what setup put in place, so the concurrent run can be compared
call by call with the sequential one without resetting the backend in between. The writes still
make the gateway drop its cache of the world while other threads read it.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.stack_setup import (
    ORDER_ITEM,
    SEED_OBJECTS,
    BenchStack,
    Call,
    Outcome,
    Runner,
    start_stack,
)

pytestmark = pytest.mark.slow

THREADS = 8
CALLS = 1000
"""Enough for every call of the catalogue to meet the others in flight; the long run is
`python -m bench.soak` (60 s, about 10,000 calls)."""
SEED = 20261104
WRITE_SHARE = 0.05
_WRITES = frozenset({"put_object", "put_item", "publish"})
# Fields of a log record that differ between two runs of the same call.
_PER_RUN = ("time", "request_id")
_CLOCK_KEYS = frozenset({"aws:CurrentTime", "aws:EpochTime", "aws:MultiFactorAuthAge"})

DEV_BUCKET, DEV_KEY = SEED_OBJECTS[0][1:]
PROD_BUCKET, PROD_KEY = SEED_OBJECTS[1][1:]
ORDER_KEY = {name: ORDER_ITEM[name] for name in ("order_id", "created_at")}


def catalogue(stack: BenchStack) -> list[Call]:
    """Every distinct call of the mix."""
    prod = stack.account_id("prod")
    topic = f"arn:aws:sns:us-east-1:{prod}:order-events"
    personas = ("alice", "dave", "bob", "carol", "orders-api",
                "root:management", "root:prod", "root:vendor")
    calls: list[Call] = []
    for persona in personas:
        calls += [
            Call(persona, "s3", "list_objects_v2", {"Bucket": DEV_BUCKET}),
            Call(persona, "s3", "get_object", {"Bucket": DEV_BUCKET, "Key": DEV_KEY}),
            Call(persona, "s3", "put_object", {"Bucket": DEV_BUCKET, "Key": "concurrency/x",
                                               "Body": b"same", "ServerSideEncryption": "AES256"}),
            Call(persona, "s3", "list_objects_v2", {"Bucket": PROD_BUCKET}),
            Call(persona, "s3", "get_object", {"Bucket": PROD_BUCKET, "Key": PROD_KEY}),
            Call(persona, "sns", "publish", {"TopicArn": topic, "Message": "order placed"}),
            Call(persona, "dynamodb", "get_item", {"TableName": "orders", "Key": ORDER_KEY}),
            Call(persona, "dynamodb", "put_item", {"TableName": "orders", "Item": ORDER_ITEM}),
            Call(persona, "iam", "get_role", {"RoleName": "orders-api"}),
            Call(persona, "iam", "get_role", {"RoleName": "DeployRole"}),
            Call(persona, "iam", "list_roles", {}),
            Call(persona, "sts", "get_caller_identity", {}),
        ]
    return calls


def mixed_calls(stack: BenchStack, count: int = CALLS) -> list[Call]:
    """`count` calls, the same list on every run: the whole catalogue once, then calls drawn
    from it, writes one time in twenty (an allowed write makes the gateway read the world
    afresh, which is what makes a call slow)."""
    pool = catalogue(stack)
    writes = [call for call in pool if call.method in _WRITES]
    reads = [call for call in pool if call.method not in _WRITES]
    chooser = random.Random(SEED)
    drawn = [chooser.choice(writes if chooser.random() < WRITE_SHARE else reads)
             for _ in range(count - len(pool))]
    return pool + drawn


def run_sequentially(stack: BenchStack, calls: list[Call], phase: str) -> list[Outcome]:
    runner = Runner(stack)
    return [runner.run(f"{phase}-{index}", call) for index, call in enumerate(calls)]


def run_concurrently(stack: BenchStack, calls: list[Call], phase: str, threads: int = THREADS
                     ) -> list[Outcome]:
    """The calls from `threads` client threads, each taking the next call not yet taken."""
    outcomes: list[Outcome | None] = [None] * len(calls)
    failures: list[BaseException] = []
    taken = iter(range(len(calls)))
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        try:
            runner = Runner(stack)
            for persona, service in {(c.persona, c.service) for c in calls}:
                runner.client(persona, service)  # made before the start: only calls race
            start.wait()
            while True:
                with lock:
                    index = next(taken, None)
                if index is None:
                    return
                outcomes[index] = runner.run(f"{phase}-{index}", calls[index])
        except BaseException as error:
            failures.append(error)
            start.abort()

    workers = [threading.Thread(target=work, name=f"client-{n}") for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not [w for w in workers if w.is_alive()], "client threads did not finish"
    assert not failures, f"client threads failed: {failures!r}"
    assert all(outcome is not None for outcome in outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def records_by_call(stack: BenchStack, since: int, phase: str) -> dict[int, list[dict[str, Any]]]:
    """The decision-log records appended since `since`, grouped by call index; every one of
    them must belong to a call of `phase`."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    strays = []
    for call_id, record in stack.log.tagged()[since:]:
        if call_id is None or not call_id.startswith(f"{phase}-"):
            strays.append((call_id, record))
            continue
        grouped.setdefault(int(call_id.removeprefix(f"{phase}-")), []).append(record)
    assert not strays, f"records of no call of this phase: {strays[:3]}"
    return grouped


@dataclass(frozen=True)
class LogMark:
    tagged: int
    records: int
    lines: int


def log_mark(stack: BenchStack, log_file: Path) -> LogMark:
    return LogMark(stack.log.mark(), len(stack.log.records()), _lines(log_file))


def _lines(log_file: Path) -> int:
    return len(log_file.read_text(encoding="utf-8").splitlines())


def check_log_complete(stack: BenchStack, log_file: Path, since: LogMark, expected: int) -> None:
    """The decision log itself (its records and its JSON-lines file), not only the tags, holds
    exactly `expected` new records, each line whole."""
    tagged = [record for _, record in stack.log.tagged()[since.tagged:]]
    kept = stack.log.records()[since.records:]
    assert len(tagged) == expected
    assert len(kept) == expected, "DecisionLog.records() lost or duplicated records"
    assert sorted(map(id, kept)) == sorted(map(id, tagged))
    lines = log_file.read_text(encoding="utf-8").splitlines()[since.lines:]
    assert len(lines) == expected, "the log file lost or duplicated lines"
    written = Counter(json.loads(line)["request_id"] for line in lines)
    assert written == Counter(record["request_id"] for record in kept)


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_comparable(record) for record in records]


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in record.items() if k not in _PER_RUN}
    request = kept.get("request")
    if isinstance(request, dict) and "keys" in request:
        # The request's clock keys are the moment of the call, different on every run.
        kept["request"] = {**request, "keys": [key for key in request["keys"]
                                               if key[0] not in _CLOCK_KEYS]}
    return kept


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("decisions") / "decisions.jsonl"


@pytest.fixture(scope="module")
def stack(log_file: Path) -> Iterator[BenchStack]:
    with start_stack(log_path=log_file) as started:
        yield started


def test_concurrent_calls_decide_as_sequential_ones(stack: BenchStack, log_file: Path) -> None:
    calls = mixed_calls(stack)

    # --- the sequential run: the reference
    mark = log_mark(stack, log_file)
    sequential = run_sequentially(stack, calls, "seq")
    expected = records_by_call(stack, mark.tagged, "seq")

    unexpected = [(str(calls[i]), o) for i, o in enumerate(sequential) if o.unexpected]
    assert not unexpected, f"errors in the sequential run: {unexpected[:5]}"
    kinds = Counter("allowed" if o.allowed else o.code for o in sequential)
    assert kinds["allowed"] > len(calls) // 10, kinds
    assert kinds["AccessDenied"] + kinds["AccessDeniedException"] > len(calls) // 4, kinds
    assert {"AuthorizationError", "NoSuchEntity", "ResourceNotFoundException"} <= set(kinds)
    # One record per authorisation request: none for GetCallerIdentity (no authorisation),
    # one or more for every other call, whether it was allowed or denied.
    for index, call in enumerate(calls):
        if call.method == "get_caller_identity":
            assert index not in expected, str(call)
        else:
            assert expected.get(index), f"no decision logged for {call}"
    expected_count = sum(len(records) for records in expected.values())
    check_log_complete(stack, log_file, mark, expected_count)

    # --- the same calls from several threads at once
    mark = log_mark(stack, log_file)
    concurrent = run_concurrently(stack, calls, "par")
    found = records_by_call(stack, mark.tagged, "par")

    unexpected = [(str(calls[i]), o) for i, o in enumerate(concurrent) if o.unexpected]
    assert not unexpected, f"errors in the concurrent run: {unexpected[:5]}"
    differ = [(index, str(calls[index]), sequential[index], concurrent[index])
              for index in range(len(calls)) if sequential[index] != concurrent[index]]
    assert not differ, f"{len(differ)} outcomes differ from the sequential run: {differ[:5]}"

    found_count = sum(len(records) for records in found.values())
    assert found_count == expected_count, "the decision log lost or duplicated records"
    check_log_complete(stack, log_file, mark, expected_count)
    differ_logged = [(index, str(calls[index])) for index in range(len(calls))
                     if comparable(found.get(index, [])) != comparable(expected.get(index, []))]
    assert not differ_logged, (f"{len(differ_logged)} calls logged other decisions than in "
                               f"the sequential run: {differ_logged[:5]}")

    # Request ids: one per call, shared by its records, never by two calls; a refused call's
    # client was answered with the id its decisions were logged under.
    owners: dict[str, int] = {}
    for index, records in found.items():
        ids = {record["request_id"] for record in records}
        assert len(ids) == 1, f"{calls[index]}: records under several request ids {ids}"
        request_id = ids.pop()
        assert owners.setdefault(request_id, index) == index, f"request id {request_id} reused"
        outcome = concurrent[index]
        if not outcome.allowed and outcome.code in ("AccessDenied", "AccessDeniedException",
                                                    "AuthorizationError"):
            assert outcome.request_id == request_id, (str(calls[index]), outcome, request_id)
