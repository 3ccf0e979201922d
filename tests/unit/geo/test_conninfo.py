"""``geo.db.libpq_conninfo``: the connections made without SQLAlchemy reach the same servers."""

from __future__ import annotations

from psycopg.conninfo import conninfo_to_dict

from geo.db import libpq_conninfo

HA_URL = (
    "postgresql+psycopg://machi@/machi?host=127.0.0.1:55433&host=127.0.0.1:55434"
    "&target_session_attrs=read-write"
)


def test_a_single_host_url_keeps_host_port_user_password_and_database() -> None:
    conninfo = libpq_conninfo("postgresql+psycopg://machi:p%40ss@db.example:5433/machi")
    assert conninfo_to_dict(conninfo) == {
        "host": "db.example",
        "port": "5433",
        "user": "machi",
        "password": "p@ss",
        "dbname": "machi",
    }


def test_a_multi_host_url_becomes_libpq_host_and_port_lists() -> None:
    assert conninfo_to_dict(libpq_conninfo(HA_URL)) == {
        "host": "127.0.0.1,127.0.0.1",
        "port": "55433,55434",
        "user": "machi",
        "dbname": "machi",
        "target_session_attrs": "read-write",
    }


def test_libpq_lists_in_the_query_and_other_parameters_pass_through() -> None:
    url = "postgresql+psycopg://machi@/machi?host=a,b&port=5432,5433&tcp_user_timeout=10000"
    assert conninfo_to_dict(libpq_conninfo(url)) == {
        "host": "a,b",
        "port": "5432,5433",
        "user": "machi",
        "dbname": "machi",
        "tcp_user_timeout": "10000",
    }
