"""Settings: dev defaults need no configuration; production refuses dev secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from machi.settings import DEV_DATABASE_URL, DEV_OWNER_DATABASE_URL, Settings, get_settings

_URLS = ("MACHI_DATABASE_URL", "MACHI_OWNER_DATABASE_URL")


def test_dev_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MACHI_ENV", *_URLS, "MACHI_PORT", "MACHI_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.env == "dev"
    assert settings.database_url == DEV_DATABASE_URL
    assert DEV_DATABASE_URL == "postgresql+psycopg://machi_app@127.0.0.1:54329/machi"
    assert settings.owner_database_url == DEV_OWNER_DATABASE_URL
    assert DEV_OWNER_DATABASE_URL == "postgresql+psycopg://machi@127.0.0.1:54329/machi"
    assert settings.app_role == "machi_app"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.line_api_base == "http://127.0.0.1:8000/dev/line-api"  # the in-app fake


def test_dev_line_api_follows_the_port_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("MACHI_ENV", "MACHI_HOST", "MACHI_LINE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MACHI_PORT", "8123")
    assert Settings(_env_file=None).line_api_base == "http://127.0.0.1:8123/dev/line-api"
    monkeypatch.setenv("MACHI_LINE_API_BASE", "")
    assert Settings(_env_file=None).line_api_base == ""  # empty: LINE's real hosts
    monkeypatch.delenv("MACHI_LINE_API_BASE")
    assert Settings(env="test", _env_file=None).line_api_base is None  # only dev defaults it


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACHI_PORT", "8123")
    monkeypatch.setenv("MACHI_LINE_API_BASE", "http://127.0.0.1:9999")
    settings = Settings(_env_file=None)
    assert settings.port == 8123
    assert settings.line_api_base == "http://127.0.0.1:9999"


def test_a_single_database_url_is_the_owners_too(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _URLS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MACHI_DATABASE_URL", "postgresql+psycopg://machi:pw@db:5432/machi")
    settings = Settings(_env_file=None)
    assert settings.owner_database_url == settings.database_url  # as before RLS
    assert settings.app_role == "machi_app"  # what the migrations grant, to move the app to


def test_two_urls_name_the_app_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACHI_DATABASE_URL", "postgresql+psycopg://town%5Fapp:pw@db/machi")
    monkeypatch.setenv("MACHI_OWNER_DATABASE_URL", "postgresql+psycopg://machi:pw@db/machi")
    settings = Settings(_env_file=None)
    assert settings.owner_database_url == "postgresql+psycopg://machi:pw@db/machi"
    assert settings.app_role == "town_app"


def test_production_refuses_dev_secrets_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in _URLS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError) as info:
        Settings(env="production", _env_file=None)
    message = str(info.value)
    assert "MACHI_SECRET_KEY" in message
    assert "MACHI_DATA_KEY" in message
    assert "MACHI_LINE_CHANNEL_SECRET" in message
    assert "MACHI_LINE_CHANNEL_ACCESS_TOKEN" in message
    assert "MACHI_DATABASE_URL" in message and "MACHI_OWNER_DATABASE_URL" in message


def test_production_accepts_real_values() -> None:
    settings = Settings(
        env="production",
        secret_key="x" * 40,
        data_key="d" * 40,
        line_channel_secret="0123abcd" * 4,
        line_channel_access_token="token-from-line-console",
        database_url="postgresql+psycopg://machi:pw@db:5432/machi",
        _env_file=None,
    )
    assert settings.env == "production"


def test_get_settings_is_cached() -> None:
    assert get_settings() is get_settings()


def test_production_refuses_a_short_data_key() -> None:
    with pytest.raises(ValidationError, match="MACHI_DATA_KEY"):
        Settings(
            env="production",
            secret_key="x" * 40,
            data_key="short",
            line_channel_secret="0123abcd" * 4,
            line_channel_access_token="token-from-line-console",
            database_url="postgresql+psycopg://machi:pw@db:5432/machi",
            _env_file=None,
        )
