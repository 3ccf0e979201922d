"""``machi db up|down|status|backup|restore|cluster-reports``: the database, as its owner.

Admin commands connect with ``MACHI_OWNER_DATABASE_URL`` (the tables' owner, not held by
row-level security); ``status`` also checks the app's ``MACHI_DATABASE_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from geo.db import get_engine, ping
from machi import localdb
from machi.ha_cli import ha_app
from machi.settings import get_settings

db_app = typer.Typer(help="Project-local PostgreSQL cluster (./var/pg)", no_args_is_help=True)
db_app.add_typer(ha_app, name="ha")


def _external_db() -> bool:
    return bool(os.environ.get("MACHI_DATABASE_URL") or os.environ.get("MACHI_OWNER_DATABASE_URL"))


def _answers(url: str) -> bool:
    return ping(get_engine(url, 1))


@db_app.command("up")
def db_up() -> None:
    """Start the local cluster unless a MACHI_*DATABASE_URL points at an existing PostGIS."""
    if _external_db():
        ok = _answers(get_settings().owner_database_url)
        typer.echo(
            "a database URL is set: using it (" + ("answers" if ok else "NOT answering") + ")"
        )
        raise typer.Exit(0 if ok else 1)
    try:
        cluster = localdb.up()
    except localdb.LocalDbError as exc:
        typer.echo(f"local database failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"local PostgreSQL running on 127.0.0.1:{cluster.port} (data in {cluster.data_dir})")


@db_app.command("cluster-reports")
def db_cluster_reports(
    lock_timeout: float = typer.Option(10.0, "--lock-timeout", min=0.1, help="seconds"),
) -> None:
    """Rewrite the report table in map order (run at a quiet hour, e.g. nightly)."""
    from sqlalchemy.exc import OperationalError

    from geo.maintenance import cluster_reports

    try:
        result = cluster_reports(get_engine(get_settings().owner_database_url), lock_timeout)
    except OperationalError as exc:
        typer.echo(f"cluster-reports failed (table busy?): {exc.orig}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"clustered {result.rows} reports in {result.seconds:.1f} s")


@db_app.command("backup")
def db_backup(
    target: Path = typer.Argument(..., help="dump file; the photos go to FILE.media.tar"),
) -> None:
    """Back up the database (pg_dump custom format) and the photo directory."""
    from machi.backup import BackupError, backup

    settings = get_settings()
    try:
        files = backup(settings.owner_database_url, settings.media_dir, target)
    except BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {files.database} and {files.media}")


@db_app.command("restore")
def db_restore(
    source: Path = typer.Argument(..., help="a dump written by machi db backup"),
    force: bool = typer.Option(False, "--force", help="replace a database that holds tables"),
) -> None:
    """Restore a backup into MACHI_OWNER_DATABASE_URL and MACHI_MEDIA_DIR."""
    from machi.backup import BackupError, restore

    settings = get_settings()
    try:
        restore(settings.owner_database_url, settings.media_dir, source, force=force)
    except BackupError as exc:
        typer.echo(f"restore refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"restored {source} into the database and {settings.media_dir}")


@db_app.command("down")
def db_down() -> None:
    """Stop the local cluster."""
    localdb.down()
    typer.echo("local PostgreSQL stopped")


@db_app.command("status")
def db_status() -> None:
    """Say whether the app's database URL (and the owner's, when another) answers."""
    settings = get_settings()
    urls = dict.fromkeys((settings.database_url, settings.owner_database_url))
    answers = {url: _answers(url) for url in urls}
    for url, ok in answers.items():
        parts = make_url(url)
        hosts = parts.query.get("host") or f"{parts.host}:{parts.port}"  # multi-host: ?host=a:p&...
        where = f"{parts.username}@{','.join([hosts] if isinstance(hosts, str) else hosts)}"
        where += f"/{parts.database}"
        typer.echo(f"{'ok' if ok else 'unavailable'}: {where}")
    raise typer.Exit(0 if all(answers.values()) else 1)
