"""GeoReport v2 on the real server and PostGIS, with plain HTTP written from the specification.

Every answer is checked against the JSON Schemas / XML element names in
``tests/support/open311_schemas.py``; the round trip ends with a staff status change seen
as ``closed`` with its note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.support import open311_schemas as s
from tests.support.live_server import live_server
from tests.support.open311 import V2, new_key, open311_rows_removed_afterwards, report_id_of
from tests.support.resident_web import disaster_mode, place
from tests.support.staff_login import bearer

pytestmark = pytest.mark.db
JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture(scope="module")
def url(test_settings: Settings, engine: Engine) -> Iterator[str]:
    with open311_rows_removed_afterwards(engine), live_server(create_app(test_settings)) as base:
        yield base


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=20) as http:
        yield http


@pytest.fixture(scope="module")
def key(url: str, engine: Engine) -> str:
    return new_key(engine)


def _post(client: httpx.Client, fmt: str, **fields: str) -> httpx.Response:
    return client.post(f"{V2}/requests.{fmt}", data=fields)


def _road(key: str, n: int, **extra: str) -> dict[str, str]:
    lon, lat = place(n)
    return {
        "api_key": key,
        "service_code": "road_pothole",
        "lat": str(lat),
        "long": str(lon),
        **extra,
    }


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_and_services_follow_the_spec(client: httpx.Client, fmt: str) -> None:
    discovery = client.get(f"{V2}/discovery.{fmt}")
    services = client.get(f"{V2}/services.{fmt}")
    definition = client.get(f"{V2}/services/road_pothole.{fmt}")
    assert (discovery.status_code, services.status_code, definition.status_code) == (200, 200, 200)
    if fmt == "json":
        s.validate_json(discovery.json(), s.DISCOVERY)
        s.validate_json(services.json(), s.SERVICES)
        s.validate_json(definition.json(), s.SERVICE_DEFINITION)
        codes = {row["service_code"]: row for row in services.json()}
        assert codes["road_pothole"]["service_name"] == "道路の穴・陥没"
        assert codes["road_pothole"]["metadata"] is False
        assert "bulky_pickup" not in codes and "dis_flood" not in codes  # not in disaster mode
    else:
        assert discovery.headers["content-type"].startswith("text/xml")
        s.parse_xml(discovery.content, "discovery")
        root = s.parse_xml(services.content, "services")
        assert "road_pothole" in {item.findtext("service_code") for item in root}
        s.parse_xml(definition.content, "service_definition")


def test_disaster_services_ask_whether_lives_are_at_risk(
    client: httpx.Client, engine: Engine
) -> None:
    with disaster_mode(engine, True):
        services = {row["service_code"]: row for row in client.get(f"{V2}/services.json").json()}
        definition = client.get(f"{V2}/services/dis_flood.json").json()
        xml = client.get(f"{V2}/services/dis_flood.xml")
    assert services["dis_flood"]["metadata"] is True
    s.validate_json(definition, s.SERVICE_DEFINITION)
    [urgent] = definition["attributes"]
    assert urgent["code"] == "urgent" and urgent["required"] is True
    assert {v["key"] for v in urgent["values"]} == {"yes", "no"}
    root = s.parse_xml(xml.content, "service_definition")
    names = [value.findtext("key") for value in root.iter("value")]
    assert names == ["yes", "no"] and root.find("attributes/attribute/code") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_answers_a_receipt_number_and_a_token(
    client: httpx.Client, key: str, engine: Engine, fmt: str
) -> None:
    answer = _post(client, fmt, **_road(key, 1 if fmt == "json" else 2, description="穴"))
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        s.validate_json(answer.json(), s.POST_RESPONSE)
        [created] = answer.json()
        receipt, token = created["service_request_id"], created["token"]
    else:
        root = s.parse_xml(answer.content, "post")
        receipt, token = root.findtext("request/service_request_id"), root.findtext("request/token")
    assert receipt is not None and receipt.startswith(f"R-{dt.date.today().year}-")
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT channel, status, resident_id FROM report WHERE receipt_no = :no"),
            {"no": receipt},
        ).one()
    assert tuple(row) == ("open311", "received", None)
    tokens = client.get(f"{V2}/tokens/{token}.{fmt}")
    assert tokens.status_code == 200
    if fmt == "json":
        s.validate_json(tokens.json(), s.TOKEN_RESPONSE)
        assert tokens.json()[0]["service_request_id"] == receipt
    else:
        assert (
            s.parse_xml(tokens.content, "token").findtext("request/service_request_id") == receipt
        )


def _requests(client: httpx.Client, fmt: str, **params: str) -> Any:
    answer = client.get(f"{V2}/requests.{fmt}", params=params)
    assert answer.status_code == 200, answer.text
    if fmt == "json":
        s.validate_json(answer.json(), s.REQUESTS)
        return answer.json()
    root = s.parse_xml(answer.content, "requests")
    return [{child.tag: child.text for child in item} for item in root]


def test_round_trip_from_post_to_closed_with_the_note(
    client: httpx.Client, key: str, engine: Engine, test_settings: Settings
) -> None:
    assert "road_crack" in {row["service_code"] for row in client.get(f"{V2}/services.json").json()}
    lon, lat = place(3)
    posted = _post(
        client, "json", api_key=key, service_code="road_crack", lat=str(lat), long=str(lon)
    ).json()
    receipt = posted[0]["service_request_id"]

    one = client.get(f"{V2}/requests/{receipt}.json")
    s.validate_json(one.json(), s.REQUESTS)
    [read] = one.json()
    assert (read["status"], read["status_notes"], read["agency_responsible"]) == (
        "open",
        "受付",
        "道路課",
    )
    assert read["requested_datetime"].endswith("+09:00")
    assert (read["lat"], read["long"]) == (pytest.approx(lat), pytest.approx(lon))

    today = dt.datetime.now(tz=JST).replace(microsecond=0)
    window = {
        "start_date": (today - dt.timedelta(hours=1)).isoformat(),
        "end_date": (today + dt.timedelta(hours=1)).isoformat(),
    }
    assert receipt in {
        r["service_request_id"] for r in _requests(client, "json", status="open", **window)
    }
    assert receipt not in {
        r["service_request_id"] for r in _requests(client, "json", status="closed")
    }
    assert receipt in {r["service_request_id"] for r in _requests(client, "xml", status="open")}
    past = {"start_date": "2020-01-01T00:00:00+09:00", "end_date": "2020-02-01T00:00:00+09:00"}
    assert receipt not in {r["service_request_id"] for r in _requests(client, "json", **past)}

    staff = bearer(client, "doro", "doro-demo")
    change = client.patch(
        f"/api/v1/reports/{report_id_of(engine, receipt)}",
        json={"status": "done", "note": "舗装を補修しました。"},
        headers=staff,
    )
    assert change.status_code == 200, change.text

    closed = _requests(client, "json", status="closed", service_code="road_crack")
    [mine] = [r for r in closed if r["service_request_id"] == receipt]
    assert mine["status"] == "closed" and mine["status_notes"] == "完了：舗装を補修しました。"
    assert receipt not in {
        r["service_request_id"] for r in _requests(client, "json", status="open")
    }
    xml = client.get(f"{V2}/requests/{quote(receipt)}.xml")
    assert s.parse_xml(xml.content, "requests").findtext("request/status") == "closed"


def test_ids_override_the_other_filters(client: httpx.Client, key: str) -> None:
    receipts = [
        _post(client, "json", **_road(key, n)).json()[0]["service_request_id"] for n in (4, 5)
    ]
    found = _requests(client, "json", service_request_id=",".join(receipts), status="closed")
    assert sorted(r["service_request_id"] for r in found) == sorted(receipts)


def test_the_web_form_links_the_public_map_where_it_warns(client: httpx.Client) -> None:
    form = client.get("/r/road").text
    warning = form[form.index('id="r-nearby"') : form.index('id="err-attach"')]
    assert 'href="/map"' in warning
    assert client.get("/map").status_code == 200
