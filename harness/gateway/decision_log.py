"""The decision log: one JSON line per authorisation decision, allowed or denied — and one per
request the gateway refused before or instead of a decision (a failed signature, an unreadable
body, an operation with no IAM mapping, an error while authorising), so that every request the
gateway did not forward is accounted for.

Auditors and the scenario steps read it to learn which statement decided a call; it is
written in order, from many gateway threads, so appends are serialised.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

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

    def record(self) -> dict[str, Any]:
        decision = self.decision
        request = decision.request
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

    def record(self) -> dict[str, Any]:
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
    def record(self) -> dict[str, Any]: ...


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


class DecisionLog:
    """Appends records to a JSON-lines file (or keeps them in memory when given no path)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._stream: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = path.open("a", encoding="utf-8")

    def append(self, entry: Entry) -> dict[str, Any]:
        record = entry.record()
        # Serialised outside the lock, and only when there is a file to write.
        line = json.dumps(record) if self._stream is not None else ""
        with self._lock:
            self._records.append(record)
            if self._stream is not None:
                self._stream.write(line + "\n")
                self._stream.flush()
        return record

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._records)

    def close(self) -> None:
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None
