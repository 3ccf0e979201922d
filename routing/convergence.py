"""When a search has stopped improving: the rule every phase of ``routing.solver`` stops on.

The wall-clock budget is a ceiling, not a target: a 3-stop day is solved in milliseconds, and
searching it for 30 s only makes the planner wait. A phase stops once its best cost has not
improved markedly (by ``MARKED_GAIN``) for a quiet spell that grows with the time the search
needed to get there (``QUIET_SHARE``), never shorter than ``QUIET_FLOOR_S``. Pure values: every
moment is a ``time.monotonic()`` reading.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Final

MARKED_GAIN: Final = 0.001
"""Relative fall of the best cost that counts as progress (smaller gains do not restart the
quiet spell: a long tail of tiny gains is not worth the planner's wait)."""
QUIET_FLOOR_S: Final = 0.2
"""Shortest quiet spell after which a phase stops, in seconds."""
QUIET_SHARE: Final = 0.5
"""The quiet spell is at least this share of the time from the search's start to the last
marked improvement: a search that needed 10 s to improve gets 5 s more to do it again."""


@dataclass
class Progress:
    """One phase's best cost and when it last improved markedly.

    Attributes:
        started: When the whole search started (the quiet spell grows with the time since).
        improved_at: When the best cost last fell by ``MARKED_GAIN`` or more (at first: when
            the phase started).
        stop_at: When the phase stops unless it improves markedly before.
    """

    started: float
    improved_at: float
    best: float = math.inf
    reference: float = math.inf
    stop_at: float = math.inf

    def __post_init__(self) -> None:
        self.stop_at = self._quiet_until()

    def record(self, cost: float, now: float) -> None:
        """Note a solution's cost (any unit, lower is better) found at ``now``."""
        self.best = min(self.best, cost)
        if cost < self.reference * (1 - MARKED_GAIN):
            self.reference, self.improved_at = cost, now
            self.stop_at = self._quiet_until()

    def stalled(self, now: float) -> bool:
        """Whether the quiet spell has run out at ``now``."""
        return now >= self.stop_at

    def _quiet_until(self) -> float:
        spent = max(0.0, self.improved_at - self.started)
        return self.improved_at + max(QUIET_FLOOR_S, QUIET_SHARE * spent)


def start_progress(started: float, now: float, cost: float = math.inf) -> Progress:
    """A phase starting at ``now`` from a plan of ``cost`` in a search started at ``started``."""
    progress = Progress(started, now)
    progress.best = progress.reference = cost
    return progress


def improved_markedly(before: float, after: float) -> bool:
    """Whether ``after`` is below ``before`` by ``MARKED_GAIN`` or more."""
    return after < before * (1 - MARKED_GAIN)


@dataclass
class Watch:
    """The progress of the phase being watched, if any: OR-Tools calls in here as it searches.

    ``limit_reached`` is an OR-Tools custom limit (checked very often: kept cheap) and ``note``
    its at-solution callback; outside a watched phase (first solutions) neither does anything.
    """

    progress: Progress | None = None

    def limit_reached(self) -> bool:
        return self.progress is not None and time.monotonic() >= self.progress.stop_at

    def note(self, cost: float) -> None:
        if self.progress is not None:
            self.progress.record(cost, time.monotonic())
