"""Where role chains start: principals that hold credentials without having assumed a role,
and the credentials the harness endpoint knows for them.

    callers = stack.callers()                      # in-process
    callers = Callers.from_json(state.callers)     # from a running `securecart up`
    callers.administrator(landscape, landscape.account("prod"))

An enforcing endpoint authenticates every request, so an AssumeRole must be signed by
credentials it issued or minted. Three kinds start a chain:

- the root user of an account (AWS gives every account one): minted by the endpoint;
- a service principal acting for a resource of an account (lambda.amazonaws.com for function
  orders-processor of prod): credentials the endpoint mints for the service, standing in for
  the service's own call to STS (they carry aws:SourceAccount and aws:SourceArn);
- a standing session of a role, issued by the harness and registered with the endpoint: the
  administrator of a member account (its OrganizationAccountAccessRole), and the roles of the
  accounts that only a root user administers here.

Who administers an account (`administrator`). A member account: a session of the
OrganizationAccountAccessRole that Organizations created there (AdministratorAccess, bound by
the SCPs). The management account and accounts outside the organisation have no such role: their
root user. AWS refuses AssumeRole to a root user ("Roles may not be assumed by root accounts"),
so a root user can start no chain; which is why the member administrators and the roles of
root-administered accounts (the vendor's own integration role) are standing sessions rather
than sessions the management account's root would assume.
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access-cross-account-role.html
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.identity import Credentials, IdentityError, parse_time
from harness.landscape.model import Account, Landscape

ADMIN_ROLE = "OrganizationAccountAccessRole"
"""The role behind a member account's administrator (see harness.seeding.context.ACCESS_ROLE)."""
ADMIN_SESSION = "securecart-admin"
FROM_UP = "they come from a running `securecart up`"


def root_administered(landscape: Landscape, account: Account) -> bool:
    """The management account and accounts outside the organisation: no
    OrganizationAccountAccessRole, their root user administers them."""
    return account.external or account.name == landscape.organization.management_account


def administrator_role_arn(account: Account) -> str:
    return f"arn:aws:iam::{account.account_id}:role/{ADMIN_ROLE}"


def standing_session_name(landscape: Landscape, account: Account) -> str:
    """RoleSessionName of the harness's standing session in `account`."""
    if root_administered(landscape, account):
        return f"securecart-{account.name}"
    return ADMIN_SESSION


def standing_roles(landscape: Landscape) -> tuple[tuple[Account, str], ...]:
    """(account, role ARN) of every standing session the harness issues: each member
    account's administrator role, and every role of the root-administered accounts."""
    found: list[tuple[Account, str]] = []
    for account in landscape.accounts:
        if root_administered(landscape, account):
            found += [(account, role.arn) for role in account.roles]
        else:
            found.append((account, administrator_role_arn(account)))
    return tuple(found)


def service_key(service: str, account_id: str, source_arn: str | None = None) -> str:
    """How `Callers.services` names a service acting for a resource of an account."""
    return f"{service} {account_id} {source_arn or '-'}"


@dataclass(frozen=True, slots=True)
class Callers:
    """Credentials the endpoint knows for chain starts. `roots` by account id, `services` by
    `service_key`, `sessions` by role ARN. `missing` completes the message when one is not
    there (where they come from, and why there are none)."""

    roots: Mapping[str, Credentials] = field(default_factory=dict)
    services: Mapping[str, Credentials] = field(default_factory=dict)
    sessions: Mapping[str, Credentials] = field(default_factory=dict)
    missing: str = FROM_UP

    def root(self, account: Account) -> Credentials:
        what = f"the root user of account {account.name}"
        return self._find(self.roots, account.account_id, what)

    def service(self, service: str, account_id: str, source_arn: str | None = None) -> Credentials:
        what = f"the service {service} acting for {source_arn or f'account {account_id}'}"
        return self._find(self.services, service_key(service, account_id, source_arn), what)

    def session(self, role_arn: str) -> Credentials:
        return self._find(self.sessions, role_arn, f"a session of {role_arn}")

    def administrator(self, landscape: Landscape, account: Account) -> Credentials:
        if root_administered(landscape, account):
            return self.root(account)
        return self._find(
            self.sessions,
            administrator_role_arn(account),
            f"the administrator of account {account.name}",
        )

    def _find(self, found: Mapping[str, Credentials], key: str, what: str) -> Credentials:
        credentials = found.get(key)
        if credentials is None:
            raise IdentityError(f"no credentials for {what}: {self.missing}")
        return credentials

    # ------------------------------------------------------------------ as JSON

    def to_json(self) -> dict[str, Any]:
        return {
            "roots": {key: _to_json(c) for key, c in self.roots.items()},
            "services": {key: _to_json(c) for key, c in self.services.items()},
            "sessions": {key: _to_json(c) for key, c in self.sessions.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], missing: str = FROM_UP) -> Callers:
        """Raises ValueError (KeyError, TypeError) on anything but what `to_json` wrote."""
        return cls(
            roots=_section(data, "roots"),
            services=_section(data, "services"),
            sessions=_section(data, "sessions"),
            missing=missing,
        )


def _to_json(credentials: Credentials) -> dict[str, str]:
    found = {
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
        "Arn": credentials.arn,
    }
    if credentials.session_token is not None:
        found["SessionToken"] = credentials.session_token
    if credentials.expiration is not None:
        found["Expiration"] = credentials.expiration.isoformat()
    return found


def _section(data: Mapping[str, Any], name: str) -> dict[str, Credentials]:
    section = data.get(name, {})
    if not isinstance(section, Mapping):
        raise TypeError(f"{name} is not an object")
    return {str(key): _from_json(value) for key, value in section.items()}


def _from_json(value: Mapping[str, Any]) -> Credentials:
    token, expiration = value.get("SessionToken"), value.get("Expiration")
    return Credentials(
        access_key_id=str(value["AccessKeyId"]),
        secret_access_key=str(value["SecretAccessKey"]),
        arn=str(value["Arn"]),
        session_token=str(token) if token is not None else None,
        expiration=parse_time(str(expiration)) if expiration is not None else None,
    )
