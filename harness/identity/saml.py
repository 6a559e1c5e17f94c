"""SAML 2.0 responses as an IdP sends them to AWS STS, and their reading back.

    response = build_response(assertion)          # <samlp:Response> XML text
    encoded = encode_response(assertion)          # base64, what AssumeRoleWithSAML takes
    parsed = parse_assertion(encoded)             # SamlAssertion again (raises SamlError)
    assertion_used_mfa(encoded)                   # → aws:MultiFactorAuthPresent

What AWS reads from the response:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
- Attribute https://aws.amazon.com/SAML/Attributes/Role: "role-arn,saml-provider-arn" per role;
- Attribute .../RoleSessionName (2-64 characters of [\\w+=,.@-]) and, optionally,
  .../SessionDuration (900-43200 seconds) and .../PrincipalTag:<key> (session tags);
- the Audience restriction https://signin.aws.amazon.com/saml; the Issuer, which must be the
  SAML provider's; the SubjectConfirmationData's Recipient (saml:aud) and NotOnOrAfter.

MFA. AWS does not read an MFA claim from SAML: the IdP enforces MFA, and the authentication
context says how the user signed in. Real IdPs put it in two places, and this one does both:
- the AuthnStatement's AuthnContextClassRef: Azure AD / Entra ID writes
  `http://schemas.microsoft.com/claims/multipleauthn` after MFA, the REFEDS MFA profile is
  `https://refeds.org/profile/mfa`; a password alone is SAML's `PasswordProtectedTransport`;
- an `amr` attribute (Okta's Dynamic Authentication Context, session.amr, RFC 8176 values):
  ["pwd", "mfa", …] after MFA, ["pwd"] without.
The enforcing gateway sets aws:MultiFactorAuthPresent from `assertion_used_mfa`.

Signing. STS verifies the response's XML signature against the provider's metadata; moto does
not, and XML-DSig needs exclusive C14N, which the standard library lacks. The responses built here
are therefore unsigned (no <ds:Signature>); `parse_assertion` does not look for one either.

moto 5.2.5 (sts/models.py, `assume_role_with_saml`) reads the response with xmltodict: it needs
at least two Attribute elements, and a single AttributeValue for Role, RoleSessionName and
SessionDuration (Identity Center sends exactly one role, for the account and permission set the
user chose). It takes the session name and duration from the attributes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XS_NS = "http://www.w3.org/2001/XMLSchema"

AWS_AUDIENCE = "https://signin.aws.amazon.com/saml"
"""The audience (and recipient) of responses for AWS sign-in and STS."""

ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
SESSION_DURATION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
PRINCIPAL_TAG_PREFIX = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
AMR_ATTRIBUTE = "amr"

MFA_CONTEXT = "http://schemas.microsoft.com/claims/multipleauthn"
"""AuthnContextClassRef Azure AD / Entra ID writes after multi-factor authentication."""
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
"""AuthnContextClassRef for a password over TLS (what Okta writes; a single factor)."""
MFA_CONTEXTS = frozenset({MFA_CONTEXT, "https://refeds.org/profile/mfa"})
"""Class references that mean the user signed in with more than one factor."""

SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
PERSISTENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

MIN_DURATION, MAX_DURATION = 900, 43200
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class SamlError(ValueError):
    """A response that is not a well-formed SAML response AWS would accept; says what is wrong."""


@dataclass(frozen=True, slots=True)
class RolePair:
    """One value of the Role attribute: the role to assume and the SAML provider trusted by it."""

    role_arn: str
    provider_arn: str

    def value(self) -> str:
        return f"{self.role_arn},{self.provider_arn}"

    @classmethod
    def parse(cls, value: str) -> RolePair:
        # AWS accepts the two ARNs in either order.
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 2:
            raise SamlError(f"Role attribute value {value!r} is not 'role-arn,provider-arn'")
        roles = [part for part in parts if ":role/" in part]
        providers = [part for part in parts if ":saml-provider/" in part]
        if len(roles) != 1 or len(providers) != 1:
            raise SamlError(f"Role attribute value {value!r} is not 'role-arn,provider-arn'")
        return cls(roles[0], providers[0])


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """What one SAML response says, in the terms AWS reads.

    `subject` is the NameID (saml:sub), `subject_format` its Format (saml:sub_type derives from
    it). `not_on_or_after` bounds the assertion's use (Conditions and SubjectConfirmationData);
    `authn_context` is the AuthnContextClassRef, `amr` the authentication methods."""

    issuer: str
    subject: str
    roles: tuple[RolePair, ...]
    session_name: str
    issue_instant: datetime
    not_on_or_after: datetime
    authn_instant: datetime
    authn_context: str
    amr: tuple[str, ...] = ()
    session_duration: int | None = None
    principal_tags: tuple[tuple[str, str], ...] = ()
    subject_format: str = EMAIL_FORMAT
    audience: str = AWS_AUDIENCE
    recipient: str = AWS_AUDIENCE
    response_id: str = field(default_factory=lambda: f"_{uuid.uuid4().hex}")
    assertion_id: str = field(default_factory=lambda: f"_{uuid.uuid4().hex}")

    @property
    def used_mfa(self) -> bool:
        """Whether the user signed in with more than one factor, by either signal."""
        return self.authn_context in MFA_CONTEXTS or "mfa" in self.amr

    def role_for(self, role_arn: str) -> RolePair | None:
        """The pair naming `role_arn`, as AssumeRoleWithSAML's RoleArn picks one."""
        return next((pair for pair in self.roles if pair.role_arn == role_arn), None)

    def context_keys(self, provider_arn: str) -> dict[str, str]:
        """The saml:* condition keys AWS sets for AssumeRoleWithSAML with this assertion.
        https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
        """
        return {
            # "the SAML Recipient field in the assertion, not the Audience field"
            "saml:aud": self.recipient,
            "saml:iss": self.issuer,
            "saml:sub": self.subject,
            "saml:sub_type": _sub_type(self.subject_format),
            "saml:namequalifier": name_qualifier(self.issuer, provider_arn),
        }


def name_qualifier(issuer: str, provider_arn: str) -> str:
    """saml:namequalifier: BASE64(SHA1(issuer + account id + "/" + provider name))."""
    account = provider_arn.split(":")[4]
    name = provider_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha1(f"{issuer}{account}/{name}".encode()).digest()
    return base64.b64encode(digest).decode("ascii")


def _sub_type(name_format: str) -> str:
    if name_format == PERSISTENT_FORMAT:
        return "persistent"
    if name_format == TRANSIENT_FORMAT:
        return "transient"
    return name_format


# --------------------------------------------------------------------------- building


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _sub(
    parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _attribute(parent: ET.Element, name: str, values: tuple[str, ...]) -> None:
    attribute = _sub(parent, ASSERTION_NS, "Attribute", Name=name)
    for value in values:
        _sub(attribute, ASSERTION_NS, "AttributeValue", value, **{f"{{{XSI_NS}}}type": "xs:string"})


def build_response(assertion: SamlAssertion) -> str:
    """The <samlp:Response> an IdP posts to https://signin.aws.amazon.com/saml."""
    validate(assertion)
    ET.register_namespace("samlp", PROTOCOL_NS)
    ET.register_namespace("saml", ASSERTION_NS)
    ET.register_namespace("xsi", XSI_NS)
    ET.register_namespace("xs", XS_NS)
    issued, expires = _instant(assertion.issue_instant), _instant(assertion.not_on_or_after)
    response = ET.Element(
        f"{{{PROTOCOL_NS}}}Response",
        {
            "ID": assertion.response_id,
            "Version": "2.0",
            "IssueInstant": issued,
            "Destination": assertion.recipient,
        },
    )
    _sub(response, ASSERTION_NS, "Issuer", assertion.issuer)
    status = _sub(response, PROTOCOL_NS, "Status")
    _sub(status, PROTOCOL_NS, "StatusCode", Value=SUCCESS)

    body = _sub(
        response,
        ASSERTION_NS,
        "Assertion",
        ID=assertion.assertion_id,
        Version="2.0",
        IssueInstant=issued,
    )
    _sub(body, ASSERTION_NS, "Issuer", assertion.issuer)
    subject = _sub(body, ASSERTION_NS, "Subject")
    _sub(subject, ASSERTION_NS, "NameID", assertion.subject, Format=assertion.subject_format)
    confirmation = _sub(subject, ASSERTION_NS, "SubjectConfirmation", Method=BEARER)
    _sub(
        confirmation,
        ASSERTION_NS,
        "SubjectConfirmationData",
        NotOnOrAfter=expires,
        Recipient=assertion.recipient,
    )
    conditions = _sub(body, ASSERTION_NS, "Conditions", NotBefore=issued, NotOnOrAfter=expires)
    restriction = _sub(conditions, ASSERTION_NS, "AudienceRestriction")
    _sub(restriction, ASSERTION_NS, "Audience", assertion.audience)
    authn = _sub(
        body,
        ASSERTION_NS,
        "AuthnStatement",
        AuthnInstant=_instant(assertion.authn_instant),
        SessionIndex=assertion.assertion_id,
    )
    context = _sub(authn, ASSERTION_NS, "AuthnContext")
    _sub(context, ASSERTION_NS, "AuthnContextClassRef", assertion.authn_context)

    statement = _sub(body, ASSERTION_NS, "AttributeStatement")
    _attribute(statement, ROLE_ATTRIBUTE, tuple(pair.value() for pair in assertion.roles))
    _attribute(statement, SESSION_NAME_ATTRIBUTE, (assertion.session_name,))
    if assertion.session_duration is not None:
        _attribute(statement, SESSION_DURATION_ATTRIBUTE, (str(assertion.session_duration),))
    for key, value in assertion.principal_tags:
        _attribute(statement, PRINCIPAL_TAG_PREFIX + key, (value,))
    if assertion.amr:
        _attribute(statement, AMR_ATTRIBUTE, assertion.amr)
    # xs:string in xsi:type values needs the xs prefix declared, which ElementTree only does for
    # prefixes it uses in names: declare it on the root by hand.
    response.set("xmlns:xs", XS_NS)
    return ET.tostring(response, encoding="unicode")


def encode_response(assertion: SamlAssertion) -> str:
    """Base64 of the response, as the IdP's form posts it and AssumeRoleWithSAML takes it."""
    return base64.b64encode(build_response(assertion).encode("utf-8")).decode("ascii")


def validate(assertion: SamlAssertion) -> None:
    """What STS would refuse before looking at roles and trust (ValidationError-like)."""
    if not assertion.roles:
        raise SamlError("the response has no https://aws.amazon.com/SAML/Attributes/Role value")
    if not _SESSION_NAME.fullmatch(assertion.session_name):
        raise SamlError(
            f"RoleSessionName {assertion.session_name!r} must be 2-64 characters of "
            "letters, digits and +=,.@_-"
        )
    duration = assertion.session_duration
    if duration is not None and not MIN_DURATION <= duration <= MAX_DURATION:
        raise SamlError(
            f"SessionDuration {duration} is outside {MIN_DURATION}-{MAX_DURATION} seconds"
        )
    if assertion.not_on_or_after <= assertion.issue_instant:
        raise SamlError("NotOnOrAfter is not after IssueInstant")


# --------------------------------------------------------------------------- parsing


def _decode(saml_response_b64: str | bytes) -> bytes:
    try:
        raw = base64.b64decode(saml_response_b64, validate=False)
    except (binascii.Error, ValueError) as error:
        raise SamlError(f"the SAML response is not base64: {error}") from error
    # SAML forbids DTDs; refusing them keeps entity expansion attacks out (the gateway reads
    # responses from any client).
    if _DTD.search(raw):
        raise SamlError("the SAML response contains a DTD, which SAML does not allow")
    return raw


def _one(parent: ET.Element, path: str, what: str) -> ET.Element:
    found = parent.find(path, _NAMESPACES)
    if found is None:
        raise SamlError(f"the SAML response has no {what}")
    return found


def _text(parent: ET.Element, path: str, what: str) -> str:
    text = (_one(parent, path, what).text or "").strip()
    if not text:
        raise SamlError(f"the SAML response has an empty {what}")
    return text


def _time(value: str | None, what: str) -> datetime:
    if not value:
        raise SamlError(f"the SAML response has no {what}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise SamlError(f"{what} {value!r} is not an xs:dateTime") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_NAMESPACES = {"samlp": PROTOCOL_NS, "saml": ASSERTION_NS}


def parse_assertion(saml_response_b64: str | bytes) -> SamlAssertion:
    """Read a base64 SAML response (as AssumeRoleWithSAML's SAMLAssertion) back into a
    SamlAssertion. Raises SamlError for anything AWS would not accept as a response."""
    try:
        root = ET.fromstring(_decode(saml_response_b64))
    except ET.ParseError as error:
        raise SamlError(f"the SAML response is not well-formed XML: {error}") from error
    if root.tag != f"{{{PROTOCOL_NS}}}Response":
        raise SamlError("the SAML response's root element is not samlp:Response")
    status = _one(root, "samlp:Status/samlp:StatusCode", "StatusCode").get("Value")
    if status != SUCCESS:
        raise SamlError(f"the SAML response's status is {status}, not Success")
    body = _one(root, "saml:Assertion", "Assertion")
    attributes = _attributes(body)
    name_id = _one(body, "saml:Subject/saml:NameID", "Subject NameID")
    confirmation = _one(
        body,
        "saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData",
        "SubjectConfirmationData",
    )
    conditions = _one(body, "saml:Conditions", "Conditions")
    authn = _one(body, "saml:AuthnStatement", "AuthnStatement")
    duration = attributes.get(SESSION_DURATION_ATTRIBUTE)
    session_names = attributes.get(SESSION_NAME_ATTRIBUTE, ())
    if len(session_names) != 1:
        raise SamlError("the SAML response needs exactly one RoleSessionName value")
    try:
        session_duration = int(duration[0]) if duration else None
    except ValueError as error:
        raise SamlError(f"SessionDuration {duration!r} is not a number of seconds") from error
    assertion = SamlAssertion(
        issuer=_text(body, "saml:Issuer", "Issuer"),
        subject=(name_id.text or "").strip(),
        subject_format=name_id.get(
            "Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
        ),
        roles=tuple(RolePair.parse(value) for value in attributes.get(ROLE_ATTRIBUTE, ())),
        session_name=session_names[0],
        session_duration=session_duration,
        principal_tags=tuple(
            (name[len(PRINCIPAL_TAG_PREFIX) :], values[0])
            for name, values in attributes.items()
            if name.startswith(PRINCIPAL_TAG_PREFIX) and values
        ),
        amr=attributes.get(AMR_ATTRIBUTE, ()),
        issue_instant=_time(body.get("IssueInstant"), "IssueInstant"),
        not_on_or_after=_time(
            confirmation.get("NotOnOrAfter") or conditions.get("NotOnOrAfter"), "NotOnOrAfter"
        ),
        authn_instant=_time(authn.get("AuthnInstant"), "AuthnInstant"),
        authn_context=_text(
            authn, "saml:AuthnContext/saml:AuthnContextClassRef", "AuthnContextClassRef"
        ),
        audience=_text(
            conditions, "saml:AudienceRestriction/saml:Audience", "AudienceRestriction Audience"
        ),
        recipient=confirmation.get("Recipient", ""),
        response_id=root.get("ID", ""),
        assertion_id=body.get("ID", ""),
    )
    validate(assertion)
    return assertion


def _attributes(body: ET.Element) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for attribute in body.iterfind("saml:AttributeStatement/saml:Attribute", _NAMESPACES):
        name = attribute.get("Name", "")
        values = tuple(
            (value.text or "").strip()
            for value in attribute.iterfind("saml:AttributeValue", _NAMESPACES)
        )
        found[name] = found.get(name, ()) + values
    return found


def assertion_used_mfa(saml_response_b64: str | bytes) -> bool:
    """Whether the response says the user signed in with MFA: aws:MultiFactorAuthPresent for
    the session AssumeRoleWithSAML issues with it. A response that cannot be read is no proof of
    MFA (False), as failing closed requires."""
    try:
        return parse_assertion(saml_response_b64).used_mfa
    except SamlError:
        return False


def lifetime(issued: datetime, minutes: int = 5) -> tuple[datetime, datetime]:
    """IssueInstant and NotOnOrAfter of a fresh assertion: IdPs give bearer assertions a few
    minutes to be presented."""
    return issued, issued + timedelta(minutes=minutes)
