"""At serve and worker start: RLS bypassed is a warning in dev and test, refused in production."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from machi import app_role
from machi.settings import Settings

APP = "postgresql+psycopg://machi_app:pw@db/machi"
OWNER = "postgresql+psycopg://machi:pw@db/machi"
PRODUCTION: dict[str, Any] = {
    "env": "production",
    "secret_key": "x" * 40,
    "line_channel_secret": "0123abcd" * 4,
    "line_channel_access_token": "token-from-line-console",
    "data_key": "d" * 40,
}


def _reasons(found: list[str]) -> Callable[[str], list[str]]:
    return lambda _url: list(found)


OWNS = ["role machi owns (or acts as the owner of) 36 tables"]


def test_the_app_connected_as_the_owner_is_a_warning_in_dev(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_role, "rls_bypass_reasons", _reasons(OWNS))
    warning = app_role.check_app_role(Settings(env="dev", database_url=OWNER, _env_file=None))
    assert warning is not None
    assert "row-level security is bypassed: role machi owns" in warning
    assert "MACHI_OWNER_DATABASE_URL" in warning and "machi_app" in warning


def test_production_refuses_an_app_connection_that_bypasses_rls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_role, "rls_bypass_reasons", _reasons(OWNS))
    single = Settings(database_url=OWNER, _env_file=None, **PRODUCTION)
    with pytest.raises(app_role.AppRoleRefused, match="role machi owns"):
        app_role.check_app_role(single)


def test_a_role_held_by_rls_passes_with_one_url_or_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_role, "rls_bypass_reasons", _reasons([]))
    two = Settings(database_url=APP, owner_database_url=OWNER, _env_file=None, **PRODUCTION)
    assert app_role.check_app_role(two) is None
    only_app = Settings(database_url=APP, _env_file=None, **PRODUCTION)  # the app's container
    assert app_role.check_app_role(only_app) is None


def test_a_database_that_does_not_answer_is_not_a_reason_to_refuse() -> None:
    down = Settings(database_url="postgresql+psycopg://machi_app@127.0.0.1:1/machi",
                    owner_database_url=OWNER, _env_file=None, **PRODUCTION)  # fmt: skip
    assert app_role.check_app_role(down) is None
