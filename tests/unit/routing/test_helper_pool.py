"""Tests for routing.helper_pool: tasks reach helpers at once, failures cost only results."""

from __future__ import annotations

import math
import operator
import time

from routing.helper_pool import helper_pool


def test_a_task_runs_in_a_helper_and_its_value_comes_back() -> None:
    with helper_pool(1) as pool:
        helper = pool.start(operator.add, 2, 3)

        assert pool.start(operator.add, 1, 1) is None  # the only helper is busy
        assert pool.finish(helper) == 5
        assert pool.finish(pool.start(math.factorial, 5)) == 120


def test_a_failing_task_gives_none_and_the_helper_carries_on() -> None:
    with helper_pool(1) as pool:
        assert pool.finish(pool.start(math.sqrt, -1.0)) is None

        assert pool.finish(pool.start(math.sqrt, 4.0)) == 2.0


def test_a_dead_helper_gives_none_instead_of_raising() -> None:
    with helper_pool(1) as pool:
        pool.finish(pool.start(int, 0))  # booted
        pool.helpers[0].process.kill()
        pool.helpers[0].process.join()

        assert pool.finish(pool.start(int, 1)) is None
        assert pool.start(int, 2) is None  # given up: the caller searches alone


def test_the_task_starts_while_the_caller_holds_the_gil() -> None:
    # OR-Tools keeps the GIL during a solve, as sum() over a range does here: a task handed
    # over by a background thread of the caller would only start after it.
    with helper_pool(1) as pool:
        pool.finish(pool.start(int, 0))  # booted
        helper = pool.start(time.monotonic)
        sum(range(60_000_000))  # about a second in C, without releasing the GIL
        busy_until = time.monotonic()

        started = pool.finish(helper)

    assert started is not None and started < busy_until - 0.2


def _refuse() -> None:
    raise RuntimeError("cannot be rebuilt in a helper")


class Unbuildable:
    """Pickles fine, but unpickling it fails (in a helper that may not even import this)."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_refuse, ())


def test_a_task_the_helper_cannot_unpickle_fails_alone() -> None:
    with helper_pool(1) as pool:
        assert pool.finish(pool.start(repr, Unbuildable())) is None

        assert pool.finish(pool.start(int, 7)) == 7


def test_no_helpers_means_every_start_is_refused() -> None:
    with helper_pool(0) as pool:
        assert pool.workers == 0
        assert pool.start(int, 0) is None
        assert pool.finish(None) is None
