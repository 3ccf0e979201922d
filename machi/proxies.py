"""Trusted reverse proxies (``MACHI_TRUSTED_PROXIES``) and the real client address behind them.

``X-Forwarded-For`` is believed only when the direct peer is one of our proxies, and then only
up to the first hop that is not ours: a client can put anything in the header, but each of our
proxies appends the address it saw, so walking from the right the first untrusted address is
the one our outermost proxy was talking to. Pure values: no web framework here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import TypeAlias

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str | Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDRs, comma- or space-separated (or a list) -> networks.

    Raises:
        ValueError: an entry is not an IP address or network.
    """
    entries = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def is_trusted(host: str, proxies: Sequence[Network]) -> bool:
    """True when ``host`` is an address inside one of the trusted networks."""
    address = _address(host)
    return address is not None and any(address in network for network in proxies)


def real_client(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client address to key limits on.

    Args:
        peer: the direct TCP peer's address.
        forwarded_for: every ``X-Forwarded-For`` header value, in the order received.
        proxies: the trusted proxies; empty means no header is believed.
    """
    if not is_trusted(peer, proxies):
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    client = peer
    for hop in reversed(hops):
        if _address(hop) is None:
            break  # garbage: stop at the last address a trusted proxy vouched for
        client = hop
        if not is_trusted(hop, proxies):
            break
    return client
