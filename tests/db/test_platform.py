"""Platform operators on the real database: the CLI, sign-in with lockout, per-town health."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from typer.testing import CliRunner

from machi import cli, platform_cli
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.platform import LineTraffic, extra_town, operator_account
from workflow.clock import now_tokyo
from workflow.db import open_engine, session_factory
from workflow.platform.auth import sign_in_operator
from workflow.platform.health import town_health

pytestmark = pytest.mark.db

OTHER_TOWN = 99001


@pytest.fixture()
def run_cli(
    test_settings: Settings, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> Iterator[Any]:
    monkeypatch.setattr(platform_cli, "get_settings", lambda: test_settings)
    runner = CliRunner()
    added: list[str] = []

    def run(*args: str, stdin: str | None = None) -> Any:
        if args[:2] == ("platform", "add-operator"):
            added.append(args[2])
        return runner.invoke(cli.app, list(args), input=stdin)

    yield run
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM platform_operator WHERE username = ANY(:u)"), {"u": added})


def test_operators_are_added_listed_and_disabled_from_the_cli(
    run_cli: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = f"ops-{secrets.token_hex(3)}", f"ops-{secrets.token_hex(3)}"
    secret = "correct horse battery staple"
    monkeypatch.setenv("OPS_PASSWORD", secret)
    added = run_cli("platform", "add-operator", first, "--password-env", "OPS_PASSWORD")
    assert added.exit_code == 0, added.output
    prompted = run_cli("platform", "add-operator", second, stdin=f"{secret}!\n{secret}!\n")
    assert prompted.exit_code == 0, prompted.output
    assert secret not in added.output + prompted.output  # a hidden prompt echoes nothing
    with engine.connect() as conn:
        hashes = conn.execute(
            text("SELECT password_hash FROM platform_operator WHERE username IN (:a, :b)"),
            {"a": first, "b": second},
        ).scalars()
        assert all(h.startswith("$argon2id$") for h in hashes)
    assert run_cli("platform", "disable-operator", first).exit_code == 0
    listing = run_cli("platform", "list-operators").output
    line = {row.split("\t")[0]: row for row in listing.splitlines()}
    assert "disabled" in line[first] and line[second].endswith("active")


def test_the_cli_refuses_with_a_sentence(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"ops-{secrets.token_hex(3)}"
    monkeypatch.setenv("OPS_PASSWORD", "long enough password")
    monkeypatch.setenv("OPS_SHORT", "short")
    assert (
        run_cli("platform", "add-operator", name, "--password-env", "OPS_PASSWORD").exit_code == 0
    )
    cases = {
        ("add-operator", name, "--password-env", "OPS_PASSWORD"): "すでに登録されています",
        ("add-operator", "x" + name, "--password-env", "OPS_SHORT"): "12文字以上",
        ("add-operator", "名前", "--password-env", "OPS_PASSWORD"): "英数字",
        ("add-operator", "y" + name, "--password-env", "OPS_UNSET"): "OPS_UNSET is not set",
        ("disable-operator", "nobody-" + name): "登録されていないか",
    }
    for args, said in cases.items():
        result = run_cli("platform", *args)
        assert result.exit_code == 1 and said in result.output, (args, result.output)


def test_sign_in_locks_after_five_failures_and_refuses_a_disabled_operator(
    engine: Engine,
) -> None:
    with operator_account(engine) as op, session_factory(engine)() as session:
        assert sign_in_operator(session, op.username, op.password).identity is not None
        for _ in range(4):
            assert sign_in_operator(session, op.username, "wrong").locked_until is None
        locked = sign_in_operator(session, op.username, "wrong")
        assert locked.identity is None and locked.locked_until is not None
        assert sign_in_operator(session, op.username, op.password).identity is None
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE platform_operator SET locked_until = NULL, disabled_at = now() "
                    "WHERE username = :u"
                ),
                {"u": op.username},
            )
        refused = sign_in_operator(session, op.username, op.password)
        assert refused.identity is None and refused.locked_until is None


@pytest.fixture()
def other_town(engine: Engine) -> Iterator[int]:
    with extra_town(engine, OTHER_TOWN, "テスト町") as town:
        yield town


def test_health_reads_each_town_in_a_transaction_for_that_town(
    database_url: str, engine: Engine, other_town: int
) -> None:
    app_engine = open_engine(database_url, pool_size=2)  # sets machi.town, as the app's does
    seen: list[tuple[str, str | None]] = []

    def town_of_statement(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        with cursor.connection.cursor() as probe:
            probe.execute("SELECT current_setting('machi.town', true)")
            seen.append((statement, probe.fetchone()[0] or None))

    now = now_tokyo()
    traffic = LineTraffic(engine)
    for _ in range(3):
        traffic.event(other_town, "Uplatform" + secrets.token_hex(8), "x", now, processed=False)
    event.listen(app_engine, "before_cursor_execute", town_of_statement)
    try:
        health = {t.code: t for t in town_health(app_engine, now)}
    finally:
        event.remove(app_engine, "before_cursor_execute", town_of_statement)
        traffic.remove()
    assert health[str(other_town)].events_pending == 3
    assert health[str(other_town)].reports_total == 0
    assert health["13202"].name == "立川市"
    registry = [town for sql, town in seen if "FROM municipality" in sql]
    per_town = [town for sql, town in seen if "FROM webhook_event" in sql]
    assert registry == [None]  # the registry is read for no town
    assert len(per_town) == 2  # one transaction per town, each for its own town
    assert set(per_town) == {str(MUNICIPALITY_ID), str(other_town)}


def test_health_counts_only_since_yesterday_and_upcoming_bookings(engine: Engine) -> None:
    now = now_tokyo()
    later = town_health(engine, now + dt.timedelta(days=400))
    today = town_health(engine, now)
    town_later = next(t for t in later if t.code == "13202")
    town_today = next(t for t in today if t.code == "13202")
    assert town_later.reports_total == town_today.reports_total
    assert town_later.reports_last_day == 0 and town_later.bookings_upcoming == 0
