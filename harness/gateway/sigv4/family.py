"""Which family of errors a request is answered with: S3's, the query services', EC2's, or
the JSON services'."""

from __future__ import annotations

from collections.abc import Mapping

from harness.gateway.sigv4.claim import request_scope
from harness.gateway.sigv4.failures import ErrorFamily
from harness.gateway.sigv4.query import form_params
from harness.gateway.sigv4.request import HeaderMap, SignedRequest

# Signing names whose requests S3 authenticates (S3's errors, S3's canonical URI, anonymous OK).
S3_SERVICES = frozenset({"s3", "s3-object-lambda"})

_PROTOCOL_FAMILIES = {
    "query": ErrorFamily.QUERY,
    "ec2": ErrorFamily.EC2,
    "rest-xml": ErrorFamily.QUERY,
    "json": ErrorFamily.JSON,
    "smithy-rpc-v2-cbor": ErrorFamily.JSON,
    "rest-json": ErrorFamily.REST_JSON,
}


def error_family(
    service: str | None, headers: Mapping[str, str], protocol: str | None = None
) -> ErrorFamily:
    """The family of errors a service answers with: S3 by signing name, then the botocore
    protocol name when the caller knows it, then the request's shape (X-Amz-Target or an
    application/x-amz-json content type mark a JSON service), else the query family."""
    if service in S3_SERVICES:
        return ErrorFamily.S3
    if service == "ec2":
        return ErrorFamily.EC2
    if protocol in _PROTOCOL_FAMILIES:
        return _PROTOCOL_FAMILIES[protocol]
    lookup = headers if isinstance(headers, HeaderMap) else HeaderMap(headers)
    content_type = lookup.get("content-type", "").lower()
    if "x-amz-target" in lookup or content_type.startswith("application/x-amz-json"):
        return ErrorFamily.JSON
    return ErrorFamily.QUERY


def guess_family(
    request: SignedRequest,
    params: Mapping[str, str],
    service: str | None,
    protocol: str | None,
) -> ErrorFamily:
    """The credential scope names the service; failing that the gateway's hints; failing both,
    the request's shape: JSON or a query API call (Action=…), else S3 (whose REST requests
    carry nothing that names the service)."""
    scoped = request_scope(request)
    if scoped is not None:
        return error_family(scoped[0], request.headers, protocol)
    if service is not None or protocol is not None:
        return error_family(service, request.headers, protocol)
    family = error_family(None, request.headers)
    if family is ErrorFamily.QUERY and not _looks_like_query_api(request, params):
        return ErrorFamily.S3
    return family


def _looks_like_query_api(request: SignedRequest, params: Mapping[str, str]) -> bool:
    return "Action" in params or "Action" in form_params(request)
