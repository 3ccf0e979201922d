"""Tests for bench.routing_solomon: any directory of Solomon-format files, 200 customers too."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from bench.routing_solomon import main

RESULT_KEYS = {"vehicles", "distance", "gap_pct", "wall_s", "feasible"}


def solomon_text(name: str, customers: int, seed: int) -> str:
    """A Gehring-Homberger-sized instance: random customers, windows reachable from the depot."""
    rnd = random.Random(seed)
    horizon, service = 1000, 10
    rows = [(0, 50, 50, 0, 0, horizon, 0)]
    for number in range(1, customers + 1):
        x, y = rnd.randint(0, 100), rnd.randint(0, 100)
        reach = math.ceil(math.hypot(x - 50, y - 50))
        centre = rnd.randint(reach, horizon - reach - service)
        ready = max(reach, centre - 100)
        due = min(horizon - reach - service, centre + 100)
        rows.append((number, x, y, rnd.randint(1, 30), ready, due, service))
    table = "".join(" ".join(f"{value:6d}" for value in row) + "\n" for row in rows)
    return (
        f"{name}\n\nVEHICLE\nNUMBER     CAPACITY\n  50         200\n\nCUSTOMER\n"
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
        f"{table}"
    )


@pytest.mark.slow
def test_a_200_customer_directory_is_solved_scored_and_written(tmp_path: Path) -> None:
    folder = tmp_path / "gh200"
    folder.mkdir()
    (folder / "g1_2_x.txt").write_text(solomon_text("G1_2_X", 200, seed=3), encoding="utf-8")
    (folder / "README").write_text("not an instance\n", encoding="utf-8")
    bks = tmp_path / "bks.csv"
    bks.write_text(
        "instance,bks_vehicles,bks_distance,distmin_vehicles,distmin_distance\n"
        "g1_2_x,20,5000.0,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.json"

    main(["--instances", str(folder), "--bks", str(bks), "--time-limit", "3", "--json", str(out)])

    report = json.loads(out.read_text(encoding="utf-8"))
    [row] = report["instances"]
    assert row["instance"] == "G1_2_X"
    assert row["reference"]["source"] == "bks_distance"  # no distance-only BKS: hierarchical
    for solver in ("machi", "vroom"):
        assert RESULT_KEYS <= set(row[solver])
        assert row[solver]["feasible"] is True
        assert row[solver]["gap_pct"] == pytest.approx(100 * (row[solver]["distance"] / 5000.0 - 1))
    summary = report["summary"]
    assert (summary["machi"]["cores"], summary["vroom"]["cores"]) == (2, 2)
    assert summary["machi_vs_vroom"]["instances"] == 1
