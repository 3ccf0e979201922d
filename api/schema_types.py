r"""Parameter types whose OpenAPI says exactly what the code accepts (one definition each).

``IsoDate``: only ``YYYY-MM-DD`` (pydantic's lax date would take ``0`` as 1970-01-01, so
``POST /api/v1/plans {"date": 0}`` planned a day in 1970). ``RowId``: a positive bigint (a
larger number reached PostgreSQL and failed there with a 500).

Query values that are lists travel as one comma-separated string (``status=received,done``,
what the staff pages and their links send); their patterns are built here from the same
vocabularies the parsers check against, so the schema and the code cannot drift apart.
Patterns use ``[0-9]`` and explicit character classes, never ``\d`` or ``\s``, whose meaning
differs between Python, the Rust regex of pydantic and the ECMA 262 regex of JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Final, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MAX_ROW_ID: Final = 2**63 - 1
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What str.strip() removes (str.isspace), spelled out for every regex dialect.
WHITESPACE: Final = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_BLANK: Final = f"[^{WHITESPACE}]"  # unanchored: somewhere a character strip() keeps
DECIMAL_ID: Final = r"[0-9]{1,17}"  # a row id as the staff filters accept it (below 10**17)
LONGITUDE: Final = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
LATITUDE: Final = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
BBOX: Final = f"^{LONGITUDE},{LATITUDE},{LONGITUDE},{LATITUDE}$"


def iso_date_only(value: object) -> object:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)  # ValueError for a day that does not exist
    raise ValueError("date must be a string YYYY-MM-DD")


def one_of(values: Iterable[str]) -> str:
    """A regex group matching exactly one of ``values`` (longest first, escaped)."""
    alternatives = sorted(set(values), key=lambda v: (-len(v), v))
    return "(?:" + "|".join(re.escape(v) for v in alternatives) + ")"


def exactly(item: str) -> str:
    """The anchored pattern of a single value."""
    return f"^{item}$"


def comma_list(item: str) -> str:
    """The anchored pattern of one or more ``item`` separated by commas (no spaces)."""
    return f"^{item}(?:,{item})*$"


class StrictBody(BaseModel):
    """A JSON body validated as its schema says: ``true`` is no number, ``"5"`` no integer.

    Pydantic's lax mode turned ``{"time_limit_s": true}`` into a one-second plan and
    ``{"item_id": "7"}`` into item 7, requests the schema calls invalid.
    """

    model_config = ConfigDict(strict=True)


IsoDate = Annotated[dt.date, BeforeValidator(iso_date_only)]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
RowIdItem = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
# geo.models.bulky.PAYMENT_STATUSES, as a type the schema shows as an enum (a test keeps the two
# equal; workflow still refuses anything else, for callers that are not this API).
PaymentStatus = Literal["unpaid", "ticket", "paid_online"]
