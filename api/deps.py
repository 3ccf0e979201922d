"""FastAPI dependencies and their aliases (``SessionDep``, ``SettingsDep``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from machi.settings import Settings
from workflow.db import Engine, Session


def get_app_settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def get_engine_dep(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


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
MunicipalityDep = Annotated[int, Depends(get_municipality_id)]
