"""SAML responses: what they carry (roles, session, duration, audience, MFA context), that they
read back to the same assertion, and that malformed ones are refused."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from harness.identity.saml import (
    ASSERTION_NS,
    AWS_AUDIENCE,
    MFA_CONTEXT,
    PASSWORD_CONTEXT,
    ROLE_ATTRIBUTE,
    SESSION_DURATION_ATTRIBUTE,
    SESSION_NAME_ATTRIBUTE,
    RolePair,
    SamlAssertion,
    SamlError,
    assertion_used_mfa,
    build_response,
    encode_response,
    name_qualifier,
    parse_assertion,
)

NOW = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
ROLE = "arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_X_0123"
PROVIDER = "arn:aws:iam::444444444444:saml-provider/AWSSSO_securecart_DO_NOT_DELETE"
ISSUER = "http://www.okta.com/exk-securecart-emulated"


def make(**changes: object) -> SamlAssertion:
    assertion = SamlAssertion(
        issuer=ISSUER,
        subject="alice@securecart.example",
        roles=(RolePair(ROLE, PROVIDER),),
        session_name="alice",
        session_duration=28800,
        issue_instant=NOW,
        not_on_or_after=NOW + timedelta(minutes=5),
        authn_instant=NOW,
        authn_context=MFA_CONTEXT,
        amr=("pwd", "mfa", "otp"),
    )
    return replace(assertion, **changes)  # type: ignore[arg-type]


def attributes(xml: str) -> dict[str, list[str]]:
    root = ET.fromstring(xml)
    found: dict[str, list[str]] = {}
    for attribute in root.iter(f"{{{ASSERTION_NS}}}Attribute"):
        found[attribute.get("Name", "")] = [
            value.text or "" for value in attribute.iter(f"{{{ASSERTION_NS}}}AttributeValue")
        ]
    return found


def test_the_response_carries_what_aws_reads() -> None:
    xml = build_response(make(principal_tags=(("team", "orders"),)))
    found = attributes(xml)
    assert found[ROLE_ATTRIBUTE] == [f"{ROLE},{PROVIDER}"]
    assert found[SESSION_NAME_ATTRIBUTE] == ["alice"]
    assert found[SESSION_DURATION_ATTRIBUTE] == ["28800"]
    assert found["https://aws.amazon.com/SAML/Attributes/PrincipalTag:team"] == ["orders"]
    root = ET.fromstring(xml)
    ns = {"saml": ASSERTION_NS}
    assert root.findtext("saml:Assertion/saml:Issuer", namespaces=ns) == ISSUER
    assert (
        root.findtext(
            "saml:Assertion/saml:Conditions/saml:AudienceRestriction/saml:Audience", namespaces=ns
        )
        == AWS_AUDIENCE
    )
    data = root.find(
        "saml:Assertion/saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", ns
    )
    assert data is not None
    assert data.get("Recipient") == AWS_AUDIENCE
    assert data.get("NotOnOrAfter") == "2026-11-28T10:05:00.000Z"


def test_mfa_is_the_authentication_context() -> None:
    with_mfa, without = make(), make(authn_context=PASSWORD_CONTEXT, amr=("pwd",))
    ns = {"saml": ASSERTION_NS}
    path = "saml:Assertion/saml:AuthnStatement/saml:AuthnContext/saml:AuthnContextClassRef"
    assert ET.fromstring(build_response(with_mfa)).findtext(path, namespaces=ns) == MFA_CONTEXT
    assert ET.fromstring(build_response(without)).findtext(path, namespaces=ns) == PASSWORD_CONTEXT
    assert assertion_used_mfa(encode_response(with_mfa)) is True
    assert assertion_used_mfa(encode_response(without)) is False


@pytest.mark.parametrize(
    ("context", "amr", "expected"),
    [
        (MFA_CONTEXT, (), True),  # Azure AD / Entra ID
        ("https://refeds.org/profile/mfa", (), True),  # REFEDS MFA profile
        (PASSWORD_CONTEXT, ("pwd", "mfa"), True),  # Okta: amr says mfa
        (PASSWORD_CONTEXT, ("pwd",), False),
    ],
)
def test_either_mfa_signal_counts(context: str, amr: tuple[str, ...], expected: bool) -> None:
    assert assertion_used_mfa(encode_response(make(authn_context=context, amr=amr))) is expected


def test_parse_reads_back_what_was_built() -> None:
    original = make(principal_tags=(("team", "orders"), ("cost-center", "42")))
    parsed = parse_assertion(encode_response(original))
    assert parsed == original


def test_parse_accepts_bytes_and_reports_context_keys() -> None:
    parsed = parse_assertion(encode_response(make()).encode())
    keys = parsed.context_keys(PROVIDER)
    assert keys["saml:aud"] == AWS_AUDIENCE
    assert keys["saml:iss"] == ISSUER
    assert keys["saml:sub"] == "alice@securecart.example"
    assert keys["saml:namequalifier"] == name_qualifier(ISSUER, PROVIDER)
    assert parsed.role_for(ROLE) == RolePair(ROLE, PROVIDER)
    assert parsed.role_for("arn:aws:iam::1:role/other") is None


def test_role_pair_in_either_order() -> None:
    assert RolePair.parse(f"{PROVIDER},{ROLE}") == RolePair(ROLE, PROVIDER)
    with pytest.raises(SamlError, match="role-arn,provider-arn"):
        RolePair.parse(ROLE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"roles": ()}, "no https://aws.amazon.com/SAML/Attributes/Role"),
        ({"session_name": "a"}, "RoleSessionName 'a'"),
        ({"session_name": "alice smith"}, "RoleSessionName"),
        ({"session_duration": 899}, "SessionDuration 899"),
        ({"session_duration": 43201}, "SessionDuration 43201"),
        ({"not_on_or_after": NOW}, "NotOnOrAfter"),
    ],
)
def test_invalid_assertions_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SamlError, match=message):
        build_response(make(**changes))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not xml", "not well-formed"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', "DTD"),
        (b"<x/>", "samlp:Response"),
    ],
)
def test_unreadable_responses_are_refused(payload: bytes, message: str) -> None:
    encoded = base64.b64encode(payload).decode()
    with pytest.raises(SamlError, match=message):
        parse_assertion(encoded)
    assert assertion_used_mfa(encoded) is False  # no proof of MFA: fail closed


def test_a_failed_status_is_refused() -> None:
    xml = build_response(make()).replace(
        "urn:oasis:names:tc:SAML:2.0:status:Success", "urn:oasis:names:tc:SAML:2.0:status:Requester"
    )
    with pytest.raises(SamlError, match="status"):
        parse_assertion(base64.b64encode(xml.encode()))
