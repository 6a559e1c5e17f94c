"""Policies prepared for fast, repeated evaluation.

A run decides the same few hundred statements against many thousands of requests, so each
policy is compiled once: its action patterns into one regex, and the MatchedStatement that an
explanation reports built ahead. The cache is keyed by the policy object's identity and keeps
the object alive while its entry lives, so an id is never confused with a later object's.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from harness.iam.decision import MatchedStatement
from harness.iam.matching import compiled_actions
from harness.iam.policy import Effect, Policy, Statement

_CACHE_SIZE = 65536


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    statement: Statement
    matched: MatchedStatement
    actions: re.Pattern[str]
    # True when the statement lists NotAction: it covers the actions its regex does *not* match.
    actions_negated: bool
    is_deny: bool

    def covers_action(self, action: str) -> bool:
        return (self.actions.match(action) is None) is self.actions_negated


def _compile(policy: Policy) -> tuple[CompiledStatement, ...]:
    compiled = []
    for statement in policy.statements:
        negated = statement.actions is None
        patterns = statement.not_actions if negated else statement.actions
        compiled.append(
            CompiledStatement(
                statement=statement,
                matched=MatchedStatement(
                    policy_name=policy.name,
                    policy_type=policy.policy_type,
                    statement=statement.label,
                    index=statement.index,
                    effect=statement.effect,
                    source=policy.source,
                ),
                actions=compiled_actions(patterns or ()),
                actions_negated=negated,
                is_deny=statement.effect is Effect.DENY,
            )
        )
    return tuple(compiled)


_cache: OrderedDict[int, tuple[Policy, tuple[CompiledStatement, ...]]] = OrderedDict()
_lock = threading.Lock()


def compiled_statements(policy: Policy) -> tuple[CompiledStatement, ...]:
    key = id(policy)
    entry = _cache.get(key)
    if entry is not None and entry[0] is policy:
        return entry[1]
    statements = _compile(policy)
    with _lock:
        _cache[key] = (policy, statements)
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return statements
