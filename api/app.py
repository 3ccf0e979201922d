"""The FastAPI application, built from explicit settings (``create_app(settings)``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.input_guard import install_input_guard
from api.openapi_contract import install_openapi_contract
from api.routes import (
    bookings,
    bulky_public,
    crew,
    disaster_api,
    health,
    line_webhook,
    plan_pages,
    plans,
    public,
    resident_web,
    staff_auth,
    staff_bookings,
    staff_disaster,
    staff_pages,
    staff_reports,
    staff_trends,
)
from api.routes.dev_line import install_dev_line
from api.templating import templates
from geo.db import get_engine, make_sessionmaker
from machi.settings import Settings, get_settings

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; nothing connects to the database until a request needs it."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Machi まち API",
        version="0.1.0",
        description="住民からの位置情報付き通報・粗大ごみ申込・収集ルートのためのAPI",
    )
    app.state.settings = settings
    app.state.engine = get_engine(settings.database_url, settings.db_pool_size)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.municipality_id = int(settings.municipality_code)
    install_error_handlers(app)
    install_input_guard(app)
    install_openapi_contract(app)
    app.include_router(health.router)
    app.include_router(public.router)
    app.include_router(staff_auth.router)
    app.include_router(bulky_public.router)
    app.include_router(bookings.router)
    app.include_router(staff_bookings.router)
    app.include_router(line_webhook.router)
    app.include_router(staff_reports.router)
    app.include_router(staff_pages.router)
    app.include_router(staff_trends.router)
    app.include_router(disaster_api.router)
    app.include_router(staff_disaster.router)
    app.include_router(crew.router)
    app.include_router(plans.router)
    app.include_router(plan_pages.router)
    app.include_router(resident_web.router)
    if settings.env == "dev":  # the LINE simulator and the fake LINE API it talks through
        install_dev_line(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "index.html", {"settings": settings})

    return app
