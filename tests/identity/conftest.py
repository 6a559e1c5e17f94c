"""Fixtures of the identity tests: the canonical landscape, and a moto server seeded with it.

moto's state is process-wide, so a server is started and seeded once per module (seeding takes
about ten seconds) and stopped at the module's end; no process is left behind (the server is a
thread of the test process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.backends.moto import MotoServer
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.seed import SeededLandscape, seed


@pytest.fixture(scope="session")
def landscape() -> Landscape:
    return load_landscape()


@pytest.fixture(scope="module")
def seeded(landscape: Landscape) -> Iterator[SeededLandscape]:
    server = MotoServer().start()
    try:
        # harness.seed directly rather than MotoServer.seed: only the seeded state is needed
        # here, not a snapshot to reset to.
        yield seed(landscape, server.url, reset_backend=server.clear)
    finally:
        server.clear()
        server.stop()


@pytest.fixture(scope="module")
def endpoint(seeded: SeededLandscape) -> str:
    return seeded.endpoint_url
