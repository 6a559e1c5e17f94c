"""Where the policies come from: one protocol, three homes (the backend through the gateway's
cache, a landscape offline, the documents a simulate request gives)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from harness.iam.context import Caller
from harness.iam.policy import Policy

Levels = tuple[tuple[Policy, ...], ...]
"""Organisation policies along an account's path: one tuple per level, the root first."""


@dataclass(frozen=True, slots=True)
class Organization:
    """An account's place in its organisation. `org_id` is None where it is not known (a
    landscape offline: the id is the backend's)."""

    org_id: str | None
    management_account: str
    path: tuple[str, ...] = ()
    """Target ids from the root down to the account: r-…, ou-…, …, the account id."""

    @property
    def org_path(self) -> str | None:
        """aws:PrincipalOrgPaths / aws:ResourceOrgPaths form: o-x/r-y/ou-z/ (OUs only)."""
        if self.org_id is None or not self.path:
            return None
        return "/".join([self.org_id, *self.path[:-1]]) + "/"


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    """The policies an IAM identity carries, and its tags (aws:PrincipalTag)."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    tags: tuple[tuple[str, str], ...] = ()


NO_POLICIES = PrincipalPolicies()


class PolicySource(Protocol):
    """What a decision needs to know beyond the request. Every method may raise: the caller
    of `authorize` fails closed on it."""

    def principal(self, caller: Caller) -> PrincipalPolicies:
        """The policies of the IAM identity behind `caller` (a role, a user)."""
        ...

    def organization(self, account: str) -> Organization | None:
        """None when the account belongs to no organisation."""
        ...

    def scps(self, account: str) -> Levels | None: ...

    def rcps(self, account: str) -> Levels | None: ...

    def owner(self, resource: str) -> str | None:
        """The account owning `resource` when its ARN does not say (an S3 bucket)."""
        ...

    def trust_policy(self, role_arn: str) -> Policy | None: ...

    def resource_policy(self, service: str, resource: str, owner: str | None, region: str
                        ) -> Policy | None:
        """The resource-based policy bearing on `resource` (its bucket's, topic's, queue's,
        function's, key's); None when it has none."""
        ...

    def resource_tags(self, service: str, resource: str, owner: str, region: str
                      ) -> Sequence[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class GivenPolicies:
    """The policies a simulate request gives: the same for whoever and whatever is asked."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    resource: Policy | None = None
    scp_levels: Levels | None = None
    rcp_levels: Levels | None = None
    management_account: str | None = None
    owner_account: str | None = None
    tags: tuple[tuple[str, str], ...] = ()

    def principal(self, caller: Caller) -> PrincipalPolicies:
        return PrincipalPolicies(self.identity, self.boundary, self.tags)

    def organization(self, account: str) -> Organization | None:
        if self.scp_levels is None and self.rcp_levels is None:
            return None
        # SimulateCustomPolicy names no organisation: the management account, when given, is
        # the only fact; it is never the account 000000000000 a request could name.
        return Organization(None, self.management_account or "")

    def scps(self, account: str) -> Levels | None:
        return self.scp_levels

    def rcps(self, account: str) -> Levels | None:
        return self.rcp_levels

    def owner(self, resource: str) -> str | None:
        return self.owner_account

    def trust_policy(self, role_arn: str) -> Policy | None:
        return self.resource

    def resource_policy(self, service: str, resource: str, owner: str | None, region: str
                        ) -> Policy | None:
        return self.resource

    def resource_tags(self, service: str, resource: str, owner: str, region: str
                      ) -> Sequence[tuple[str, str]]:
        return ()
