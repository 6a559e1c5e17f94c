"""boto3 clients from one shared botocore session.

Every new botocore session has its own loader, which reads and parses the service's model
files again (endpoints.json alone is ~1 MB of JSON): about 0.15 s per client. The harness makes
a client per persona per scenario, so clients come from one session whose loader caches the
models. botocore sessions are not thread-safe, and the gateway serves from threads: creating a
client holds a lock (the clients themselves are thread-safe).
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html#multithreading-or-multiprocessing-with-clients
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_LOCK = threading.Lock()


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
