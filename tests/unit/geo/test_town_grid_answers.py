"""A town's grid view is kept as one answer: the same view of the same counts, the same bytes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from geo.report_queries import BBox
from geo.town_grid import ANSWERS_KEPT, BASE_CELL, CellCounts, TownGrid


def _town(n: int) -> TownGrid:
    cx, cy = BASE_CELL
    rows = [
        CellCounts(gx, gy, n, (gx + 0.5) * cx, (gy + 0.5) * cy, n, 0, 0, 0, 0, 0)
        for gx in range(272_000, 272_008)
        for gy in range(87_100, 87_104)
    ]
    return TownGrid(rows)


CELL = (BASE_CELL[0] * 2, BASE_CELL[1] * 2)
VIEW = BBox(
    272_000 * BASE_CELL[0], 87_100 * BASE_CELL[1], 272_008 * BASE_CELL[0], 87_104 * BASE_CELL[1]
)


def test_the_same_view_is_the_same_answer_and_equals_the_view() -> None:
    town = _town(3)
    answer = town.answer(CELL, VIEW)
    assert answer is not None and answer.mode == "grid"
    features, total = town.view(CELL, VIEW) or ("", 0)
    assert answer.geojson == features and answer.total == total == 8 * 4 * 3
    assert len(json.loads(answer.geojson)) == 4 * 2  # 2x2 base cells to a cell
    answer.memo["gzip"] = b"made once"
    assert town.answer(CELL, VIEW) is answer  # with its gzip body
    assert _town(3).answer(CELL, VIEW) is not answer  # other counts: their own answer


def test_too_fine_a_cell_has_no_answer_and_few_answers_are_kept() -> None:
    town = _town(1)
    assert town.answer((BASE_CELL[0] / 2, BASE_CELL[1] / 2), VIEW) is None
    first = town.answer(CELL, VIEW)
    for i in range(1, ANSWERS_KEPT + 1):  # pans push the oldest out
        moved = BBox(VIEW.min_lon + i * CELL[0], VIEW.min_lat, VIEW.max_lon, VIEW.max_lat)
        assert town.answer(CELL, moved) is not None
    assert town.answer(CELL, VIEW) is not first


def test_a_tile_cut_from_the_same_counts_is_cut_once_even_when_asked_together() -> None:
    town = _town(2)
    cuts: list[str] = []
    gate = threading.Event()

    def cut(name: str) -> Callable[[], bytes]:
        def make() -> bytes:
            gate.wait(5)
            cuts.append(name)
            return f"tile {name}".encode()

        return make

    with ThreadPoolExecutor(8) as pool:
        asked = [pool.submit(town.tile, "z12", cut("z12")) for _ in range(8)]
        gate.set()
        bodies = {future.result(5) for future in asked}
    assert bodies == {b"tile z12"} and cuts == ["z12"]
    assert town.tile("z13", cut("z13")) == b"tile z13" and cuts == ["z12", "z13"]
    assert town.tile("z12", cut("again")) == b"tile z12" and "again" not in cuts
    assert town.kept_tile("z12") == b"tile z12" and town.kept_tile("z14") is None  # no cut
    assert _town(2).tile("z12", cut("other")) == b"tile other"  # other counts: cut again
