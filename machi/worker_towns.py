"""Which towns the worker serves, and each town's LINE channel access token.

The worker asks a ``TownSource`` (the town registry in a multi-town deployment; the settings'
single town until it is there) through a ``TownRoster``, which keeps what it read for
``refresh_s``: a town added with ``machi town add`` is served within that time without a
restart, a disabled one is dropped, and a changed token is used from then on. When the source
cannot be read (the database restarts) the roster keeps what it knew and tries again soon.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from sqlalchemy import Engine

from machi.settings import Settings
from workflow.towns.access import channel_of
from workflow.towns.directory import base_url_of, load_town_refs

log = logging.getLogger("machi.worker")
TOWNS_REFRESH_S: Final = 30.0
RETRY_S: Final = 5.0


@dataclass(frozen=True)
class WorkerTown:
    """A town as the worker serves it: its tenant id, code, and the base of its links."""

    id: int
    code: str
    base_url: str


class TownSource(Protocol):
    """Where the worker learns the towns it serves."""

    def towns(self) -> Sequence[WorkerTown]:
        """The active towns."""
        ...

    def access_token(self, town_id: int) -> str | None:
        """The town's LINE channel access token, or None when it has no LINE channel."""
        ...


class StaticTowns:
    """A fixed list of towns and tokens: the settings' single town, or a test's towns."""

    def __init__(self, towns: Sequence[WorkerTown], tokens: Mapping[int, str]) -> None:
        self._towns = list(towns)
        self._tokens = dict(tokens)

    @classmethod
    def from_settings(cls, settings: Settings) -> StaticTowns:
        """``MACHI_MUNICIPALITY_CODE`` with ``MACHI_LINE_CHANNEL_ACCESS_TOKEN``."""
        town = WorkerTown(settings.municipality_id, settings.municipality_code, settings.base_url)
        token = settings.line_channel_access_token.strip()
        return cls([town], {town.id: token} if token else {})

    def towns(self) -> Sequence[WorkerTown]:
        return list(self._towns)

    def access_token(self, town_id: int) -> str | None:
        return self._tokens.get(town_id)


class RegistryTowns:
    """The active towns of the town registry, each with its LINE channel's access token."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self._engine = engine
        self._settings = settings

    def towns(self) -> Sequence[WorkerTown]:
        refs = [town for town in load_town_refs(self._engine) if town.active]
        fallback = self._settings.base_url
        return [WorkerTown(t.id, t.code, base_url_of(t, fallback)) for t in refs]

    def access_token(self, town_id: int) -> str | None:
        channel = channel_of(self._engine, town_id, self._settings)
        return channel.access_token if channel else None


def town_source(engine: Engine, settings: Settings) -> TownSource:
    """The worker's towns: the registry's active towns (the settings' town among them)."""
    return RegistryTowns(engine, settings)


class TownRoster:
    """The source's towns and tokens, read again every ``refresh_s``; thread-safe."""

    def __init__(
        self,
        source: TownSource,
        refresh_s: float = TOWNS_REFRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._refresh_s = refresh_s
        self._clock = clock
        self._lock = threading.Lock()
        self._towns: list[WorkerTown] = []
        self._next_read: float | None = None
        self._tokens: dict[int, tuple[float, str | None]] = {}

    def towns(self) -> list[WorkerTown]:
        """The active towns (read again when the copy is older than ``refresh_s``)."""
        with self._lock:
            if self._next_read is None or self._clock() >= self._next_read:
                self._read_towns()
            return list(self._towns)

    def ids(self) -> list[int]:
        return [town.id for town in self.towns()]

    def town(self, town_id: int) -> WorkerTown | None:
        return next((t for t in self.towns() if t.id == town_id), None)

    def access_token(self, town_id: int) -> str | None:
        """The town's access token as last read (read again after ``refresh_s``)."""
        with self._lock:
            held = self._tokens.get(town_id)
            if held is not None and self._clock() < held[0]:
                return held[1]
            try:
                token = self._source.access_token(town_id)
            except Exception:  # keep using what we knew; try again soon
                log.warning("LINE token of town %s not readable", town_id, exc_info=True)
                token = None if held is None else held[1]
                self._tokens[town_id] = (self._clock() + RETRY_S, token)
                return token
            self._tokens[town_id] = (self._clock() + self._refresh_s, token)
            return token

    def _read_towns(self) -> None:
        try:
            towns = list(self._source.towns())
        except Exception:
            log.warning("towns not readable; serving the towns known so far", exc_info=True)
            self._next_read = self._clock() + RETRY_S
            return
        known = {town.id for town in self._towns}
        added = [town.code for town in towns if town.id not in known]
        gone = known - {town.id for town in towns}
        if added or gone:
            log.info("worker serves %d towns (new: %s; dropped: %s)", len(towns), added, gone)
        self._towns = towns
        self._tokens = {t: held for t, held in self._tokens.items() if t not in gone}
        self._next_read = self._clock() + self._refresh_s
