"""Every request knows its town: resolved from the path or the host name, before any route runs.

* ``/line/{code}/webhook`` names its town in the path (LINE calls one URL per channel);
* any other request is for the town whose registered host name it was sent to
  (``tachikawa.example.jp``), and on any other host name for the deployment's default town
  (``MACHI_MUNICIPALITY_CODE``), so a single-town deployment needs no host names at all.

Host names, not path prefixes, because each town then has its own origin: the staff session
cookie of one town is never sent to another, the same-origin rules of the browser keep their
pages apart, and no page or link needs rewriting. A town that is registered but disabled
answers 404 on its host name, as does a webhook naming an unknown or disabled town.

The town goes into ``request.state.town`` and, through ``town_scope``, into every database
transaction the request opens (``SET LOCAL machi.town``), where row-level security holds the
request to that town's rows.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from machi.settings import Settings
from workflow.db import town_scope
from workflow.towns.directory import TownDirectory, TownRef, base_url_of, load_town_refs

log = logging.getLogger("machi.towns")
_WEBHOOK = re.compile(r"^/line/(?P<code>[^/]{1,16})/webhook/?$")


class TownResolver:
    """Pure ASGI middleware: sets ``scope["state"]["town"]`` and the town of the DB session."""

    def __init__(self, app: ASGIApp, directory: TownDirectory, default: TownRef) -> None:
        self.app = app
        self.directory = directory
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self.directory.stale():
            await run_in_threadpool(self._reload)
        town = await self._resolve(scope)
        if town is None:
            await _unknown_town(scope, receive, send)
            return
        scope.setdefault("state", {})["town"] = town
        with town_scope(town.id):
            await self.app(scope, receive, send)

    async def _resolve(self, scope: Scope) -> TownRef | None:
        match = _WEBHOOK.match(scope.get("path", ""))
        if match:
            town = await self._known(lambda: self.directory.by_code(match["code"]))
            if town is None and match["code"] == self.default.code:
                # the default town answers even before the registry can be read (DB down)
                return None if self.directory.by_id(self.default.id) else self.default
            return town
        host = _header(scope, b"host")
        town = self.directory.by_host(host)
        if town is not None:
            return town
        if self.directory.host_registered(host):  # a disabled town's own host name
            return None
        return self.directory.by_id(self.default.id) or self.default

    async def _known(self, find: Any) -> TownRef | None:
        town: TownRef | None = find()
        if town is None and self.directory.stale(missed=True):
            await run_in_threadpool(self._reload)
            town = find()
        return town

    def _reload(self) -> None:
        try:
            self.directory.reload()
        except Exception:  # the DB is down: keep what we knew, try again a little later
            log.warning("town registry not readable; using the towns known so far", exc_info=True)
            self.directory.retry_later()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _unknown_town(scope: Scope, receive: Receive, send: Send) -> None:
    body = {"error": "unknown_town", "field": "town", "message": "no such town on this server"}
    await JSONResponse(body, status_code=404)(scope, receive, send)


def request_town(request: Request) -> TownRef:
    """The town the request is for (set by :class:`TownResolver`)."""
    town = getattr(request.state, "town", None)
    if not isinstance(town, TownRef):
        raise HTTPException(404, detail="unknown town")
    return town


async def _town_dep(request: Request) -> TownRef:  # async: no thread-pool hop (api.deps)
    return request_town(request)


TownDep = Annotated[TownRef, Depends(_town_dep)]


def town_base_url(request: Request, settings: Settings) -> str:
    """The public base URL of the request's town (``workflow.towns.directory.base_url_of``)."""
    return base_url_of(request_town(request), settings.base_url)


def install_town_resolver(app: FastAPI, settings: Settings) -> None:
    """Resolve every request's town from the registry behind ``app.state.engine``."""
    engine = app.state.engine
    directory = TownDirectory(lambda: load_town_refs(engine))
    default = TownRef(settings.municipality_id, settings.municipality_code, "", None, None, True)
    app.state.towns = directory
    app.add_middleware(TownResolver, directory=directory, default=default)
