"""``machi town add|list|show|set|disable|enable|line|seed``: the town registry; demo towns.

Secrets never appear here: ``line`` reads the channel secret and access token from named
environment variables or a hidden prompt (never from argv), and ``show`` / ``list`` say only
whether they are set. A refusal ends the command with one sentence on stderr and exit code 1.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from machi.settings import get_settings
from workflow.db import Session, open_engine, session_scope

town_app = typer.Typer(help="The town registry: the municipalities served", no_args_is_help=True)

CODE_HELP = "JIS code (全国地方公共団体コード), 5 digits or 6 with the check digit"
CLEAR_HINT = "; an empty value clears it"


@contextmanager
def _registry() -> Iterator[Session]:
    """A unit of work on the registry; a refusal is one line on stderr and exit code 1."""
    from workflow.errors import WorkflowError
    from workflow.texts.sentences import error_text
    from workflow.towns import SecretError

    try:
        with session_scope(open_engine(get_settings().owner_database_url)) as session:
            yield session
    except WorkflowError as exc:
        typer.echo(error_text(exc), err=True)
        raise typer.Exit(1) from exc
    except SecretError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from exc


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _set(flag: bool) -> str:
    return "set" if flag else "not set"


@town_app.command("add")
def town_add(
    code: str = typer.Option(..., "--code", help=CODE_HELP),
    name: str = typer.Option(..., "--name", help="立川市"),
    prefecture: str = typer.Option(..., "--prefecture", help="東京都"),
    phone: str = typer.Option(..., "--phone", help="the town's number, 042-523-2111"),
    host: str | None = typer.Option(None, "--host", help="host name of its staff and residents"),
    public_base_url: str | None = typer.Option(None, "--public-base-url", help="base of links"),
    basemap: str = typer.Option("own", "--basemap", help="own, gsi or an XYZ URL template"),
    boundary: Path | None = typer.Option(None, "--boundary", help="GeoJSON of the town's area"),
) -> None:
    """Register a municipality (active; its LINE channel is set with `machi town line`)."""
    from workflow.towns import add_town

    with _registry() as session:
        town = add_town(
            session, code, name, prefecture, phone, host, public_base_url, basemap, boundary
        )
    typer.echo(f"added town {town.code} {town.name} (id {town.id}, host {town.host or '-'})")
    if boundary is None:
        typer.echo(
            f"no boundary yet: every place is outside the town until "
            f"`machi town set {town.code} --boundary FILE`"
        )


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (full-width characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)


@town_app.command("list")
def town_list() -> None:
    """Every town, disabled ones too: code, name, host, active, LINE channel set."""
    from workflow.towns import town_overview

    with _registry() as session:
        entries = town_overview(session, include_disabled=True)
    widths = (6, 24, 32, 7)
    header = ("code", "name", "host", "active", "LINE")
    typer.echo("".join(_pad(h, w) for h, w in zip(header, widths, strict=False)) + header[-1])
    for e in entries:
        cells = (e.town.code, e.town.name, e.town.host or "-", _yes(e.town.active))
        typer.echo(
            "".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + _yes(e.line_set)
        )


@town_app.command("show")
def town_show(code: str = typer.Argument(..., help=CODE_HELP)) -> None:
    """Everything the registry holds about a town, but its secrets (only whether they are set)."""
    from workflow.towns import get_town, line_channel_status, town_has_boundary

    with _registry() as session:
        town = get_town(session, code)
        status = line_channel_status(session, town.id)
        has_boundary = town_has_boundary(session, town.id)
    rows: list[tuple[str, Any]] = [
        ("code", town.code),
        ("id", town.id),
        ("name", town.name),
        ("prefecture", town.prefecture),
        ("phone", town.phone),
        ("host", town.host or "-"),
        ("public base URL", town.public_base_url or "- (MACHI_PUBLIC_BASE_URL)"),
        ("basemap", town.basemap),
        ("active", _yes(town.active)),
        ("boundary", "set" if has_boundary else "empty (set one with --boundary)"),
        ("LINE channel id", (status.channel_id if status else None) or "-"),
        ("LINE secret", _set(status is not None and status.secret_set)),
        ("LINE access token", _set(status is not None and status.access_token_set)),
    ]
    if status is not None and status.updated_at is not None:
        rows.append(("LINE updated", f"{status.updated_at:%Y-%m-%d %H:%M %z}"))
    for label, value in rows:
        typer.echo(f"{label:<18}{value}")


@town_app.command("set")
def town_set(
    code: str = typer.Argument(..., help=CODE_HELP),
    name: str | None = typer.Option(None, "--name"),
    prefecture: str | None = typer.Option(None, "--prefecture"),
    phone: str | None = typer.Option(None, "--phone"),
    host: str | None = typer.Option(None, "--host", help="host name" + CLEAR_HINT),
    public_base_url: str | None = typer.Option(
        None, "--public-base-url", help="base of links" + CLEAR_HINT
    ),
    basemap: str | None = typer.Option(None, "--basemap", help="own, gsi or an XYZ URL"),
    boundary: Path | None = typer.Option(None, "--boundary", help="GeoJSON of the town's area"),
) -> None:
    """Change a town's registry fields (only those given)."""
    from workflow.towns import set_town

    given = {
        "name": name,
        "prefecture": prefecture,
        "phone": phone,
        "host": host,
        "public_base_url": public_base_url,
        "basemap": basemap,
        "boundary": boundary,
    }
    fields = {k: x for k, x in given.items() if x is not None}
    if not fields:
        typer.echo("nothing to change: give at least one option (see --help)", err=True)
        raise typer.Exit(1)
    with _registry() as session:
        town = set_town(session, code, **fields)
    typer.echo(f"town {town.code} {town.name}: changed " + ", ".join(sorted(fields)))


@town_app.command("disable")
def town_disable(code: str = typer.Argument(..., help=CODE_HELP)) -> None:
    """Stop serving a town (its data stays)."""
    from workflow.towns import disable_town

    with _registry() as session:
        town = disable_town(session, code)
    typer.echo(f"town {town.code} {town.name} disabled")


@town_app.command("enable")
def town_enable(code: str = typer.Argument(..., help=CODE_HELP)) -> None:
    """Serve a disabled town again."""
    from workflow.towns import enable_town

    with _registry() as session:
        town = enable_town(session, code)
    typer.echo(f"town {town.code} {town.name} enabled")


def _secret(env_name: str | None, what: str) -> str:
    """A secret from the environment variable ``env_name``, or typed at a hidden prompt."""
    if env_name is None:
        return str(typer.prompt(what, hide_input=True))
    value = os.environ.get(env_name, "")
    if not value.strip():
        typer.echo(f"environment variable {env_name} is not set or empty", err=True)
        raise typer.Exit(1)
    return value


@town_app.command("line")
def town_line(
    code: str = typer.Argument(..., help=CODE_HELP),
    channel_id: str = typer.Option(..., "--channel-id", help="the channel id (digits)"),
    secret_env: str | None = typer.Option(
        None, "--secret-env", help="name of the environment variable holding the secret"
    ),
    token_env: str | None = typer.Option(
        None, "--token-env", help="name of the environment variable holding the access token"
    ),
) -> None:
    """Store a town's LINE channel; secret and token are encrypted with MACHI_DATA_KEY.

    Without --secret-env / --token-env they are asked for at a hidden prompt.
    """
    from workflow.towns import DataKey, get_town, set_line_channel

    secret = _secret(secret_env, "LINE channel secret")
    token = _secret(token_env, "LINE channel access token")
    key = DataKey.from_settings(get_settings())
    with _registry() as session:
        town = get_town(session, code)
        status = set_line_channel(session, town.id, channel_id, secret, token, key)
    typer.echo(
        f"town {town.code} {town.name}: LINE channel {status.channel_id} stored "
        f"(secret {_set(status.secret_set)}, access token {_set(status.access_token_set)})"
    )


@town_app.command("seed")
def town_seed() -> None:
    """Store MACHI_LINE_CHANNEL_* for MACHI_MUNICIPALITY_CODE unless it has a channel already."""
    outcome = _seed()
    typer.echo(
        f"town {get_settings().municipality_code}: LINE channel from the environment: {outcome}"
    )


def _seed() -> str:
    from workflow.towns import seed_from_settings

    with _registry() as session:
        return seed_from_settings(session, get_settings())


def load_demo_towns(codes: list[str]) -> None:
    """Load the demo towns of ``codes`` (all of them when empty), then seed the registry."""
    from workflow.demo.towns import DEMO_TOWNS, seed_dev_channel

    unknown = [c for c in codes if c not in DEMO_TOWNS]
    if unknown:
        typer.echo(
            f"no demo town {', '.join(unknown)}; the demo towns are {', '.join(DEMO_TOWNS)}",
            err=True,
        )
        raise typer.Exit(1)
    for code in codes or list(DEMO_TOWNS):
        with _registry() as session:
            result = DEMO_TOWNS[code](session)
            seed_dev_channel(session, get_settings(), code)
        verb = "loaded" if result.loaded else "already loaded"
        counts = ", ".join(f"{k}={v}" for k, v in result.counts.items())
        typer.echo(f"demo town {code} {verb}: {counts}")
    typer.echo(f"LINE channel from the environment: {_seed()}")
