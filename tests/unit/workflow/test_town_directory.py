"""The town directory: host names and codes to towns, reloads bounded in time."""

from __future__ import annotations

import pytest

from workflow.towns.directory import TownDirectory, TownRef, base_url_of, normalise_host

A = TownRef(13202, "13202", "立川市", "tachikawa.localhost", None, True)
B = TownRef(26212, "26212", "京丹後市", "kyotango.localhost", "https://gomi.kyotango.example", True)
OFF = TownRef(99999, "99999", "停止町", "off.localhost", None, False)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def directory(loads: list[int], clock: Clock) -> TownDirectory:
    def load() -> list[TownRef]:
        loads.append(1)
        return [A, B, OFF]

    return TownDirectory(load, refresh_s=30, miss_pause_s=5, clock=clock)


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("tachikawa.localhost", "13202"),
        ("Tachikawa.LOCALHOST:8000", "13202"),
        ("kyotango.localhost.", "26212"),
        ("[::1]:8000", None),
        ("", None),
        (None, None),
        ("evil.localhost", None),
    ],
)
def test_host_names_resolve_case_and_port_blind(host: str | None, code: str | None) -> None:
    towns = directory([], Clock())
    towns.reload()
    found = towns.by_host(host)
    assert (found.code if found else None) == code


def test_disabled_town_is_known_but_not_served() -> None:
    towns = directory([], Clock())
    towns.reload()
    assert towns.by_host("off.localhost") is None
    assert towns.host_registered("off.localhost")
    assert towns.by_code("99999") is None
    assert towns.by_id(99999) == OFF
    assert towns.by_code("26212") == B


def test_reloads_only_when_due() -> None:
    loads: list[int] = []
    clock = Clock()
    towns = directory(loads, clock)
    assert towns.stale()
    towns.reload()
    clock.now += 4
    assert not towns.stale() and not towns.stale(missed=True)
    clock.now += 2
    assert towns.stale(missed=True) and not towns.stale()
    clock.now += 30
    assert towns.stale()


def test_a_failed_reload_waits_the_miss_pause() -> None:
    clock = Clock()
    towns = directory([], clock)
    towns.retry_later()
    assert not towns.stale()
    clock.now += 5
    assert towns.stale()


def test_normalise_host() -> None:
    assert normalise_host("Example.JP:443") == "example.jp"
    assert normalise_host(None) == ""


def test_base_url_of_a_town() -> None:
    assert base_url_of(B, "http://127.0.0.1:8000") == "https://gomi.kyotango.example"
    assert base_url_of(A, "http://127.0.0.1:8000/") == "http://tachikawa.localhost:8000"
    hostless = TownRef(1, "00001", "", None, None, True)
    assert base_url_of(hostless, "https://machi.example/") == "https://machi.example"
