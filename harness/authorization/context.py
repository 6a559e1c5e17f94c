"""The request context AWS builds for a request: the request's own keys, then the global keys
of the transport, the caller and the resource, where the request did not give them.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from dataclasses import dataclass

from harness import reference
from harness.authorization.question import Question, Session, Transport
from harness.authorization.source import (
    NO_POLICIES,
    Organization,
    PolicySource,
    PrincipalPolicies,
)
from harness.iam.context import ACCOUNTLESS, Caller, ContextKeys, PrincipalKind


@dataclass(frozen=True, slots=True)
class Parties:
    """What the source said about the two sides of the request."""

    resource_account: str | None
    caller_org: Organization | None
    resource_org: Organization | None
    principal: PrincipalPolicies


def context_keys(question: Question, parties: Parties, source: PolicySource) -> ContextKeys:
    keys = question.keys.copy()
    if question.transport is not None:
        _transport_keys(keys, question.transport)
    keys.setdefault_value("aws:PrincipalIsAWSService",
                          "true" if question.caller.kind is PrincipalKind.SERVICE else "false")
    _resource_keys(keys, question, parties, source)
    _principal_keys(keys, question, parties)
    return keys


def _transport_keys(keys: ContextKeys, transport: Transport) -> None:
    put = keys.setdefault_value
    put("aws:SecureTransport", "true" if transport.secure else "false")
    if transport.source_ip is not None:
        put("aws:SourceIp", transport.source_ip)
    put("aws:CurrentTime", transport.now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    put("aws:EpochTime", str(int(transport.now.timestamp())))
    # A request made by a principal itself; forward access sessions are not modelled.
    put("aws:ViaAWSService", "false")


def _resource_keys(keys: ContextKeys, question: Question, parties: Parties,
                   source: PolicySource) -> None:
    if parties.resource_account:
        keys.setdefault_value("aws:ResourceAccount", parties.resource_account)
    org = parties.resource_org
    if org is not None and org.org_id is not None and parties.resource_account:
        keys.setdefault_value("aws:ResourceOrgID", org.org_id)
        if org.org_path is not None and "aws:ResourceOrgPaths" not in keys:
            keys.set("aws:ResourceOrgPaths", [org.org_path], multivalued=True)
    _resource_tag_keys(keys, question, parties.resource_account, source)


def _resource_tag_keys(keys: ContextKeys, question: Question, owner: str | None,
                       source: PolicySource) -> None:
    """aws:ResourceTag/<key> (and <service>:ResourceTag/<key>) from the resource's tags, where
    the Service Authorization Reference lists the key for the resource's type: AWS sets it
    nowhere else. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
    """
    if question.resource == "*" or owner is None:
        return
    service, _, name = question.action.partition(":")
    service = service.lower()
    found = reference.action(service, name)
    if found is None:
        return
    for row in found.resources:
        rtype = reference.resource_type(service, row.name)
        if rtype is None or not rtype.matches(question.resource):
            continue
        tag_keys = {key.lower() for key in rtype.condition_keys}
        if "aws:resourcetag/${tagkey}" not in tag_keys:
            return
        for tag, value in source.resource_tags(service, question.resource, owner,
                                               question.region):
            keys.setdefault_value(f"aws:ResourceTag/{tag}", value)
            if f"{service}:resourcetag/${{tagkey}}" in tag_keys:
                keys.setdefault_value(f"{service}:ResourceTag/{tag}", value)
        return


def _principal_keys(keys: ContextKeys, question: Question, parties: Parties) -> None:
    caller = question.caller
    put = keys.setdefault_value
    if caller.kind is PrincipalKind.ANONYMOUS:
        put("aws:userid", "anonymous")
        return
    if caller.kind is PrincipalKind.SERVICE:
        # A service acting for a resource: which service, and on whose behalf.
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
        put("aws:PrincipalServiceName", caller.service or caller.arn)
        if question.source_account:
            put("aws:SourceAccount", question.source_account)
        if question.source_arn:
            put("aws:SourceArn", question.source_arn)
        return
    if caller.kind in ACCOUNTLESS:
        return
    # A role session is known by its role's ARN; a federated user session by its own STS ARN
    # (arn:aws:sts::ACCOUNT:federated-user/NAME), as the key's table on the page above says.
    federated = caller.kind is PrincipalKind.FEDERATED_USER
    put("aws:PrincipalArn", caller.arn if federated else caller.identity_arn or caller.arn)
    put("aws:PrincipalAccount", caller.account or "")
    put("aws:PrincipalType", caller.kind.value)
    user_id = question.user_id or _user_id(question)
    if user_id:
        put("aws:userid", user_id)
    if caller.kind is PrincipalKind.USER:
        put("aws:username", caller.arn.rsplit("/", 1)[-1])
    org = parties.caller_org
    if org is not None and org.org_id is not None:
        put("aws:PrincipalOrgID", org.org_id)
        if org.org_path is not None and "aws:PrincipalOrgPaths" not in keys:
            keys.set("aws:PrincipalOrgPaths", [org.org_path], multivalued=True)
    tags = dict(parties.principal.tags)
    if question.session is not None:
        tags.update(question.session.tags)  # session tags override the identity's
    for tag, value in sorted(tags.items()):
        put(f"aws:PrincipalTag/{tag}", value)
    if question.session is not None:
        _session_keys(keys, question.session, question.transport)


def _user_id(question: Question) -> str | None:
    """aws:userid where the caller's kind alone determines it (the table of the page above)."""
    caller = question.caller
    if caller.kind is PrincipalKind.ROOT:
        return caller.account
    if caller.kind is PrincipalKind.FEDERATED_USER and caller.account:
        return f"{caller.account}:{caller.arn.rsplit('/', 1)[-1]}"
    return None


def _session_keys(keys: ContextKeys, session: Session, transport: Transport | None) -> None:
    """Keys of temporary credentials. Long-term keys carry no MFA key at all (AWS: the key is
    not present when an IAM user uses long-term access keys)."""
    put = keys.setdefault_value
    if session.issued_at is not None:
        put("aws:TokenIssueTime", session.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    put("aws:MultiFactorAuthPresent", "true" if session.mfa_present else "false")
    if session.mfa_authenticated_at is not None and transport is not None:
        age = (transport.now - session.mfa_authenticated_at).total_seconds()
        put("aws:MultiFactorAuthAge", str(max(0, int(age))))
    if session.source_identity:
        put("aws:SourceIdentity", session.source_identity)
    if session.federated_provider:
        put("aws:FederatedProvider", session.federated_provider)


def caller_keys(keys: ContextKeys, caller: Caller) -> None:
    """The keys AWS derives from the caller alone: what IAM's policy simulator sets (it knows
    no session, no organisation and no tags of the request)."""
    keys.setdefault_value("aws:PrincipalIsAWSService",
                          "true" if caller.kind is PrincipalKind.SERVICE else "false")
    _principal_keys(keys, Question(caller=caller, action=""),
                    Parties(None, None, None, NO_POLICIES))
