"""What a request claims about its signature: who signed it, for which scope and when; read
from the Authorization header or from a presigned query string."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from harness.gateway.sigv4.authorization import strict_components, valid_signed_headers
from harness.gateway.sigv4.canonical import TERMINATOR, header_names
from harness.gateway.sigv4.failures import (
    MSG_INVALID_TOKEN,
    S3_MSG_CREDENTIAL,
    Answer,
    AuthFailure,
    ErrorFamily,
    fail,
)
from harness.gateway.sigv4.query import query_params
from harness.gateway.sigv4.request import SignedRequest

_CREDENTIAL_IN_HEADER = re.compile(r"(?<![A-Za-z])Credential=([^,\s]*)", re.IGNORECASE)
# What a region's name looks like (us-east-1, ap-southeast-2, us-gov-west-1, eusc-de-east-1).
# Anything else is refused before it reaches the backend, which would take it as a region, or
# its key-finding expression as an access key.
# https://docs.aws.amazon.com/general/latest/gr/rande.html#regional-endpoints
_REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}")
# What a signing name looks like (s3, execute-api, sso); which one the request's service signs
# with is checked once the service is known (`family.Endpoint.accepts_scope`).
_SERVICE = re.compile(r"[a-z][a-z0-9-]{0,62}")


@dataclass(frozen=True, slots=True)
class Claim:
    """A request's signature, once parsed and checked for shape (not yet verified)."""

    family: ErrorFamily
    presigned: bool
    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: str
    signature: str
    amz_date: str
    signed_at: datetime
    expires: int | None
    token: str | None

    @property
    def scope(self) -> str:
        return f"{self.scope_date}/{self.region}/{self.service}/{TERMINATOR}"

    @property
    def header_names(self) -> list[str]:
        return header_names(self.signed_headers)


def request_scope(request: SignedRequest) -> tuple[str, str] | None:
    """(service, region) of the credential scope, without verifying anything; None when the
    request carries no parseable SigV4 credential (unsigned, SigV2, malformed).

    A header in the one layout (`authorization.strict_components`) is read as the gateway
    verifies it; any other is refused by `authenticate`, and its first `Credential=` only says
    in which service's words.
    """
    credential: str | None = None
    authorization = request.header("authorization")
    if authorization is not None:
        credential = _header_credential(authorization)
    else:
        credential = query_params(request.query_string).get("X-Amz-Credential")
    if credential is None:
        return None
    parts = credential.split("/")
    if len(parts) != 5 or not parts[3]:
        return None
    return parts[3], parts[2]


def _header_credential(authorization: str) -> str | None:
    strict = strict_components(authorization)
    if strict is not None:
        return strict["Credential"]
    # A header naming several credentials is refused whichever it meant; it names no scope
    # here, so that no reader's choice among them (the first, the last) steers the routing.
    found = _CREDENTIAL_IN_HEADER.findall(authorization)
    return str(found[0]) if len(found) == 1 else None


def read_claim(
    family: ErrorFamily,
    fields: Mapping[str, str],
    amz_date: str,
    signed_at: datetime,
    *,
    presigned: bool,
    expires: int | None,
    token: str | None,
) -> Claim:
    """The claim of the Credential, SignedHeaders and Signature in `fields`: the components of
    the Authorization header, or the parameters of a presigned query (named X-Amz-…)."""
    prefix = "X-Amz-" if presigned else ""
    access_key, scope_date, region, service = _parse_credential(
        fields[prefix + "Credential"], amz_date, family, presigned=presigned
    )
    signed_headers = fields[prefix + "SignedHeaders"]
    _check_signed_headers(signed_headers, family, presigned=presigned)
    return Claim(
        family=family,
        presigned=presigned,
        access_key_id=access_key,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed_headers,
        signature=fields[prefix + "Signature"],
        amz_date=amz_date,
        signed_at=signed_at,
        expires=expires,
        token=token,
    )


def _check_signed_headers(signed_headers: str, family: ErrorFamily, *, presigned: bool) -> None:
    """Lower-case header names separated by semicolons, as the documentation has them."""
    if valid_signed_headers(signed_headers):
        return
    message = (
        "SignedHeaders must be lower-case header names separated by semicolons, "
        f"not '{signed_headers}'."
    )
    s3 = s3_malformed(f'the SignedHeaders "{signed_headers}" are malformed.', presigned)
    raise fail(family, AuthFailure.MALFORMED, message, s3)


def _parse_credential(
    credential: str, amz_date: str, family: ErrorFamily, *, presigned: bool
) -> tuple[str, str, str, str]:
    """AKID/YYYYMMDD/region/service/aws4_request → (akid, date, region, service)."""
    parts = credential.split("/")
    if len(parts) != 5:
        message = (
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
        raise fail(
            family, AuthFailure.MALFORMED, message, s3_malformed(S3_MSG_CREDENTIAL, presigned)
        )
    access_key, scope_date, region, service, terminator = parts
    if not access_key:
        raise fail(
            family,
            AuthFailure.UNKNOWN_KEY,
            MSG_INVALID_TOKEN,
            s3_malformed(
                "a non-empty Access Key (AKID) must be provided in the credential.", presigned
            ),
        )
    if terminator != TERMINATOR:
        raise fail(
            family,
            AuthFailure.SIGNATURE_MISMATCH,
            "Credential should be scoped with a valid terminator: "
            f"'{TERMINATOR}', not '{terminator}'.",
            s3_malformed(
                f'incorrect terminal "{terminator}". This endpoint uses "{TERMINATOR}".',
                presigned,
            ),
        )
    _check_region(region, family, presigned=presigned)
    _check_service(service, family, presigned=presigned)
    if scope_date != amz_date[:8]:
        raise fail(
            family,
            AuthFailure.SIGNATURE_MISMATCH,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
            s3_malformed(
                f'Invalid credential date "{scope_date}". '
                f'This date is not the same as X-Amz-Date: "{amz_date[:8]}".',
                presigned,
            ),
        )
    return access_key, scope_date, region, service


def _check_region(region: str, family: ErrorFamily, *, presigned: bool) -> None:
    """A region's name, as AWS words a scope it does not serve ("Credential should be scoped to
    a valid region, not 'us-east-2'.", SignatureDoesNotMatch)."""
    if _REGION.fullmatch(region):
        return
    raise fail(
        family,
        AuthFailure.SIGNATURE_MISMATCH,
        f"Credential should be scoped to a valid region, not '{region}'.",
        s3_malformed(f"the region '{region}' is wrong.", presigned),
    )


def _check_service(service: str, family: ErrorFamily, *, presigned: bool) -> None:
    if _SERVICE.fullmatch(service):
        return
    raise fail(
        family,
        AuthFailure.SIGNATURE_MISMATCH,
        f"Credential should be scoped to a valid service, not '{service}'.",
        s3_malformed(f'incorrect service "{service}".', presigned),
    )


def s3_malformed(problem: str, presigned: bool) -> Answer:
    """S3's answer to a credential (or SignedHeaders) it cannot take."""
    if presigned:
        message = "Error parsing the X-Amz-Credential parameter; " + problem
        return Answer("AuthorizationQueryParametersError", 400, message)
    message = "The authorization header is malformed; " + problem
    return Answer("AuthorizationHeaderMalformed", 400, message)
