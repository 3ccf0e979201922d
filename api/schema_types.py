"""Parameter types whose OpenAPI says exactly what the code accepts (one definition each).

``IsoDate``: only ``YYYY-MM-DD`` (pydantic's lax date would take ``0`` as 1970-01-01, so
``POST /api/v1/plans {"date": 0}`` planned a day in 1970). ``RowId``: a positive bigint (a
larger number reached PostgreSQL and failed there with a 500).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Final, Literal

from fastapi import Path
from pydantic import BeforeValidator

MAX_ROW_ID: Final = 2**63 - 1
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("date must be a string YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
# geo.models.bulky.PAYMENT_STATUSES, as a type the schema shows as an enum (a test keeps the two
# equal; workflow still refuses anything else, for callers that are not this API).
PaymentStatus = Literal["unpaid", "ticket", "paid_online"]
