"""What an AWS answer means. A call is *allowed* when it succeeded (2xx). It is *denied* when
the service answered its own access-denied error AND the gateway logged a deny decision for it —
both, so a denial for the wrong reason (a backend error, a refusal before any policy was read)
never passes for a control holding. Which policy denied, and which statement, come from that
decision record (harness.gateway.decision_log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.analysis.replay import DENIAL_REASONS

# Each protocol's access-denied error (harness.gateway.errors): query/rest-xml, EC2, SNS, JSON.
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
DENY_DECISIONS = frozenset({"explicitDeny", "implicitDeny"})

ASSERTED: list[dict[str, Any]] = []
"""The calls the running scenario's steps asserted the outcome of, and what they asserted (the
plugin writes them beside the decision log: `securecart mutate` replays a decision and knows a
scenario fails when an asserted call's outcome changes)."""


def record_assertion(outcome: Outcome, check: str, detail: str | None = None) -> None:
    ASSERTED.append({"request_ids": sorted({str(r.get("request_id")) for r in outcome.decisions
                                            if r.get("request_id")}),
                     "check": check, "detail": detail, "succeeded": outcome.succeeded,
                     "error_code": outcome.error_code})




@dataclass(slots=True)
class Outcome:
    """One AWS call as the actor made it, and what came back."""

    what: str
    response: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    status: int | None = None
    decisions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.error_code is None

    def describe(self) -> str:
        answer = "succeeded" if self.succeeded else f"{self.error_code}: {self.error_message}"
        lines = [f"{self.what}: {answer} (HTTP {self.status})"]
        lines += [f"  decision: {_summary(record)}" for record in self.decisions]
        return "\n".join(lines) if self.decisions else lines[0] + "\n  (no decision logged)"

    def denial(self) -> dict[str, Any]:
        """The gateway's deny record for this call; AssertionError when the call was not
        denied by a policy decision."""
        assert self.error_code in ACCESS_DENIED_CODES, (
            f"expected access denied, got\n{self.describe()}")
        denies = [r for r in self.decisions if r.get("decision") in DENY_DECISIONS]
        assert denies, (
            f"access denied, but the gateway logged no deny decision:\n{self.describe()}")
        return denies[-1]


def _summary(record: dict[str, Any]) -> str:
    deciding = ", ".join(f"{s['type']} {s['statement']} ({s['effect']})"
                         for s in record.get("deciding", []))
    return (f"{record.get('action') or record.get('operation')} → {record.get('decision')}"
            f" by {record.get('denied_by')}; deciding: {deciding or 'none'}"
            + (f"; {record['message']}" if record.get("message") else ""))


def assert_allowed(outcome: Outcome) -> None:
    record_assertion(outcome, "allowed")
    assert outcome.succeeded, f"expected the request to be allowed, but\n{outcome.describe()}"
    denied = [r for r in outcome.decisions if r.get("decision") not in ("allowed", None)]
    assert not denied, f"the call succeeded, yet the gateway logged a denial:\n{outcome.describe()}"


def assert_denied(outcome: Outcome, reason: str | None = None) -> dict[str, Any]:
    record_assertion(outcome, "denied", reason)
    return _denied(outcome, reason)


def _denied(outcome: Outcome, reason: str | None) -> dict[str, Any]:
    record = outcome.denial()
    if reason is not None:
        decision, denied_by = DENIAL_REASONS[reason]
        found = (record.get("decision"), record.get("denied_by"))
        assert found == (decision, denied_by), (
            f"expected a denial {reason} ({decision}, {denied_by}), got {found}:\n"
            f"{outcome.describe()}")
    return record


def assert_names_statement(outcome: Outcome, sid: str) -> None:
    record_assertion(outcome, "names", sid)
    record = outcome.denial()
    named = [s.get("statement") for s in record.get("deciding", [])]
    assert sid in named, (
        f"expected the statement {sid!r} to decide, got {named}:\n{outcome.describe()}")


def assert_protected_role(outcome: Outcome) -> None:
    """Refused, whichever refusal comes first: a deny of the caller's policies (AWS authorises
    a call before IAM validates it), else IAM's own protection of a role only AWS may change
    (UnmodifiableEntity, decided by the gateway's protected-role rule)."""
    record_assertion(outcome, "protected")
    if outcome.error_code != "UnmodifiableEntity":
        # Not recorded as an assertion of its own: it is what "protected" asserts on this path.
        _denied(outcome, None)
        return
    ruled = [r for r in outcome.decisions if r.get("rule") == "protected role"
             and r.get("decision") in DENY_DECISIONS]
    assert ruled, f"UnmodifiableEntity without the protected-role rule:\n{outcome.describe()}"


def assert_refused(outcome: Outcome, code: str) -> None:
    record_assertion(outcome, "refused", code)
    assert outcome.error_code == code, f"expected {code}, got\n{outcome.describe()}"
