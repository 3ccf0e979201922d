"""``GET /healthz``: the process answers and the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import EngineDep
from workflow.db import database_answers

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
async def healthz(engine: EngineDep) -> JSONResponse:
    if await run_in_threadpool(database_answers, engine):
        return JSONResponse({"status": "ok", "db": "ok"})
    return JSONResponse({"status": "degraded", "db": "unavailable"}, status_code=503)
