"""The FastAPI application, built from explicit settings (``create_app(settings)``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from api import health, live, tiles
from api.crew import pages as crew
from api.dev.simulator import install_dev_line
from api.errors import install_error_handlers
from api.input_guard import install_input_guard
from api.line import webhook as line_webhook
from api.line.channels import install_channel_secrets
from api.open311 import public_map
from api.open311.routes import install_open311
from api.openapi_contract import install_openapi_contract
from api.platform import routes as platform
from api.resident import bulky as bulky_public
from api.resident import public
from api.resident import web as resident_web
from api.staff import auth as staff_auth
from api.staff import bookings_api as bookings
from api.staff import disaster as staff_disaster
from api.staff import disaster_api, plan_pages
from api.staff import outbox as staff_outbox
from api.staff import pages as staff_pages
from api.staff import phone_booking as staff_bookings
from api.staff import plans_api as plans
from api.staff import reports as staff_reports
from api.staff import trends as staff_trends
from api.static_files import MemoryStaticFiles
from api.templating import templates
from api.towns import install_town_resolver
from machi.settings import Settings, get_settings
from workflow.db import open_engine, session_factory

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
    app.state.engine = open_engine(settings.database_url, settings.db_pool_size)
    app.state.sessionmaker = session_factory(app.state.engine)
    install_town_resolver(app, settings)
    install_channel_secrets(app, settings)
    install_error_handlers(app)
    install_input_guard(app)
    install_openapi_contract(app)
    _add_routes(app, settings)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "index.html", {"settings": settings})

    return app


def _add_routes(app: FastAPI, settings: Settings) -> None:
    """Every router and the static files, the busiest first.

    Routes are matched in order, and each included router costs its routes' checks: a
    tile asked at the end of the list spent ~0.2 ms just being routed (a cached tile is
    ~1.5 ms in all). The paths asked most (static files, tiles, the map's bbox API, the
    LINE webhook in a disaster) come first; no other route's paths overlap theirs
    (tests/unit/api/test_route_order.py).
    """
    app.mount("/static", MemoryStaticFiles(HERE / "static"), name="static")
    app.include_router(tiles.router)
    app.include_router(staff_reports.router)
    app.include_router(line_webhook.router)
    app.include_router(disaster_api.router)
    app.include_router(live.router)
    app.include_router(health.router)
    app.include_router(public.router)
    app.include_router(staff_auth.router)
    app.include_router(bulky_public.router)
    app.include_router(bookings.router)
    app.include_router(staff_bookings.router)
    app.include_router(staff_pages.router)
    app.include_router(staff_outbox.router)
    app.include_router(staff_trends.router)
    app.include_router(staff_disaster.router)
    app.include_router(crew.router)
    app.include_router(plans.router)
    app.include_router(plan_pages.router)
    app.include_router(resident_web.router)
    install_open311(app, settings)
    app.include_router(public_map.router)
    app.include_router(platform.router)
    if settings.env == "dev":  # the LINE simulator and the fake LINE API it talks through
        install_dev_line(app)
