"""Reports changing while the map bench reads: what keeps its caches honest.

Street-level answers are cached until a committed change touches them (``workflow.fresh``),
so a bench with no writes would measure only cache hits. ``changing_reports`` flips the status
of a random report of the town (received <-> in progress, as clerks do) ``per_s`` times a
second in a thread of its own, each in its own transaction through the owner's connection:
the same row change and commit notice (migration 0014) as a clerk's PATCH or a LINE report,
without the LINE push that those send.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

FLIP = (
    "UPDATE report SET status = CASE status WHEN 'received' THEN 'in_progress' "
    "ELSE 'received' END, updated_at = now() "
    "WHERE municipality_id = :m AND id = :id AND status IN ('received', 'in_progress')"
)


@dataclass
class Changes:
    per_s: float
    made: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        rate = self.made / max(time.monotonic() - self.started, 1e-9)
        return f"reports changed meanwhile: {self.made} ({rate:.1f}/s, asked {self.per_s:g}/s)"


@contextmanager
def changing_reports(owner_url: str, municipality_id: int, per_s: float) -> Iterator[Changes]:
    """Change ``per_s`` random reports a second until the block ends (0: none)."""
    changes = Changes(per_s)
    if per_s <= 0:
        yield changes
        return
    engine = create_engine(owner_url)
    with engine.connect() as conn:
        ids = conn.execute(
            text(
                "SELECT id FROM report WHERE municipality_id = :m "
                "AND status IN ('received', 'in_progress')"
            ),
            {"m": municipality_id},
        ).scalars().all()  # fmt: skip
    stop = threading.Event()

    def run() -> None:
        rng = random.Random(15)
        due = time.monotonic()
        with engine.connect() as conn:
            while not stop.is_set():
                conn.execute(text(FLIP), {"m": municipality_id, "id": rng.choice(ids)})
                conn.commit()
                changes.made += 1
                due += 1.0 / per_s
                stop.wait(max(0.0, due - time.monotonic()))

    thread = threading.Thread(target=run, name="report-changes", daemon=True)
    thread.start()
    try:
        yield changes
    finally:
        stop.set()
        thread.join()
        engine.dispose()
