"""CSRF on every staff form and API write, found by walking the app's routes.

A new POST / PUT / PATCH / DELETE under /staff, /crew or /api/v1 fails here unless it signs
in through one of ``api.security``'s gates (``optional_staff``, ``current_staff``,
``desk_staff``: each calls ``signed_in``, which checks the session's CSRF token) or is listed
in ``EXEMPT`` with the reason it needs no token.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from api.app import create_app
from api.security import current_staff, desk_staff, optional_staff
from machi.settings import Settings
from tests.support.desk import login
from tests.support.live_server import live_server

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF_PREFIXES = ("/staff/", "/crew/", "/api/v1/")
CSRF_REFUSAL = "CSRF token missing or wrong"
EXEMPT = {
    ("POST", "/staff/login"): "the sign-in form checks its own login cookie (test_staff_auth)",
    ("POST", "/api/v1/token"): "OAuth2 password grant for API clients: no cookie is read",
    ("POST", "/crew/s/{token}"): "crew QR link: the signed token in the path is the permission",
}
TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"
EXEMPT_TEMPLATES = {"crew/stop.html": EXEMPT[("POST", "/crew/s/{token}")]}


@dataclass(frozen=True)
class Write:
    method: str
    path: str  # as declared, with {params}
    signs_in: bool  # depends on a sign-in gate (session + CSRF or bearer token)
    samples: dict[str, str]  # a value for each path parameter


SIGN_IN_GATES: tuple[Callable[..., Any], ...] = (optional_staff, current_staff, desk_staff)


def _depends_on(dependant: Any, calls: tuple[Callable[..., Any], ...]) -> bool:
    return any(d.call in calls or _depends_on(d, calls) for d in dependant.dependencies)


def _sample(annotation: Any) -> str:
    if annotation is int:
        return "1"
    if annotation is dt.date:
        return dt.date.today().isoformat()
    return "x"


def staff_writes() -> list[Write]:
    """Every unsafe route under the staff prefixes, as the app serves them."""
    app = create_app(Settings(env="test"))
    writes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format or ""  # "{report_id}", not "{report_id:int}"
        if not isinstance(route, APIRoute) or not path.startswith(STAFF_PREFIXES):
            continue
        samples = {p.name: _sample(p.field_info.annotation) for p in route.dependant.path_params}
        signs_in = _depends_on(route.dependant, SIGN_IN_GATES)
        for method in sorted((context.methods or set()) & UNSAFE):
            writes.append(Write(method, path, signs_in, samples))
    return writes


WRITES = staff_writes()


def test_the_walk_finds_the_known_forms() -> None:
    found = {(w.method, w.path) for w in WRITES}
    assert {
        ("POST", "/staff/reports/{report_id}/status"),
        ("PATCH", "/api/v1/reports/{report_id}"),
        ("POST", "/staff/disaster/push/send"),
        ("PUT", "/api/v1/disaster/mode"),
        ("POST", "/staff/logout"),
    } <= found
    assert set(EXEMPT) <= found, "an exemption names a route that no longer exists"


@pytest.mark.parametrize("write", WRITES, ids=lambda w: f"{w.method} {w.path}")
def test_every_staff_write_checks_the_session_csrf_token(write: Write) -> None:
    if (write.method, write.path) in EXEMPT:
        return
    assert write.signs_in, (
        f"{write.method} {write.path} neither signs in through an api.security gate (CSRF checked) "
        "nor is listed in EXEMPT with a reason"
    )


@pytest.fixture(scope="module")
def admin(test_settings: Settings) -> Iterator[httpx.Client]:
    with (
        live_server(create_app(test_settings)) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=20) as client,
    ):
        login(client, "admin", "admin-demo")
        yield client


def _url(write: Write) -> str:
    return write.path.format(**write.samples)


@pytest.mark.parametrize(
    "write",
    [w for w in WRITES if (w.method, w.path) not in EXEMPT],
    ids=lambda w: f"{w.method} {w.path}",
)
def test_signed_in_writes_without_the_token_are_refused(admin: httpx.Client, write: Write) -> None:
    url = _url(write)
    attempts: dict[str, dict[str, Any]] = {
        "form without token": {"data": {"status": "done", "body": "x", "on": "1"}},
        "form with a wrong token": {"data": {"csrf_token": "forged", "status": "done"}},
        "JSON without header": {"json": {"status": "done", "on": True}},
        "JSON with a wrong header": {"json": {"on": True}, "headers": {"X-CSRF-Token": "forged"}},
    }
    for name, request in attempts.items():
        answer = admin.request(write.method, url, **request)
        assert answer.status_code == 403, f"{name}: {answer.status_code} {answer.text[:200]}"
        # The declared error model (api.openapi_contract), FastAPI's "detail" kept beside it.
        assert answer.json()["detail"] == CSRF_REFUSAL, name
        assert answer.json()["error"] == "forbidden", name
    assert admin.get("/api/v1/me").status_code == 200  # the session itself was fine


_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def test_every_post_form_in_the_staff_templates_carries_the_token() -> None:
    missing = []
    for template in sorted([*TEMPLATES.glob("staff/*.html"), *TEMPLATES.glob("crew/*.html"),
                            TEMPLATES / "base.html"]):  # fmt: skip
        name = template.relative_to(TEMPLATES).as_posix()
        for form in _FORM.findall(template.read_text(encoding="utf-8")):
            opening = form.split(">", 1)[0]
            if 'method="post"' not in opening.lower() or name in EXEMPT_TEMPLATES:
                continue
            if 'name="csrf_token" value="{{ csrf_token }}"' not in form:
                missing.append(f"{name}: {opening[:80]}")
    assert missing == []
