"""Where exactly to collect, through the staff API: asked, checked, stored per booking, shown.

A refusal names its field and leaves every row count (booking_contact included) unchanged; the
address line and put-out place show on the staff report pages only for those who may see
contacts (環境課 for its bookings, admins in exports).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from tests.support import bulky
from tests.support.bulky import booking_body, row_counts, scalar, staff_headers
from tests.support.desk import login
from workflow.bookings.place import MAX_ADDRESS_LINE_CHARS, MAX_PUT_OUT_NOTE_CHARS

base_url, client, kankyo, made = bulky.base_url, bulky.client, bulky.kankyo, bulky.made
ADDRESS_LINE = "1-2-3 コーポ立川 101"


def _refused(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], **changes: Any
) -> tuple[int, str | None]:
    """POST a booking with ``changes``; expect 422 and no row written; (status, field named)."""
    body = booking_body(client, engine, **changes)
    before = row_counts(engine)
    answer = client.post("/api/v1/bookings", json=body, headers=kankyo)
    assert answer.status_code == 422, answer.text
    assert row_counts(engine) == before
    payload = answer.json()
    if "detail" in payload:  # refused by the schema (lengths)
        return answer.status_code, str(payload["detail"][0]["loc"][-1])
    assert payload["message"], payload  # refused by the workflow: a sentence for the clerk
    return answer.status_code, payload["field"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"address_line": None}, "address_line"),
        ({"address_line": "　 "}, "address_line"),
        ({"address_line": "x" * (MAX_ADDRESS_LINE_CHARS + 1)}, "address_line"),
        ({"put_out": None}, "put_out"),
        ({"put_out": "garden"}, "put_out"),
        ({"put_out": "other", "put_out_note": "  "}, "put_out_note"),
        ({"put_out_note": "あ" * (MAX_PUT_OUT_NOTE_CHARS + 1)}, "put_out_note"),
    ],
)
def test_a_bad_address_line_or_put_out_place_is_refused_naming_the_field(
    client: httpx.Client,
    engine: Engine,
    kankyo: dict[str, str],
    changes: dict[str, Any],
    field: str,
) -> None:
    assert _refused(client, engine, kankyo, **changes) == (422, field)


def test_the_schema_documents_the_limits_and_the_places(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["BookingCreate"]
    props = schema["properties"]
    assert props["address_line"]["anyOf"][0]["maxLength"] == MAX_ADDRESS_LINE_CHARS
    assert props["put_out_note"]["anyOf"][0]["maxLength"] == MAX_PUT_OUT_NOTE_CHARS
    assert props["put_out"]["enum"] == ["entrance", "roadside", "collection_point", "other"]


def _book(client: httpx.Client, engine: Engine, kankyo: dict[str, str], **changes: Any) -> Any:
    answer = client.post("/api/v1/bookings", json=booking_body(client, engine, **changes),
                         headers=kankyo)  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


def _report_id(engine: Engine, receipt_no: str) -> int:
    return int(scalar(engine, "SELECT id FROM report WHERE receipt_no = :r", r=receipt_no))


def test_the_staff_report_pages_show_it_to_those_who_may_see_contacts(
    base_url: str, client: httpx.Client, engine: Engine, kankyo: dict[str, str], made: list[str]
) -> None:
    note = "門の右側、青いシートの下"
    booking = _book(client, engine, kankyo, put_out="other", put_out_note=note)
    made.append(booking["receipt_no"])
    assert booking["whereabouts"]["put_out_text"] == note  # 「その他」: the note is the place
    report_id = _report_id(engine, booking["receipt_no"])
    detail = client.get(f"/api/v1/reports/{report_id}", headers=kankyo).json()
    assert detail["contact"]["address_line"] == ADDRESS_LINE
    assert (detail["contact"]["put_out"], detail["contact"]["put_out_text"]) == ("other", note)
    doro = staff_headers(client, "doro", "doro-demo")
    assert client.get(f"/api/v1/reports/{report_id}", headers=doro).status_code == 403
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        page = login(browser, "kankyo", "kankyo-demo").get(f"/staff/reports/{report_id}")
    assert page.status_code == 200
    assert re.search(r"番地・建物名</dt><dd>1-2-3 コーポ立川 101<", page.text)
    assert f"出す場所</dt><dd>{note}<" in page.text


def test_exports_carry_it_for_admins_only(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], made: list[str]
) -> None:
    booking = _book(client, engine, kankyo, put_out="roadside", put_out_note=None)
    made.append(booking["receipt_no"])
    params = {"category": "bulky_pickup"}
    admin = staff_headers(client, "admin", "admin-demo")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/api/v1/reports.csv", params=params, headers=admin).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    mine = next(row for row in rows if row[0] == booking["receipt_no"])
    assert dict(zip(rows[0], mine, strict=True))["番地・建物名"] == ADDRESS_LINE
    assert dict(zip(rows[0], mine, strict=True))["出す場所"] == "敷地内の道路沿い"
    as_kankyo = client.get("/api/v1/reports.csv", params=params, headers=kankyo).text
    assert booking["receipt_no"] in as_kankyo and "コーポ立川" not in as_kankyo


def test_the_phone_entry_page_asks_for_both(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        page = login(browser, "kankyo", "kankyo-demo").get("/staff/phone-booking")
    assert page.status_code == 200
    assert f'name="address_line" maxlength="{MAX_ADDRESS_LINE_CHARS}" required' in page.text
    for code, label in (("entrance", "玄関前"), ("other", "その他")):
        assert f'<option value="{code}">{label}</option>' in page.text
    assert f'name="put_out_note" maxlength="{MAX_PUT_OUT_NOTE_CHARS}"' in page.text
