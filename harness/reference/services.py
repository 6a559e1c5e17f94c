"""The services of AWS's Service Authorization Reference."""

from __future__ import annotations

from functools import cache

from harness.reference.loader import load


@cache
def services() -> frozenset[str]:
    """Every service prefix of the reference, lower-cased."""
    return frozenset(name.lower() for name in load("services.json"))


@cache
def rcp_services() -> frozenset[str]:
    """Services whose resources resource control policies restrict."""
    return frozenset(load("rcpSupportedServices.json"))
