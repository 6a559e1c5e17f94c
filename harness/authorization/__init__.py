"""One authorization path between every caller and the policy engine.

The gateway (a request through the endpoint), `securecart simulate`, the offline analyses
(`analyze`, `diff`, `mutate`) and the trust check of `securecart assume` all ask the same
question — may this caller do this action on this resource? — and all go through `authorize`:

    question (who, what, on what, with which facts)
      → rules AWS applies before any policy (rules.py)
      → the request context (context.py): global, principal and resource condition keys
      → the policy set (assembly.py): identity, boundary, session, SCP and RCP levels with the
        management-account exemptions, the resource or trust policy
      → the engine (harness.iam.evaluate)
      → rules AWS applies after the policies (rules.py): protected entities

Where the policies come from is a `PolicySource` (source.py): the backend read through the
gateway's cache, a landscape offline (landscape.py), or the policies a simulate request gives.
"""

from harness.authorization.decide import authorize
from harness.authorization.question import Question, Session, Transport
from harness.authorization.source import (
    GivenPolicies,
    Organization,
    PolicySource,
    PrincipalPolicies,
)

__all__ = [
    "GivenPolicies",
    "Organization",
    "PolicySource",
    "PrincipalPolicies",
    "Question",
    "Session",
    "Transport",
    "authorize",
]
