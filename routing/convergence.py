"""When a search has stopped improving: the rule every phase of ``routing.solver`` stops on.

The wall-clock budget is a ceiling, not a target: a 3-stop day is solved in milliseconds, and
searching it for 30 s only makes the planner wait. A phase stops once its best cost is less than
``MARKED_GAIN`` below what it was a window ago, the window being ``WINDOW_SHARE`` of the time
since the search started (at least ``WINDOW_FLOOR_S``): the longer a search has run, the longer
it is given to prove it still pays. A phase first gets ``first_window_s`` (which grows with the
stops) to show a gain. Pure values: moments are ``time.monotonic()`` readings.
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, field
from typing import Final

MARKED_GAIN: Final = 0.01
"""Relative fall of the best cost over the window below which a phase has stalled. On the demo
town's 500-stop unload day (idle machine) the search then stops after 13 s, 0.9 % above its
30 s plan (a 0.5 % gain kept it going to the ceiling; a window share of 1/3 stopped it at 22 s,
0.25 at 11 s and 1.5 % above)."""
WINDOW_FLOOR_S: Final = 0.2
"""Shortest window (and shortest phase), in seconds."""
FIRST_WINDOW_PER_STOP_S: Final = 0.01
"""A phase runs at least this long per stop: on a 500-stop day guided local search found no 1 %
gain in its first second or two and was stopped at 5 s, 3.7 % longer than its 30 s plan."""
WINDOW_SHARE: Final = 0.3
"""The window as a share of the time since the search started."""


@dataclass
class Progress:
    """One phase's new best costs over time, and when it stops unless it improves.

    Attributes:
        started: When the whole search started (the window grows with the time since).
        stop_at: When the phase has stalled unless a new best comes first.
    """

    started: float
    opened_until: float = 0.0
    """The phase runs at least until then."""
    moments: list[float] = field(default_factory=list)
    bests: list[float] = field(default_factory=list)
    """New bests in the order found (falling), as negative costs for ``bisect``."""
    stop_at: float = math.inf

    @property
    def best(self) -> float:
        return -self.bests[-1] if self.bests else math.inf

    def record(self, cost: float, now: float) -> None:
        """Note a solution's cost (any unit, lower is better) found at ``now``."""
        if cost >= self.best:
            return
        self.moments.append(now)
        self.bests.append(-cost)
        # The first moment the best was already within MARKED_GAIN of this one: the window
        # must reach back before it for the phase to count as still improving.
        close = self.moments[bisect.bisect_left(self.bests, -cost / (1 - MARKED_GAIN))]
        spent = max(0.0, close - self.started)
        self.stop_at = max(
            self.opened_until, close + WINDOW_FLOOR_S, self.started + spent / (1 - WINDOW_SHARE)
        )

    def stalled(self, now: float) -> bool:
        """Whether the phase has stalled at ``now``."""
        return now >= self.stop_at


def first_window_s(stops: int) -> float:
    """How long a phase runs at least on a problem with ``stops`` stops, in seconds."""
    return max(WINDOW_FLOOR_S, FIRST_WINDOW_PER_STOP_S * stops)


def start_progress(started: float, now: float, cost: float, stops: int = 0) -> Progress:
    """A phase from ``now``, from a plan of ``cost``, on ``stops`` stops (``first_window_s``).

    Args:
        started: When the whole search started (``time.monotonic()``).
        now: When the phase starts.
        cost: The cost of the plan it starts from (any unit).
        stops: How many stops the problem has.
    """
    progress = Progress(started, now + first_window_s(stops))
    progress.record(cost, now)
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
