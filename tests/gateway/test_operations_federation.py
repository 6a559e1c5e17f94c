"""Federated AssumeRole calls: the keys a trust policy sees, read from the SAML assertion or the
OIDC token; and the reference lookups (harness.reference) the mapping stands on."""

from __future__ import annotations

import base64
import json

from harness import reference
from harness.gateway.operations import authorization_requests

ROLE = "arn:aws:iam::111111111111:role/Developer"
PROVIDER = "arn:aws:iam::111111111111:saml-provider/AWSSSO_securecart_DO_NOT_DELETE"
ISSUER = "https://idp.securecart.test/saml"

ASSERTION = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
    xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
  <saml:Assertion>
    <saml:Issuer>{ISSUER}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml:NameID>
      <saml:SubjectConfirmation>
        <saml:SubjectConfirmationData Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>alice@securecart.test</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:team">
        <saml:AttributeValue>orders</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""


def test_assume_role_with_saml_keys() -> None:
    params = {
        "RoleArn": ROLE,
        "PrincipalArn": PROVIDER,
        "SAMLAssertion": base64.b64encode(ASSERTION.encode()).decode(),
    }
    assume, tag = authorization_requests(
        "sts", "AssumeRoleWithSAML", params, region="us-east-1", account="111111111111"
    )
    assert (assume.action, assume.resource) == ("sts:AssumeRoleWithSAML", ROLE)
    assert assume.resource_policy_required
    assert assume.key("saml:aud") == ("https://signin.aws.amazon.com/saml",)
    assert assume.key("saml:iss") == (ISSUER,)
    assert assume.key("saml:sub") == ("alice",)
    assert assume.key("saml:sub_type") == ("persistent",)
    assert assume.key("saml:doc") == ("111111111111/AWSSSO_securecart_DO_NOT_DELETE",)
    assert assume.key("sts:RoleSessionName") == ("alice@securecart.test",)
    assert assume.key("aws:RequestTag/team") == ("orders",)
    assert (tag.action, tag.resource) == ("sts:TagSession", ROLE)


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_assume_role_with_web_identity_keys() -> None:
    token = _jwt(
        {
            "iss": "https://token.actions.githubusercontent.com",
            "aud": "sts.amazonaws.com",
            "sub": "repo:securecart/app:ref:refs/heads/main",
        }
    )
    (request,) = authorization_requests(
        "sts",
        "AssumeRoleWithWebIdentity",
        {"RoleArn": ROLE, "RoleSessionName": "ci", "WebIdentityToken": token},
        region="us-east-1",
        account="111111111111",
    )
    assert request.key("token.actions.githubusercontent.com:aud") == ("sts.amazonaws.com",)
    assert request.key("token.actions.githubusercontent.com:sub") == (
        "repo:securecart/app:ref:refs/heads/main",
    )


def test_reference_action_and_templates() -> None:
    action = reference.action("s3", "getbucketcors")
    assert action is not None and action.qualified == "s3:GetBucketCORS"
    role = reference.resource_type("iam", "role")
    assert role is not None
    assert role.matches("arn:aws:iam::111111111111:role/app/orders")
    assert not role.matches("arn:aws:iam::111111111111:user/alice")
    bucket = reference.resource_type("s3", "bucket")
    assert bucket is not None and not bucket.matches("arn:aws:s3:::b/key")


def test_reference_supported_keys() -> None:
    keys = reference.supported_keys("rds", "CreateDBInstance", "db")
    assert reference.key_supported("rds:StorageEncrypted", keys)
    assert reference.key_supported("aws:RequestTag/team", keys)
    assert not reference.key_supported("s3:prefix", keys)
