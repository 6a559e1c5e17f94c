"""IAM in one account: the SAML provider for the IdP, customer managed policies, roles.

Every `ensure_*` creates what is missing and brings what exists in line with the landscape, so
that seeding twice changes nothing the second time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from harness.landscape.model import Account, IdentityProvider, ManagedPolicy, Role
from harness.seeding.context import Clients, list_all, step


@dataclass(frozen=True, slots=True)
class RoleSpec:
    """A role as IAM takes it; made from a landscape `Role` or a provisioned permission set."""

    name: str
    path: str
    trust: dict[str, Any]
    description: str = ""
    managed_policies: tuple[str, ...] = ()
    inline_policies: tuple[tuple[str, dict[str, Any]], ...] = ()
    """(policy name, document) pairs."""
    permissions_boundary: str | None = None
    max_session_duration: int = 3600
    tags: tuple[tuple[str, str], ...] = ()


def role_spec(role: Role) -> RoleSpec:
    return RoleSpec(
        name=role.name,
        path=role.path,
        trust=role.trust.document,
        description=role.description,
        managed_policies=role.managed_policies,
        # The loader names an inline policy `<role ARN>/<policy name>`.
        inline_policies=tuple(
            (policy.name.removeprefix(f"{role.arn}/"), policy.document)
            for policy in role.inline_policies
        ),
        permissions_boundary=role.permissions_boundary,
        max_session_duration=role.max_session_duration,
        tags=role.tags,
    )


@dataclass(slots=True)
class IamAccount:
    """IAM in one account as seeding found it: listed once, so that creating what is missing
    takes no lookup per object (most of a first seed is creation)."""

    account: Account
    client: Any
    roles: set[str]
    """Names of the roles that exist."""
    policies: set[str]
    """ARNs of the customer managed policies that exist."""

    @classmethod
    def read(cls, clients: Clients, account: Account) -> IamAccount:
        iam = clients.client(account.name, "iam")
        with step(f"reading IAM in account {account.name}"):
            roles = list_all(iam, "list_roles", "Roles")
            policies = list_all(iam, "list_policies", "Policies", Scope="Local")
        return cls(account, iam, {r["RoleName"] for r in roles}, {p["Arn"] for p in policies})


def seed_iam(clients: Clients) -> dict[str, IamAccount]:
    """In every account: customer managed policies, then the landscape's roles (which may
    use them). Returns each account's IAM, for Identity Center's provisioned roles."""
    found = {}
    for account in clients.landscape.accounts:
        iam = found[account.name] = IamAccount.read(clients, account)
        for policy in account.managed_policies:
            with step(f"seeding managed policy {policy.name} in account {account.name}"):
                ensure_managed_policy(iam, policy)
        for role in account.roles:
            with step(f"seeding role {role.name} in account {account.name}"):
                ensure_role(iam, role_spec(role))
    return found


# --------------------------------------------------------------------------- SAML provider


_METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID={issuer}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location={slo}/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location={sso}/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location={sso}/>
  </md:IDPSSODescriptor>
  <md:Organization>
    <md:OrganizationName xml:lang="en">{name}</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">{name} (emulated)</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">{url}</md:OrganizationURL>
  </md:Organization>
</md:EntityDescriptor>
"""


def saml_metadata(provider: IdentityProvider) -> str:
    """SAML 2.0 metadata of the IdP (entity id = its issuer), as CreateSAMLProvider takes it.
    It names no signing certificate: the emulated IdP (harness.identity) owns its keys, and
    moto stores the document without reading it."""
    return _METADATA.format(
        issuer=quoteattr(provider.issuer),
        sso=quoteattr(f"{provider.issuer}/sso/saml"),
        slo=quoteattr(f"{provider.issuer}/slo/saml"),
        name=escape(provider.name),
        url=escape(provider.issuer),
    )


def ensure_saml_provider(account: IamAccount, provider: IdentityProvider) -> str:
    iam = account.client
    arn = f"arn:aws:iam::{account.account.account_id}:saml-provider/{provider.saml_provider_name}"
    metadata = saml_metadata(provider)
    name = provider.saml_provider_name
    with step(f"seeding SAML provider {name} in account {account.account.name}"):
        existing = {p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]}
        if arn not in existing:
            created = iam.create_saml_provider(
                Name=provider.saml_provider_name, SAMLMetadataDocument=metadata
            )
            return str(created["SAMLProviderArn"])
        found = iam.get_saml_provider(SAMLProviderArn=arn)
        if found["SAMLMetadataDocument"] != metadata:
            iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata)
        return arn


# --------------------------------------------------------------------------- managed policies

_MAX_VERSIONS = 5  # IAM keeps at most five versions of a managed policy


def ensure_managed_policy(account: IamAccount, policy: ManagedPolicy) -> None:
    iam = account.client
    if policy.arn not in account.policies:
        iam.create_policy(
            PolicyName=policy.name,
            Path=policy.path,
            PolicyDocument=policy.document.to_json(),
            Description=policy.description,
        )
        account.policies.add(policy.arn)
        return
    found = iam.get_policy(PolicyArn=policy.arn)["Policy"]
    default = iam.get_policy_version(PolicyArn=policy.arn, VersionId=found["DefaultVersionId"])
    if default["PolicyVersion"]["Document"] == policy.document.document:
        return
    versions = iam.list_policy_versions(PolicyArn=policy.arn)["Versions"]
    if len(versions) >= _MAX_VERSIONS:
        oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=_created)
        iam.delete_policy_version(PolicyArn=policy.arn, VersionId=oldest["VersionId"])
    iam.create_policy_version(
        PolicyArn=policy.arn, PolicyDocument=policy.document.to_json(), SetAsDefault=True
    )


def _created(version: dict[str, Any]) -> Any:
    return version["CreateDate"]


# --------------------------------------------------------------------------- roles


def ensure_role(account: IamAccount, spec: RoleSpec) -> str:
    """Create or update the role; returns its ARN."""
    iam = account.client
    if spec.name in account.roles:
        found = iam.get_role(RoleName=spec.name)["Role"]
        _update_role(iam, spec, found)
        attached = iam.list_attached_role_policies(RoleName=spec.name)["AttachedPolicies"]
        inline = iam.list_role_policies(RoleName=spec.name)["PolicyNames"]
    else:
        found = _create_role(iam, spec)
        account.roles.add(spec.name)
        attached, inline = [], []
    _sync_managed_policies(iam, spec, {policy["PolicyArn"] for policy in attached})
    _sync_inline_policies(iam, spec, set(inline))
    return str(found["Arn"])


def _create_role(iam: Any, spec: RoleSpec) -> dict[str, Any]:
    params: dict[str, Any] = {
        "RoleName": spec.name,
        "Path": spec.path,
        "AssumeRolePolicyDocument": _json(spec.trust),
        "MaxSessionDuration": spec.max_session_duration,
    }
    if spec.description:
        params["Description"] = spec.description
    if spec.permissions_boundary:
        params["PermissionsBoundary"] = spec.permissions_boundary
    if spec.tags:
        params["Tags"] = [{"Key": key, "Value": value} for key, value in spec.tags]
    created: dict[str, Any] = iam.create_role(**params)["Role"]
    return created


def _update_role(iam: Any, spec: RoleSpec, found: dict[str, Any]) -> None:
    if found["AssumeRolePolicyDocument"] != spec.trust:
        iam.update_assume_role_policy(RoleName=spec.name, PolicyDocument=_json(spec.trust))
    if (found.get("Description", ""), found["MaxSessionDuration"]) != (
        spec.description,
        spec.max_session_duration,
    ):
        iam.update_role(
            RoleName=spec.name,
            Description=spec.description,
            MaxSessionDuration=spec.max_session_duration,
        )
    boundary = found.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    if boundary != spec.permissions_boundary:
        if spec.permissions_boundary:
            iam.put_role_permissions_boundary(
                RoleName=spec.name, PermissionsBoundary=spec.permissions_boundary
            )
        else:
            iam.delete_role_permissions_boundary(RoleName=spec.name)
    tags = {tag["Key"]: tag["Value"] for tag in found.get("Tags", [])}
    if tags != dict(spec.tags):
        if tags.keys() - dict(spec.tags).keys():
            iam.untag_role(RoleName=spec.name, TagKeys=sorted(tags.keys() - dict(spec.tags)))
        if spec.tags:
            iam.tag_role(RoleName=spec.name, Tags=[{"Key": k, "Value": v} for k, v in spec.tags])


def _sync_managed_policies(iam: Any, spec: RoleSpec, current: set[str]) -> None:
    for arn in spec.managed_policies:
        if arn not in current:
            iam.attach_role_policy(RoleName=spec.name, PolicyArn=arn)
    for arn in sorted(current - set(spec.managed_policies)):
        iam.detach_role_policy(RoleName=spec.name, PolicyArn=arn)


def _sync_inline_policies(iam: Any, spec: RoleSpec, current: set[str]) -> None:
    for name, document in spec.inline_policies:
        if name in current:
            found = iam.get_role_policy(RoleName=spec.name, PolicyName=name)["PolicyDocument"]
            if found == document:
                continue
        iam.put_role_policy(RoleName=spec.name, PolicyName=name, PolicyDocument=_json(document))
    for name in sorted(current - {name for name, _ in spec.inline_policies}):
        iam.delete_role_policy(RoleName=spec.name, PolicyName=name)


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))
