"""Condition keys of federated AssumeRole calls, read from the SAML assertion or the OIDC token
the caller presents (the trust policy decides on them). Nothing is verified here: the gateway's
authentication step checks signatures; this only says what the assertion claims.

SAML keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml
and https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml_assertions.html
OIDC keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import xml.etree.ElementTree as ElementTree
from typing import Any

from harness.gateway.operations.params import ParameterError

_SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
_AWS_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/"
_PRINCIPAL_TAG = _AWS_ATTRIBUTE + "PrincipalTag:"
# Attribute names (friendly, or the OID AWS documents) → saml: key.
_SAML_ATTRIBUTES: dict[str, str] = {
    "urn:oid:2.5.4.3": "saml:cn",
    "urn:oid:0.9.2342.19200300.100.1.3": "saml:mail",
    "urn:oid:0.9.2342.19200300.100.1.1": "saml:uid",
    "urn:oid:2.5.4.42": "saml:givenName",
    "urn:oid:2.5.4.4": "saml:surname",
    "urn:oid:2.5.4.45": "saml:x500UniqueIdentifier",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "saml:edupersonaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.2": "saml:edupersonnickname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.5": "saml:edupersonprimaryaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.6": "saml:edupersonprincipalname",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.7": "saml:edupersonentitlement",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.9": "saml:edupersonscopedaffiliation",
    "urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "saml:edupersontargetedid",
}
_NAME_ID_FORMATS = {
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient",
}

Keys = list[tuple[str, tuple[str, ...]]]


def _assertion(encoded: str) -> ElementTree.Element:
    try:
        document = base64.b64decode(encoded, validate=False)
        return ElementTree.fromstring(document)
    except (binascii.Error, ElementTree.ParseError, ValueError) as error:
        raise ParameterError(f"SAMLAssertion is not a base64 SAML document ({error})") from error


def saml_keys(encoded: str, provider_arn: str) -> tuple[Keys, list[tuple[str, str]]]:
    """The saml: keys of an assertion, and the session tags it passes (PrincipalTag:…)."""
    root = _assertion(encoded)
    keys: dict[str, list[str]] = {}
    issuer = root.find(f".//{_SAML}Issuer")
    if issuer is not None and issuer.text:
        keys["saml:iss"] = [issuer.text.strip()]
    name_id = root.find(f".//{_SAML}Subject/{_SAML}NameID")
    if name_id is not None and name_id.text:
        keys["saml:sub"] = [name_id.text.strip()]
        form = name_id.get("Format", "")
        keys["saml:sub_type"] = [_NAME_ID_FORMATS.get(form, form)]
    confirmation = root.find(f".//{_SAML}SubjectConfirmationData")
    if confirmation is not None and confirmation.get("Recipient"):
        # saml:aud is the Recipient the assertion is presented to, not its Audience.
        keys["saml:aud"] = [confirmation.get("Recipient", "")]
    account, _, provider = provider_arn.partition(":saml-provider/")
    account = account.rsplit(":", 1)[-1]
    if provider:
        keys["saml:doc"] = [f"{account}/{provider}"]
        if "saml:iss" in keys:
            digest = hashlib.sha1((keys["saml:iss"][0] + account + "/" + provider).encode())
            keys["saml:namequalifier"] = [base64.b64encode(digest.digest()).decode("ascii")]
    tags: list[tuple[str, str]] = []
    for attribute in root.iter(f"{_SAML}Attribute"):
        name = attribute.get("Name", "")
        values = [v.text or "" for v in attribute.iter(f"{_SAML}AttributeValue")]
        if name.startswith(_PRINCIPAL_TAG):
            tags.extend((name[len(_PRINCIPAL_TAG) :], value) for value in values[:1])
        elif name == _AWS_ATTRIBUTE + "RoleSessionName" and values:
            keys["sts:RoleSessionName"] = values[:1]
        elif name == _AWS_ATTRIBUTE + "SourceIdentity" and values:
            keys["sts:SourceIdentity"] = values[:1]
        elif name in _SAML_ATTRIBUTES:
            keys[_SAML_ATTRIBUTES[name]] = values
    return [(key, tuple(values)) for key, values in keys.items()], tags


def _claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ParameterError("WebIdentityToken is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError) as error:
        raise ParameterError(f"WebIdentityToken's payload is not JSON ({error})") from error
    if not isinstance(claims, dict):
        raise ParameterError("WebIdentityToken's payload is not a JSON object")
    return claims


def web_identity_keys(token: str) -> Keys:
    """<provider>:aud, :sub, :amr (and :oaud, for an azp/aud pair) of an OIDC token; the
    provider is the issuer without its scheme."""
    claims = _claims(token)
    issuer = str(claims.get("iss", "")).removeprefix("https://")
    if not issuer:
        raise ParameterError("WebIdentityToken has no issuer")
    keys: Keys = []
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience] if audience else []
    if claims.get("azp"):
        # With azp, AWS's :aud is the azp and :oaud the token's aud.
        keys.append((f"{issuer}:aud", (str(claims["azp"]),)))
        keys.append((f"{issuer}:oaud", tuple(str(a) for a in audiences)))
    elif audiences:
        keys.append((f"{issuer}:aud", tuple(str(a) for a in audiences)))
    if claims.get("sub"):
        keys.append((f"{issuer}:sub", (str(claims["sub"]),)))
    amr = claims.get("amr")
    if amr:
        methods = amr if isinstance(amr, list) else [amr]
        keys.append((f"{issuer}:amr", tuple(str(method) for method in methods)))
    return keys
