"""Helper processes fed through pipes, for a search that uses more than one core (pure).

Why not ``concurrent.futures.ProcessPoolExecutor``: it hands work to its processes from a
background thread of the caller, and OR-Tools keeps the GIL for a whole solve, so a chain
submitted just before a guided local search only started when that search was over (the
helper idled through it). Here the caller writes each task into a helper's pipe itself, so it
is on its way before the caller goes back to OR-Tools.

Helpers are started with ``spawn`` (they never inherit the caller's threads, sockets or
OR-Tools state) when the pool opens, so their start-up overlaps the caller's first solutions.
A helper that dies or fails only costs its result.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

_STOP_WAIT_S = 2.0


def _serve(conn: Connection) -> None:
    """Helper main loop: run each ``(function, args)`` received, send back ``(ok, value)``."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # e.g. a function this process cannot import
            conn.send((False, repr(exc)))
            continue
        if task is None:
            return
        function, args = task
        try:
            reply = (True, function(*args))
        except Exception as exc:  # the caller gets the failure, not a dead helper
            reply = (False, repr(exc))
        conn.send(reply)


@dataclass
class Helper:
    """One helper process and the caller's end of its pipe."""

    process: BaseProcess
    conn: Connection
    busy: bool = False
    alive: bool = True


@dataclass
class HelperPool:
    """Helper processes; with none, every ``start`` returns ``None``."""

    helpers: list[Helper] = field(default_factory=list)

    @property
    def workers(self) -> int:
        return len(self.helpers)

    def start(self, function: Callable[..., Any], *args: object) -> Helper | None:
        """Send ``function(*args)`` to an idle helper; ``None`` when none is idle and alive.

        ``function`` must be importable by name in the helper (module level).
        """
        for helper in self.helpers:
            if helper.alive and not helper.busy:
                try:
                    helper.conn.send((function, args))
                except (OSError, ValueError):  # its process is gone
                    helper.alive = False
                    continue
                helper.busy = True
                return helper
        return None

    @staticmethod
    def finish(helper: Helper | None) -> Any | None:
        """Wait for a started helper's result; ``None`` if it failed or died."""
        if helper is None:
            return None
        try:
            ok, value = helper.conn.recv()
        except (EOFError, OSError):
            helper.alive = False
            return None
        finally:
            helper.busy = False
        return value if ok else None

    def close(self) -> None:
        """Stop every helper (killing any still busy with a task nobody waits for)."""
        for helper in self.helpers:
            if helper.alive and not helper.busy:
                try:
                    helper.conn.send(None)
                except (OSError, ValueError):
                    pass
            else:
                helper.process.kill()
        for helper in self.helpers:
            helper.process.join(_STOP_WAIT_S)
            if helper.process.is_alive():
                helper.process.kill()
                helper.process.join(_STOP_WAIT_S)
            helper.conn.close()


@contextmanager
def helper_pool(workers: int) -> Iterator[HelperPool]:
    """Start ``workers`` helper processes (none when ``workers`` < 1) and stop them on exit.

    Args:
        workers: Number of helper processes.

    Yields:
        The pool.
    """
    context = multiprocessing.get_context("spawn")
    pool = HelperPool()
    try:
        for _ in range(max(0, workers)):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs,), daemon=True)
            try:
                process.start()
            except (AssertionError, OSError, RuntimeError):  # e.g. inside a daemonic process
                mine.close()
                break
            finally:
                theirs.close()
            pool.helpers.append(Helper(process, mine))
        yield pool
    finally:
        pool.close()
