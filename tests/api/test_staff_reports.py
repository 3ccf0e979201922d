"""Staff desk API and pages: department scope, status changes, exports, CSRF, validation."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from geo.models import Photo
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import TOWN_BBOX, MadeReport, ReportFactory, csrf_of, login, scalar
from tests.support.live_server import live_server
from workflow.db import session_scope

FEATURE_KEYS = {
    "status", "kind", "category", "category_code", "channel", "receipt_no", "district",
    "created_at", "urgent", "overdue",
}  # fmt: skip


@pytest.fixture(scope="module")
def base_url(line_settings: Settings) -> Iterator[str]:
    with live_server(create_app(line_settings)) as url:
        yield url


@contextmanager
def _client(base_url: str, user: str | None = None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=10) as client:
        if user is not None:
            login(client, user, "crew-demo" if user == "crew1" else f"{user}-demo")
        yield client


@pytest.fixture()
def doro(base_url: str) -> Iterator[httpx.Client]:
    with _client(base_url, "doro") as client:
        yield client


@pytest.fixture()
def kankyo(base_url: str) -> Iterator[httpx.Client]:
    with _client(base_url, "kankyo") as client:
        yield client


@pytest.fixture()
def admin(base_url: str) -> Iterator[httpx.Client]:
    with _client(base_url, "admin") as client:
        yield client


@pytest.fixture()
def road(reports: ReportFactory) -> MadeReport:
    return reports("road_pothole", contact_name="試験 太郎")


@pytest.fixture()
def dumping(reports: ReportFactory) -> MadeReport:
    return reports("dumping", description="空き地に冷蔵庫が捨てられています。")


def _features(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/reports", params={"bbox": TOWN_BBOX, "limit": "5000", **params})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["type"] == "FeatureCollection" and body["mode"] == "points"
    return list(body["features"])


def test_kankyo_gets_403_on_a_road_report_page_and_api(
    kankyo: httpx.Client, road: MadeReport, engine: Engine
) -> None:
    page = kankyo.get(f"/staff/reports/{road.id}")
    assert page.status_code == 403 and "他の課" in page.text
    assert kankyo.get(f"/api/v1/reports/{road.id}").status_code == 403
    patch = kankyo.patch(
        f"/api/v1/reports/{road.id}",
        json={"status": "in_progress"},
        headers={"X-CSRF-Token": csrf_of(kankyo)},
    )
    assert patch.status_code == 403
    assert _status(engine, road.id) == "received"


def _status(engine: Engine, report_id: int) -> object:
    return scalar(
        engine,
        "SELECT status FROM report WHERE municipality_id = :m AND id = :id",
        m=MUNICIPALITY_ID,
        id=report_id,
    )


def test_bbox_api_never_returns_another_departments_reports(
    doro: httpx.Client, kankyo: httpx.Client, road: MadeReport, dumping: MadeReport
) -> None:
    road_view = _features(doro)
    ids = {f["id"] for f in road_view}
    assert road.id in ids and dumping.id not in ids
    assert {f["properties"]["kind"] for f in road_view} == {"road"}
    assert all(set(f["properties"]) == FEATURE_KEYS for f in road_view)
    kankyo_ids = {f["id"] for f in _features(kankyo)}
    assert dumping.id in kankyo_ids and road.id not in kankyo_ids
    grid = doro.get("/api/v1/reports", params={"bbox": TOWN_BBOX, "mode": "grid"}).json()
    assert grid["mode"] == "grid" and grid["total"] == len(road_view)


def test_map_answer_carries_no_personal_data(doro: httpx.Client, road: MadeReport) -> None:
    answer = doro.get("/api/v1/reports", params={"bbox": TOWN_BBOX, "limit": "5000"})
    assert "試験 太郎" not in answer.text and "090-0000-1234" not in answer.text
    assert road.line_user_id is not None and road.line_user_id not in answer.text


def test_crew_cannot_open_the_desk(base_url: str) -> None:
    with _client(base_url, "crew1") as crew:
        assert crew.get("/staff/map").status_code == 403
        assert crew.get("/staff/reports").status_code == 403
        assert crew.get("/api/v1/reports", params={"bbox": TOWN_BBOX}).status_code == 403


def test_anonymous_is_sent_to_login(base_url: str) -> None:
    with _client(base_url) as anonymous:
        assert anonymous.get("/staff/map").headers["location"] == "/staff/login"
        assert anonymous.get("/api/v1/reports", params={"bbox": TOWN_BBOX}).status_code == 401


def _outbox(engine: Engine, report_id: int, purpose: str) -> object:
    return scalar(
        engine,
        "SELECT count(*) FROM outbox_message WHERE municipality_id = :m AND report_id = :id "
        "AND purpose = :p",
        m=MUNICIPALITY_ID,
        id=report_id,
        p=purpose,
    )


def test_patch_changes_status_once_and_refuses_illegal_moves(
    doro: httpx.Client, road: MadeReport, engine: Engine
) -> None:
    headers = {"X-CSRF-Token": csrf_of(doro)}
    url = f"/api/v1/reports/{road.id}"
    answer = doro.patch(
        url, json={"status": "in_progress", "note": "明日補修します"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == {
        "value": "in_progress",
        "label": "作業中",
        "colour": "#ff9f0e",
    }
    assert _outbox(engine, road.id, "status_change") == 1
    illegal = doro.patch(url, json={"status": "duplicate"}, headers=headers)
    assert illegal.status_code == 409
    assert illegal.json()["allowed"] == ["done", "rejected", "received"]
    assert _outbox(engine, road.id, "status_change") == 1
    detail = doro.get(url).json()
    assert [h["to"] for h in detail["history"]] == ["received", "in_progress"]
    assert detail["history"][-1]["note"] == "明日補修します"


def test_unknown_status_is_422(doro: httpx.Client, road: MadeReport) -> None:
    answer = doro.patch(
        f"/api/v1/reports/{road.id}",
        json={"status": "closed"},
        headers={"X-CSRF-Token": csrf_of(doro)},
    )
    assert answer.status_code == 422


def test_json_and_forms_without_csrf_token_are_refused(
    doro: httpx.Client, road: MadeReport, engine: Engine
) -> None:
    assert doro.patch(f"/api/v1/reports/{road.id}", json={"status": "done"}).status_code == 403
    form = doro.post(f"/staff/reports/{road.id}/status", data={"status": "done"})
    assert form.status_code == 403
    message = doro.post(f"/api/v1/reports/{road.id}/messages", json={"body": "こんにちは"})
    assert message.status_code == 403
    assert _status(engine, road.id) == "received"
    assert _outbox(engine, road.id, "status_change") == 0


def test_status_form_with_csrf_token_works(
    doro: httpx.Client, road: MadeReport, engine: Engine
) -> None:
    token = csrf_of(doro)
    answer = doro.post(
        f"/staff/reports/{road.id}/status", data={"status": "done", "csrf_token": token}
    )
    assert answer.status_code == 303
    assert _status(engine, road.id) == "done"
    page = doro.get(f"/staff/reports/{road.id}")
    assert page.status_code == 200 and "作業中にする" in page.text


def test_followup_writes_thread_and_one_push(
    doro: httpx.Client, road: MadeReport, engine: Engine
) -> None:
    answer = doro.post(
        f"/api/v1/reports/{road.id}/messages",
        json={"body": "写真をもう一枚送っていただけますか。"},
        headers={"X-CSRF-Token": csrf_of(doro)},
    )
    assert answer.status_code == 201, answer.text
    assert _outbox(engine, road.id, "follow_up") == 1
    thread = doro.get(f"/api/v1/reports/{road.id}").json()["messages"]
    assert [m["body"] for m in thread] == ["写真をもう一枚送っていただけますか。"]


def test_followup_to_a_phone_report_is_refused(doro: httpx.Client, reports: ReportFactory) -> None:
    phone = reports(line=False)
    answer = doro.post(
        f"/api/v1/reports/{phone.id}/messages",
        json={"body": "確認しました"},
        headers={"X-CSRF-Token": csrf_of(doro)},
    )
    assert answer.status_code == 422 and answer.json()["field"] == "body"


def _csv(client: httpx.Client) -> list[list[str]]:
    answer = client.get("/api/v1/reports.csv", params={"category": "road_pothole"})
    assert answer.status_code == 200
    assert answer.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_csv_has_personal_data_only_for_admin(
    doro: httpx.Client, admin: httpx.Client, road: MadeReport
) -> None:
    staff_rows = _csv(doro)
    assert "氏名" not in staff_rows[0]
    assert any(row[0] == road.receipt_no for row in staff_rows)
    assert not any("試験 太郎" in cell for row in staff_rows for cell in row)
    admin_rows = _csv(admin)
    name_at = admin_rows[0].index("氏名")
    mine = next(row for row in admin_rows if row[0] == road.receipt_no)
    assert mine[name_at] == "試験 太郎"


def test_geojson_export_has_contact_only_for_admin(
    doro: httpx.Client, admin: httpx.Client, road: MadeReport
) -> None:
    params = {"category": "road_pothole"}
    staff = doro.get("/api/v1/reports.geojson", params=params).json()["features"]
    assert all("contact" not in f["properties"] for f in staff)
    full = admin.get("/api/v1/reports.geojson", params=params).json()["features"]
    mine = next(f for f in full if f["id"] == road.id)
    assert mine["properties"]["contact"]["name"] == "試験 太郎"


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "139,35,139.5,95", "nan,35,139,36", "1,2,3,4,5", "1e2,35,139,36"],
)
def test_bad_bbox_is_422_naming_the_field(doro: httpx.Client, bbox: str) -> None:
    answer = doro.get("/api/v1/reports", params={"bbox": bbox})
    assert answer.status_code == 422
    assert answer.json()["field"] == "bbox"


@pytest.mark.parametrize(
    ("name", "value"),
    [("status", "open"), ("kind", "x"), ("from", "2026-13-01"), ("urgent", "maybe"),
     ("district", "abc"), ("channel", "fax")],
)  # fmt: skip
def test_bad_filters_are_422_naming_the_field(doro: httpx.Client, name: str, value: str) -> None:
    answer = doro.get("/api/v1/reports", params={"bbox": TOWN_BBOX, name: value})
    assert answer.status_code == 422
    assert answer.json()["field"] == name


def test_filters_narrow_the_map(doro: httpx.Client, road: MadeReport) -> None:
    received = {f["id"] for f in _features(doro, status="received", category="road_pothole")}
    assert road.id in received
    assert road.id not in {f["id"] for f in _features(doro, status="done")}
    assert road.id not in {f["id"] for f in _features(doro, category="road_light")}
    assert road.id not in {f["id"] for f in _features(doro, bbox="139.30,35.65,139.31,35.66")}
    corners = TOWN_BBOX.split(",")
    swapped = ",".join(corners[2:] + corners[:2])  # the corners the other way round
    assert road.id in {f["id"] for f in _features(doro, bbox=swapped)}


def test_list_pages_and_sorts(doro: httpx.Client, reports: ReportFactory) -> None:
    made = [reports("road_mirror").id for _ in range(3)]
    params = {"category": "road_mirror", "sort": "created_at", "order": "asc", "per_page": "2"}
    first = doro.get("/api/v1/reports/list", params=params).json()
    assert first["total"] >= 3 and first["pages"] >= 2 and len(first["items"]) == 2
    last = doro.get("/api/v1/reports/list", params={**params, "page": str(first["pages"])})
    ids = [item["id"] for item in last.json()["items"]]
    assert made[-1] == ids[-1]
    page = doro.get("/staff/reports", params={"category": "road_mirror"})
    assert page.status_code == 200 and "CSV で書き出す" in page.text


def _stored_photo(engine: Engine, media: Path, report_id: int) -> int:
    folder = media / str(MUNICIPALITY_ID) / str(report_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "p.jpg").write_bytes(b"\xff\xd8\xff\xe0full")
    (folder / "p_thumb.jpg").write_bytes(b"\xff\xd8\xff\xe0thumb")
    with session_scope(engine) as session:
        photo = Photo(
            municipality_id=MUNICIPALITY_ID,
            report_id=report_id,
            status="stored",
            source="line",
            storage_path=f"{MUNICIPALITY_ID}/{report_id}/p.jpg",
            thumb_path=f"{MUNICIPALITY_ID}/{report_id}/p_thumb.jpg",
            content_type="image/jpeg",
        )
        session.add(photo)
        session.flush()
        return photo.id


def test_photos_only_for_the_reports_department(
    doro: httpx.Client,
    kankyo: httpx.Client,
    road: MadeReport,
    engine: Engine,
    line_settings: Settings,
) -> None:
    photo_id = _stored_photo(engine, line_settings.media_dir, road.id)
    thumb = doro.get(f"/staff/photos/{photo_id}/thumb")
    assert thumb.status_code == 200 and thumb.content.endswith(b"thumb")
    assert doro.get(f"/staff/photos/{photo_id}").content.endswith(b"full")
    assert kankyo.get(f"/staff/photos/{photo_id}").status_code == 403
    detail = doro.get(f"/api/v1/reports/{road.id}").json()
    assert detail["photos"][0]["thumbnail_url"] == f"/staff/photos/{photo_id}/thumb"
    assert detail["contact"]["name"] == "試験 太郎"
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM photo WHERE municipality_id = :m AND id = :id"),
            {"m": MUNICIPALITY_ID, "id": photo_id},
        )
