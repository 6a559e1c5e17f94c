"""The errors IAM answers a simulation with instead of its results."""

from __future__ import annotations


class SimulationRequestError(ValueError):
    """A simulation IAM would refuse: `code` and `message` are IAM's error, `status` its HTTP
    status (InvalidInput 400, NoSuchEntity 404, PolicyEvaluation and ServiceFailure 500)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def invalid(message: str) -> SimulationRequestError:
    return SimulationRequestError("InvalidInput", message)


def unevaluable(problem: object) -> SimulationRequestError:
    """A policy IAM took that the engine could not evaluate (PolicyEvaluation, HTTP 500)."""
    return SimulationRequestError(
        "PolicyEvaluation", "The request failed because a provided policy could not be "
        f"successfully evaluated: {problem}", 500)


def backend_failure(what: str, error: Exception) -> SimulationRequestError:
    return SimulationRequestError("ServiceFailure", f"{what}: {error}", 500)
