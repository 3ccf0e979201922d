"""``machi open311 key add|list|revoke``: Open311 client keys, issued by an administrator.

An admin command: it connects as the tables' owner (``MACHI_OWNER_DATABASE_URL``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from geo.db import get_engine, make_sessionmaker
from machi.settings import get_settings

open311_app = typer.Typer(help="Open311 GeoReport v2", no_args_is_help=True)
open311_key_app = typer.Typer(help="Client API keys (stored hashed)", no_args_is_help=True)
open311_app.add_typer(open311_key_app, name="key")


@open311_key_app.command("add")
def open311_key_add(name: str) -> None:
    """Issue an API key for client NAME; it is shown once, only its hash is kept."""
    from workflow.open311.keys import issue_key

    settings = get_settings()
    with _refused_exit(), make_sessionmaker(get_engine(settings.owner_database_url))() as session:
        issued = issue_key(session, settings.municipality_id, name)
    typer.echo(f"api_key for {issued.name} (shown once, keep it safe):\n{issued.key}")


@open311_key_app.command("list")
def open311_key_list() -> None:
    """List the keys: name, prefix, issued, last used, revoked."""
    from workflow.open311.keys import list_keys

    settings = get_settings()
    with make_sessionmaker(get_engine(settings.owner_database_url))() as session:
        keys = list_keys(session, settings.municipality_id)
    for k in keys:
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
        revoked = f" revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else ""
        typer.echo(
            f"{k.name}\t{k.key_prefix}…\tissued {k.created_at:%Y-%m-%d}\tused {used}{revoked}"
        )


@open311_key_app.command("revoke")
def open311_key_revoke(name: str) -> None:
    """Revoke the key of client NAME (its requests stay)."""
    from workflow.open311.keys import revoke_key

    settings = get_settings()
    with _refused_exit(), make_sessionmaker(get_engine(settings.owner_database_url))() as session:
        revoke_key(session, settings.municipality_id, name)
    typer.echo(f"revoked the key of {name}")


@contextmanager
def _refused_exit() -> Iterator[None]:
    """An Open311 refusal (name taken, no such key) ends the command with one line, exit 1."""
    from workflow.open311.errors import Open311Error

    try:
        yield
    except Open311Error as exc:
        typer.echo(f"refused: {exc.reason} {exc.values}", err=True)
        raise typer.Exit(1) from exc
