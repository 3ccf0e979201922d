"""Crew completion: QR code on the printed worksheet -> phone page -> outcome -> LINE push.

Real server, real PostGIS, the real line-bot-sdk talking to the fake LINE server.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from PIL import Image
from sqlalchemy import Engine, text

from api.app import create_app
from api.crew.pages import crew_today
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.fakes.line_server import FakeLineServer
from tests.support.bulky_day import BookedDay, pickup_stops, plan_day, release_day
from tests.support.live_server import live_server
from tests.support.staff_login import bearer, login
from workflow.crew.links import read_stop_token, stop_token
from workflow.line.dispatcher import dispatch_due
from workflow.line.sender import LineSender, make_configuration

_STOP = (
    "SELECT b.status AS booking, rep.status AS report, res.line_user_id AS user_id, "
    "rep.receipt_no, rep.id AS report_id, s.outcome, s.outcome_note, p.status AS plan, "
    "r.started_at FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id AND "
    "r.id = s.route_id JOIN route_plan p ON p.municipality_id = r.municipality_id AND "
    "p.id = r.plan_id JOIN booking b ON b.municipality_id = s.municipality_id AND "
    "b.id = s.booking_id JOIN report rep ON rep.municipality_id = b.municipality_id AND "
    "rep.id = b.report_id JOIN resident res ON res.municipality_id = rep.municipality_id AND "
    "res.id = rep.resident_id WHERE s.id = :s"
)


@pytest.fixture(scope="module")
def crew_line() -> Iterator[FakeLineServer]:
    with FakeLineServer() as server:
        yield server


@pytest.fixture(scope="module")
def crew_settings(
    test_settings: Settings, crew_line: FakeLineServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return test_settings.model_copy(
        update={
            "line_api_base": crew_line.base_url,
            "line_channel_access_token": crew_line.token,
            "media_dir": tmp_path_factory.mktemp("crew-media"),
        }
    )


@dataclass
class Clock:
    """The app's idea of today (Asia/Tokyo): the plan day unless a test moves it."""

    day: dt.date

    @contextmanager
    def on(self, day: dt.date) -> Iterator[None]:
        kept, self.day = self.day, day
        try:
            yield
        finally:
            self.day = kept


@pytest.fixture(scope="module")
def booked(engine: Engine) -> Iterator[BookedDay]:
    planned = plan_day(engine, offset_days=45, count=9, seed=31)
    yield planned
    release_day(engine, planned.day)


@pytest.fixture(scope="module")
def clock(booked: BookedDay) -> Clock:
    return Clock(booked.day)


@pytest.fixture(scope="module")
def server(crew_settings: Settings, clock: Clock) -> Iterator[str]:
    app = create_app(crew_settings)
    app.dependency_overrides[crew_today] = lambda: clock.day  # the crews' day is the plan day
    with live_server(app) as url:
        yield url


@pytest.fixture()
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


def stop_row(engine: Engine, stop_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(_STOP), {"s": stop_id}).one()


def flush_outbox(engine: Engine, settings: Settings) -> None:
    configuration = make_configuration(settings.line_channel_access_token, settings.line_api_base)

    def now() -> dt.datetime:
        return dt.datetime.now(tz=dt.UTC)

    sender = LineSender(configuration)
    while dispatch_due(engine, sender, now, settings.municipality_id):
        pass
    sender.close()


def qr_links(pdf: bytes, folder: Path) -> list[str]:
    (folder / "sheets.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(folder / "sheets.pdf"), str(folder / "p")],
        check=True,
    )
    pages = sorted(map(str, folder.glob("p*.png")))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", *pages], capture_output=True, text=True)
    return decoded.stdout.split()


def on_server(url: str, server: str) -> str:
    return server + urlsplit(url).path  # the printed host is the public one


def pickups_id(value: tuple[int, int] | None) -> int:
    assert value is not None
    return value[1]


def mark(client: httpx.Client, path: str, outcome: str, **extra: Any) -> httpx.Response:
    return client.post(path, data={"outcome": outcome, **extra}, follow_redirects=True)


def test_qr_code_marks_the_stop_collected_and_notifies_once(
    client: httpx.Client,
    booked: BookedDay,
    engine: Engine,
    crew_settings: Settings,
    crew_line: FakeLineServer,
    tmp_path: Path,
) -> None:
    headers = bearer(client, "crew1", "crew-demo")
    pdf = client.get(f"/api/v1/plans/{booked.day}/worksheets.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    links = qr_links(pdf.content, tmp_path)
    pickups = pickup_stops(engine, booked.plan_id)
    scanned = {
        pickups_id(read_stop_token(crew_settings.secret_key, u.rsplit("/", 1)[-1])): u
        for u in links
    }
    assert sorted(scanned) == sorted(pickups)  # one readable QR per pickup, none for unloads
    stop_id = pickups[0]  # the other tests use the other stops
    path = urlsplit(on_server(scanned[stop_id], str(client.base_url))).path
    page = client.get(path)
    before = stop_row(engine, stop_id)
    assert page.status_code == 200 and before.receipt_no in page.text and "収集済" in page.text

    done = mark(client, path, "collected")
    assert done.status_code == 200 and "記録しました" in done.text
    after = stop_row(engine, stop_id)
    assert (after.outcome, after.booking, after.report) == ("collected", "collected", "done")
    flush_outbox(engine, crew_settings)
    pushes = crew_line.pushes(to=after.user_id)
    assert len(pushes) == 1 and "完了" in str(pushes[0].json["messages"])

    again = mark(client, path, "not_out")
    assert again.status_code == 200 and "記録済みです" in again.text and "収集済" in again.text
    flush_outbox(engine, crew_settings)
    assert len(crew_line.pushes(to=after.user_id)) == 1
    assert stop_row(engine, stop_id).booking == "collected"


def test_first_outcome_locks_the_plan_against_replanning(
    client: httpx.Client, booked: BookedDay, engine: Engine, crew_settings: Settings
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[1]
    token = stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)
    assert mark(client, f"/crew/s/{token}", "collected").status_code == 200
    row = stop_row(engine, stop_id)
    assert row.plan == "locked" and row.started_at is not None
    headers = bearer(client, "kankyo", "kankyo-demo")
    again = client.post("/api/v1/plans", json={"date": str(booked.day)}, headers=headers)
    assert again.status_code == 409 and again.json()["error"] == "plan_locked"


def test_not_out_tells_the_resident_how_to_rebook(
    client: httpx.Client,
    booked: BookedDay,
    engine: Engine,
    crew_settings: Settings,
    crew_line: FakeLineServer,
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[2]
    token = stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"  # camera make; GPS and serials travel the same way
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo, "JPEG", exif=exif.tobytes())
    assert b"SecretPhone" in photo.getvalue()
    answer = client.post(
        f"/crew/s/{token}",
        data={"outcome": "not_out", "note": "門の前に何もなし"},
        files={"photo": ("empty.jpg", photo.getvalue(), "image/jpeg")},
        follow_redirects=True,
    )
    assert answer.status_code == 200 and "記録しました" in answer.text
    row = stop_row(engine, stop_id)
    assert (row.outcome, row.booking, row.report) == ("not_out", "not_out", "received")
    flush_outbox(engine, crew_settings)
    said = [m["text"] for m in crew_line.messages_to(row.user_id)]
    assert len(said) == 1 and "出ていなかった" in said[0] and "もう一度お申し込み" in said[0]
    assert row.receipt_no in said[0]
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT storage_path FROM photo WHERE report_id = :r AND source = 'crew'"),
            {"r": row.report_id},
        ).scalar_one()
    kept = (crew_settings.media_dir / stored).read_bytes()
    assert kept[:3] == b"\xff\xd8\xff" and b"SecretPhone" not in kept and b"Exif" not in kept


def test_other_needs_a_note_and_pushes_nothing(
    client: httpx.Client,
    booked: BookedDay,
    engine: Engine,
    crew_settings: Settings,
    crew_line: FakeLineServer,
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[3]
    path = f"/crew/s/{stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)}"
    refused = mark(client, path, "other")
    assert refused.status_code == 422 and "メモに書いてください" in refused.text
    assert mark(client, path, "other", note="品目が申込と違う").status_code == 200
    row = stop_row(engine, stop_id)
    assert (row.outcome, row.outcome_note, row.booking) == ("other", "品目が申込と違う", "booked")
    flush_outbox(engine, crew_settings)
    assert crew_line.pushes(to=row.user_id) == []


def test_forged_and_unknown_links_are_refused_in_japanese(
    client: httpx.Client, booked: BookedDay, engine: Engine, crew_settings: Settings
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[4]
    good = stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)
    forged = client.get(f"/crew/s/{good[:-2]}xx")
    assert forged.status_code == 403 and "このQRコードは無効です" in forged.text
    assert mark(client, f"/crew/s/{good[:-2]}xx", "collected").status_code == 403
    other_key = stop_token("another-secret-key", MUNICIPALITY_ID, stop_id)
    assert client.get(f"/crew/s/{other_key}").status_code == 403
    gone = client.get(f"/crew/s/{stop_token(crew_settings.secret_key, MUNICIPALITY_ID, 10**12)}")
    assert gone.status_code == 404 and "見つかりません" in gone.text
    assert stop_row(engine, stop_id).outcome is None


def test_a_link_records_only_on_its_plan_day_and_the_morning_after(
    client: httpx.Client, booked: BookedDay, engine: Engine, crew_settings: Settings, clock: Clock
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[6]
    path = f"/crew/s/{stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)}"
    with clock.on(booked.day - dt.timedelta(days=3)):  # printed on Friday for Monday
        preview = client.get(path)
        assert preview.status_code == 200 and stop_row(engine, stop_id).receipt_no in preview.text
        assert "当日にできます" in preview.text and 'value="collected"' not in preview.text
        early = mark(client, path, "collected")
        assert early.status_code == 403 and "当日にできます" in early.text
    assert stop_row(engine, stop_id).outcome is None
    with clock.on(booked.day + dt.timedelta(days=2)):
        for late in (client.get(path), mark(client, path, "collected")):
            assert late.status_code == 403 and "期限が切れています" in late.text
    assert stop_row(engine, stop_id).outcome is None
    with clock.on(booked.day + dt.timedelta(days=1)):  # the sheet came back late
        assert "記録しました" in mark(client, path, "collected").text
    assert stop_row(engine, stop_id).outcome == "collected"


def test_a_file_that_is_no_photo_is_refused_and_nothing_recorded(
    client: httpx.Client, booked: BookedDay, engine: Engine, crew_settings: Settings
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[7]
    path = f"/crew/s/{stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)}"
    for name, data in (("x.jpg", b"MZ\x90\x00 not a photo"), ("x.png", b"\x89PNG\r\n\x1a\nbroken")):
        answer = client.post(
            path, data={"outcome": "collected"}, files={"photo": (name, data, "image/jpeg")}
        )
        assert answer.status_code == 422 and "写真を読み取れませんでした" in answer.text
    assert stop_row(engine, stop_id).outcome is None
    assert list(crew_settings.media_dir.rglob("*.part")) == []


def test_crew_home_lists_the_day_with_stop_links(
    client: httpx.Client, booked: BookedDay, engine: Engine
) -> None:
    login(client, "crew1", "crew-demo")
    home = client.get("/crew/", params={"date": str(booked.day)})
    assert home.status_code == 200 and "作業票（PDF）" in home.text
    stops = pickup_stops(engine, booked.plan_id)
    assert home.text.count('href="/crew/s/') == len(stops)
    assert client.get("/crew/").status_code == 200
    with httpx.Client(base_url=str(client.base_url)) as anonymous:
        assert anonymous.get("/crew/").status_code == 303


def test_two_phones_submitting_at_once_record_and_push_once(
    server: str,
    booked: BookedDay,
    engine: Engine,
    crew_settings: Settings,
    crew_line: FakeLineServer,
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[5]
    path = f"/crew/s/{stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)}"
    start = threading.Barrier(2)

    def submit(outcome: str) -> str:
        with httpx.Client(base_url=server, timeout=60) as phone:
            start.wait()
            return mark(phone, path, outcome).text

    with ThreadPoolExecutor(2) as pool:
        pages = list(pool.map(submit, ["collected", "collected"]))
    assert sorted("記録済みです" in page for page in pages) == [False, True]
    flush_outbox(engine, crew_settings)
    row = stop_row(engine, stop_id)
    assert row.report == "done" and len(crew_line.pushes(to=row.user_id)) == 1


def test_stop_page_shows_where_exactly_and_opens_the_point_in_a_map(
    client: httpx.Client, booked: BookedDay, engine: Engine, crew_settings: Settings
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[-1]  # only looked at, never recorded
    with engine.begin() as conn:  # the channels fill it (branch whereabouts); seeded here
        conn.execute(
            text(
                "INSERT INTO booking_contact (municipality_id, booking_id, address_line, put_out, "
                "put_out_note) SELECT municipality_id, booking_id, '2番3号 コーポ柴崎205', "
                "'collection_point', '門の右側、青いシートの下' FROM route_stop WHERE id = :s "
                "ON CONFLICT (municipality_id, booking_id) DO UPDATE SET address_line = "
                "excluded.address_line, put_out = excluded.put_out, "
                "put_out_note = excluded.put_out_note"
            ),
            {"s": stop_id},
        )
        lon, lat, receipt_no = conn.execute(
            text(
                "SELECT ST_X(rep.location), ST_Y(rep.location), rep.receipt_no FROM route_stop s "
                "JOIN booking b ON b.municipality_id = s.municipality_id AND b.id = s.booking_id "
                "JOIN report rep ON rep.municipality_id = b.municipality_id AND "
                "rep.id = b.report_id WHERE s.id = :s"
            ),
            {"s": stop_id},
        ).one()
    token = stop_token(crew_settings.secret_key, MUNICIPALITY_ID, stop_id)
    page = client.get(f"/crew/s/{token}")
    assert page.status_code == 200
    assert "2番3号 コーポ柴崎205" in page.text
    assert "排出場所：<strong>集合住宅のごみ置場</strong>（門の右側、青いシートの下）" in page.text
    at = f"{lat:.6f},{lon:.6f}"
    assert f'href="geo:{at}?q={at}(No.' in page.text and quote(receipt_no) in page.text
    assert f"https://maps.gsi.go.jp/#18/{lat:.6f}/{lon:.6f}/" in page.text
    assert f'href="/crew/s/{token}/map"' in page.text
    own = client.get(f"/crew/s/{token}/map")
    assert own.status_code == 200 and f'data-lat="{lat:.6f}"' in own.text
    assert "/tiles/base/{tz}/{x}/{y}.pbf?scale=2" in own.text and "/static/crew_map.js" in own.text
    assert client.get("/static/crew_map.js").status_code == 200
    assert client.get("/crew/s/forged-token/map").status_code == 403
