"""A scenario's state: the running stack, who acts now, and the last thing they did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.identity import Credentials
from harness.stack import Stack
from steps.outcomes import Outcome


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever the Gherkin's pronoun refers to: a person's session, a workload's, a root user.
    `account` is the account name (or a 12-digit id for an outsider)."""

    label: str
    account: str
    credentials: Credentials


@dataclass(slots=True)
class World:
    stack: Stack
    actor: Actor | None = None
    outcome: Outcome | None = None
    sign_in_error: str | None = None
    simulation: dict[str, Any] | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def current(self) -> Actor:
        assert self.actor is not None, "no one acts yet: a Given step must say who"
        return self.actor

    def last(self) -> Outcome:
        assert self.outcome is not None, "no request was made yet: a When step must make one"
        return self.outcome

    def account_id(self, account: str) -> str:
        if account.isdigit() and len(account) == 12:
            return account
        return self.stack.landscape.account(account).account_id
