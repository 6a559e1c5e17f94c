"""A landscape as a source of policies, offline: what `analyze`, `diff`, `mutate` and the trust
check of `securecart assume` decide with. The landscape names its policies by ARN; AWS managed
ones come from the table moto serves them from."""

from __future__ import annotations

import functools
from collections import ChainMap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import cast

from harness.authorization.source import Levels, Organization, PrincipalPolicies
from harness.iam.context import Caller
from harness.iam.json_reader import MAX_DOCUMENT_CHARS
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType
from harness.landscape.model import Account, Landscape
from harness.reference import aws_managed_table

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


class UnknownPolicy(LookupError):
    """The landscape names a managed policy nobody holds (an AWS managed policy moto does not
    carry, a customer managed policy no account has)."""


@functools.cache
def aws_managed_policy(arn: str, policy_type: PolicyType = PolicyType.IDENTITY) -> Policy:
    """An AWS managed policy by ARN (`arn:aws:iam::aws:policy/job-function/ViewOnlyAccess`).
    Size quotas bind when a policy is created, and AWS's own are exempt (ReadOnlyAccess is
    ~95k characters)."""
    path, _, name = arn.removeprefix(AWS_MANAGED_PREFIX).rpartition("/")
    entry = aws_managed_table().get(name)
    if entry is None or entry.get("Path", "/") != f"/{path}/".replace("//", "/"):
        raise UnknownPolicy(f"unknown AWS managed policy {arn} (not in moto's table)")
    return parse_policy(entry["Document"], policy_type, arn, max_size=MAX_DOCUMENT_CHARS)


class ManagedPolicies:
    """Managed policies by ARN, as the type they are used as (a boundary is a managed policy
    used as a boundary)."""

    def __init__(self, landscape: Landscape) -> None:
        self._customer = {
            managed.arn: managed.document.policy
            for account in landscape.accounts
            for managed in account.managed_policies
        }
        self._retyped: dict[tuple[str, PolicyType], Policy] = {}

    def get(self, arn: str, policy_type: PolicyType = PolicyType.IDENTITY) -> Policy:
        if arn.startswith(AWS_MANAGED_PREFIX):
            return aws_managed_policy(arn, policy_type)
        policy = self._customer.get(arn)
        if policy is None:
            raise UnknownPolicy(f"no customer managed policy {arn} in the landscape")
        if policy.policy_type is policy_type:
            return policy
        key = (arn, policy_type)
        if key not in self._retyped:
            self._retyped[key] = replace(policy, policy_type=policy_type)
        return self._retyped[key]


def scp_levels(landscape: Landscape, account: Account) -> Levels | None:
    """The SCPs along the account's path, root first; None outside the organisation."""
    if account.external:
        return None
    return tuple(
        tuple(scp.document.policy for scp in landscape.scps_attached_to(level))
        for level in landscape.ancestry(account.name)
    )


@dataclass(frozen=True, slots=True)
class Held:
    """A landscape resource's owner, resource-based policy and tags."""

    account: str
    policy: Policy | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LandscapeSource:
    """The landscape's policies for the authorization layer. `principals` maps each IAM
    identity's ARN to its policies; `resources` each policy-holding resource's ARN (a bucket,
    not its objects) to what it holds; `trusts` each role's ARN to its trust policy; `scp_paths`
    and `organizations` each account id to its SCP levels and its organisation."""

    principals: Mapping[str, PrincipalPolicies]
    resources: Mapping[str, Held]
    trusts: Mapping[str, Policy]
    scp_paths: Mapping[str, Levels | None]
    organizations: Mapping[str, Organization | None]

    def asking_as(self, arn: str, policies: PrincipalPolicies) -> LandscapeSource:
        """This source with `arn` carrying `policies` (a what-if: a role given more)."""
        return replace(self, principals=ChainMap({arn: policies},
                                                 cast(dict[str, PrincipalPolicies],
                                                      self.principals)))

    def principal(self, caller: Caller) -> PrincipalPolicies:
        return self.principals.get(caller.identity_arn or caller.arn, PrincipalPolicies())

    def organization(self, account: str) -> Organization | None:
        return self.organizations.get(account)

    def scps(self, account: str) -> Levels | None:
        return self.scp_paths.get(account)

    def rcps(self, account: str) -> Levels | None:
        return None  # the landscape format has no RCPs

    def owner(self, resource: str) -> str | None:
        found = self.resources.get(policy_holder(resource))
        if found is not None:
            return found.account
        parts = resource.split(":")
        return parts[4] if len(parts) > 5 and parts[4].isdigit() else None

    def trust_policy(self, role_arn: str) -> Policy | None:
        return self.trusts.get(role_arn)

    def resource_policy(self, service: str, resource: str, owner: str | None, region: str
                        ) -> Policy | None:
        found = self.resources.get(policy_holder(resource))
        return found.policy if found is not None else None

    def resource_tags(self, service: str, resource: str, owner: str, region: str
                      ) -> Sequence[tuple[str, str]]:
        found = self.resources.get(resource)
        return found.tags if found is not None else ()


def landscape_source(landscape: Landscape, principals: Mapping[str, PrincipalPolicies],
                     resources: Mapping[str, Held], trusts: Mapping[str, Policy]
                     ) -> LandscapeSource:
    management = landscape.account(landscape.organization.management_account).account_id
    return LandscapeSource(
        principals, resources, trusts,
        scp_paths={a.account_id: scp_levels(landscape, a) for a in landscape.accounts},
        # The organisation's id is the backend's, unknown offline: no aws:*OrgID key.
        organizations={a.account_id: None if a.external else Organization(None, management)
                       for a in landscape.accounts},
    )


def policy_holder(arn: str) -> str:
    """The ARN of what holds the policy for a resource: the bucket of an S3 object."""
    if arn.startswith("arn:aws:s3:::"):
        return "arn:aws:s3:::" + arn.split(":::", 1)[1].split("/", 1)[0]
    return arn
