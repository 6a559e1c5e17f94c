"""What a request claims about its signature: who signed it, for which scope and when; read
from the Authorization header or from a presigned query string."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

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

_CREDENTIAL_IN_HEADER = re.compile(r"Credential=([^,\s]*)")


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
    request carries no parseable SigV4 credential (unsigned, SigV2, malformed)."""
    credential: str | None = None
    authorization = request.header("authorization")
    if authorization is not None:
        found = _CREDENTIAL_IN_HEADER.search(authorization)
        credential = found.group(1) if found else None
    else:
        credential = query_params(request.query_string).get("X-Amz-Credential")
    if credential is None:
        return None
    parts = credential.split("/")
    if len(parts) != 5 or not parts[3]:
        return None
    return parts[3], parts[2]


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
    return Claim(
        family=family,
        presigned=presigned,
        access_key_id=access_key,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=fields[prefix + "SignedHeaders"],
        signature=fields[prefix + "Signature"],
        amz_date=amz_date,
        signed_at=signed_at,
        expires=expires,
        token=token,
    )


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
            family, AuthFailure.MALFORMED, message, _s3_malformed(S3_MSG_CREDENTIAL, presigned)
        )
    access_key, scope_date, region, service, terminator = parts
    if not access_key:
        raise fail(
            family,
            AuthFailure.UNKNOWN_KEY,
            MSG_INVALID_TOKEN,
            _s3_malformed(
                "a non-empty Access Key (AKID) must be provided in the credential.", presigned
            ),
        )
    if terminator != TERMINATOR:
        raise fail(
            family,
            AuthFailure.SIGNATURE_MISMATCH,
            "Credential should be scoped with a valid terminator: "
            f"'{TERMINATOR}', not '{terminator}'.",
            _s3_malformed(
                f'incorrect terminal "{terminator}". This endpoint uses "{TERMINATOR}".',
                presigned,
            ),
        )
    if scope_date != amz_date[:8]:
        raise fail(
            family,
            AuthFailure.SIGNATURE_MISMATCH,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
            _s3_malformed(
                f'Invalid credential date "{scope_date}". '
                f'This date is not the same as X-Amz-Date: "{amz_date[:8]}".',
                presigned,
            ),
        )
    return access_key, scope_date, region, service


def _s3_malformed(problem: str, presigned: bool) -> Answer:
    if presigned:
        message = "Error parsing the X-Amz-Credential parameter; " + problem
        return Answer("AuthorizationQueryParametersError", 400, message)
    message = "The authorization header is malformed; " + problem
    return Answer("AuthorizationHeaderMalformed", 400, message)
