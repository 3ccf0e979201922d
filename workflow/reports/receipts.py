"""Human receipt numbers such as ``R-2026-000042``, unique per municipality."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

PREFIX_BY_KIND = {"road": "R", "disaster": "D", "bulky": "B", "other": "O"}


def next_receipt_no(session: Session, municipality_id: int, kind: str, year: int) -> str:
    """Allocate the next receipt number for ``kind`` in ``year`` (row-locked counter).

    Args:
        session: session inside the caller's transaction; the counter row stays locked
            until it commits, so two reports never get the same number.
        municipality_id: tenant.
        kind: report kind (road, disaster, bulky, other).
        year: calendar year in Asia/Tokyo.
    """
    prefix = PREFIX_BY_KIND[kind]
    value = session.execute(
        text(
            "INSERT INTO receipt_counter (municipality_id, prefix, year, last_value) "
            "VALUES (:m, :p, :y, 1) ON CONFLICT (municipality_id, prefix, year) "
            "DO UPDATE SET last_value = receipt_counter.last_value + 1 RETURNING last_value"
        ),
        {"m": municipality_id, "p": prefix, "y": year},
    ).scalar_one()
    return f"{prefix}-{year}-{int(value):06d}"
