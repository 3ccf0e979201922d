"""立川市's fee tickets (処理券): 1 point = 100円, paid with 1000円 and 300円 tickets."""

from __future__ import annotations

import math


def tickets_for_points(points: int) -> tuple[int, int]:
    """(1000円券, 300円券) needed for ``points`` fee points, following the city's rule.

    1–10 points: one 1000円券; each further block of 10 another 1000円券; a remainder of
    1–9 points above a full 10 is covered with 300円券 (3 points each).

    Args:
        points: total fee points of a booking (>= 0).
    """
    if points <= 0:
        return (0, 0)
    thousands, rest = divmod(points, 10)
    if thousands == 0:
        return (1, 0)
    return (thousands, math.ceil(rest / 3))
