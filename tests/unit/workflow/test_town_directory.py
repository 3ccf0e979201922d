"""The town directory: host names and codes to towns, reloads bounded in time."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

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


def _slow_directory(loads: list[int], release: threading.Event) -> TownDirectory:
    def load() -> list[TownRef]:
        loads.append(1)
        release.wait(5)
        return [A, B]

    return TownDirectory(load, refresh_s=30, miss_pause_s=5, clock=Clock())


def test_a_due_refresh_is_read_once_while_the_others_keep_their_copy() -> None:
    loads: list[int] = []
    release = threading.Event()
    towns = _slow_directory(loads, release)
    release.set()
    towns.reload()  # the first copy
    release.clear()
    with ThreadPoolExecutor(8) as pool:
        reading = pool.submit(towns.reload)
        while len(loads) < 2:  # the refresh is under way
            threading.Event().wait(0.001)
        others = [pool.submit(towns.reload) for _ in range(7)]
        assert [f.result(timeout=2) for f in others] == [None] * 7  # returned at once
        assert towns.by_code("13202") == A  # on the copy they had
        release.set()
        reading.result(timeout=5)
    assert len(loads) == 2


def test_the_first_read_is_waited_for_not_repeated() -> None:
    loads: list[int] = []
    release = threading.Event()
    towns = _slow_directory(loads, release)
    with ThreadPoolExecutor(8) as pool:
        callers = [pool.submit(towns.reload) for _ in range(8)]
        while not loads:
            threading.Event().wait(0.001)
        release.set()
        for caller in callers:
            caller.result(timeout=5)
            assert towns.by_code("26212") == B  # every caller returns with towns
    assert len(loads) == 1


def test_normalise_host() -> None:
    assert normalise_host("Example.JP:443") == "example.jp"
    assert normalise_host(None) == ""


def test_base_url_of_a_town() -> None:
    assert base_url_of(B, "http://127.0.0.1:8000") == "https://gomi.kyotango.example"
    assert base_url_of(A, "http://127.0.0.1:8000/") == "http://tachikawa.localhost:8000"
    hostless = TownRef(1, "00001", "", None, None, True)
    assert base_url_of(hostless, "https://machi.example/") == "https://machi.example"
