"""How ``routing.solver`` shares its wall-clock budget among the phases of its search.

Pure values: every moment is a ``time.monotonic()`` reading, every share a fraction of the
budget. Kept apart from the OR-Tools calls so the schedule of the search reads in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

FIRST_SHARE: Final = 0.1
"""Budget share spent comparing first-solution strategies (each then descends greedily)."""
FIRST_DEADLINE_SHARE: Final = 0.3
"""Budget share after which no further strategy is tried."""
LATER_BUILD_SHARE: Final = 0.1
"""Budget share the later first-solution constructions get together at least (see
``Budget.build_until``)."""
LAST_RESORT_SHARE: Final = 0.9
"""Budget share the first strategy's construction may take when nothing else exists yet."""
RIVAL_MARGIN_SHARE: Final = 0.03
"""OR-Tools overshoots its time limit a little: the rival stops this share of the budget early."""
HANDOVER_SHARE: Final = 0.15
"""Budget share after which guided local search hands over to ruin-and-recreate."""
POLISH_SHARE: Final = 0.05
"""Budget share of one OR-Tools polish of a ruin-and-recreate plan (it may stop earlier)."""
SYNC_SHARES: Final = (0.6, 0.97)
"""Budget shares at which all ruin-and-recreate chains stop, the cheapest plan is polished by
OR-Tools' greedy descent, and (but after the last) every chain restarts from it."""


@dataclass(frozen=True)
class Budget:
    """A search's budget: when it started (``time.monotonic()``) and how long it may run (s)."""

    started: float
    limit_s: float

    def at(self, share: float) -> float:
        """The moment ``share`` of the budget has passed."""
        return self.started + self.limit_s * share

    @property
    def deadline(self) -> float:
        """The end of the whole search."""
        return self.at(1.0)

    @property
    def first_deadline(self) -> float:
        """No further first-solution strategy is tried after this."""
        return self.at(FIRST_DEADLINE_SHARE)

    @property
    def last_resort(self) -> float:
        """How long the first construction may run while nothing else exists yet."""
        return self.at(LAST_RESORT_SHARE)

    @property
    def rival_until(self) -> float:
        """When the helper's rival metaheuristic stops."""
        return self.at(1 - RIVAL_MARGIN_SHARE)

    @property
    def handover(self) -> float:
        """When guided local search hands over to ruin-and-recreate."""
        return self.at(HANDOVER_SHARE)

    @property
    def syncs(self) -> list[float]:
        """When the ruin-and-recreate chains meet (see ``SYNC_SHARES``)."""
        return [self.at(share) for share in SYNC_SHARES]

    def build_until(self, first: tuple[float, float] | None) -> float:
        """Until when first-solution constructions may run.

        Args:
            first: When the first construction ended and how long it took (s); ``None``
                while there is none: it may then take until ``last_resort``.

        Returns:
            For the later ones: ``first_deadline``, but no later than ``LATER_BUILD_SHARE``
            of the budget or the first one's construction time after it ended. On a 500-stop
            unload day they ran out the whole 30 % without finishing: search started late.
        """
        if first is None:
            return self.last_resort
        ended, took_s = first
        return min(self.first_deadline, ended + max(self.limit_s * LATER_BUILD_SHARE, took_s))

    def first_slot_s(self, strategies: int) -> float:
        """Seconds for each first-solution strategy's construction and descent."""
        return max(0.05, self.limit_s * FIRST_SHARE / strategies)

    def polish_until(self, sync: float) -> float:
        """When the OR-Tools polish after the meeting at ``sync`` stops."""
        return min(self.deadline, sync + self.limit_s * POLISH_SHARE)
