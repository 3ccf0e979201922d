"""``machi platform add-operator|list-operators|disable-operator``: platform operator accounts.

A password never comes from the command line (shell history, ``ps``): it is typed at a
hidden prompt, twice, or read from the environment variable named by ``--password-env``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from machi.settings import get_settings
from workflow.clock import TOKYO, now_tokyo
from workflow.db import Session, open_engine, session_factory
from workflow.errors import WorkflowError
from workflow.texts.sentences import error_text

platform_app = typer.Typer(
    help="Platform operators: every town's health, no resident's data", no_args_is_help=True
)


@contextmanager
def _session() -> Iterator[Session]:
    with session_factory(open_engine(get_settings().database_url, pool_size=1))() as session:
        yield session


@contextmanager
def _refused_exit() -> Iterator[None]:
    """A refusal (name taken, no such operator, short password) ends the command, exit 1."""
    try:
        yield
    except WorkflowError as exc:
        typer.echo(f"refused: {error_text(exc)}", err=True)
        raise typer.Exit(1) from exc


def _password(variable: str | None) -> str:
    if variable is None:
        value: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        return value
    value = os.environ.get(variable, "")
    if not value:
        typer.echo(f"refused: the environment variable {variable} is not set", err=True)
        raise typer.Exit(1)
    return value


@platform_app.command("add-operator")
def add_operator_command(
    username: str,
    password_env: str | None = typer.Option(
        None, "--password-env", metavar="VAR", help="read the password from this variable"
    ),
) -> None:
    """Add platform operator USERNAME (the password is asked for, hidden)."""
    from workflow.platform.operators import add_operator

    password = _password(password_env)
    with _refused_exit(), _session() as session:
        added = add_operator(session, username, password)
    typer.echo(f"added platform operator {added.username}")


@platform_app.command("list-operators")
def list_operators_command() -> None:
    """List the operators: name, added, disabled or locked."""
    from workflow.platform.operators import list_operators

    with _session() as session:
        operators = list_operators(session)
    now = now_tokyo()
    for op in operators:
        state = "active"
        if op.disabled_at is not None:
            state = f"disabled {op.disabled_at.astimezone(TOKYO):%Y-%m-%d %H:%M}"
        elif op.locked_until is not None and op.locked_until > now:
            state = f"locked until {op.locked_until.astimezone(TOKYO):%H:%M}"
        typer.echo(f"{op.username}\tadded {op.created_at.astimezone(TOKYO):%Y-%m-%d}\t{state}")
    if not operators:
        typer.echo("no platform operators (add one: machi platform add-operator NAME)")


@platform_app.command("disable-operator")
def disable_operator_command(username: str) -> None:
    """Disable operator USERNAME: sign-in refused, open sessions and tokens end."""
    from workflow.platform.operators import disable_operator

    with _refused_exit(), _session() as session:
        disable_operator(session, username, now_tokyo())
    typer.echo(f"disabled platform operator {username}")
