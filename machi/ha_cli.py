"""``machi db ha up|down|status``: the pg_auto_failover demo formation of ``machi.ha``."""

from __future__ import annotations

import typer

from machi import ha

ha_app = typer.Typer(
    help="pg_auto_failover demo: monitor, primary and synchronous standby (./var/ha)",
    no_args_is_help=True,
)


def _echo_states(formation: ha.Formation) -> None:
    for node in ha.node_states(formation):
        assigned = "" if node.settled else f" (going {node.assigned})"
        typer.echo(f"  {node.name}  127.0.0.1:{node.port}  {node.current}{assigned}")


@ha_app.command("up")
def ha_up() -> None:
    """Create (first time) and start the formation, migrate it and load the demo town."""
    typer.echo("starting the monitor and two nodes (the first time takes a minute) ...")
    try:
        formation = ha.up()
    except ha.HaError as exc:
        typer.echo(f"HA formation failed: {exc}", err=True)
        raise typer.Exit(1) from exc
    _echo_states(formation)
    typer.echo(f"logs and data in {formation.root}; the database URLs (app, owner):")
    for name, url in formation.app_env().items():
        typer.echo(f"  export {name}='{url}'")


@ha_app.command("down")
def ha_down() -> None:
    """Stop both nodes and the monitor (the data stays for the next ``up``)."""
    ha.down()
    typer.echo("HA formation stopped")


@ha_app.command("status")
def ha_status() -> None:
    """The nodes' states as the monitor sees them, and the database URLs."""
    formation = ha.Formation()
    if ha.running_pid(formation, "monitor") is None:
        typer.echo("HA formation not running (machi db ha up)")
        raise typer.Exit(1)
    try:
        _echo_states(formation)
    except ha.HaError as exc:
        typer.echo(f"monitor not answering: {exc}", err=True)
        raise typer.Exit(1) from exc
    for name, url in formation.app_env().items():
        typer.echo(f"  {name}='{url}'")
