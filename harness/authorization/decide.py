"""`authorize`: the one path from a question to the engine's decision."""

from __future__ import annotations

from dataclasses import replace

from harness.authorization import assembly, rules
from harness.authorization.context import context_keys
from harness.authorization.question import Question
from harness.authorization.source import PolicySource
from harness.iam.context import Request
from harness.iam.decision import Decision, Outcome
from harness.iam.evaluate import PolicySet, evaluate


def authorize(question: Question, source: PolicySource) -> Decision:
    """Decide `question` with the policies `source` holds. Fails closed: an error reading the
    source or building the context is an implicit deny that says why."""
    try:
        return decision_for(question, source)
    except Exception as exc:
        request = Request(caller=question.caller, action=question.action,
                          resource=question.resource, resource_account=question.resource_account,
                          keys=question.keys)
        return Decision(outcome=Outcome.IMPLICIT_DENY, request=request,
                        error=f"{type(exc).__name__}: {exc}")


def decision_for(question: Question, source: PolicySource) -> Decision:
    """`authorize` for a caller that refuses on its own terms what could not be decided (the
    gateway logs a refusal): what reading the source raises propagates."""
    sides = assembly.parties(question, source)
    request = Request(caller=question.caller, action=question.action,
                      resource=question.resource, resource_account=sides.resource_account,
                      keys=context_keys(question, sides, source))
    return decide_assembled(question, request, assembly.policy_set(question, sides, source))


def decide_assembled(question: Question, request: Request, policies: PolicySet) -> Decision:
    """The rules and the engine for a policy set a caller assembled through this layer and
    keeps (diff's cache) or changes (a what-if): the same decision `authorize` takes."""
    ruled = rules.before(question, request)
    if ruled is not None:
        return ruled
    # What the engine was given goes with the decision, for the decision log's readers
    # (`securecart mutate` decides the request again with a mutated policy).
    return replace(rules.after(question, evaluate(request, policies)), policies=policies)
