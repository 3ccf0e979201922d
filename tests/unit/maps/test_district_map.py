"""District choropleth: colour classes, legend, the approximate-districts note, escaping."""

from __future__ import annotations

import json

from maps.basemap import Basemap
from maps.district_map import (
    APPROXIMATE_NOTE,
    BLUES,
    EMPTY_FILL,
    DistrictValue,
    build_district_map,
    class_breaks,
    fill_colour,
    legend_rows,
)

SQUARE = json.dumps(
    {"type": "Polygon", "coordinates": [[[139.40, 35.70], [139.41, 35.70], [139.41, 35.71],
                                          [139.40, 35.70]]]}
)  # fmt: skip
BOUNDS = (139.35, 35.67, 139.46, 35.74)


def _shows(text: str, page: str) -> bool:
    """``text`` in the page as is, or as the HTML-safe JavaScript string folium writes."""
    literal = json.dumps(text)[1:-1]
    html_safe = literal.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return text in page or literal in page or html_safe in page


def test_few_distinct_counts_get_one_class_each_darkest_last() -> None:
    breaks = class_breaks([0, 2, 2, 7])
    assert breaks == [2, 7]
    assert fill_colour(0, breaks) == EMPTY_FILL
    assert fill_colour(2, breaks) == BLUES[-2] and fill_colour(7, breaks) == BLUES[-1]


def test_many_counts_get_quantile_classes_covering_the_maximum() -> None:
    counts = list(range(1, 101))
    breaks = class_breaks(counts)
    assert len(breaks) == len(BLUES) and breaks[-1] == 100
    assert breaks == sorted(breaks)
    colours = [fill_colour(n, breaks) for n in counts]
    assert colours[0] == BLUES[0] and colours[-1] == BLUES[-1]
    assert all(BLUES.index(a) <= BLUES.index(b) for a, b in zip(colours, colours[1:], strict=False))


def test_legend_rows_read_as_ranges() -> None:
    rows = legend_rows([1, 4, 9])
    assert [label for label, _ in rows] == ["0 件", "1 件", "2〜4 件", "5〜9 件"]
    assert rows[0][1] == EMPTY_FILL and rows[-1][1] == BLUES[-1]


def test_no_reports_at_all_draws_everything_white() -> None:
    assert class_breaks([0, 0]) == []
    assert fill_colour(3, []) == EMPTY_FILL


def test_map_says_districts_are_approximate_and_escapes_names() -> None:
    districts = [
        DistrictValue(1, "<script>alert(1)</script>町", SQUARE, 3, approximate=True),
        DistrictValue(2, "錦町二丁目", SQUARE, 0, approximate=True),
    ]
    parts = build_district_map(BOUNDS, Basemap(), districts)
    page = parts.header + parts.body + parts.script
    assert _shows(APPROXIMATE_NOTE, page)
    assert "<script>alert(1)" not in page and "\\u003cscript" not in page
    assert _shows("&lt;script&gt;alert(1)&lt;/script&gt;町", page)
    assert "cdn" not in parts.header.lower()  # Leaflet comes from our static files


def test_surveyed_districts_carry_no_approximation_note() -> None:
    exact = [DistrictValue(1, "一丁目", SQUARE, 1, approximate=False)]
    parts = build_district_map(BOUNDS, Basemap(), exact)
    assert not _shows(APPROXIMATE_NOTE, parts.script)
