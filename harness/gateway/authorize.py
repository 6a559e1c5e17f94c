"""Step 3–5 of the gateway for one authorisation request: the request context AWS would build
(the caller, its global condition keys, the request's own keys) and the policies that bear on
it, read from the backend — then the engine's decision.

Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

from harness import authref
from harness.catalog import condition_key_type, rcp_services
from harness.gateway.credentials import Credential
from harness.gateway.operations import AuthorizationRequest
from harness.gateway.world import Organization, World
from harness.iam.context import Caller, ContextKeys, PrincipalKind, Request
from harness.iam.decision import Decision
from harness.iam.evaluate import PolicySet, evaluate
from harness.iam.parse import parse_policy
from harness.iam.policy import TRUST_ACTIONS, Policy, PolicyType

_POLICY_HOLDERS = frozenset({"s3", "sns", "sqs", "lambda", "kms"})


@dataclass(frozen=True, slots=True)
class Transport:
    """What the HTTP layer tells about the request."""

    secure: bool
    source_ip: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks: a credential, or a caller with none (anonymous S3, an IdP assertion)."""

    caller: Caller
    credential: Credential | None = None


def decide(asker: Asker, wanted: AuthorizationRequest, transport: Transport, world: World,
           known_accounts: tuple[str, ...]) -> Decision:
    caller = asker.caller
    wanted = replace(wanted, resource=world.iam_arn(wanted.resource, known_accounts))
    resource_account = wanted.resource_account or _owner(wanted, world, known_accounts)
    keys = _request_keys(wanted)
    caller_org = world.organization(caller.account) if caller.account else None
    resource_org = world.organization(resource_account) if resource_account else None
    _global_keys(keys, asker, transport, caller_org, resource_org, resource_account, world)
    _resource_tag_keys(keys, wanted, resource_account, world)
    request = Request(caller=caller, action=wanted.action, resource=wanted.resource,
                      resource_account=resource_account, keys=keys)
    return evaluate(request, _policies(asker, wanted, resource_account, caller_org,
                                       resource_org, world))


def _owner(wanted: AuthorizationRequest, world: World, known: tuple[str, ...]) -> str | None:
    """S3 ARNs name no account: the bucket's owner is looked up."""
    if wanted.action.lower().startswith("s3:") and wanted.resource.startswith("arn:aws:s3:::"):
        bucket = wanted.resource.split(":::", 1)[1].split("/", 1)[0]
        if bucket and "*" not in bucket:
            return world.bucket_owner(bucket, known)
    return None


def _request_keys(wanted: AuthorizationRequest) -> ContextKeys:
    keys = ContextKeys()
    for name, values in wanted.keys:
        key_type = condition_key_type(name)
        keys.set(name, values, multivalued=bool(key_type and key_type.startswith("ArrayOf")))
    return keys


def _global_keys(keys: ContextKeys, asker: Asker, transport: Transport,
                 caller_org: Organization | None, resource_org: Organization | None,
                 resource_account: str | None, world: World) -> None:
    caller, credential = asker.caller, asker.credential
    put = keys.setdefault_value
    put("aws:SecureTransport", "true" if transport.secure else "false")
    put("aws:SourceIp", transport.source_ip)
    put("aws:CurrentTime", transport.now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    put("aws:EpochTime", str(int(transport.now.timestamp())))
    put("aws:ViaAWSService", "false")
    put("aws:PrincipalIsAWSService", "true" if caller.kind is PrincipalKind.SERVICE else "false")
    if resource_account:
        put("aws:ResourceAccount", resource_account)
    if resource_org:
        put("aws:ResourceOrgID", resource_org.org_id)
        keys.set("aws:ResourceOrgPaths", [resource_org.org_path], multivalued=True)
    if credential is None:
        if caller.kind is PrincipalKind.ANONYMOUS:
            put("aws:userid", "anonymous")
        return
    if caller.kind is PrincipalKind.SERVICE:
        # A service acting for a resource: which service, and on whose behalf.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
        put("aws:PrincipalServiceName", caller.arn)
        put("aws:SourceAccount", credential.account)
        if credential.source_arn:
            put("aws:SourceArn", credential.source_arn)
        return
    put("aws:PrincipalArn", caller.identity_arn or caller.arn)
    put("aws:PrincipalAccount", credential.account)
    put("aws:PrincipalType", caller.kind.value)
    if credential.user_id:
        put("aws:userid", credential.user_id)
    if caller.kind is PrincipalKind.USER:
        put("aws:username", caller.arn.rsplit("/", 1)[-1])
    if caller_org:
        put("aws:PrincipalOrgID", caller_org.org_id)
        keys.set("aws:PrincipalOrgPaths", [caller_org.org_path], multivalued=True)
    for tag, value in _principal_tags(credential, world):
        put(f"aws:PrincipalTag/{tag}", value)
    _session_keys(keys, credential, transport)


def _session_keys(keys: ContextKeys, credential: Credential, transport: Transport) -> None:
    """Keys of temporary credentials. Long-term keys carry no MFA key at all (AWS: the key is
    not present when an IAM user uses long-term access keys)."""
    session = credential.session
    if session is None:
        return
    put = keys.setdefault_value
    put("aws:TokenIssueTime", session.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    put("aws:MultiFactorAuthPresent", "true" if session.mfa_present else "false")
    if session.mfa_authenticated_at is not None:
        age = (transport.now - session.mfa_authenticated_at).total_seconds()
        put("aws:MultiFactorAuthAge", str(max(0, int(age))))
    if session.source_identity:
        put("aws:SourceIdentity", session.source_identity)
    if session.federated_provider:
        put("aws:FederatedProvider", session.federated_provider)


def _resource_tag_keys(keys: ContextKeys, wanted: AuthorizationRequest,
                       resource_account: str | None, world: World) -> None:
    """aws:ResourceTag/<key> (and iam:ResourceTag/<key>) from the tags the resource has, where
    the Service Authorization Reference lists the key for the resource's type — AWS sets it
    nowhere else. A Deny conditioned on a resource tag must see the tag.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
    """
    service, _, name = wanted.action.partition(":")
    service = service.lower()
    if wanted.resource == "*" or resource_account is None:
        return
    found = authref.action(service, name)
    if found is None:
        return
    for row in found.resources:
        rtype = authref.resource_type(service, row.name)
        if rtype is None or not rtype.matches(wanted.resource):
            continue
        tag_keys = {key.lower() for key in rtype.condition_keys}
        if "aws:resourcetag/${tagkey}" not in tag_keys:
            return
        region = wanted.resource.split(":")[3] or "us-east-1"
        for tag, value in world.resource_tags(service, wanted.resource, resource_account,
                                              region):
            keys.setdefault_value(f"aws:ResourceTag/{tag}", value)
            if f"{service}:resourcetag/${{tagkey}}" in tag_keys:
                keys.setdefault_value(f"{service}:ResourceTag/{tag}", value)
        return


def _principal_tags(credential: Credential, world: World) -> list[tuple[str, str]]:
    """The role's (or user's) tags, overridden by the session's tags."""
    tags: dict[str, str] = {}
    if credential.kind is PrincipalKind.ROLE_SESSION and credential.identity_arn:
        tags.update(world.role(credential.identity_arn).tags)
    elif credential.kind is PrincipalKind.USER:
        tags.update(world.user(credential.arn).tags)
    if credential.session is not None:
        tags.update(credential.session.session_tags)
    return sorted(tags.items())


def _policies(asker: Asker, wanted: AuthorizationRequest, resource_account: str | None,
              caller_org: Organization | None, resource_org: Organization | None,
              world: World) -> PolicySet:
    caller, credential = asker.caller, asker.credential
    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    if credential is not None and caller.kind is PrincipalKind.ROLE_SESSION:
        role = world.role(caller.identity_arn or "")
        identity, boundary = role.policies, role.boundary
    elif credential is not None and caller.kind in (PrincipalKind.USER,
                                                    PrincipalKind.FEDERATED_USER):
        user = world.user(caller.identity_arn or caller.arn)
        identity, boundary = user.policies, user.boundary
    session = None
    if credential is not None and credential.session and credential.session.session_policies:
        names = credential.session.session_policy_names
        session = tuple(
            _session_policy(text, names[i] if i < len(names) else "session policy")
            for i, text in enumerate(credential.session.session_policies))
    service = wanted.action.split(":", 1)[0].lower()
    # A management account is exempt from its own organisation's SCPs and RCPs. The caller's
    # and the resource's organisations may differ (a cross-organisation request), each with its
    # own management account, so the exemptions are applied here, per side: the engine's single
    # `management_account` cannot say both.
    # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html#scp-effects-on-permissions
    # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
    scps = None
    if caller.account and caller_org and caller.account != caller_org.management_account:
        scps = world.scps(caller.account)
    rcps = None
    if (resource_account and resource_org and service in rcp_services()
            and resource_account != resource_org.management_account):
        rcps = world.rcps(resource_account)
    return PolicySet(
        identity=identity,
        resource=_resource_policy(wanted, service, resource_account, world),
        boundary=boundary,
        session=session,
        scps=scps,
        rcps=rcps,
        management_account=None,
        resource_policy_required=wanted.resource_policy_required,
    )


def _resource_policy(wanted: AuthorizationRequest, service: str, owner: str | None,
                     world: World) -> Policy | None:
    if wanted.action.lower() in TRUST_ACTIONS and ":role/" in wanted.resource:
        return world.role_trust(wanted.resource)
    if service not in _POLICY_HOLDERS or owner is None or wanted.resource == "*":
        return None
    region = wanted.resource.split(":")[3] or "us-east-1"
    return world.resource_policy(service, _policy_holder(service, wanted.resource), owner,
                                 region)


def _policy_holder(service: str, resource: str) -> str:
    """The ARN of what holds the policy: the bucket of an object, the function of a version."""
    if service == "s3":
        return "arn:aws:s3:::" + resource.split(":::", 1)[1].split("/", 1)[0]
    if service == "lambda":
        return ":".join(resource.split(":")[:7])
    return resource


@lru_cache(maxsize=1024)
def _session_policy(text: str, name: str) -> Policy:
    return parse_policy(text, PolicyType.SESSION, name=name)


def now() -> datetime:
    return datetime.now(UTC)
