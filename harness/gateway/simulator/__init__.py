"""IAM's policy simulator, answered by the gateway itself: SimulatePrincipalPolicy and
SimulateCustomPolicy decided by the engine, over the principal's real policies read from the
backend, in IAM's query-protocol XML.

The gateway calls `simulate` once it has authorised the caller for
iam:SimulatePrincipalPolicy / iam:SimulateCustomPolicy; a `SimulationRequestError` carries the
error IAM answers instead (InvalidInput, NoSuchEntity, PolicyEvaluation, ServiceFailure).

What AWS documents (API reference, and the SDK's model of it, botocore 1.44), and what its
answers show where the reference leaves it open, is told in the module that does it. The
modules, in the order a request meets them: response (the operation, paging, the XML), request
(the request read: params, caller, principal with exclusions and documents, organization, and
sources of the policies with their statements' positions), results (the EvaluationResults,
from outcomes: each resource decided), errors (IAM's errors).

https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
"""

from harness.gateway.simulator.errors import SimulationRequestError
from harness.gateway.simulator.response import (
    OPERATIONS,
    Simulated,
    simulate,
)

__all__ = ["OPERATIONS", "Simulated", "SimulationRequestError", "simulate"]
