"""Which ``Accept-Encoding`` headers let us answer with gzip."""

from __future__ import annotations

import pytest

from api.gzip_body import accepts_gzip


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", True),  # Chromium
        ("gzip, deflate", True),  # httpx, curl --compressed
        ("GZIP", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("*", True),
        ("x-gzip", True),
        (None, False),
        ("", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("*;q=1, gzip;q=0", False),  # gzip named and refused: the wildcard does not bring it back
        ("gzip;q=oops", False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected
