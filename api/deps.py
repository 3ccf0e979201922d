"""FastAPI dependencies and their aliases (``SessionDep``, ``SettingsDep``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from machi.settings import Settings
from workflow.db import Engine, Session


# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency in the
# thread pool, a hop per dependency per request that cost more than the work (profiled on the
# staff map's cached whole-city view).
async def get_app_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


async def get_engine_dep(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for the request.

    Made on the event loop (no I/O yet), closed in the thread pool when it was used (closing
    rolls back: a round trip to the database); one that answered from a cache closes here.
    """
    session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def get_municipality_id(request: Request) -> int:
    """The id of the town the request is for (``api.towns.TownResolver`` resolved it)."""
    town = getattr(request.state, "town", None)
    if town is None:
        raise HTTPException(404, detail="unknown town")
    municipality_id: int = town.id
    return municipality_id


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


async def municipality_dep(request: Request) -> int:
    return get_municipality_id(request)


MunicipalityDep = Annotated[int, Depends(municipality_dep)]
