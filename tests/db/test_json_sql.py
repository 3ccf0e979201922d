"""Compact JSON built in SQL: what PostgreSQL returns parses to the values put in."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text

from geo.json_sql import array_agg_sql, object_sql, raw_sql, value_sql

pytestmark = pytest.mark.db

TRICKY = 'a "quoted" \\ back\nslash\t羽衣町 </script>'


def _one(engine: Engine, sql: str, **params: object) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text(sql), params).scalar_one())


def test_values_are_escaped_and_null_becomes_null(engine: Engine) -> None:
    member = object_sql(
        ("name", value_sql("CAST(:s AS text)")),
        ("missing", value_sql("CAST(NULL AS text)")),
        ("n", value_sql("CAST(42 AS bigint)")),
        ("x", value_sql("round(CAST(139.4291934 AS numeric), 6)")),
        ("ok", value_sql("true")),
        ("shape", raw_sql("ST_AsGeoJSON(ST_SetSRID(ST_MakePoint(139.5, 35.25), 4326), 6)")),
        ("none", raw_sql("CAST(NULL AS text)")),
        ("inner", object_sql(("flag", value_sql("false")))),
    )
    out = _one(engine, f"SELECT {member}", s=TRICKY)
    assert json.loads(out) == {
        "name": TRICKY, "missing": None, "n": 42, "x": 139.429193, "ok": True,
        "shape": {"type": "Point", "coordinates": [139.5, 35.25]}, "none": None,
        "inner": {"flag": False},
    }  # fmt: skip
    # Compact: no space outside the strings (json_build_object writes '"a" : 1, "b" : 2').
    assert " : " not in out and ", " not in out.replace(TRICKY, "")


def test_the_array_keeps_order_and_is_empty_without_rows(engine: Engine) -> None:
    element = object_sql(("i", value_sql("i")))
    agg = array_agg_sql(element, "i DESC")
    out = _one(engine, f"SELECT {agg} FROM generate_series(1, 3) AS i")
    assert out == '[{"i":3},{"i":2},{"i":1}]'
    assert _one(engine, f"SELECT {agg} FROM generate_series(1, 0) AS i") == "[]"


def test_a_key_that_is_not_a_plain_name_is_refused() -> None:
    with pytest.raises(ValueError, match="not a plain key"):
        object_sql(("a' || pg_sleep(1) || '", value_sql("1")))
    assert object_sql() == "'{}'"
