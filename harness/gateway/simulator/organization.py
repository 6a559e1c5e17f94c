"""The SCPs a simulation evaluates: "The IAM policy simulator evaluates statements in
identity-based policies, service control policies (SCPs) including their condition keys and
resource scoping." A principal of a member account is simulated under the SCPs of its
account's path; SimulateCustomPolicy takes them as OrderedOrganizationPolicyInputList, root
first. RCPs take no part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.gateway.backend_state import BackendState, BackendStateError
from harness.gateway.simulator.errors import backend_failure, invalid
from harness.gateway.simulator.params import numbered
from harness.gateway.simulator.sources import PolicyLoader
from harness.iam.context import Caller
from harness.iam.policy import Policy, PolicyType

_MAX_SCP_LEVELS = 7

Levels = tuple[tuple[Policy, ...], ...]
"""SCPs by level of the organisation, from the root down to the account."""


def organization_scps(state: BackendState, caller: Caller, excluded: bool
                      ) -> tuple[Levels | None, bool]:
    """SCPs along the caller's account path, and whether its account is exempt from them (the
    management account). SCPs do not restrict the management account or service-linked roles:
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
    """
    if excluded or caller.account is None:
        return None, False
    try:
        organization = state.organization(caller.account)
        if organization is None:
            return None, False
        if caller.account == organization.management_account or caller.service_linked:
            return None, True
        return state.scps(caller.account), False
    except BackendStateError as error:
        raise backend_failure(f"reading the organisation of {caller.account}", error) from error


def scp_inputs(params: Mapping[str, Any], loader: PolicyLoader) -> Levels | None:
    """OrderedOrganizationPolicyInputList: "Each element represents one level of an
    Organizations hierarchy, from the organization root to the account." (at most 7)"""
    levels = numbered(params, "OrderedOrganizationPolicyInputList")
    if not levels:
        return None
    if len(levels) > _MAX_SCP_LEVELS:
        raise invalid(f"OrderedOrganizationPolicyInputList: at most {_MAX_SCP_LEVELS} levels")
    parsed = []
    for field, level in levels:
        if not isinstance(level, Mapping):
            raise invalid(f"{field}: must be an OrderedOrganizationPolicyType structure")
        parsed.append(tuple(loader.inputs(level, "ServiceControlPolicyInputList",
                                          PolicyType.SCP, "", prefix=f"{field}.")))
    return tuple(parsed)
