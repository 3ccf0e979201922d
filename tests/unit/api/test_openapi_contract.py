"""The OpenAPI schema declares what the routes answer; 405 names every allowed method."""

from __future__ import annotations

import asyncio
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError

from api.app import create_app
from api.schema_types import IsoDate, PaymentStatus
from geo.models.bulky import PAYMENT_STATUSES
from machi.settings import Settings


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


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/api/v1/reports.csv", "text/csv"),
        ("/api/v1/reports.geojson", "application/geo+json"),
        ("/api/v1/plans/{date}/worksheets.pdf", "application/pdf"),
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


async def _options(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://machi.test") as client:
        return await client.request("OPTIONS", path)


def test_405_names_every_method_of_the_path(app: FastAPI) -> None:
    answer = asyncio.run(_options(app, "/api/v1/disaster/mode"))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, PUT"
    assert answer.json()["error"] == "method_not_allowed"
