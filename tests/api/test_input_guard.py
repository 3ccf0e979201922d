"""Text PostgreSQL refuses (NUL, lone surrogates) never crashes the app.

The characters are removed at the edge (path, query, JSON and form bodies) and the request
goes on as if they had never been sent.
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
from tests.support.staff_login import bearer

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


@pytest.fixture()
def admin(client: httpx.Client) -> dict[str, str]:
    return bearer(client, "admin", "admin-demo")


def test_nul_in_a_query_parameter_is_removed(client: httpx.Client) -> None:
    plain = client.get("/api/v1/items", params={"q": "ソファー"})
    poisoned = client.get("/api/v1/items?q=%E3%82%BD%00%E3%83%95%E3%82%A1%E3%83%BC")
    assert plain.status_code == poisoned.status_code == 200
    assert poisoned.json() == plain.json()


def test_only_nul_in_a_query_parameter_is_an_ordinary_refusal(client: httpx.Client) -> None:
    answer = client.get("/api/v1/items?q=%00")
    assert answer.status_code == 422 and answer.json()["field"] == "q"  # as an empty q is


def test_nul_in_the_path_does_not_crash(client: httpx.Client, admin: dict[str, str]) -> None:
    answer = client.get("/api/v1/bookings/B1999%00-999999", headers=admin)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    "raw", [b'{"status": "done", "note": "a\\u0000"}', b'{"status": "done", "note": "\\ud800"}']
)
def test_unstorable_text_in_a_json_body_is_cleaned(
    client: httpx.Client, admin: dict[str, str], raw: bytes
) -> None:
    headers = {**admin, "Content-Type": "application/json"}
    answer = client.patch("/api/v1/reports/999999999", content=raw, headers=headers)
    assert answer.status_code == 404  # reached the route and its lookup: no 500, no 422


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
