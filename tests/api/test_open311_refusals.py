"""GeoReport v2 refusals: the spec's error format in both formats, and nothing written.

403 for a missing, wrong or revoked key; 400 for bad fields; 404 for an unknown jurisdiction,
service, request or token; 429 with Retry-After over a rate limit.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support import open311_schemas as s
from tests.support.live_server import live_server
from tests.support.open311 import V2, new_key, open311_rows_removed_afterwards, row_counts
from tests.support.resident_web import SHINJUKU, place
from workflow.open311.keys import revoke_key

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def url(test_settings: Settings, engine: Engine) -> Iterator[str]:
    settings = test_settings.model_copy(
        update={"open311_key_per_minute": 0, "open311_address_per_minute": 0}
    )
    with open311_rows_removed_afterwards(engine), live_server(create_app(settings)) as base:
        yield base


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=20) as http:
        yield http


@pytest.fixture(scope="module")
def key(url: str, engine: Engine) -> str:
    return new_key(engine)


def _fields(key: str | None, **changes: str) -> dict[str, str]:
    lon, lat = place(9)
    fields = {"service_code": "road_light", "lat": str(lat), "long": str(lon), **changes}
    if key is not None:
        fields["api_key"] = key
    return fields


def _assert_error(answer: httpx.Response, status: int, fmt: str) -> str:
    assert answer.status_code == status, answer.text
    if fmt == "json":
        s.validate_json(answer.json(), s.ERRORS)
        assert answer.json()[0]["code"] == status
        return str(answer.json()[0]["description"])
    root = s.parse_xml(answer.content, "errors")
    assert root.findtext("error/code") == str(status)
    return str(root.findtext("error/description"))


@pytest.fixture(scope="module")
def revoked(url: str, engine: Engine) -> str:
    key = new_key(engine, "revoked-client")
    with Session(engine) as session:
        revoke_key(session, MUNICIPALITY_ID, "revoked-client")
    return key


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("which", ["missing", "wrong", "revoked"])
def test_bad_keys_get_403_and_nothing_is_written(
    client: httpx.Client, engine: Engine, revoked: str, fmt: str, which: str
) -> None:
    sent = {"missing": None, "wrong": "not-a-key", "revoked": revoked}[which]
    before = row_counts(engine)
    answer = client.post(f"{V2}/requests.{fmt}", data=_fields(sent))
    assert "api_key" in _assert_error(answer, 403, fmt)
    assert row_counts(engine) == before


BAD_FIELDS = {
    "lat_text": {"lat": "north"},
    "long_out_of_range": {"long": "239.4"},
    "lat_nan": {"lat": "nan"},
    "lat_without_long": {"long": ""},
    "unknown_service": {"service_code": "no_such_service"},
    "bulky_service": {"service_code": "bulky_pickup"},
    "no_service": {"service_code": ""},
    "description_too_long": {"description": "あ" * 2001},
    "address_too_long": {"lat": "", "long": "", "address_string": "町" * 257},
    "unknown_address": {"lat": "", "long": "", "address_string": "どこにもない町"},
    "outside_the_town": {"lat": str(SHINJUKU[1]), "long": str(SHINJUKU[0])},
    "media_url_not_http": {"media_url": "file:///etc/passwd"},
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_bad_fields_get_400_and_nothing_is_written(
    client: httpx.Client, engine: Engine, key: str, case: str
) -> None:
    before = row_counts(engine)
    answer = client.post(f"{V2}/requests.json", data=_fields(key, **BAD_FIELDS[case]))
    assert _assert_error(answer, 400, "json")
    assert row_counts(engine) == before


def test_a_disaster_report_needs_the_urgent_attribute(
    client: httpx.Client, engine: Engine, key: str
) -> None:
    from tests.support.resident_web import disaster_mode

    before = row_counts(engine)
    with disaster_mode(engine, True):
        missing = client.post(f"{V2}/requests.xml", data=_fields(key, service_code="dis_flood"))
        assert "attribute[urgent]" in _assert_error(missing, 400, "xml")
        assert row_counts(engine) == before
        fields = _fields(key, service_code="dis_flood", **{"attribute[urgent]": "yes"})
        created = client.post(f"{V2}/requests.json", data=fields)
    assert created.status_code == 200, created.text
    assert created.json()[0]["service_request_id"].startswith("D-")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_things_get_404_in_the_spec_format(client: httpx.Client, fmt: str) -> None:
    for path in (
        f"/services/no_such.{fmt}",
        f"/requests/R-1999-000001.{fmt}",
        f"/tokens/3f1e6a52-0000-4000-8000-000000000000.{fmt}",
        f"/tokens/not-a-token.{fmt}",
        f"/services.{fmt}?jurisdiction_id=13101",
        f"/requests.{fmt}?jurisdiction_id=example.org",
        f"/nothing-here.{fmt}",
    ):
        _assert_error(client.get(V2 + path), 404, fmt)
    assert client.get(f"{V2}/services.{fmt}?jurisdiction_id=13202").status_code == 200


def test_bad_query_parameters_get_400(client: httpx.Client) -> None:
    for params in (
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00+09:00", "end_date": "2026-06-01T00:00:00+09:00"},
        {"start_date": "2026-02-01T00:00:00+09:00", "end_date": "2026-01-01T00:00:00+09:00"},
    ):
        _assert_error(client.get(f"{V2}/requests.json", params=params), 400, "json")


def test_a_key_over_its_limit_gets_429_with_retry_after(
    url: str, test_settings: Settings, engine: Engine
) -> None:
    busy = new_key(engine, "busy-client")
    settings = test_settings.model_copy(update={"open311_key_per_minute": 3})
    with live_server(create_app(settings)) as base, httpx.Client(base_url=base) as http:
        answers = [http.post(f"{V2}/requests.json", data=_fields(busy, lat="x")) for _ in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    _assert_error(answers[-1], 429, "json")


def test_an_address_over_its_limit_gets_429(test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"open311_address_per_minute": 2})
    with live_server(create_app(settings)) as base, httpx.Client(base_url=base) as http:
        codes = [http.get(f"{V2}/services.xml").status_code for _ in range(3)]
        limited = http.get("/map/data.json")
    assert codes == [200, 200, 429] and limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
