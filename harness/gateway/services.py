"""The catalogue of AWS service models the gateway parses and answers with.

Everything here comes from localstack-core: its spec loader (botocore's models plus the specs
LocalStack keeps itself, such as SQS's older query protocol) and its service catalogue, which the
service router (`localstack.aws.protocol.service_router`) consults to tell services apart.

LocalStack builds the catalogue's index by loading all ~450 service models, which takes seconds.
It caches that index in its own data directory, which a library user does not have; we cache it
instead under the user's cache directory (XDG), keyed by the localstack-core and botocore versions,
so only the first process on a machine pays for it. A cache that cannot be read or written is
rebuilt in memory: the cache is a speed-up, never a source of truth.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, cast

import botocore
from botocore.model import OperationModel, ServiceModel
from localstack.aws.spec import (
    LazyServiceCatalogIndex,
    ProtocolName,
    ServiceCatalog,
    ServiceCatalogIndex,
    ServiceModelIdentifier,
    load_service,
)
from localstack.version import __version__ as localstack_version

# Protocols a service speaks besides those its botocore model lists. SQS's model lists only
# `json`, but older SDKs (and many non-botocore clients) still send the query protocol, which
# LocalStack ships as its own spec ('sqs-query').
_EXTRA_PROTOCOLS: dict[str, tuple[str, ...]] = {"sqs": ("query",)}

_INDEX_FIELDS = (
    "service_names",
    "target_prefix_index",
    "signing_name_index",
    "operations_index",
    "endpoint_prefix_index",
)

_lock = threading.Lock()


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    name = f"service-index-ls{localstack_version}-botocore{botocore.__version__}.json"
    return Path(base) / "securecart-harness" / name


def _identifier(raw: list[Any]) -> ServiceModelIdentifier:
    name, protocol, protocols = raw
    return ServiceModelIdentifier(name, protocol, tuple(protocols) if protocols else None)


def _index_to_json(index: ServiceCatalogIndex | LazyServiceCatalogIndex) -> dict[str, Any]:
    data: dict[str, Any] = {"service_names": list(index.service_names)}
    for field in _INDEX_FIELDS[1:]:
        mapping: dict[str, list[ServiceModelIdentifier]] = getattr(index, field)
        data[field] = {key: [list(ident) for ident in ids] for key, ids in mapping.items()}
    return data


def _index_from_json(data: dict[str, Any]) -> ServiceCatalogIndex:
    indexes = {
        field: {key: [_identifier(raw) for raw in ids] for key, ids in data[field].items()}
        for field in _INDEX_FIELDS[1:]
    }
    return ServiceCatalogIndex(service_names=list(data["service_names"]), **indexes)


def _read_cache(path: Path) -> ServiceCatalogIndex | None:
    try:
        return _index_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    # Write to a temporary file and rename it, so that a concurrent reader (pytest-xdist
    # workers starting together) sees either no cache or a whole one.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


@functools.cache
def service_catalog() -> ServiceCatalog:
    """LocalStack's service catalogue, with its index read from (or written to) our cache."""
    with _lock:
        path = _cache_file()
        index = _read_cache(path)
        if index is None:
            data = _index_to_json(LazyServiceCatalogIndex())
            _write_cache(path, data)
            index = _index_from_json(data)
        return ServiceCatalog(index)


def service_model(service: str, protocol: str | None = None) -> ServiceModel:
    """The model of `service` (a botocore service name) in `protocol` (default: its own).

    The same object is returned each time: LocalStack caches its parsers and serialisers per
    model object. Raises botocore's UnknownServiceError (or LocalStack's
    UnknownServiceProtocolError).
    """
    default = _load(service, None)
    if protocol is None or protocol == default.protocol:
        return default
    return _load(service, protocol)


@functools.cache
def _load(service: str, protocol: str | None) -> ServiceModel:
    return load_service(service, protocol=cast("ProtocolName | None", protocol))


def protocols_of(service: str) -> tuple[str, ...]:
    """Every protocol `service` may be spoken in, the one botocore speaks first.

    Of a model's several protocols botocore picks by its own preference (CloudWatch: JSON, though
    the model lists CBOR first); that is the best guess for a client that gave no other sign.
    """
    model = service_model(service)
    listed = model.metadata.get("protocols") or [model.protocol]
    try:
        preferred = str(model.resolved_protocol)
    except Exception:  # a model botocore itself could not speak
        preferred = str(model.protocol)
    ordered = [preferred, *listed, *_EXTRA_PROTOCOLS.get(service, ())]
    return tuple(dict.fromkeys(ordered))


def operation_model(model: ServiceModel, operation: str | None) -> OperationModel:
    """The model of `operation`, or of a representative one when it is unknown.

    Error serialisers need an operation only for service-wide facts (XML namespace, protocol);
    an operation that demands a Content-MD5 on its responses is avoided so that none is added.
    """
    if operation and operation in model.operation_names:
        return model.operation_model(operation)
    for name in model.operation_names:
        candidate = model.operation_model(name)
        if not candidate.http_checksum_required:
            return candidate
    return model.operation_model(model.operation_names[0])


def preload(services: tuple[str, ...] = ()) -> None:
    """Build the catalogue and load the given services' models now, not on the first request."""
    catalog = service_catalog()
    _ = catalog.signing_name_index
    for service in services:
        for protocol in protocols_of(service):
            service_model(service, protocol)
