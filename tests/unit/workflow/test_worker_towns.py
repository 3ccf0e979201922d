"""The worker's towns: round-robin turns, the refreshed roster, one LINE client per town."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from machi.settings import Settings
from machi.worker_towns import StaticTowns, TownRoster, WorkerTown
from workflow.line.rounds import TownRing
from workflow.line.sender import TownClients


class Ticker:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_busy_town_takes_turns_with_every_other_town() -> None:
    ring = TownRing(rest_s=1.0, clock=Ticker())
    ring.update([1, 2, 3])
    taken = []
    for _ in range(7):
        town = ring.take()
        assert town is not None
        taken.append(town)
        ring.done(town, more=True)  # every town has a backlog
    assert taken == [1, 2, 3, 1, 2, 3, 1]


def test_an_idle_town_rests_until_its_rest_ends_or_it_is_poked() -> None:
    clock = Ticker()
    ring = TownRing(rest_s=1.0, clock=clock)
    ring.update([1, 2])
    assert ring.take() == 1
    ring.done(1, more=False)  # nothing to do: town 1 rests
    assert [ring.take(), ring.take()] == [2, 2]
    ring.done(2, more=False)
    assert ring.take() is None
    assert ring.wait_s(cap=5.0) == pytest.approx(1.0)
    ring.poke(2)
    assert ring.take() == 2
    clock.now += 1.0
    assert ring.take() == 1


def test_many_idle_towns_are_polled_at_a_bounded_rate() -> None:
    clock = Ticker()
    ring = TownRing(rest_s=0.2, max_polls_per_s=100.0, clock=clock)
    ring.update(list(range(500)))
    ring.done(7, more=False)
    clock.now += 4.9
    assert not ring.due(7)  # 500 towns at 100 looks a second: each rests 5 s
    clock.now += 0.1
    assert ring.due(7)


def test_rotation_starts_one_further_each_round_and_survives_updates() -> None:
    ring = TownRing(rest_s=1.0, clock=Ticker())
    ring.update([1, 2, 3])
    assert ring.rotation() == [1, 2, 3]
    assert ring.rotation() == [2, 3, 1]
    ring.update([1, 3, 4])  # town 2 disabled, town 4 added
    assert ring.rotation() == [3, 4, 1]
    assert ring.towns == [1, 3, 4]


class Source:
    def __init__(self) -> None:
        self.list = [WorkerTown(1, "00001", "http://a"), WorkerTown(2, "00002", "http://b")]
        self.tokens: dict[int, str] = {1: "token-a", 2: "token-b"}
        self.reads = 0
        self.broken = False

    def towns(self) -> Sequence[WorkerTown]:
        self.reads += 1
        if self.broken:
            raise ConnectionError("database restarting")
        return list(self.list)

    def access_token(self, town_id: int) -> str | None:
        if self.broken:
            raise ConnectionError("database restarting")
        return self.tokens.get(town_id)


def test_roster_picks_up_added_and_disabled_towns_after_its_refresh() -> None:
    clock, source = Ticker(), Source()
    roster = TownRoster(source, refresh_s=30.0, clock=clock)
    assert roster.ids() == [1, 2]
    source.list = [source.list[0], WorkerTown(3, "00003", "http://c")]  # 2 disabled, 3 added
    clock.now += 29.0
    assert roster.ids() == [1, 2] and source.reads == 1
    clock.now += 1.0
    assert roster.ids() == [1, 3]
    assert roster.town(3) == WorkerTown(3, "00003", "http://c")


def test_roster_keeps_what_it_knew_while_the_source_is_down() -> None:
    clock, source = Ticker(), Source()
    roster = TownRoster(source, refresh_s=30.0, clock=clock)
    assert roster.ids() == [1, 2] and roster.access_token(2) == "token-b"
    source.broken = True
    clock.now += 31.0
    assert roster.ids() == [1, 2]
    assert roster.access_token(2) == "token-b"
    source.broken, source.tokens[2] = False, "token-b2"
    clock.now += 31.0
    assert roster.access_token(2) == "token-b2"


def test_static_towns_from_settings_is_the_single_town() -> None:
    settings = Settings(env="test", municipality_code="13202", line_channel_access_token="tok")
    towns = StaticTowns.from_settings(settings)
    assert [t.id for t in towns.towns()] == [13202]
    assert towns.access_token(13202) == "tok"
    assert towns.access_token(26212) is None


class Client:
    def __init__(self, token: str) -> None:
        self.token = token
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_one_client_per_town_made_again_when_its_token_changes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tokens: dict[int, str] = {1: "token-a", 2: "token-b"}
    clients = TownClients(tokens.get, Client, "sending")
    first_a, first_b = clients.get(1), clients.get(2)
    assert first_a is not None and first_b is not None
    assert (first_a.token, first_b.token) == ("token-a", "token-b")
    assert clients.get(1) is first_a  # kept alive
    tokens[1] = "token-a2"
    second_a = clients.get(1)
    assert second_a is not None and second_a.token == "token-a2" and not first_a.closed
    assert clients.get(3) is None and clients.get(3) is None
    assert sum("town 3 has no LINE channel" in r.message for r in caplog.records) == 1
    clients.close()
    assert [first_a.closed, second_a.closed, first_b.closed] == [True, True, True]
