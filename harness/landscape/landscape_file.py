"""landscape.yaml: the landscape's name and description, its regions and the service
principals it adds to the known ones."""

from __future__ import annotations

from harness.landscape.model import Regions
from harness.landscape.nodes import Node, unique
from harness.landscape.principals import KNOWN_SERVICE_PRINCIPALS


def read_landscape_file(top: Node) -> tuple[str, str, Regions, frozenset[str]]:
    """(name, description, regions, service principals) of landscape.yaml."""
    top.fields(required=("name", "regions"), optional=("description", "service_principals"))
    name = top.text("name", "landscape") or "landscape"
    service_principals = KNOWN_SERVICE_PRINCIPALS | {
        value for _, value in top.texts("service_principals")
    }
    description = top.text("description", "") or ""
    return name, description, _read_regions(top.at("regions")), service_principals


def _read_regions(node: Node) -> Regions:
    home = "us-east-1"
    allowed: tuple[str, ...] = (home,)
    if node.value is not None and node.fields(required=("home", "allowed")):
        home = node.text("home", home) or home
        listed = node.texts("allowed")
        if node.has("allowed") and not listed:
            node.at("allowed").error("the region allow-list is empty")
        unique(listed, "region")
        allowed = tuple(value for _, value in listed) or allowed
        if node.has("home") and home not in allowed:
            node.at("home").error(
                f"home region '{home}' is not in regions.allowed ({', '.join(allowed)})"
            )
    return Regions(home=home, allowed=allowed)
