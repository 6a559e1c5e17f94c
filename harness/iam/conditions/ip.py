"""IP address condition operators: IpAddress, NotIpAddress.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress

"The value must be in the standard CIDR format (for example, 203.0.113.0/24 or
2001:DB8:1234:5678::/64). If you specify an IP address without the associated routing prefix,
IAM uses the default prefix value of /32" (for IPv6, /128: the single address). IPv4 and IPv6
ranges may be mixed in one condition; an address only falls in ranges of its own family. A
range written with host bits set (203.0.113.7/24) means its network, as AWS reads it. A context
value that is not an IP address matches nothing, for NotIpAddress too. No policy variables.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from harness.iam.conditions.base import BaseOperator, Binder, constant, first_invalid

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# (IP version, address as an integer); a range as (version, network as an integer, mask): the
# integers make "is the address in the range" one AND and one comparison.
Address = tuple[int, int]
Range = tuple[int, int, int]


@lru_cache(maxsize=4096)
def parse_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.version, int(address)


def _range(network: Network) -> Range:
    return network.version, int(network.network_address), int(network.netmask)


def compile_ranges(values: tuple[str, ...], _variables_enabled: bool) -> Binder:
    ranges = tuple(_range(n) for n in map(parse_network, values) if n is not None)

    def test(value: str) -> bool | None:
        address = parse_address(value)
        if address is None:
            return None
        version, number = address
        # An address only falls in ranges of its own family, so IPv4 and IPv6 ranges can share
        # a list.
        for range_version, network, mask in ranges:
            if range_version == version and number & mask == network:
                return True
        return False

    return constant(test)


def validate(operator_name: str, values: Sequence[str]) -> str | None:
    bad = first_invalid(values, lambda value: parse_network(value) is not None)
    if bad is None:
        return None
    return f'IP address operator {operator_name} needs an IP address or CIDR range, got "{bad}"'


OPERATORS = (
    BaseOperator("IpAddress", compile_ranges, validate),
    BaseOperator("NotIpAddress", compile_ranges, validate, negated=True),
)
