"""Text PostgreSQL refuses (NUL, lone surrogates) never crashes the app.

The JSON API answers 422 naming the field; the resident's forms are cleaned and go through.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.support.live_server import live_server
from tests.support.resident_http import receipt_of, road_fields, status_of, submit
from tests.support.resident_web import web_rows_removed_afterwards

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def url(
    test_settings: Settings, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    settings = test_settings.model_copy(update={"media_dir": tmp_path_factory.mktemp("media")})
    with web_rows_removed_afterwards(engine), live_server(create_app(settings)) as base:
        yield base


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=20) as browser:
        yield browser


@pytest.mark.parametrize(
    ("query", "field"), [("q=%00", "q"), ("q=so%00fa", "q"), ("q=sofa&zone=%00", "zone")]
)
def test_nul_in_a_query_parameter_is_refused_naming_it(
    client: httpx.Client, query: str, field: str
) -> None:
    answer = client.get(f"/api/v1/items?{query}")
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_characters" and body["field"] == field
    assert "使用できない文字" in body["message"]


def test_the_item_search_still_answers_ordinary_text(client: httpx.Client) -> None:
    assert client.get("/api/v1/items", params={"q": "ソファー"}).status_code == 200


def test_nul_in_the_path_is_refused(client: httpx.Client) -> None:
    answer = client.get("/r/status/%00")
    assert answer.status_code == 422 and answer.json()["field"] == "path"


@pytest.mark.parametrize(
    "raw", [b'{"status": "done", "note": "a\\u0000"}', b'{"status": "done", "note": "\\ud800"}']
)
def test_unstorable_text_in_a_json_body_is_refused_naming_the_field(
    client: httpx.Client, raw: bytes
) -> None:
    answer = client.patch(
        "/api/v1/reports/1", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "body.note"


def test_ordinary_json_bodies_pass_the_guard(client: httpx.Client) -> None:
    answer = client.patch("/api/v1/reports/1", json={"status": "done", "note": "点検済み"})
    assert answer.status_code == 401  # reached the route: the staff login is missing


def test_nul_in_an_urlencoded_form_is_removed(client: httpx.Client) -> None:
    answer = status_of(client, "R\x00-1", "12\x0034")
    assert answer.status_code < 500
    assert "\x00" not in answer.text


def test_nul_in_a_multipart_form_is_removed_and_the_report_kept(
    client: httpx.Client, engine: Engine
) -> None:
    fields = road_fields(7, description="側溝の\x00ふたが\x00ない")
    receipt_no, _pin = receipt_of(client, submit(client, "road", fields))
    with engine.connect() as conn:
        description = conn.execute(
            text("SELECT description FROM report WHERE receipt_no = :no"), {"no": receipt_no}
        ).scalar_one()
    assert description == "側溝のふたがない"
