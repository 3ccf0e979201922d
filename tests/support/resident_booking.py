"""HTTP helpers for the web booking ``/r/bulky``: post the form as a browser does, read answers."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import Engine, text

from tests.support.bulky import ExtraDay, item_id
from tests.support.resident_web import form_token


def booking_fields(client: httpx.Client, day: ExtraDay, **changes: Any) -> dict[str, Any]:
    """A valid web booking on ``day`` (two たんす), as the form's fields."""
    fields: dict[str, Any] = {
        "lon": f"{day.lon:.6f}",
        "lat": f"{day.lat:.6f}",
        "address_line": "１－２－３　柏ハイツ１０１",
        "put_out": "entrance",
        "put_out_note": "",
        "item_id": [str(item_id(client, "たんす"))],
        "quantity": ["2"],
        "service_date": day.day.isoformat(),
        "name": "柏 みどり",
        "phone": "090-1111-2222",
    }
    fields.update(changes)
    return fields


def post_booking(
    client: httpx.Client, fields: dict[str, Any], token: str | None = None
) -> httpx.Response:
    data = {"csrf_token": token if token is not None else form_token(client, "/r/bulky")}
    data.update(fields)
    return client.post("/r/bulky", data=data)


def receipt_of(client: httpx.Client, answer: httpx.Response) -> tuple[str, str]:
    """(receipt number, PIN) from the receipt page a successful booking redirects to."""
    assert answer.status_code == 303, answer.text[:800]
    assert answer.headers["location"] == "/r/bulky/done"
    done = client.get("/r/bulky/done")
    number = re.search(r'id="r-receipt-no">([^<]+)<', done.text)
    pin = re.search(r'id="r-pin">(\d+)<', done.text)
    assert number and pin, done.text[:800]
    return number.group(1), pin.group(1)


def open_booking(client: httpx.Client, receipt_no: str, pin: str) -> httpx.Response:
    token = form_token(client, "/r/bulky/open")
    return client.post(
        "/r/bulky/open", data={"receipt_no": receipt_no, "pin": pin, "csrf_token": token}
    )


def change(client: httpx.Client, action: str, **fields: str) -> httpx.Response:
    """POST ``/r/bulky/{action}`` (move or cancel) with a fresh form token."""
    token = form_token(client, "/r/bulky/open")
    return client.post(f"/r/bulky/{action}", data={"csrf_token": token, **fields})


def web_booking(engine: Engine, receipt_no: str) -> Any:
    """The booking with its report and resident, as stored."""
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT b.id, b.status, b.service_date, b.zone_id, b.fee_total_yen, r.channel, "
                "r.kind, r.status AS report_status, p.id AS resident_id, p.line_user_id, "
                "p.web_pin_hash FROM booking b JOIN report r ON r.municipality_id = "
                "b.municipality_id AND r.id = b.report_id JOIN resident p ON p.municipality_id "
                "= b.municipality_id AND p.id = b.resident_id WHERE r.receipt_no = :no"
            ),
            {"no": receipt_no},
        ).one()
