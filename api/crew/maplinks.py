"""Links from a crew stop page to a map of its point: the phone's map app, our map, GSI.

Coordinates are (lat, lon) in EPSG:4326, as the ``geo:`` URI (RFC 5870) writes them.
"""

from __future__ import annotations

from urllib.parse import quote


def geo_uri(lat: float, lon: float, label: str) -> str:
    """A ``geo:`` URI that opens the phone's map app with a pin named ``label`` at the point.

    Android reads the ``q=lat,lon(label)`` query (a bare ``geo:lat,lon`` only centres the
    map); the label is percent-encoded, so Japanese text and brackets survive.
    """
    at = f"{lat:.6f},{lon:.6f}"
    return f"geo:{at}?q={at}({quote(label, safe='')})"


def gsi_url(lat: float, lon: float) -> str:
    """The point on 地理院地図 (needs the internet; our own map does not)."""
    return f"https://maps.gsi.go.jp/#18/{lat:.6f}/{lon:.6f}/"
