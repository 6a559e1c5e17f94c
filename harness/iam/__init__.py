"""The policy engine: AWS's IAM policy evaluation logic, pure — no I/O, nothing from the rest
of the package. Parse documents with `parse_policy`, describe the request with `Request`, gather
the policies in a `PolicySet`, and `evaluate` returns a `Decision` that says why."""

from harness.iam.context import Caller, ContextKeys, PrincipalKind, Request
from harness.iam.decision import Decision, MatchedStatement, Outcome
from harness.iam.errors import PolicyValidationError
from harness.iam.evaluate import PolicySet, evaluate
from harness.iam.messages import access_denied_message
from harness.iam.parse import parse_policy
from harness.iam.policy import TRUST_ACTIONS, Effect, Policy, PolicyType, Statement

__all__ = [
    "TRUST_ACTIONS",
    "Caller",
    "ContextKeys",
    "Decision",
    "Effect",
    "MatchedStatement",
    "Outcome",
    "Policy",
    "PolicySet",
    "PolicyType",
    "PolicyValidationError",
    "PrincipalKind",
    "Request",
    "Statement",
    "access_denied_message",
    "evaluate",
    "parse_policy",
]
