"""The LocalStack backend: LocalStack for the services it serves, embedded moto for those
LocalStack community lacks, behind one served endpoint.

    server = LocalStackServer(choose(LocalStackOptions(), log_dir))
    server.start(); seed_server(server, landscape)  # harness.stack
    ...; server.reset(); server.stop()

It is a MotoServer whose app is a `ServiceRouter` (harness.backends.router): the same serving
(loopback, HTTPS), readiness gate, seeding and gateway as the moto backend; snapshot, reset and
clear act on both emulators. Its ports open once LocalStack answers its health check, and then
answer 503 until the landscape is seeded and the gateway in front.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.backends.http_backend import HttpBackend
from harness.backends.localstack import LOCALSTACK_VERSION, MOTO_SERVICES, LocalStack
from harness.backends.moto import LOOPBACK, MotoServer
from harness.backends.readiness import BackendInfo
from harness.backends.router import ServiceRouter

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication



_ACTIVE: list[LocalStackServer] = []
"""The running LocalStack servers of this process (moto's state is the process's)."""


def _trail_checks_in_localstack() -> None:
    """moto's CreateTrail looks for the trail's bucket (and topic) in its own S3 and SNS; with
    LocalStack they are LocalStack's, which the seeder created first. While a LocalStack server
    runs, the checks are left to the seeder's order; otherwise moto's own checks run."""
    from moto.cloudtrail.models import Trail

    if getattr(Trail, "_securecart_patched", False):
        return
    bucket_check, topic_check = Trail.check_bucket_exists, Trail.check_topic_exists

    def check_bucket_exists(trail: Trail) -> None:
        if not _ACTIVE:
            bucket_check(trail)

    def check_topic_exists(trail: Trail) -> None:
        if not _ACTIVE:
            topic_check(trail)

    Trail.check_bucket_exists = check_bucket_exists  # type: ignore[method-assign,assignment]
    Trail.check_topic_exists = check_topic_exists  # type: ignore[method-assign,assignment]
    Trail._securecart_patched = True  # type: ignore[attr-defined]


class LocalStackServer(MotoServer):
    def __init__(self, localstack: LocalStack, host: str = LOOPBACK, port: int = 0,
                 tls_port: int | None = None, quiet: bool = True,
                 enforcing: bool = False) -> None:
        self.localstack = localstack
        self.http = HttpBackend(localstack.url, localstack.describe)
        self._localstack_running = False
        super().__init__(host=host, port=port, quiet=quiet, tls_port=tls_port,
                         front=self._route, enforcing=enforcing)

    def _route(self, moto: WSGIApplication) -> WSGIApplication:
        return ServiceRouter(self.http, moto, frozenset(MOTO_SERVICES))

    def start(self) -> LocalStackServer:
        _trail_checks_in_localstack()
        if not self._localstack_running:
            self.localstack.start()
            self._localstack_running = True
            _ACTIVE.append(self)
        try:
            super().start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        # Stopping empties moto (see MotoServer.stop); LocalStack is stopped instead (a given
        # endpoint is the user's, left as it is).
        running, self._localstack_running = self._localstack_running, False
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        try:
            super().stop()
        finally:
            if running:
                self.localstack.stop()
            self.http.close()

    def snapshot(self) -> None:
        super().snapshot()
        self.localstack.snapshot()

    def reset(self) -> None:
        if self._localstack_running:
            if self._snapshot is None:
                self.localstack.clear()
            else:
                self.localstack.restore()
        super().reset()

    def clear(self) -> None:
        if self._localstack_running:
            self.localstack.clear()
        super().clear()

    def describe(self) -> str:
        return self.localstack.describe()

    def backend_info(self) -> BackendInfo:
        # The version the harness pins and starts; a given endpoint is expected to be it.
        return BackendInfo("localstack", LOCALSTACK_VERSION)
