"""HTTP helpers for the web form's API tests: submit the form as a browser does, read answers."""

from __future__ import annotations

import re

import httpx

from tests.support.line_events import jpeg_with_gps
from tests.support.resident_web import form_token, place

PhotoPart = tuple[str, tuple[str, bytes, str]]


def photo_part(data: bytes | None = None, name: str = "photo.jpg") -> PhotoPart:
    return ("photos", (name, data if data is not None else jpeg_with_gps((640, 480)), "image/jpeg"))


def submit(
    client: httpx.Client,
    flow: str,
    fields: dict[str, str],
    photos: list[PhotoPart] | None = None,
    token: str | None = None,
) -> httpx.Response:
    data = {"csrf_token": token if token is not None else form_token(client, f"/r/{flow}")}
    data.update(fields)
    # An empty file part, as a browser sends when no photo was chosen.
    files = photos if photos else [("photos", ("", b"", "application/octet-stream"))]
    return client.post(f"/r/{flow}", data=data, files=files)


def road_fields(n: int, **extra: str) -> dict[str, str]:
    lon, lat = place(n)
    return {"category": "road_pothole", "lon": str(lon), "lat": str(lat), **extra}


def receipt_of(client: httpx.Client, answer: httpx.Response) -> tuple[str, str]:
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["location"] == "/r/done"
    done = client.get("/r/done")
    number = re.search(r'id="r-receipt-no">([^<]+)<', done.text)
    pin = re.search(r'id="r-pin">(\d+)<', done.text)
    assert number and pin, done.text[:500]
    return number.group(1), pin.group(1)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'data-field="{field}"[^>]*>([^<]*)<', page)
    return found.group(1) if found else ""


def status_of(client: httpx.Client, receipt_no: str, pin: str) -> httpx.Response:
    token = form_token(client, "/r/status")
    return client.post(
        "/r/status", data={"receipt_no": receipt_no, "pin": pin, "csrf_token": token}
    )
