"""No personal data in any public answer: every GET of Open311 and of the public map.

The town is seeded with LINE residents (names, phones, LINE ids, address lines), their
reports with descriptions and notes that repeat those values, and bulky-waste bookings with
address lines and notes. Road reports must be published; bookings never; disaster reports
only in disaster mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.support.bulky import delete_bookings
from tests.support.live_server import live_server
from tests.support.open311 import V2, open311_rows_removed_afterwards
from tests.support.open311_town import SeededTown, seed_people
from tests.support.resident_web import disaster_mode

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def town(engine: Engine) -> Iterator[SeededTown]:
    with engine.connect() as conn:
        item = conn.execute(text("SELECT min(id) FROM bulky_item WHERE accepted")).scalar_one()
    with open311_rows_removed_afterwards(engine):
        seeded = seed_people(engine, int(item))
        try:
            yield seeded
        finally:
            delete_bookings(engine, seeded.bookings)


@pytest.fixture(scope="module")
def client(test_settings: Settings, town: SeededTown) -> Iterator[httpx.Client]:
    with live_server(create_app(test_settings)) as url, httpx.Client(base_url=url) as http:
        yield http


def _walk(client: httpx.Client, town: SeededTown) -> dict[str, str]:
    """Every public GET answer, by path; a 404 is kept as its status (it echoes the path)."""
    paths = ["/map", "/map/data.json"]
    for fmt in ("json", "xml"):
        paths += [f"{V2}/discovery.{fmt}", f"{V2}/services.{fmt}"]
        paths += [f"{V2}/requests.{fmt}?status={s}" for s in ("", "open", "closed")]
        codes = [row["service_code"] for row in client.get(f"{V2}/services.json").json()]
        paths += [f"{V2}/services/{code}.{fmt}" for code in codes]
        receipts = town.published + town.hidden
        paths += [f"{V2}/requests/{no}.{fmt}" for no in receipts]
        paths.append(f"{V2}/requests.{fmt}?service_request_id={','.join(receipts)}")
    answers = {}
    for path in paths:
        answer = client.get(path)
        assert answer.status_code in (200, 404), (path, answer.text[:200])
        assert _leaks({path: answer.text}, town.secrets) == []
        answers[path] = answer.text if answer.status_code == 200 else "404"
    return answers


def _leaks(answers: dict[str, str], secrets: list[str]) -> list[tuple[str, str]]:
    return [(path, s) for path, body in answers.items() for s in secrets if s in body]


def test_no_personal_data_in_any_get(client: httpx.Client, town: SeededTown) -> None:
    answers = _walk(client, town)
    assert _leaks(answers, town.secrets) == []
    assert all(
        answers[f"{V2}/requests/{no}.{fmt}"] == "404"
        for no in town.hidden
        for fmt in "json xml".split()
    )
    listing = answers[f"{V2}/requests.json?status="]
    assert all(receipt in listing for receipt in town.published)
    assert not any(receipt in body for body in answers.values() for receipt in town.hidden)
    assert "補修済み" in answers[f"{V2}/requests/{town.published[0]}.json"]


def test_disaster_reports_are_published_only_in_disaster_mode(
    client: httpx.Client, town: SeededTown, engine: Engine
) -> None:
    disaster = [no for no in town.hidden if no.startswith("D-")]
    with disaster_mode(engine, True):
        answers = _walk(client, town)
    assert _leaks(answers, town.secrets) == []
    assert all(no in answers[f"{V2}/requests.json?status="] for no in disaster)
    assert all(no in answers["/map/data.json"] for no in disaster)
    assert not any(no in body for body in answers.values() for no in town.bookings)


def test_photos_are_linked_only_for_categories_that_publish_them(
    client: httpx.Client, town: SeededTown, engine: Engine, test_settings: Settings
) -> None:
    receipt = town.published[1]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO photo (municipality_id, report_id, status, source, storage_path) "
                "SELECT municipality_id, id, 'stored', 'line', 'test/open311.jpg' FROM report "
                "WHERE receipt_no = :no"
            ),
            {"no": receipt},
        )
    path = test_settings.media_dir / "test" / "open311.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    try:
        hidden = client.get(f"{V2}/requests/{receipt}.json").json()[0]
        with _photos_public(engine, True):
            shown = client.get(f"{V2}/requests/{receipt}.json").json()[0]
            photo = client.get(urlsplit(shown["media_url"]).path)
        after = client.get(urlsplit(shown["media_url"]).path)
    finally:
        path.unlink()
    assert hidden["media_url"] is None
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert after.status_code == 404


@contextmanager
def _photos_public(engine: Engine, on: bool) -> Iterator[None]:
    """Let road_pothole publish its photos for the block."""
    sql = text("UPDATE category SET photos_public = :on WHERE code = 'road_pothole'")
    with engine.begin() as conn:
        conn.execute(sql, {"on": on})
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(sql, {"on": False})
