"""Errors of the policy engine.

A document IAM would refuse is answered by AWS with the error code MalformedPolicyDocument
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html#API_CreatePolicy_Errors);
`PolicyValidationError` carries that code in its message so that the gateway can hand it back
the way AWS would, and says *where* in the document the problem is, which AWS often does not.
"""

from __future__ import annotations

from typing import Any


class PolicyValidationError(ValueError):
    """A document IAM would reject (MalformedPolicyDocument).

    `problem` says what is wrong, `location` where (e.g. 'Statement[2].Condition.StringEquals.
    aws:username' or 'Statement[0] (Sid "DenyProd").Action[1]', '' for the document as a whole),
    `policy` which policy (the name given to `parse_policy`, may be '').

    str(e) == 'MalformedPolicyDocument: <problem> at <location> in policy <policy>', leaving out
    the parts that are empty.
    """

    code = "MalformedPolicyDocument"

    def __init__(self, problem: str, location: str = "", policy: str = "") -> None:
        self.problem = problem
        self.location = location
        self.policy = policy
        message = f"{self.code}: {problem}"
        if location:
            message += f" at {location}"
        if policy:
            message += f" in policy {policy}"
        super().__init__(message)

    def in_policy(self, policy: str) -> PolicyValidationError:
        """The same error, naming the policy it was found in."""
        return PolicyValidationError(self.problem, self.location, policy)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the three attributes through pickling (pytest-xdist, multiprocessing): the default
        # would call __init__ with the formatted message as `problem`.
        return (type(self), (self.problem, self.location, self.policy))
