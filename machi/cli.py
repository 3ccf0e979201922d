"""``machi`` command line (Typer): database, migrations, demo town, roads, serving."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from pathlib import Path

import typer
import uvicorn

from geo.db import get_engine
from machi.db_cli import db_app
from machi.open311_cli import open311_app
from machi.platform_cli import platform_app
from machi.settings import PROJECT_ROOT, get_settings
from machi.town_cli import town_app
from workflow.db import session_scope
from workflow.texts.sentences import error_text

app = typer.Typer(help="まち Machi — 管理コマンド", no_args_is_help=True)
demo_app = typer.Typer(help="The demo towns (立川市)", no_args_is_help=True)
roads_app = typer.Typer(help="Road network for routing (pgRouting)", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(roads_app, name="roads")
app.add_typer(open311_app, name="open311")
app.add_typer(town_app, name="town")
app.add_typer(platform_app, name="platform")

DEMO_LOGINS = (
    ("admin", "admin-demo", "管理者（全課）"),
    ("doro", "doro-demo", "道路課"),
    ("bousai", "bousai-demo", "防災危機管理課"),
    ("kankyo", "kankyo-demo", "環境課"),
    ("crew1", "crew-demo", "収集作業員"),
)


@app.command("migrate")
def migrate(revision: str = typer.Argument("head")) -> None:
    """Run the Alembic migrations up to REVISION (default: head)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    settings = get_settings()  # as the owner; 0009 grants the app role (machi.app_role)
    config.set_main_option("sqlalchemy.url", settings.owner_database_url.replace("%", "%%"))
    config.attributes["machi.app_role"] = settings.app_role
    command.upgrade(config, revision)
    typer.echo(f"migrated to {revision}")


@demo_app.command("load")
def demo_load(towns: list[str] = typer.Option([], "--town", help="code (default: all)")) -> None:
    """Load the demo towns (idempotent: a second run adds nothing); seed the town registry."""
    from machi.town_cli import load_demo_towns

    load_demo_towns(towns)


@demo_app.command("seed-reports")
def demo_seed_reports(
    n: int = typer.Argument(..., min=1),
    seed: int = 1,
    batch: int = typer.Option(1000, "--batch", min=1, help="reports per transaction"),
) -> None:
    """Create N plausible reports on the town's roads, made as real intake makes them."""
    from workflow.demo.seed import seed_reports_in_batches

    settings = get_settings()
    engine = get_engine(settings.owner_database_url)
    mid = settings.municipality_id
    result = seed_reports_in_batches(engine, mid, n, seed=seed, batch=batch)
    typer.echo(
        f"created {result.created} reports: kinds {result.by_kind}, statuses {result.by_status}"
    )


@roads_app.command("import")
def roads_import(path: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Load an OSM extract (OSMnx .graphml, .osm or .osm.pbf) as the routing network."""
    from geo.osm_graph import read_graphml, read_osm_extract
    from geo.roads import store_road_graph

    settings = get_settings()
    graph = read_graphml(path) if path.suffix == ".graphml" else read_osm_extract(path)
    with session_scope(get_engine(settings.owner_database_url)) as session:
        result = store_road_graph(session, settings.municipality_id, graph)
    typer.echo(f"imported {result.vertices} vertices, {result.edges} edges, {result.length_km} km")


@app.command("worker")
def worker(
    processes: int = typer.Option(
        1, "--processes", min=1, max=64, help="worker processes (see README for how many)"
    ),
) -> None:
    """Run the background worker (LINE events, sending, calendar, photos) until Ctrl-C."""
    from machi.worker import run_processes, run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(message)s")
    _check_app_role()
    if processes > 1:
        raise typer.Exit(run_processes(processes))
    run_worker(get_settings())


def _check_app_role() -> None:
    """The app role's connection: a warning when RLS does not hold it, in production refused."""
    from machi.app_role import AppRoleRefused, check_app_role

    try:
        warning = check_app_role(get_settings())
    except AppRoleRefused as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    if warning:
        typer.echo(f"WARNING: {warning}", err=True)


def _print_welcome(host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    typer.echo(
        f"\nまち Machi is running:\n  トップ      {base}/\n  API文書     {base}/docs\n"
        f"  稼働状況    {base}/healthz\n  通報窓口    {base}/r/"
    )
    if get_settings().env == "dev":
        typer.echo(f"  LINE試験    {base}/dev/line  (LINE simulator, no channel needed)")
        typer.echo("Demo logins (dev only):")
        for user, password, role in DEMO_LOGINS:
            typer.echo(f"  {user:<8} / {password:<12} {role}")
    typer.echo("Press Ctrl-C to stop.\n")


@app.command("serve")
def serve(
    with_worker: bool = typer.Option(False, "--with-worker", help="also run the worker"),
    workers: int = typer.Option(1, "--workers", min=1, help="web processes (bench.map_scale)"),
) -> None:
    """Serve the web app (and optionally the worker as a child process) until Ctrl-C."""
    settings = get_settings()
    _check_app_role()
    child = None
    if with_worker:
        child = subprocess.Popen([sys.executable, "-m", "machi", "worker"])
    _print_welcome(settings.host, settings.port)
    try:
        uvicorn.run(
            "api.main:app",
            host=settings.host,
            port=settings.port,
            log_level="info",
            workers=workers,
            # X-Forwarded-For is believed only from MACHI_TRUSTED_PROXIES (api.client_address);
            # uvicorn's default would trust it from 127.0.0.1 for every purpose.
            proxy_headers=False,
        )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD") from exc


@app.command("plan")
def plan_day(
    date: str = typer.Option(..., "--date", help="service date YYYY-MM-DD"),
    time_limit: float = typer.Option(30.0, "--time-limit", help="solver budget in seconds"),
    workers: int = typer.Option(1, "--workers", min=1, help="solver processes (CPU cores)"),
) -> None:
    """Plan the collection routes of a day (replaces its draft plan)."""
    from api.line.notices import planned_notice
    from workflow.plans.plan import plan

    settings = get_settings()
    engine = get_engine(settings.owner_database_url)
    mid, day = settings.municipality_id, _parse_date(date)
    result = plan(engine, mid, day, time_limit, workers=workers, notice=planned_notice)
    typer.echo(
        f"plan {result.plan_id}: {result.routes} trucks, {result.stops} stops, "
        f"{len(result.unassigned)} unassigned, matrix {result.matrix_source}, "
        + ", ".join(f"{k} {v:.2f}" for k, v in result.timings_s.items())
    )
    for booking_id, reason in result.unassigned:
        typer.echo(f"  unassigned booking {booking_id}: {reason}")


@app.command("print")
def print_day(
    date: str = typer.Option(..., "--date", help="service date YYYY-MM-DD"),
    out: Path = typer.Option(Path("."), "--out", help="directory for the PDF"),
    paper: str = typer.Option("A4", "--paper", help="A4 or A3"),
) -> None:
    """Write the crews' worksheets of a planned day as one PDF."""
    from print.worksheet import Paper, render_worksheets
    from workflow.errors import NotFoundError
    from workflow.plans.worksheets import build_worksheet_set

    size = paper.upper()
    if size not in ("A4", "A3"):
        raise typer.BadParameter("use A4 or A3", param_hint="--paper")
    paper_size: Paper = "A3" if size == "A3" else "A4"
    settings = get_settings()
    day, mid = _parse_date(date), settings.municipality_id
    try:
        with session_scope(get_engine(settings.owner_database_url)) as session:
            sheet = build_worksheet_set(
                session, mid, day, settings.base_url, settings.secret_key, paper_size
            )
    except NotFoundError as exc:
        hint = f"（先に machi plan --date {day:%Y-%m-%d}）" if exc.code == "plan_not_found" else ""
        typer.echo(error_text(exc) + hint, err=True)
        raise typer.Exit(1) from exc
    pdf = render_worksheets(sheet, paper=paper_size)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"worksheets-{day:%Y-%m-%d}-{size}.pdf"  # the same name as the download
    target.write_bytes(pdf)
    typer.echo(f"wrote {target} ({len(sheet.routes)} trucks, {len(pdf) // 1024} kB)")


line_app = typer.Typer(help="LINE Official Account", no_args_is_help=True)
app.add_typer(line_app, name="line")


@line_app.command("setup-richmenu")
def setup_richmenu_command(
    save_image: Path | None = typer.Option(None, help="also write the menu image here"),
) -> None:
    """Create the rich menu (definition + generated image) and make it the default."""
    from api.line.richmenu import render_richmenu_png, setup_richmenu
    from workflow.line.sender import make_configuration

    settings = get_settings()
    if save_image is not None:
        save_image.write_bytes(render_richmenu_png())
    config = make_configuration(settings.line_channel_access_token, settings.line_api_base)
    typer.echo(f"rich menu {setup_richmenu(config)} is now the default")
