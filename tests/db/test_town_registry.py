"""The town registry on the real PostGIS: towns by code and host, LINE channels sealed at rest."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from workflow.errors import InvalidInputError, NotFoundError
from workflow.towns import (
    DataKey,
    SecretMismatchError,
    WrongDataKeyError,
    add_town,
    disable_town,
    enable_town,
    get_town,
    line_channel,
    line_channel_status,
    list_towns,
    seed_from_settings,
    set_line_channel,
    set_town,
    town_by_host,
    town_by_id,
    town_has_boundary,
    town_overview,
)

KEY = DataKey("a-test-data-key-of-32-characters-or-more")
SECRET = "kyotango-channel-secret-0123456789"
TOKEN = "kyotango-access-token-abcdefghijklmnop"
SQUARE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [[[135.0, 35.6], [135.1, 35.6], [135.1, 35.7], [135.0, 35.7], [135.0, 35.6]]],
}


def _kyotango(session: Session, **extra: Any) -> int:
    town = add_town(
        session, "262129", "京丹後市", "京都府", "0772-69-0001", host="kyotango.localhost", **extra
    )
    return town.id


def test_the_demo_town_is_in_the_registry_with_its_host(db_session: Session) -> None:
    town = get_town(db_session, "13202")
    assert (town.id, town.name, town.host, town.basemap, town.active) == (
        MUNICIPALITY_ID,
        "立川市",
        "tachikawa.localhost",
        "own",
        True,
    )
    assert get_town(db_session, "132021") == town  # the code with its check digit
    assert town_by_id(db_session, MUNICIPALITY_ID) == town
    assert town_has_boundary(db_session, MUNICIPALITY_ID)


def test_add_town_normalizes_and_finds_it_by_host(db_session: Session) -> None:
    town_id = _kyotango(db_session, public_base_url="https://kyotango.example.jp/")
    town = get_town(db_session, "26212")
    assert (town.id, town.code, town.public_base_url) == (
        town_id,
        "26212",
        "https://kyotango.example.jp",
    )
    assert town_id == 26212
    assert town_by_host(db_session, "Kyotango.localhost:8000") == town
    assert town_by_host(db_session, "nowhere.localhost") is None
    assert town_by_host(db_session, "[::1]:8000") is None
    assert [t.code for t in list_towns(db_session)] == ["13202", "26212"]


def test_a_town_without_boundary_has_an_empty_one_where_no_point_lies(db_session: Session) -> None:
    town_id = _kyotango(db_session)
    assert not town_has_boundary(db_session, town_id)
    inside = db_session.execute(
        text(
            "SELECT ST_Covers(boundary, ST_SetSRID(ST_MakePoint(135.05, 35.65), 4326)) "
            "FROM municipality WHERE id = :m"
        ),
        {"m": town_id},
    ).scalar_one()
    assert inside is False
    set_town(db_session, "26212", boundary=SQUARE)
    assert town_has_boundary(db_session, town_id)


def test_add_town_with_a_boundary(db_session: Session) -> None:
    town_id = _kyotango(db_session, boundary=SQUARE)
    area = db_session.execute(
        text("SELECT ST_Area(boundary) FROM municipality WHERE id = :m"), {"m": town_id}
    ).scalar_one()
    assert area == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"code": "262128"}, "town_code_invalid"),
        ({"code": "13202"}, "town_code_taken"),
        ({"host": "tachikawa.localhost"}, "town_host_taken"),
        ({"host": "http://x.localhost"}, "town_host_invalid"),
        ({"public_base_url": "kyotango.example.jp"}, "town_url_invalid"),
        ({"basemap": "osm"}, "town_basemap_invalid"),
        ({"phone": "tel"}, "town_phone_invalid"),
        ({"name": ""}, "town_name_invalid"),
    ],
)
def test_add_town_refuses_bad_input(db_session: Session, change: dict[str, str], code: str) -> None:
    values: dict[str, Any] = {
        "code": "26212",
        "name": "京丹後市",
        "prefecture": "京都府",
        "phone": "0772-69-0001",
    }
    with pytest.raises(InvalidInputError) as info:
        add_town(db_session, **{**values, **change})
    assert info.value.code == code
    assert [t.code for t in list_towns(db_session, include_disabled=True)] == ["13202"]


def test_set_town_changes_checks_and_clears(db_session: Session) -> None:
    _kyotango(db_session, public_base_url="https://kyotango.example.jp")
    town = set_town(db_session, "26212", phone="0772-69-0002", basemap="gsi", public_base_url="")
    assert (town.phone, town.basemap, town.public_base_url) == ("0772-69-0002", "gsi", None)
    assert set_town(db_session, "26212", host="kyotango.localhost").host == "kyotango.localhost"
    with pytest.raises(InvalidInputError, match="town_host_taken"):
        set_town(db_session, "26212", host="tachikawa.localhost")
    with pytest.raises(NotFoundError, match="town_not_found"):
        set_town(db_session, "27100", name="大阪市")
    with pytest.raises(TypeError, match="disaster_mode"):
        set_town(db_session, "26212", disaster_mode=True)


def test_disable_and_enable(db_session: Session) -> None:
    _kyotango(db_session)
    assert disable_town(db_session, "26212").active is False
    assert [t.code for t in list_towns(db_session)] == ["13202"]
    assert [t.code for t in list_towns(db_session, include_disabled=True)] == ["13202", "26212"]
    assert town_by_host(db_session, "kyotango.localhost") is None
    assert town_by_host(db_session, "kyotango.localhost", include_disabled=True) is not None
    assert enable_town(db_session, "26212").active is True
    with pytest.raises(NotFoundError):
        disable_town(db_session, "27100")


def _stored(session: Session, town_id: int) -> Any:
    return session.execute(
        text("SELECT * FROM line_channel WHERE municipality_id = :m"), {"m": town_id}
    ).one()


def test_line_channel_round_trip_stores_only_ciphertext(db_session: Session) -> None:
    town_id = _kyotango(db_session)
    assert line_channel(db_session, town_id, KEY) is None
    status = set_line_channel(db_session, town_id, "2001234567", SECRET, TOKEN, KEY)
    assert (status.channel_id, status.secret_set, status.access_token_set) == (
        "2001234567",
        True,
        True,
    )
    channel = line_channel(db_session, town_id, KEY)
    assert channel is not None
    assert (channel.channel_id, channel.secret, channel.access_token) == (
        "2001234567",
        SECRET,
        TOKEN,
    )
    row = _stored(db_session, town_id)
    assert SECRET.encode() not in bytes(row.secret_enc)
    assert TOKEN.encode() not in bytes(row.access_token_enc)
    assert SECRET not in repr(channel) and TOKEN not in repr(channel)
    assert get_town(db_session, "26212").line_channel_id == "2001234567"
    overview = {e.town.code: e.line_set for e in town_overview(db_session)}
    assert overview == {"13202": False, "26212": True}


def test_replacing_a_channel_keeps_its_health(db_session: Session) -> None:
    town_id = _kyotango(db_session)
    db_session.execute(
        text(
            "INSERT INTO line_channel (municipality_id, pause_reason, failures) "
            "VALUES (:m, 'auth', 3)"
        ),
        {"m": town_id},
    )
    set_line_channel(db_session, town_id, "2001234567", SECRET, TOKEN, KEY)
    set_line_channel(db_session, town_id, "2001234568", "new-secret", "new-token", KEY)
    row = _stored(db_session, town_id)
    assert (row.pause_reason, row.failures, row.channel_id) == ("auth", 3, "2001234568")
    channel = line_channel(db_session, town_id, KEY)
    assert channel is not None and channel.secret == "new-secret"


def test_a_wrong_key_or_a_copied_secret_does_not_open(db_session: Session) -> None:
    town_id = _kyotango(db_session)
    set_line_channel(db_session, town_id, "2001234567", SECRET, TOKEN, KEY)
    set_line_channel(db_session, MUNICIPALITY_ID, "1000000001", "tachikawa", "token", KEY)
    with pytest.raises(WrongDataKeyError):
        line_channel(db_session, town_id, DataKey("another-data-key-of-32-characters-or-more"))
    db_session.execute(  # an attacker with write access copies Kyotango's secret to Tachikawa
        text(
            "UPDATE line_channel SET secret_enc = (SELECT secret_enc FROM line_channel "
            "WHERE municipality_id = :k) WHERE municipality_id = :t"
        ),
        {"k": town_id, "t": MUNICIPALITY_ID},
    )
    with pytest.raises(SecretMismatchError):
        line_channel(db_session, MUNICIPALITY_ID, KEY)


def test_line_channel_input_is_checked(db_session: Session) -> None:
    town_id = _kyotango(db_session)
    with pytest.raises(InvalidInputError, match="line_secret_empty"):
        set_line_channel(db_session, town_id, "2001234567", " ", TOKEN, KEY)
    with pytest.raises(InvalidInputError, match="line_channel_id_invalid"):
        set_line_channel(db_session, town_id, "channel", SECRET, TOKEN, KEY)
    with pytest.raises(NotFoundError, match="town_not_found"):
        set_line_channel(db_session, 27100, "2001234567", SECRET, TOKEN, KEY)
    assert line_channel_status(db_session, town_id) is None


def _settings(**values: Any) -> Settings:
    base: dict[str, Any] = {
        "data_key": "a-test-data-key-of-32-characters-or-more",
        "line_channel_secret": "env-secret",
        "line_channel_access_token": "env-token",
        "line_channel_id": "1000000001",
    }
    return Settings(env="test", _env_file=None, **{**base, **values})


def test_seed_from_settings_stores_the_environment_once(db_session: Session) -> None:
    settings = _settings()
    assert seed_from_settings(db_session, settings) == "stored"
    channel = line_channel(db_session, MUNICIPALITY_ID, KEY)
    assert channel is not None
    assert (channel.channel_id, channel.secret, channel.access_token) == (
        "1000000001",
        "env-secret",
        "env-token",
    )
    assert seed_from_settings(db_session, settings) == "kept"
    other = _settings(line_channel_secret="rotated-secret")
    assert seed_from_settings(db_session, other) == "differs"
    channel = line_channel(db_session, MUNICIPALITY_ID, KEY)
    assert channel is not None and channel.secret == "env-secret"  # the registry wins


def test_seed_from_settings_needs_the_town_and_the_secrets(db_session: Session) -> None:
    assert seed_from_settings(db_session, _settings(municipality_code="26212")) == "no_town"
    assert seed_from_settings(db_session, _settings(line_channel_secret="")) == "no_secrets"
    assert line_channel_status(db_session, MUNICIPALITY_ID) is None


def test_a_demo_town_loaded_before_the_registry_gets_its_host(db_session: Session) -> None:
    from workflow.demo.towns import DEMO_TOWNS

    db_session.execute(text("UPDATE municipality SET host = NULL WHERE id = :m"), {"m": 13202})
    db_session.expire_all()
    assert DEMO_TOWNS["13202"](db_session).loaded is False
    assert get_town(db_session, "13202").host == "tachikawa.localhost"
