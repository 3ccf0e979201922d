"""Route order: the busiest paths are matched first, and no route hides another.

``api.app`` puts static files, tiles, the bbox API and the LINE webhook at the front of the
route list, since every included router a request passes costs its routes' checks. Moving
routes is only safe while no earlier route also matches a later route's paths: each route's
own sample path must reach that route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Match

from api.app import create_app
from machi.settings import Settings

NUMERIC = {"z", "x", "y", "id", "report_id", "plan_id", "stop_id", "booking_id", "photo_id"}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(env="test", _env_file=None))  # no request reaches the DB


def _scope(app: FastAPI, method: str, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "app": app,
        "path_params": {},
    }


def _leaves(routes: list[BaseRoute]) -> Iterator[Any]:
    """Every route, with included routers opened up (FastAPI keeps them as one entry)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        yield from (contexts() if contexts else [route])


def _path_of(route: Any) -> str | None:
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path is not None else None


def _first(app: FastAPI, method: str, path: str) -> tuple[int, str | None]:
    """The position of the top-level entry that takes the request, and the route's path."""
    scope = _scope(app, method, path)
    for position, entry in enumerate(app.router.routes):
        if entry.matches(scope)[0] != Match.FULL:
            continue
        for leaf in _leaves([entry]):
            if leaf.matches(scope)[0] == Match.FULL:
                return position, _path_of(leaf)
        return position, _path_of(entry)
    return -1, None


def _sample(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        return "12" if match.group(1) in NUMERIC else "sample"

    return re.sub(r"\{([^}:]+)(?::[^}]+)?\}", value, path)


def test_every_route_takes_its_own_paths(app: FastAPI) -> None:
    checked = 0
    for leaf in _leaves(app.router.routes):
        path = _path_of(leaf)
        if path is None or path.startswith("/static"):
            continue
        for method in sorted(getattr(leaf, "methods", None) or {"GET"}):
            assert _first(app, method, _sample(path))[1] == path, (method, path)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/static/machi.css"),
        ("GET", "/tiles/base/12/3633/1612.pbf"),
        ("GET", "/tiles/reports/16/58136/25803.pbf"),
        ("GET", "/api/v1/reports"),
        ("POST", "/line/webhook"),
        ("GET", "/api/v1/disaster/reports"),
    ],
)
def test_the_busiest_paths_are_matched_among_the_first_routes(
    app: FastAPI, method: str, path: str
) -> None:
    position, found = _first(app, method, path)
    assert found is not None, path
    # after FastAPI's own four (openapi.json and the docs pages), the five busiest entries
    assert 0 <= position < 9, (path, position, len(app.router.routes))
