"""The change feed's lifespan: each web process listens for committed changes while it runs.

While it listens, staff identities and street-level map answers are served from memory until
a change touches them (``workflow.fresh``); without it (no ASGI startup, or the listening
connection down) every request reads the database. Once it listens, each desk's opening map
view is counted ahead (``workflow.desk.warm_start``; ``MACHI_MAP_WARM_START``), and the
process readies its routes and templates (``warm_pages``) and then tunes its garbage collector
(``settle_memory``).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.routing import NoMatchFound

from api.templating import templates
from machi.settings import Settings
from workflow.desk.warm_start import warm_when_live
from workflow.fresh_feed import start_change_feed

GC_THRESHOLDS: Final = (20_000, 20, 20)  # CPython's are (700, 10, 10)


@asynccontextmanager
async def change_feed(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    feed = start_change_feed(settings.database_url)
    app.state.change_feed = feed
    if settings.map_warm_start:
        warm_when_live(app.state.engine, feed)
        threading.Thread(target=_warm_process, args=(app,), name="machi-pages", daemon=True).start()
    try:
        yield
    finally:
        await run_in_threadpool(feed.stop)


def _warm_process(app: FastAPI) -> None:
    warm_pages(app)
    settle_memory()


def warm_pages(app: FastAPI) -> int:
    """Ready every route's request handling and compile every page template; how many pages.

    FastAPI readies an included router's routes (their dependencies and parameter models)
    when a request first reaches it, on the event loop: 0.6 s over all our routers, so the
    first requests after a start stalled every other request in the process. Looking up a
    name no route has walks every route and readies it, here in a thread. Compiling the
    templates spares the first clerk ~0.1 s per page.
    """
    try:
        app.url_path_for("machi-warm-every-route")
    except NoMatchFound:
        pass
    names = templates.env.list_templates(extensions=["html"])
    for name in names:
        templates.env.get_template(name)
    return len(names)


def settle_memory() -> None:
    """Leave what the process has made so far out of garbage collection, and collect rarely.

    A web process holds a few hundred thousand objects from its libraries and the map answers
    it keeps (blocks of counts, towns, tiles), and CPython's full collections walked them all:
    at a million reports under the map bench, 26 full collections in 4 minutes stopped a
    process for 50-940 ms each, the clerks' requests with it. Objects made until now (imports,
    routes, templates) are frozen out of collection (``gc.freeze``: refcounting still frees
    them), and collections run after 20,000 new container objects instead of 700, so a full
    one, over what was made since, comes about 100 times less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


router = APIRouter(lifespan=change_feed)
