"""What the identity commands find on their own: the endpoint (--endpoint, else
AWS_ENDPOINT_URL, else the running `securecart up`), the running `up` serving it and the
credentials it recorded, the CA bundle, and the landscape.

Against the running `securecart up` (its state file names the endpoint), the enforcing gateway
decides every call, and `assume` signs its chains with the credentials `up` recorded (root
users, service principals, standing sessions: harness.identity.callers). Any other endpoint
knows none of those: `assume` then has nothing to sign with, and `login`'s trust is decided
here first (`check_trust`), for a backend that enforces nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.backends.state import UpState, read_state
from harness.identity import IdentityError
from harness.identity.callers import Callers
from harness.landscape.model import Landscape

if TYPE_CHECKING:
    from harness.identity.assume import TrustCheck

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
CA_BUNDLE_ENV = "AWS_CA_BUNDLE"
NO_ENDPOINT = (
    "no endpoint: pass --endpoint URL, set AWS_ENDPOINT_URL, or start one with `securecart up`"
)
NO_CALLERS = (
    "the root users', administrators' and services' credentials come from a running "
    "`securecart up`, and none is serving {endpoint}"
)

StateReader = Callable[[], UpState | None]
"""Returns the running `securecart up`'s state, None when nothing runs."""


def resolve_endpoint(
    explicit: str | None,
    environ: Mapping[str, str] | None = None,
    state_reader: StateReader = read_state,
) -> str:
    """--endpoint, else AWS_ENDPOINT_URL, else the running `securecart up`; IdentityError
    when none is known."""
    if explicit:
        return explicit.rstrip("/")
    from_env = (os.environ if environ is None else environ).get(ENDPOINT_ENV)
    if from_env:
        return from_env.rstrip("/")
    try:
        state = state_reader()
    except Exception as error:  # a reader should not raise; if it does, say so
        raise IdentityError(f"{NO_ENDPOINT} (reading its state failed: {error})") from error
    if state is None:
        raise IdentityError(NO_ENDPOINT)
    return state.endpoint_url.rstrip("/")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The endpoint a command talks to, and the running `securecart up` serving it (if any)."""

    url: str
    up: UpState | None = None
    ca_bundle: str | None = None

    @property
    def gateway(self) -> bool:
        """The enforcing gateway answers here: it decides trust, not the client."""
        return self.up is not None and self.up.gateway

    def trust_check(self) -> TrustCheck | None:
        from harness.identity.assume import check_trust

        return None if self.gateway else check_trust

    def callers(self) -> Callers:
        missing = NO_CALLERS.format(endpoint=self.url)
        if self.up is None:
            return Callers(missing=missing)
        try:
            return Callers.from_json(self.up.callers)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise IdentityError(f"the state of `securecart up` is unreadable: {error}") from error


def resolve(
    explicit: str | None,
    ca_bundle: str | None = None,
    environ: Mapping[str, str] | None = None,
    state_reader: StateReader = read_state,
) -> Endpoint:
    """The endpoint (`resolve_endpoint`), the running `up` if it serves that endpoint, and the
    CA bundle: --ca-bundle, else AWS_CA_BUNDLE, else the running `up`'s for its HTTPS one."""
    environ = os.environ if environ is None else environ
    url = resolve_endpoint(explicit, environ, state_reader)
    try:
        state = state_reader()
    except Exception:
        state = None
    up = state if state is not None and state.serves(url) else None
    bundle = ca_bundle or environ.get(CA_BUNDLE_ENV) or None
    if bundle is None and up is not None and url.startswith("https:"):
        bundle = up.ca_bundle
    return Endpoint(url, up, bundle)


def resolve_landscape_dir(
    explicit: Path | None, state_reader: StateReader = read_state
) -> Path | None:
    """--landscape, else the running `securecart up`'s, else None (the default landscape)."""
    if explicit is not None:
        return explicit
    try:
        state = state_reader()
    except Exception:
        return None
    return Path(state.landscape_dir) if state is not None else None


def load(directory: Path | None) -> Landscape:
    """The landscape of `directory` (the default one when None); IdentityError when it
    does not load."""
    from harness.landscape.errors import InvalidLandscape
    from harness.landscape.loader import load_landscape

    try:
        return load_landscape(directory)
    except InvalidLandscape as error:
        raise IdentityError(f"the landscape is invalid:\n{error}") from error
    except OSError as error:
        raise IdentityError(f"cannot read the landscape: {error}") from error
