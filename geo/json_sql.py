"""SQL that builds compact JSON text (no spaces), for answers sent to browsers as they are.

``json_build_object`` writes ``{"a" : 1, "b" : 2}`` and ``json_agg`` puts ``", "`` between
elements: about 50 of the 400 bytes of a report's map feature. These build the same JSON
without them, as text, by concatenation; every value goes through ``to_json``, so strings are
escaped as JSON requires, and SQL NULL becomes ``null``.
"""

from __future__ import annotations


def value_sql(expr: str) -> str:
    """The JSON text of a SQL value: strings quoted and escaped, numbers and booleans bare."""
    return f"coalesce(to_json({expr})::text, 'null')"


def raw_sql(expr: str) -> str:
    """JSON text already made (``ST_AsGeoJSON``, or ``object_sql``), or ``null``."""
    return f"coalesce(({expr})::text, 'null')"


def object_sql(*members: tuple[str, str]) -> str:
    """A JSON object from ``(key, JSON text expression)`` pairs; keys are plain identifiers."""
    if not members:
        return "'{}'"
    parts = []
    for i, (key, json_text) in enumerate(members):
        if not key.replace("_", "").isalnum():
            raise ValueError(f"not a plain key: {key!r}")
        parts.append(f"""'{"{" if i == 0 else ","}"{key}":' || {json_text}""")
    return "(" + " || ".join(parts) + " || '}')"


def array_agg_sql(element: str, order_by: str = "") -> str:
    """An aggregate: the JSON array of ``element`` texts (``[]`` when there are no rows)."""
    order = f" ORDER BY {order_by}" if order_by else ""
    return f"'[' || coalesce(string_agg({element}, ','{order}), '') || ']'"
