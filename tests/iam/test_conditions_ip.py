"""IpAddress and NotIpAddress.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
("The value must be in the standard CIDR format (for example, 203.0.113.0/24 or
2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing prefix,
IAM uses the default prefix value of /32.")
"""

from __future__ import annotations

import pytest

from harness.iam.conditions import conditions_match, validate_condition_values
from harness.iam.context import ContextKeys
from harness.iam.policy import Condition

MIXED = ("203.0.113.0/24", "2001:DB8:1234:5678::/64")  # the documented IPv4 + IPv6 example


def holds(operator: str, values: tuple[str, ...], context: str | None) -> bool:
    keys = ContextKeys({} if context is None else {"aws:SourceIp": context})
    condition = Condition(operator, "aws:SourceIp", values)
    return conditions_match([condition], keys, variables_enabled=True)


# (operator, policy values, context value or None for missing, expected)
CASES = [
    # The documented example: "the request must come from the IP range 203.0.113.0 to
    # 203.0.113.255".
    ("IpAddress", ("203.0.113.0/24",), "203.0.113.0", True),
    ("IpAddress", ("203.0.113.0/24",), "203.0.113.255", True),
    ("IpAddress", ("203.0.113.0/24",), "203.0.114.0", False),
    ("IpAddress", ("203.0.113.0/24",), "203.0.112.255", False),
    # "The aws:SourceIp key is always present ... except when the requester uses a VPC
    # endpoint ... In this case, the condition returns false".
    ("IpAddress", ("203.0.113.0/24",), None, False),
    # A single address means /32 (or /128 for IPv6).
    ("IpAddress", ("203.0.113.7",), "203.0.113.7", True),
    ("IpAddress", ("203.0.113.7",), "203.0.113.8", False),
    ("IpAddress", ("2001:db8::1",), "2001:DB8:0:0:0:0:0:1", True),
    ("IpAddress", ("2001:db8::1",), "2001:db8::2", False),
    # The mixed IPv4/IPv6 example; IPv6 in any notation and case.
    ("IpAddress", MIXED, "203.0.113.9", True),
    ("IpAddress", MIXED, "2001:db8:1234:5678::abcd", True),
    ("IpAddress", MIXED, "2001:DB8:1234:5678:FFFF:FFFF:FFFF:FFFF", True),
    ("IpAddress", MIXED, "2001:db8:1234:5679::1", False),
    ("IpAddress", MIXED, "198.51.100.1", False),
    # An address only falls in ranges of its own family.
    ("IpAddress", ("0.0.0.0/0",), "2001:db8::1", False),
    ("IpAddress", ("::/0",), "203.0.113.1", False),
    ("IpAddress", ("0.0.0.0/0",), "203.0.113.1", True),
    # Host bits set in the range: the network is meant.
    ("IpAddress", ("203.0.113.77/24",), "203.0.113.1", True),
    # NotIpAddress: "All IP addresses except the specified IP address or range".
    ("NotIpAddress", ("203.0.113.0/24",), "198.51.100.1", True),
    ("NotIpAddress", ("203.0.113.0/24",), "203.0.113.1", False),
    ("NotIpAddress", MIXED, "2001:db8:1234:5678::1", False),
    ("NotIpAddress", MIXED, "2001:db8:ffff::1", True),
    # Negated: true when the key is absent (the VPC-endpoint case).
    ("NotIpAddress", ("203.0.113.0/24",), None, True),
    # A context value that is not an address matches nothing, for NotIpAddress too.
    ("IpAddress", ("0.0.0.0/0",), "localhost", False),
    ("NotIpAddress", ("203.0.113.0/24",), "localhost", False),
    # An empty value is null — an absent key — not a non-address: NotIpAddress holds.
    ("NotIpAddress", ("203.0.113.0/24",), "", True),
    ("IpAddress", ("0.0.0.0/0",), "", False),
    ("IpAddressIfExists", ("203.0.113.0/24",), "", True),
    # IfExists.
    ("IpAddressIfExists", ("203.0.113.0/24",), None, True),
    ("IpAddressIfExists", ("203.0.113.0/24",), "198.51.100.1", False),
    ("NotIpAddressIfExists", ("203.0.113.0/24",), None, True),
    ("NotIpAddressIfExists", ("203.0.113.0/24",), "203.0.113.5", False),
]


@pytest.mark.parametrize(("operator", "values", "context", "expected"), CASES)
def test_ip_operators(
    operator: str, values: tuple[str, ...], context: str | None, expected: bool
) -> None:
    assert holds(operator, values, context) is expected


def test_no_policy_variables_in_ip() -> None:
    # "You can not use a policy variable with the IpAddress condition operator."
    message = validate_condition_values("IpAddress", "aws:SourceIp", ["${aws:SourceIp}"])
    assert message is not None


@pytest.mark.parametrize(
    "value", ["203.0.113.0/24", "203.0.113.7", "2001:DB8:1234:5678::/64", "::1", "10.0.0.0/8"]
)
def test_ranges_are_accepted(value: str) -> None:
    assert validate_condition_values("NotIpAddress", "aws:SourceIp", [value]) is None


@pytest.mark.parametrize(
    "value", ["203.0.113.0/33", "203.0.113", "256.0.0.1", "example.com", "", "2001:db8::/129"]
)
def test_non_ranges_are_rejected(value: str) -> None:
    message = validate_condition_values("IpAddress", "aws:SourceIp", ["10.0.0.0/8", value])
    assert message == (
        f'IP address operator IpAddress needs an IP address or CIDR range, got "{value}"'
    )
