"""boto3 clients from one shared botocore session.

Every new botocore session has its own loader, which reads and parses the service's model
files again (endpoints.json alone is ~1 MB of JSON): about 0.15 s per client. The harness makes
a client per persona per scenario, so clients come from one session whose loader caches the
models. botocore sessions are not thread-safe, and the gateway serves from threads: creating a
client holds a lock (the clients themselves are thread-safe).
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html#multithreading-or-multiprocessing-with-clients

Even so a client costs ~10 ms to make, and each has its own connection pool: a new client is a
new TLS handshake with the endpoint. `shared_client` keeps the most recently used clients, one
per service, region, endpoint and credentials; whoever holds the same keys gets the same client.
A handler registered on a shared client acts for every holder: register only what holds for all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cache
from typing import Any

_LOCK = threading.Lock()
SHARED_CLIENTS = 32
"""How many shared clients a process keeps (the least recently used goes first)."""
_SHARED: OrderedDict[tuple[object, ...], Any] = OrderedDict()


@cache
def _session() -> Any:
    import boto3
    import botocore.session
    from botocore.configprovider import ConstantProvider

    core = botocore.session.Session()
    # Pin the profile: the harness's commands run as an AWS CLI credential_process, where
    # AWS_PROFILE may name the very profile that runs them; credentials here are always explicit.
    core.get_component("config_store").set_config_provider("profile", ConstantProvider(None))
    return boto3.Session(botocore_session=core)


def botocore_session() -> Any:
    """The shared botocore session (for its service models; make clients with make_client)."""
    return _session()._session


def make_client(service: str, *, region: str, **options: Any) -> Any:
    """`boto3.client(service, region_name=region, **options)` from the shared session; the
    options should name the credentials (aws_access_key_id, …) so none are looked up."""
    with _LOCK:
        return _session().client(service, region_name=region, **options)


def shared_client(service: str, *, region: str, endpoint_url: str, verify: str | bool | None,
                  config: Any, **keys: str) -> Any:
    """`make_client` for callers that register no event handlers: the process's client for
    these arguments (`keys`: aws_access_key_id, aws_secret_access_key, aws_session_token),
    made on first use. `config` must be the same object for every call of one caller (it is
    part of the key by identity: botocore's Config is not hashable)."""
    key = (service, region, endpoint_url, verify, id(config), *sorted(keys.items()))
    with _LOCK:
        found = _SHARED.get(key)
        if found is not None:
            _SHARED.move_to_end(key)
            return found
    made = make_client(service, region=region, endpoint_url=endpoint_url, verify=verify,
                       config=config, **keys)
    with _LOCK:
        found = _SHARED.setdefault(key, made)
        _SHARED.move_to_end(key)
        while len(_SHARED) > SHARED_CLIENTS:
            _SHARED.popitem(last=False)
    return found
