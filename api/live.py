"""The change feed's lifespan: each web process listens for committed changes while it runs.

While it listens, staff identities and street-level map answers are served from memory until
a change touches them (``workflow.fresh``); without it (no ASGI startup, or the listening
connection down) every request reads the database. Once it listens, each desk's opening map
view is counted ahead (``workflow.desk.warm_start``; ``MACHI_MAP_WARM_START``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from machi.settings import Settings
from workflow.desk.warm_start import warm_when_live
from workflow.fresh_feed import start_change_feed


@asynccontextmanager
async def change_feed(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    feed = start_change_feed(settings.database_url)
    app.state.change_feed = feed
    if settings.map_warm_start:
        warm_when_live(app.state.engine, feed)
    try:
        yield
    finally:
        await run_in_threadpool(feed.stop)


router = APIRouter(lifespan=change_feed)
