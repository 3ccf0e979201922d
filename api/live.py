"""The change feed's lifespan: each web process listens for committed changes while it runs.

While it listens, staff identities and street-level map answers are served from memory until
a change touches them (``workflow.fresh``); without it (no ASGI startup, or the listening
connection down) every request reads the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from machi.settings import Settings
from workflow.fresh import start_change_feed


@asynccontextmanager
async def change_feed(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    feed = start_change_feed(settings.database_url)
    app.state.change_feed = feed
    try:
        yield
    finally:
        await run_in_threadpool(feed.stop)


router = APIRouter(lifespan=change_feed)
