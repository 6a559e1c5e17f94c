"""The decision log: one JSON line per authorisation decision, allowed or denied — and one per
request the gateway refused before or instead of a decision (a failed signature, an unreadable
body, an operation with no IAM mapping, an error while authorising), so that every request the
gateway did not forward is accounted for.

Auditors and the scenario steps read it to learn which statement decided a call; it is
written in order, from many gateway threads, so appends are serialised.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from harness.iam.context import Request
from harness.iam.decision import Decision, MatchedStatement
from harness.iam.messages import access_denied_message


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    request_id: str
    service: str
    operation: str
    decision: Decision
    simulated: tuple[Decision, ...] = ()
    """For a policy-simulator call, the decisions it simulated."""

    def record(self, documents: PolicyTable | None = None) -> dict[str, Any]:
        decision = self.decision
        request = decision.request
        table = documents if documents is not None else PolicyTable()
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": self.request_id,
            "principal": request.caller.label,
            "service": self.service,
            "operation": self.operation,
            "action": request.action,
            "resource": request.resource,
            "decision": decision.outcome.value,
            "denied_by": decision.denied_by.value if decision.denied_by else None,
            # One of AWS's rules outside the policies decided (harness.authorization.rules).
            "rule": decision.rule.name if decision.rule else None,
            "deciding": [_statement(s) for s in decision.deciding],
            "matched": [_statement(s) for s in decision.matched],
            "unmet": [_statement(s) for s in decision.unmet],
            "missing_keys": list(decision.missing_keys),
            "message": None if decision.allowed else access_denied_message(decision),
            "simulated": [_simulated(d) for d in self.simulated],
            # What the engine was given (`securecart mutate` replays the decision): the request
            # with every context key, and the policy set as digests of the table of documents.
            "request": _request(request),
            "policy_set": table.policy_set(decision.policies),
        }


@dataclass(frozen=True, slots=True)
class LoggedRefusal:
    """A request refused without a policy decision: `code` is the AWS error it was answered
    with, `reason` what failed. Fields unknown at the point of refusal are None."""

    request_id: str
    service: str | None
    operation: str | None
    principal: str | None
    code: str
    reason: str

    def record(self, documents: PolicyTable | None = None) -> dict[str, Any]:
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": self.request_id,
            "principal": self.principal,
            "service": self.service,
            "operation": self.operation,
            "action": None,
            "resource": None,
            "decision": "refused",
            "denied_by": None,
            "deciding": [],
            "matched": [],
            "unmet": [],
            "missing_keys": [],
            "message": self.reason,
            "error_code": self.code,
        }


class Entry(Protocol):
    def record(self, documents: PolicyTable | None = None) -> dict[str, Any]: ...


def _request(request: Request) -> dict[str, Any]:
    caller, keys = request.caller, request.keys
    return {
        "caller": {"kind": caller.kind.value, "arn": caller.arn, "account": caller.account,
                   "identity_arn": caller.identity_arn, "service": caller.service,
                   "provider": caller.provider, "service_linked": caller.service_linked,
                   "partition": caller.partition},
        "resource_account": request.resource_account,
        "keys": [[name, list(keys[name]), keys.is_multivalued(name)] for name in keys],
    }


class PolicyTable:
    """The policies the logged decisions were given, each once: a digest → the policy's type,
    name and JSON text, from which `harness.analysis.replay` parses it again (JSON, not pickle:
    reading a report someone hands you must not run their code). A record names its policies by
    digest (`policy_set`); the table is written beside the log (`lines_after`:
    `DecisionLog` with a path, the step library's `decisions.policies.jsonl`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_object: dict[int, tuple[Any, str]] = {}
        self._documents: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        """The digests in the order they were added (`lines_after`)."""

    def digest(self, policy: Any) -> str:
        known = self._by_object.get(id(policy))
        if known is not None and known[0] is policy:
            return known[1]
        entry = {"type": policy.policy_type.value, "name": policy.name,
                 "document": policy.document}
        # A policy made without a document (none is, today) is told apart by its statements.
        text = json.dumps(entry, sort_keys=True) + (
            "" if policy.document is not None else repr(policy.statements))
        digest = hashlib.sha256(text.encode()).hexdigest()[:24]
        with self._lock:
            # The policy is kept with its id, so that the id is not reused by another object.
            self._by_object[id(policy)] = (policy, digest)
            if digest not in self._documents:
                self._documents[digest] = entry
                self._order.append(digest)
        return digest

    def policy_set(self, policies: Any) -> dict[str, Any] | None:
        """A PolicySet (harness.iam.evaluate) as digests; None when the decision had none (a
        rule decided before any policy was read, or the policies could not be read)."""
        if policies is None:
            return None
        digest = self.digest

        def levels(found: Any) -> list[list[str]] | None:
            return None if found is None else [[digest(p) for p in level] for level in found]

        return {
            "identity": [digest(p) for p in policies.identity],
            "resource": None if policies.resource is None else digest(policies.resource),
            "boundary": None if policies.boundary is None else digest(policies.boundary),
            "session": (None if policies.session is None
                        else [digest(p) for p in policies.session]),
            "scps": levels(policies.scps),
            "rcps": levels(policies.rcps),
            "management_account": policies.management_account,
            "resource_policy_required": policies.resource_policy_required,
        }

    def lines_after(self, count: int) -> list[dict[str, Any]]:
        """The table's lines, {"digest", "policy"}, of the policies added after the first
        `count`: a writer of the table keeps how many it wrote, and writes only what is new."""
        with self._lock:
            return [{"digest": digest, "policy": self._documents[digest]}
                    for digest in self._order[count:]]


def _simulated(decision: Decision) -> dict[str, Any]:
    return {
        "action": decision.request.action,
        "resource": decision.request.resource,
        "decision": decision.outcome.value,
        "matched": [_statement(s) for s in decision.matched],
        "unmet": [_statement(s) for s in decision.unmet],
    }


def _statement(statement: MatchedStatement) -> dict[str, Any]:
    return {
        "policy": statement.policy_name,
        "type": statement.policy_type.value,
        "statement": statement.statement,
        "effect": statement.effect.value,
        "source": statement.source,
    }


POLICIES_SUFFIX = ".policies.jsonl"
ASSERTED_SUFFIX = ".asserted.jsonl"


def policies_path(log: Path) -> Path:
    """The policy table beside a decision log (`PolicyTable`): one {"digest", "policy"} line
    per policy the records name."""
    return log.with_name(log.stem + POLICIES_SUFFIX)


def asserted_path(log: Path) -> Path:
    """Beside a suite's decision log: which request ids a step asserted the outcome of, and
    how (the step library writes it; `securecart mutate`'s replay reads it)."""
    return log.with_name(log.stem + ASSERTED_SUFFIX)


class DecisionLog:
    """Appends records to a JSON-lines file, and the policies they name to the policy table
    beside it (`policies_path`); or keeps them in memory when given no path."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self.policies = PolicyTable()
        """The policies the records' `policy_set`s name (`PolicyTable.lines_after`)."""
        self._stream: TextIO | None = None
        self._table: TextIO | None = None
        self._table_lines = 0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = path.open("a", encoding="utf-8")
            self._table = policies_path(path).open("a", encoding="utf-8")

    def append(self, entry: Entry) -> dict[str, Any]:
        record = entry.record(self.policies)
        # Serialised outside the lock, and only when there is a file to write.
        line = json.dumps(record) if self._stream is not None else ""
        with self._lock:
            self._records.append(record)
            if self._stream is not None:
                self._write_new_policies()
                self._stream.write(line + "\n")
                self._stream.flush()
        return record

    def _write_new_policies(self) -> None:
        """The table's lines for policies no earlier line gave (before the record naming
        them: a reader of both files never meets a digest it cannot look up)."""
        assert self._table is not None
        new = self.policies.lines_after(self._table_lines)
        for line in new:
            self._table.write(json.dumps(line) + "\n")
        self._table_lines += len(new)
        self._table.flush()

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._records)

    def close(self) -> None:
        with self._lock:
            for stream in (self._stream, self._table):
                if stream is not None:
                    stream.close()
            self._stream = self._table = None
