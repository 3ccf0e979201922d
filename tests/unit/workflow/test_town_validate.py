"""What an operator may type into the town registry."""

from __future__ import annotations

import pytest

from workflow.errors import InvalidInputError
from workflow.texts.sentences import error_text
from workflow.towns import validate as v


@pytest.mark.parametrize(
    ("value", "five"),
    [("13202", "13202"), ("132021", "13202"), (" 262129 ", "26212"), ("131016", "13101")],
)
def test_codes_are_five_digits_or_six_with_the_check_digit(value: str, five: str) -> None:
    assert v.normalize_code(value) == five


@pytest.mark.parametrize("value", ["1320", "132022", "99202", "00100", "13a02", "", "1320211"])
def test_bad_codes_are_refused_with_a_sentence(value: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        v.normalize_code(value)
    assert info.value.code == "town_code_invalid"
    assert "地方公共団体コード" in error_text(info.value)


@pytest.mark.parametrize(
    ("value", "host"),
    [
        ("tachikawa.localhost", "tachikawa.localhost"),
        ("Tachikawa.LocalHost.", "tachikawa.localhost"),
        ("machi.city-kyotango.lg.jp", "machi.city-kyotango.lg.jp"),
    ],
)
def test_hosts_are_stored_in_lower_case(value: str, host: str) -> None:
    assert v.normalize_host(value) == host


@pytest.mark.parametrize(
    "value",
    [
        "http://tachikawa.localhost",
        "tachikawa.localhost:8000",
        "tachikawa.localhost/r",
        "-bad.localhost",
        "a..b",
        "127.0.0.1",
        "",
        "x" * 64 + ".jp",
        "町.localhost",
    ],
)
def test_bad_hosts_are_refused(value: str) -> None:
    with pytest.raises(InvalidInputError, match="town_host_invalid"):
        v.normalize_host(value)


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("tachikawa.localhost:8000", "tachikawa.localhost"),
        ("TACHIKAWA.localhost", "tachikawa.localhost"),
        ("[::1]:8000", None),
        ("", None),
        ("bad host", None),
    ],
)
def test_the_host_of_a_request(header: str, host: str | None) -> None:
    assert v.host_of_request(header) == host


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("https://machi.example.jp/", "https://machi.example.jp"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://example.jp/tachikawa", "https://example.jp/tachikawa"),
    ],
)
def test_public_urls(value: str, url: str) -> None:
    assert v.check_url(value) == url


@pytest.mark.parametrize(
    "value",
    [
        "machi.example.jp",
        "ftp://example.jp",
        "https://example.jp/?a=1",
        "https://user:pw@example.jp",
        "https://exa mple.jp",
        "https://example.jp:99999",
        "https://",
    ],
)
def test_bad_public_urls_are_refused(value: str) -> None:
    with pytest.raises(InvalidInputError, match="town_url_invalid"):
        v.check_url(value)


def test_basemaps() -> None:
    assert v.check_basemap("gsi") == "gsi"
    xyz = "https://tiles.example.jp/{z}/{x}/{y}.png"
    assert v.check_basemap(xyz) == xyz
    with pytest.raises(InvalidInputError) as info:
        v.check_basemap("https://tiles.example.jp/tile.png")
    assert "{z}" in error_text(info.value)


def test_names_phones_and_channel_ids() -> None:
    assert v.check_name(" 立川市 ") == "立川市"
    assert v.check_phone("042-523-2111") == "042-523-2111"
    assert v.check_channel_id("1234567890") == "1234567890"
    for check, value in (
        (v.check_name, ""),
        (v.check_name, "x" * 65),
        (v.check_prefecture, ""),
        (v.check_phone, "call us"),
        (v.check_channel_id, "12ab"),
    ):
        with pytest.raises(InvalidInputError):
            check(value)


def test_boundaries_from_geojson() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[139, 35], [139.1, 35], [139.1, 35.1], [139, 35]]],
    }
    feature = {"type": "Feature", "properties": {}, "geometry": square}
    collection = {"type": "FeatureCollection", "features": [feature]}
    for source in (square, feature, collection):
        assert v.read_boundary(source).geom_type == "MultiPolygon"
    line = {"type": "LineString", "coordinates": [[139, 35], [139.1, 35]]}
    projected = {"type": "Polygon", "coordinates": [[[0, 0], [5e5, 0], [5e5, 5e5], [0, 0]]]}
    for bad in (line, projected, {"type": "Nothing"}, {"no": "type"}):
        with pytest.raises(InvalidInputError, match="town_boundary_invalid"):
            v.read_boundary(bad)
