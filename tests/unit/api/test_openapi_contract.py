"""The OpenAPI schema declares what the routes answer; 405 names every allowed method."""

from __future__ import annotations

import asyncio
import re
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError

from api.app import create_app
from api.schema_types import IsoDate, PaymentStatus
from api.staff.plan_schemas import PlanCreate
from geo.models.bulky import PAYMENT_STATUSES
from geo.models.reports import REPORT_STATUSES
from machi.settings import Settings
from workflow.reports.create import MAX_DESCRIPTION_CHARS


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(env="test", _env_file=None))  # no request reaches the DB


@pytest.fixture(scope="module")
def schema(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def test_error_answers_are_declared_with_the_error_model(schema: dict[str, Any]) -> None:
    patch = schema["paths"]["/api/v1/reports/{report_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(patch)
    ref = patch["404"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ErrorPublic"
    assert "401" in schema["paths"]["/api/v1/token"]["post"]["responses"]
    assert "401" not in schema["paths"]["/api/v1/items"]["get"]["responses"]  # public
    assert "401" not in schema["paths"]["/readyz"]["get"]["responses"]


def test_staff_answers_follow_the_routes_dependencies(schema: dict[str, Any]) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            staff = path.startswith(("/api/v1/reports", "/api/v1/disaster", "/api/v1/plans"))
            if staff:
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if path.startswith(("/open311/", "/map/", "/healthz", "/api/v1/items")):
                assert "401" not in operation["responses"], (method, path)


def test_georeport_declares_its_own_errors_in_both_formats(schema: dict[str, Any]) -> None:
    post = schema["paths"]["/open311/v2/requests.{fmt}"]["post"]
    assert {"200", "400", "403", "404", "429"} == set(post["responses"])
    for answer in post["responses"].values():
        assert set(answer["content"]) == {"application/json", "text/xml"}
    assert post["responses"]["404"]["content"]["application/json"]["schema"]["type"] == "array"
    form = post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["properties"]["description"]["maxLength"] == MAX_DESCRIPTION_CHARS
    fmt = schema["paths"]["/open311/v2/services.{fmt}"]["get"]["parameters"][0]
    assert fmt["schema"]["enum"] == ["json", "xml"]


def test_webhooks_declare_what_they_answer(schema: dict[str, Any]) -> None:
    for path in ("/line/webhook", "/line/{town}/webhook"):
        post = schema["paths"][path]["post"]
        assert {"200", "400", "404", "413", "503"} <= set(post["responses"])
        assert "401" not in post["responses"]
        assert any(p["name"] == "X-Line-Signature" for p in post["parameters"])


def test_links_chain_a_booking_to_what_can_be_done_with_it(schema: dict[str, Any]) -> None:
    created = schema["paths"]["/api/v1/bookings"]["post"]["responses"]["201"]["links"]
    read = created["ReadBooking"]
    assert read["operationRef"] == "#/paths/~1api~1v1~1bookings~1{receipt_no}/get"
    assert read["parameters"] == {"receipt_no": "$response.body#/receipt_no"}
    assert {"CancelBooking", "RescheduleBooking", "RecordPayment"} <= set(created)


def test_staff_filters_are_patterns_of_the_vocabularies(schema: dict[str, Any]) -> None:
    parameters = schema["paths"]["/api/v1/reports/list"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")["schema"]["anyOf"][0]
    pattern = re.compile(status["pattern"])
    assert pattern.fullmatch("received,done") and pattern.fullmatch(",".join(REPORT_STATUSES))
    assert not pattern.search("received,") and not pattern.search("pending")
    bbox = next(p for p in parameters if p["name"] == "bbox")["schema"]["anyOf"][0]["pattern"]
    assert re.fullmatch(bbox, "139.36000,35.68000,139.45000,35.73000")
    assert not re.fullmatch(bbox, "181,0,0,0") and not re.fullmatch(bbox, "1e2,0,0,0")


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/api/v1/reports", "application/geo+json"),
        ("/api/v1/reports.csv", "text/csv"),
        ("/api/v1/reports.geojson", "application/geo+json"),
        ("/api/v1/disaster/reports", "application/geo+json"),
        ("/api/v1/plans/{date}/worksheets.pdf", "application/pdf"),
        ("/tiles/{layer}/{z}/{x}/{y}.pbf", "application/vnd.mapbox-vector-tile"),
        ("/tiles/reports/{z}/{x}/{y}.pbf", "application/vnd.mapbox-vector-tile"),
        ("/open311/v2/media/{name}", "image/jpeg"),
    ],
)
def test_non_json_answers_are_declared(schema: dict[str, Any], path: str, media: str) -> None:
    assert list(schema["paths"][path]["get"]["responses"]["200"]["content"]) == [media]


def test_ids_are_bounded_and_payment_status_is_an_enum(schema: dict[str, Any]) -> None:
    [report_id] = schema["paths"]["/api/v1/reports/{report_id}"]["get"]["parameters"]
    assert report_id["schema"]["minimum"] == 1
    assert report_id["schema"]["maximum"] == 2**63 - 1
    assert set(get_args(PaymentStatus)) == set(PAYMENT_STATUSES)


def test_dates_are_strictly_iso() -> None:
    adapter = TypeAdapter(IsoDate)
    assert str(adapter.validate_python("2026-12-22")) == "2026-12-22"
    for bad in (0, 1735000000, "0", "20261222", "2026-12-22T00:00"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)


@pytest.mark.parametrize(
    "body",
    [
        {"date": "2026-12-22", "time_limit_s": True},  # planned with a one-second budget
        {"date": "2026-12-22", "time_limit_s": "30"},
        {"date": "2026-02-30"},
    ],
)
def test_bodies_are_read_as_their_schema_says(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PlanCreate.model_validate(body)
    assert PlanCreate.model_validate({"date": "2026-12-22", "time_limit_s": 5}).time_limit_s == 5


async def _request(app: FastAPI, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://machi.test") as client:
        return await client.request(method, path)


def test_405_names_every_method_of_the_path(app: FastAPI) -> None:
    answer = asyncio.run(_request(app, "OPTIONS", "/api/v1/disaster/mode"))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, PUT"
    assert answer.json()["error"] == "method_not_allowed"


def test_the_list_is_not_a_report_id(app: FastAPI) -> None:
    """PATCH /api/v1/reports/list once reached PATCH /api/v1/reports/{report_id}: a 422."""
    answer = asyncio.run(_request(app, "PATCH", "/api/v1/reports/list"))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_paths_answer_their_own_errors(app: FastAPI, fmt: str) -> None:
    wrong_method = asyncio.run(_request(app, "DELETE", f"/open311/v2/services.{fmt}"))
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    unknown = asyncio.run(_request(app, "GET", f"/open311/v2/nothing-here.{fmt}"))
    assert unknown.status_code == 404
    if fmt == "json":
        assert wrong_method.json()[0]["code"] == 405 and unknown.json()[0]["code"] == 404
    else:
        assert b"<errors><error><code>404</code>" in unknown.content
