"""What reaches the backend is the request the gateway authorised, readable one way only.

The gateway reads a request with LocalStack's parsers; the backend reads it again with its own
code, which looks in other places: moto takes the operation from a URL `Action` before the
`X-Amz-Target` header, reads a form body before the URL, parses a JSON body as a query string
when the URL has none, and falls back to the headers; moto's S3 picks an operation by the first
subresource key it tests. Wherever two readings can differ, an attacker asks the gateway for
one operation and has the backend run another. So:

- `check_one_reading` refuses what cannot be made unambiguous (parameters given both in the URL
  and in a form body, a subresource key of another operation, a copy source on a request that
  is no copy), with the error AWS gives for such a request;
- `backend_environ` takes from the forwarded request what the gateway did not read (a URL query
  of a JSON-protocol call, an `X-Amz-Target` of a protocol that has none, an `Action` header),
  writes the `X-Amz-Target` of the operation authorised, and names the operation and service in
  the WSGI environ (harness.backends.AUTHORISED_OPERATION, AUTHORISED_SERVICE): keys a client
  cannot set (its headers arrive as HTTP_*), which the in-process moto backend executes.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel

from harness.backends import AUTHORISED_OPERATION, AUTHORISED_SERVICE
from harness.gateway.protocol import HttpRequest, ParsedOperation, ProtocolError
from harness.gateway.services import service_model

# The query parameters of a presigned SigV4 request: they authenticate, they select nothing.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
_SIGNING_PARAMETERS = frozenset({
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
})
_FORM = "application/x-www-form-urlencoded"
_COPY_SOURCE = "x-amz-copy-source"


def check_one_reading(http: HttpRequest, parsed: ParsedOperation) -> None:
    """Raise `ProtocolError` for a request a backend could read as another operation, or with
    other parameters, than the gateway did."""
    query = parse_qsl(http.query_string, keep_blank_values=True)
    if parsed.protocol in ("query", "ec2"):
        _one_source_of_parameters(query, http, parsed)
    elif parsed.protocol in ("rest-json", "rest-xml"):
        routes = _routes(parsed.service, parsed.protocol, parsed.operation)
        _no_subresource_of_another_operation(query, routes, parsed)
        _copy_source_only_on_copies(http, routes, parsed)


def backend_environ(environ: MutableMapping[str, Any], parsed: ParsedOperation) -> None:
    """Make the forwarded request say what the gateway read, and nothing else."""
    for name in [name for name in environ if name.upper() in ("HTTP_ACTION", "HTTP_X_AMZ_TARGET")]:
        del environ[name]
    if parsed.protocol == "json":
        # The target names the operation; nothing else of a JSON-protocol call may.
        model = service_model(parsed.service, parsed.protocol)
        environ["HTTP_X_AMZ_TARGET"] = f"{model.metadata['targetPrefix']}.{parsed.operation}"
        environ["QUERY_STRING"] = ""
        _drop_query_from_request_uri(environ)
    elif parsed.protocol in ("rest-json", "rest-xml"):
        environ["QUERY_STRING"] = "&".join(
            pair for pair in str(environ.get("QUERY_STRING", "")).split("&")
            if pair.split("=", 1)[0] != "Action")
        _drop_query_from_request_uri(environ, keep=environ["QUERY_STRING"])
    environ[AUTHORISED_OPERATION] = parsed.operation
    environ[AUTHORISED_SERVICE] = parsed.service


# --------------------------------------------------------------------------- query protocols


def _one_source_of_parameters(query: list[tuple[str, str]], http: HttpRequest,
                              parsed: ParsedOperation) -> None:
    """A query-protocol request gives its parameters in the URL or in a form body, each once.
    LocalStack reads the URL first, moto the body first: a parameter in both, or twice, would
    be read differently."""
    in_url = [name for name, _ in query if name not in _SIGNING_PARAMETERS]
    in_body = [name for name, _ in _form(http)]
    if in_url and in_body:
        raise _combination(parsed, f"parameters are given both in the URL ({_names(in_url)}) "
                                   f"and in the body ({_names(in_body)})")
    repeated = [name for name, count in Counter(in_url + in_body).items() if count > 1]
    if repeated:
        raise _combination(parsed, f"{_names(repeated)} given more than once")


def _form(http: HttpRequest) -> list[tuple[str, str]]:
    content_type = http.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != _FORM or not http.body:
        return []
    return parse_qsl(http.body.decode("utf-8", "replace"), keep_blank_values=True)


def _combination(parsed: ParsedOperation, why: str) -> ProtocolError:
    # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
    return ProtocolError("InvalidParameterCombination",
                         f"Parameters that must not be used together were used together: {why}.",
                         service=parsed.service, protocol=parsed.protocol)


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(set(names)))


# --------------------------------------------------------------------------- REST protocols


@dataclass(frozen=True, slots=True)
class _Routes:
    """What selects an operation of a REST service, and what the operation itself takes."""

    foreign_keys: frozenset[str]
    """Query keys other operations are routed by, which this one neither routes by nor takes."""
    headers: frozenset[str]
    """The headers the operation's input binds (lower case)."""


@functools.cache
def _routes(service: str, protocol: str, operation: str) -> _Routes:
    model = service_model(service, protocol)
    own = _literal_query(model.operation_model(operation))
    bound = _query_members(model.operation_model(operation))
    return _Routes(frozenset(_subresource_keys(model) - set(own) - bound),
                   frozenset(_header_members(model.operation_model(operation))))


def _no_subresource_of_another_operation(query: list[tuple[str, str]], routes: _Routes,
                                         parsed: ParsedOperation) -> None:
    """`PUT /bucket?acl&policy` is PutBucketAcl to one reader and PutBucketPolicy to another:
    a request may carry only the subresource keys of its own operation."""
    foreign = sorted({name for name, _ in query} & routes.foreign_keys)
    wrong_id = [value for name, value in query if name == "x-id" and value != parsed.operation]
    if foreign or wrong_id:
        named = foreign or [f"x-id={value}" for value in wrong_id]
        raise _invalid_request(parsed, f"the request names the subresource "
                                       f"{', '.join(named)} of another operation than "
                                       f"{parsed.operation}")


def _copy_source_only_on_copies(http: HttpRequest, routes: _Routes,
                                parsed: ParsedOperation) -> None:
    """moto copies an object whenever the header is there; a PutObject with a copy source
    would be authorised as a write and run as a read of the source."""
    if _COPY_SOURCE in http.headers and _COPY_SOURCE not in routes.headers:
        raise _invalid_request(parsed, f"{parsed.operation} takes no {_COPY_SOURCE} header")


def _invalid_request(parsed: ParsedOperation, why: str) -> ProtocolError:
    # S3's error for a request whose parts do not go together.
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
    code = "InvalidRequest" if parsed.service == "s3" else "ValidationException"
    return ProtocolError(code, why[0].upper() + why[1:] + ".", service=parsed.service,
                         protocol=parsed.protocol)


def _literal_query(operation: OperationModel) -> dict[str, str]:
    """The query keys written into the operation's requestUri (`?acl`, `?list-type=2`)."""
    uri = str(operation.http.get("requestUri", ""))
    _, _, query = uri.partition("?")
    return dict(parse_qsl(query, keep_blank_values=True)) if query else {}


def _query_members(operation: OperationModel) -> set[str]:
    shape = operation.input_shape
    if shape is None:
        return set()
    return {str(member.serialization.get("name", name))
            for name, member in shape.members.items()
            if member.serialization.get("location") == "querystring"}


def _header_members(operation: OperationModel) -> set[str]:
    shape = operation.input_shape
    if shape is None:
        return set()
    return {str(member.serialization.get("name", name)).lower()
            for name, member in shape.members.items()
            if member.serialization.get("location") == "header"}


def _subresource_keys(model: ServiceModel) -> set[str]:
    """Every query key some operation of the service is routed by (x-id aside: its value says
    which operation, and is checked on its own)."""
    keys: set[str] = set()
    for name in model.operation_names:
        keys |= set(_literal_query(model.operation_model(name)))
    return keys - {"x-id"}


def _drop_query_from_request_uri(environ: MutableMapping[str, Any], keep: str = "") -> None:
    """Servers that keep the request line pass it on too (RAW_URI, REQUEST_URI): it must carry
    the same query as QUERY_STRING."""
    for key in ("RAW_URI", "REQUEST_URI"):
        if key in environ:
            path = str(environ[key]).split("?", 1)[0]
            environ[key] = f"{path}?{keep}" if keep else path
