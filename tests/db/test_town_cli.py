"""`machi town ...` and `machi demo load --town` as an operator runs them, on a scratch database.

Secrets go in through environment variables or a hidden prompt and never come out: not in
`line`, `show` or `list`, and the database holds only their ciphertext.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner, Result

from geo.db import get_engine
from machi import cli
from machi.settings import get_settings
from tests.conftest import create_database, drop_database, migrate
from workflow.db import session_scope
from workflow.towns import DataKey, line_channel

DATA_KEY = "a-cli-test-data-key-of-32-characters-or-more"
SECRET = "cli-channel-secret-5f2a9c"
TOKEN = "cli-access-token-b81e07d4"


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    name = f"machi_towncli_{secrets.token_hex(4)}"
    url = create_database(name)
    try:
        migrate(url)
        yield url
    finally:
        get_engine(url).dispose()
        drop_database(name)


@pytest.fixture()
def machi(scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose `machi` talks to the scratch database with the test data key."""
    monkeypatch.setenv("MACHI_OWNER_DATABASE_URL", scratch_url)  # an admin command: the owner
    monkeypatch.setenv("MACHI_DATA_KEY", DATA_KEY)
    monkeypatch.setenv("MACHI_ENV", "test")
    get_settings.cache_clear()
    try:
        yield CliRunner()
    finally:
        get_settings.cache_clear()


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(cli.app, list(args), input=stdin)


def _add(runner: CliRunner, code: str, name: str, host: str, *extra: str) -> Result:
    return run(
        runner,
        "town", "add", "--code", code, "--name", name, "--prefecture", "京都府",
        "--phone", "0772-69-0001", "--host", host, *extra,
    )  # fmt: skip


def test_add_list_show_set_disable_enable(machi: CliRunner, tmp_path: Path) -> None:
    boundary = tmp_path / "kyotango.geojson"
    square = [[[135.0, 35.6], [135.1, 35.6], [135.1, 35.7], [135.0, 35.6]]]
    boundary.write_text(json.dumps({"type": "Polygon", "coordinates": square}), "utf-8")
    added = _add(machi, "262129", "京丹後市", "kyotango.localhost", "--boundary", str(boundary))
    assert added.exit_code == 0, added.output
    assert "added town 26212 京丹後市" in added.stdout and "no boundary" not in added.stdout
    listed = run(machi, "town", "list")
    assert listed.exit_code == 0
    header, row = listed.stdout.splitlines()[:2]
    assert header.split() == ["code", "name", "host", "active", "LINE"]
    assert row.split() == ["26212", "京丹後市", "kyotango.localhost", "yes", "no"]
    changed = run(machi, "town", "set", "26212", "--basemap", "gsi", "--public-base-url", "")
    assert changed.exit_code == 0 and "basemap, public_base_url" in changed.stdout
    shown = run(machi, "town", "show", "26212").stdout
    assert "basemap           gsi" in shown and "boundary          set" in shown
    assert "LINE secret       not set" in shown
    assert run(machi, "town", "disable", "26212").exit_code == 0
    assert "26212 京丹後市 kyotango.localhost no no" in " ".join(
        run(machi, "town", "list").stdout.split()
    )
    assert run(machi, "town", "enable", "26212").exit_code == 0
    assert "active            yes" in run(machi, "town", "show", "26212").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("town", "show", "27100"), "地方公共団体コード 27100 の自治体は登録されていません。"),
        (("town", "show", "abc"), "「abc」は地方公共団体コードではありません"),
        (("town", "set", "26212"), "nothing to change"),
        (("town", "set", "26212", "--host", "a/b"), "ホスト名として使えません"),
        (("town", "disable", "27100"), "登録されていません"),
        (("demo", "load", "--town", "99999"), "the demo towns are 13202, 26212"),
    ],
)
def test_bad_input_exits_1_with_a_clear_message(
    machi: CliRunner, args: tuple[str, ...], message: str
) -> None:
    result = run(machi, *args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_a_taken_code_or_host_is_refused(machi: CliRunner) -> None:
    assert _add(machi, "01100", "札幌市", "sapporo.localhost").exit_code == 0
    again = _add(machi, "01100", "札幌市", "sapporo2.localhost")
    assert again.exit_code == 1 and "すでに登録されています" in again.stderr
    host = _add(machi, "40130", "福岡市", "sapporo.localhost")
    assert host.exit_code == 1 and "ほかの自治体が使っています" in host.stderr


def _stored(url: str, town_id: int) -> tuple[bytes, bytes]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT secret_enc, access_token_enc FROM line_channel "
                    "WHERE municipality_id = :m"
                ),
                {"m": town_id},
            ).one()
    finally:
        engine.dispose()
    return bytes(row.secret_enc), bytes(row.access_token_enc)


def test_line_from_env_vars_never_shows_the_secrets(
    machi: CliRunner, scratch_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _add(machi, "27100", "大阪市", "osaka.localhost").exit_code == 0
    monkeypatch.setenv("OSAKA_LINE_SECRET", SECRET)
    monkeypatch.setenv("OSAKA_LINE_TOKEN", TOKEN)
    result = run(
        machi, "town", "line", "27100", "--channel-id", "2001234567",
        "--secret-env", "OSAKA_LINE_SECRET", "--token-env", "OSAKA_LINE_TOKEN",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "LINE channel 2001234567 stored (secret set, access token set)" in result.stdout
    shown, listed = run(machi, "town", "show", "27100"), run(machi, "town", "list")
    assert (
        "LINE channel id   2001234567" in shown.stdout and "LINE secret       set" in shown.stdout
    )
    assert "27100 大阪市 osaka.localhost yes yes" in " ".join(listed.stdout.split())
    for output in (result.output, shown.output, listed.output):
        assert SECRET not in output and TOKEN not in output
    secret_enc, token_enc = _stored(scratch_url, 27100)
    assert SECRET.encode() not in secret_enc and TOKEN.encode() not in token_enc
    engine = create_engine(scratch_url)
    with session_scope(engine) as session:
        channel = line_channel(session, 27100, DataKey(DATA_KEY))
    engine.dispose()
    assert channel is not None and (channel.secret, channel.access_token) == (SECRET, TOKEN)


def test_line_prompts_with_hidden_input(machi: CliRunner, scratch_url: str) -> None:
    assert _add(machi, "40130", "福岡市", "fukuoka.localhost").exit_code == 0
    result = run(
        machi, "town", "line", "40130", "--channel-id", "2009999999", stdin=f"{SECRET}\n{TOKEN}\n"
    )
    assert result.exit_code == 0, result.output
    assert "LINE channel secret:" in result.output
    assert SECRET not in result.output and TOKEN not in result.output
    secret_enc, _ = _stored(scratch_url, 40130)
    assert SECRET.encode() not in secret_enc


def test_line_refuses_a_missing_env_var(machi: CliRunner) -> None:
    result = run(
        machi, "town", "line", "26212", "--channel-id", "2001234567",
        "--secret-env", "NO_SUCH_VARIABLE_FOR_MACHI", "--token-env", "NO_SUCH_VARIABLE_FOR_MACHI",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "environment variable NO_SUCH_VARIABLE_FOR_MACHI is not set" in result.stderr


def test_seed_stores_the_environment_for_the_configured_town(
    machi: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MACHI_MUNICIPALITY_CODE", "47201")
    monkeypatch.setenv("MACHI_LINE_CHANNEL_SECRET", SECRET)
    monkeypatch.setenv("MACHI_LINE_CHANNEL_ACCESS_TOKEN", TOKEN)
    get_settings.cache_clear()
    assert "no_town" in run(machi, "town", "seed").stdout
    added = run(
        machi, "town", "add", "--code", "47201", "--name", "那覇市", "--prefecture", "沖縄県",
        "--phone", "098-867-0111",
    )  # fmt: skip
    assert added.exit_code == 0 and "no boundary yet" in added.stdout
    assert "stored" in run(machi, "town", "seed").stdout
    assert "kept" in run(machi, "town", "seed").stdout
    shown = run(machi, "town", "show", "47201")
    assert "LINE secret       set" in shown.stdout and SECRET not in shown.output


@pytest.mark.slow
def test_demo_load_a_town_gives_it_its_host_and_the_environment_channel(
    machi: CliRunner,
) -> None:
    first = run(machi, "demo", "load", "--town", "13202")
    assert first.exit_code == 0, first.output
    assert "demo town 13202 loaded" in first.stdout
    assert "LINE channel from the environment: stored" in first.stdout
    again = run(machi, "demo", "load")
    assert "demo town 13202 already loaded" in again.stdout and "kept" in again.stdout
    shown = run(machi, "town", "show", "13202").stdout
    assert "host              tachikawa.localhost" in shown
    assert "LINE secret       set" in shown and "dev-channel-secret" not in shown
