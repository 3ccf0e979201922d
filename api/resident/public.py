"""Public, anonymous endpoints: the town, its districts and evacuation sites (no personal data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import MunicipalityDep, SessionDep
from workflow.web.town import load_districts, load_evacuation_sites, load_town_summary

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get("/town", summary="The municipality served by this instance")
def get_town(session: SessionDep, municipality_id: MunicipalityDep) -> dict[str, Any]:
    summary = load_town_summary(session, municipality_id)
    if summary is None:
        raise HTTPException(404, detail="municipality not loaded: run `machi demo load`")
    return summary


@router.get("/districts", summary="Districts (町丁目) as GeoJSON")
def get_districts(session: SessionDep, municipality_id: MunicipalityDep) -> dict[str, Any]:
    return load_districts(session, municipality_id)


@router.get("/evacuation-sites", summary="Designated emergency evacuation sites as GeoJSON")
def get_evacuation_sites(session: SessionDep, municipality_id: MunicipalityDep) -> dict[str, Any]:
    return load_evacuation_sites(session, municipality_id)
