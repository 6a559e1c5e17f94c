"""Fixtures of the identity tests: the canonical landscape, and the harness running it —
moto seeded with it behind the enforcing gateway (`harness.stack.Stack`), over HTTPS.

moto's state is process-wide, so a stack is started once per module (seeding takes about ten
seconds) and stopped at the module's end; no process is left behind (the servers are threads of
the test process). The TLS certificate is made once per test session, in a temporary cache
folder rather than the developer's ~/.cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.seeding.context import SeededLandscape
from harness.stack import Stack


@pytest.fixture(scope="session")
def landscape() -> Landscape:
    return load_landscape()


@pytest.fixture(scope="module")
def stack(landscape: Landscape, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
        with Stack(landscape) as running:
            yield running


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> SeededLandscape:
    return stack.seeded


@pytest.fixture(scope="module")
def endpoint(stack: Stack) -> str:
    """The HTTPS endpoint (verify with `stack.verify`)."""
    return stack.url
