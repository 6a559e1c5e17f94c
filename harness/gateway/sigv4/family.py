"""Which service a request is for, and which family of errors answers it: S3's, the query
services', EC2's, or the JSON services' (JSON, REST-JSON).

The service is found the way the gateway routes the request (`protocol.detect_service`, with
the credential scope's signing name as the strongest clue), so that authentication answers for
the same service the gateway then authorises and the backend executes: a request is anonymous
only if it is S3's by that routing, not because it merely looks like a REST call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.gateway.protocol import HttpRequest, detect_service, protocol_for
from harness.gateway.services import service_catalog, service_model
from harness.gateway.sigv4.failures import ErrorFamily
from harness.gateway.sigv4.request import HeaderMap, SignedRequest

# Signing names whose requests S3 authenticates (S3's errors, S3's canonical URI).
S3_SERVICES = frozenset({"s3", "s3-object-lambda"})
# The one service that serves anonymous requests: "Every interaction with Amazon S3 is either
# authenticated or anonymous"; everywhere else a request without credentials is refused.
# https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
# https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html (MissingAuthenticationToken)
ANONYMOUS_SERVICES = frozenset({"s3"})

_PROTOCOL_FAMILIES = {
    "query": ErrorFamily.QUERY,
    "ec2": ErrorFamily.EC2,
    "rest-xml": ErrorFamily.QUERY,
    "json": ErrorFamily.JSON,
    "smithy-rpc-v2-cbor": ErrorFamily.JSON,
    "rest-json": ErrorFamily.REST_JSON,
}


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The service a request is for (botocore's name; None when the router cannot tell) and
    the family of errors it answers with."""

    service: str | None
    family: ErrorFamily

    @property
    def anonymous_allowed(self) -> bool:
        return self.service in ANONYMOUS_SERVICES

    def accepts_scope(self, signing_name: str) -> bool:
        """Whether a credential scoped to `signing_name` is one for this service. AWS refuses
        any other ("Credential should be scoped to correct service: 'sns'."). Unknown services
        are not checked here: the gateway refuses them before authenticating."""
        if self.service is None:
            return True
        if signing_name in S3_SERVICES and self.family is ErrorFamily.S3:
            return True
        return self.service in _services_signing_as(signing_name)

    @property
    def signing_name(self) -> str | None:
        return _signing_name(self.service) if self.service is not None else None


def endpoint_of(
    request: SignedRequest, signing_name: str | None, protocol: str | None = None,
    routed: str | None = None,
) -> Endpoint:
    """The service `request` is routed to, given the signing name of its credential scope (or
    the gateway's hint), and its error family; `protocol` (botocore's name) overrides the
    protocol the request is found to speak. `routed` is the service the gateway already routed
    this request to, with the same signing name: the router is not asked twice."""
    service = routed if routed is not None else _routed_service(request, signing_name)
    try:
        if service is not None:
            return Endpoint(service, _service_family(service, request, protocol))
        if signing_name is not None and protocol is None:
            return Endpoint(None, _signing_name_family(signing_name, request))
    except Exception:  # a model that cannot be loaded: answer by the request's shape
        pass
    return Endpoint(service, error_family(signing_name, request.headers, protocol))


def error_family(
    service: str | None, headers: Mapping[str, str], protocol: str | None = None
) -> ErrorFamily:
    """The family of errors a service answers with, without routing: S3 by signing name, then
    the botocore protocol name when the caller knows it, then the request's shape (X-Amz-Target
    or an application/x-amz-json content type mark a JSON service), else the query family."""
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


def _routed_service(request: SignedRequest, signing_name: str | None) -> str | None:
    try:
        return detect_service(_http(request), signing_name)
    except Exception:  # the router has no error contract: anything means "unknown"
        return None


def _service_family(service: str, request: SignedRequest, protocol: str | None) -> ErrorFamily:
    """S3 (and S3 Control, which signs as S3) answer as S3; EC2 as EC2. A former query service
    speaking JSON (SQS) keeps its query error codes, which the client reads from the
    x-amzn-query-error header.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
    """
    if _signing_name(service) in S3_SERVICES:
        return ErrorFamily.S3
    spoken = protocol or protocol_for(_http(request), service)
    if spoken == "ec2":
        return ErrorFamily.EC2
    if service_model(service, spoken).is_query_compatible:
        return ErrorFamily.QUERY
    return _PROTOCOL_FAMILIES.get(spoken, ErrorFamily.QUERY)


def _signing_name_family(signing_name: str, request: SignedRequest) -> ErrorFamily:
    """The family of the services signing as `signing_name`, when the router could not route
    the request (a header it cannot read): theirs if they agree, else the request's shape."""
    families = {
        _service_family(service, request, None) for service in _services_signing_as(signing_name)
    }
    if len(families) == 1:
        return families.pop()
    return error_family(signing_name, request.headers)


def _signing_name(service: str) -> str:
    return str(service_model(service).signing_name)


def _services_signing_as(signing_name: str) -> frozenset[str]:
    try:
        found = service_catalog().by_signing_name(signing_name)
    except Exception:  # a name the catalogue does not know signs for no service
        return frozenset()
    return frozenset(str(identifier.name) for identifier in found)


def _http(request: SignedRequest) -> HttpRequest:
    host = request.header("host") or ""
    return HttpRequest(
        request.method, request.path, request.query_string, request.headers, request.body, host
    )
