"""``GET /healthz``: the process and the database answer. ``GET /readyz``: plus LINE delivery."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import EngineDep, MunicipalityDep
from workflow.clock import now_tokyo
from workflow.db import database_answers
from workflow.line.failures import outbox_health

router = APIRouter(tags=["health"])
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "the database does not answer"}
}


@router.get("/healthz", summary="Liveness and database check", responses=UNAVAILABLE)
async def healthz(engine: EngineDep) -> JSONResponse:
    if await run_in_threadpool(database_answers, engine):
        return JSONResponse({"status": "ok", "db": "ok"})
    return JSONResponse({"status": "degraded", "db": "unavailable"}, status_code=503)


@router.get(
    "/readyz",
    summary="Database and LINE delivery: backlog, oldest pending, given up",
    responses=UNAVAILABLE,
)
async def readyz(engine: EngineDep, mid: MunicipalityDep) -> JSONResponse:
    """503 when the database is down; otherwise the outbox figures monitoring alerts on.

    ``line.channel`` is ``ok``, ``throttled`` (429), ``unavailable`` (outage) or ``auth``
    (LINE refuses our token: a configuration fault someone must fix).
    """
    if not await run_in_threadpool(database_answers, engine):
        return JSONResponse({"status": "degraded", "db": "unavailable"}, status_code=503)
    health = await run_in_threadpool(outbox_health, engine, mid, now_tokyo())
    status = "ok" if health.channel == "ok" and health.given_up_last_day == 0 else "degraded"
    return JSONResponse({"status": status, "db": "ok", "line": health.as_dict()})
