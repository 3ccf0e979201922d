"""Table upkeep an operator runs at a quiet hour (``machi db cluster-reports``).

Reports arrive in time order from all over town, so neighbours on the map end up on
different heap pages: a street view over 1,000,000 reports read 2,203 pages for 1,746 rows.
``CLUSTER`` rewrites the table in the order of the ``(municipality_id, location)`` GiST
index (one town's reports together, near ones on the same pages): the same view then reads
93 pages. New reports are appended unordered again, so it is worth repeating, e.g. nightly.
CLUSTER locks the table for its whole run (24 s for a million reports on 2 cores); reads and
writes of reports wait, webhooks are still accepted (they land in ``webhook_event``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, text

REPORT_INDEX = "ix_report_town_location"


@dataclass(frozen=True)
class ClusterResult:
    rows: int
    seconds: float


def cluster_reports(engine: Engine, lock_timeout_s: float = 10.0) -> ClusterResult:
    """Rewrite ``report`` in spatial order and refresh its statistics (as the owner).

    Args:
        engine: the owner's engine.
        lock_timeout_s: give up (an error) rather than queue behind work holding the table
            longer than this, so a busy moment is not made worse.
    """
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SELECT set_config('lock_timeout', :t, true)"),
                     {"t": f"{int(lock_timeout_s * 1000)}ms"})  # fmt: skip
        conn.execute(text(f"CLUSTER report USING {REPORT_INDEX}"))
        conn.execute(text("ANALYZE report"))
        rows = int(conn.execute(text("SELECT count(*) FROM report")).scalar_one())
    return ClusterResult(rows, time.perf_counter() - started)
