"""A synthetic, deterministic worksheet set on a street grid in Tachikawa (tests, bench, demo)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from print.model import Item, LonLat, Place, RouteSheet, RouteTotals, StopRow, Street, WorksheetSet

ORIGIN_4326 = (139.41, 35.70)
STEP_LON = 0.00088  # about 80 m at 35.7° N
STEP_LAT = 0.00072  # about 80 m
ITEMS = (
    ("タンス", 1200), ("自転車", 400), ("布団", 400), ("電子レンジ", 400), ("ソファー", 1200),
    ("食器棚", 1200), ("扇風機", 400), ("本棚", 800), ("カーペット", 400), ("石油ストーブ", 800),
)  # fmt: skip
DISTRICTS = ("柴崎町", "錦町", "曙町", "高松町", "富士見町", "羽衣町")
ROAD_NAMES = ("立川通り", "緑川通り", "五日市街道", "多摩大通り", "すずかけ通り", "けやき通り")
LANDMARKS = ("", "青い屋根の家", "アパート「メゾン立川」1階のごみ置き場の横", "駐車場の奥", "")
PUT_OUTS = ("玄関前", "敷地内の道路沿い", "集合住宅のごみ置場")
PUT_OUT_NOTES = ("", "門の右側、青いシートの下", "", "駐輪場の横")
NOTES = ("", "玄関前に出してあります。", "午前中は不在です。重いので二人で運んでください。", "")


@dataclass(frozen=True)
class Grid:
    """A rectangular street grid of ``size`` × ``size`` lines starting at node (col0, row0)."""

    col0: int
    row0: int
    size: int

    def node(self, col: int, row: int) -> LonLat:
        return (
            ORIGIN_4326[0] + (self.col0 + col) * STEP_LON,
            ORIGIN_4326[1] + (self.row0 + row) * STEP_LAT,
        )


def _highway(index: int) -> tuple[str, str | None]:
    if index % 6 == 0:
        return "secondary", ROAD_NAMES[(index // 6) % len(ROAD_NAMES)]
    if index % 3 == 0:
        return "tertiary", f"{DISTRICTS[index % len(DISTRICTS)]}中央通り"
    return "residential", None


def build_streets(grid: Grid, block_run: int = 4) -> tuple[Street, ...]:
    """Return the grid's streets: one way per edge, named roads as ways of ``block_run`` edges."""
    streets: list[Street] = []
    for line in range(grid.size):
        highway, name = _highway(grid.col0 + grid.row0 + line)
        step = block_run if name else 1
        for k in range(0, grid.size - 1, step):
            ks = range(k, min(k + step, grid.size - 1) + 1)
            streets.append(Street(tuple(grid.node(line, j) for j in ks), name, highway))
            streets.append(Street(tuple(grid.node(j, line) for j in ks), name, highway))
    return tuple(streets)


def _grid_path(grid: Grid, start: tuple[int, int], end: tuple[int, int]) -> list[LonLat]:
    path = [grid.node(*start)]
    if start[0] != end[0]:
        path.append(grid.node(end[0], start[1]))
    path.append(grid.node(*end))
    return path


def _tickets(fee_yen: int) -> tuple[tuple[int, int], ...]:
    kinds = ((1000, fee_yen // 1000), (300, -(-(fee_yen % 1000) // 300)))
    return tuple((face, count) for face, count in kinds if count)


def _stop(rng: random.Random, seq: int, leg: list[LonLat], eta: datetime, booking: str) -> StopRow:
    node = leg[-1]
    chosen = rng.sample(ITEMS, rng.randint(1, 3))
    items = tuple(Item(name, rng.randint(1, 2)) for name, _ in chosen)
    fee = sum(fee * item.quantity for (_, fee), item in zip(chosen, items, strict=True))
    district = rng.choice(DISTRICTS)
    return StopRow(
        seq=seq,
        eta=eta,
        booking_no=booking,
        address=f"立川市{district}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}",
        lon=node[0] + rng.uniform(-0.00008, 0.00008),
        lat=node[1] + rng.uniform(-0.00008, 0.00008),
        qr_url=f"https://machi.example.jp/crew/stops/{booking}?t={rng.getrandbits(48):012x}",
        district=f"{district}{rng.randint(1, 5)}丁目",
        landmark=rng.choice(LANDMARKS),
        items=items,
        fee_tickets=_tickets(fee),
        fee_yen=fee,
        resident_note=rng.choice(NOTES),
        size_points=sum(item.quantity for item in items) * 2,
        address_line=f"{rng.randint(1, 30)}番{rng.randint(1, 20)}号 ハイツ{rng.randint(101, 305)}",
        put_out=rng.choice(PUT_OUTS),
        put_out_note=rng.choice(PUT_OUT_NOTES),
        approach_4326=tuple(leg),
    )


def _stop_nodes(rng: random.Random, grid: Grid, count: int, dense: int) -> list[tuple[int, int]]:
    nodes = [
        (rng.randrange(1, grid.size - 1), rng.randrange(1, grid.size - 1)) for _ in range(count)
    ]
    for k in range(min(dense, count - count // 3)):
        nodes[k + count // 3] = nodes[count // 3]  # an apartment block: several stops in one spot
    return _nearest_neighbour_order(nodes)


def _nearest_neighbour_order(nodes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Order grid nodes greedily from the depot corner, a stand-in for the real solver."""
    left = list(nodes)
    ordered: list[tuple[int, int]] = []
    here = (0, 0)
    while left:
        here = min(left, key=lambda n: abs(n[0] - here[0]) + abs(n[1] - here[1]))
        left.remove(here)
        ordered.append(here)
    return ordered


def build_route(rng: random.Random, index: int, grid: Grid, stops: int, dense: int) -> RouteSheet:
    """Return one truck's sheet: ``stops`` pickups (``dense`` of them in one spot) + an unload."""
    depot = Place("立川市清掃工場", *grid.node(0, 0))
    disposal = Place("立川市クリーンセンター", *grid.node(grid.size - 1, grid.size - 1))
    nodes = _stop_nodes(rng, grid, stops, dense)
    eta = datetime(2026, 11, 24, 8, 45)
    rows: list[StopRow] = []
    line: list[LonLat] = []
    previous = (0, 0)
    for seq, node in enumerate(nodes, start=1):
        eta += timedelta(minutes=rng.randint(6, 15))
        booking = f"R{index:02d}{seq:02d}-{rng.randint(1000, 9999)}"
        leg = _grid_path(grid, previous, node)
        rows.append(_stop(rng, seq, leg, eta, booking))
        line += leg
        previous = node
    end = (grid.size - 1, grid.size - 1)
    line += _grid_path(grid, previous, end)
    unload = StopRow(len(rows) + 1, eta + timedelta(minutes=20), f"U{index:02d}-0001",
                     "立川市クリーンセンター 搬入口", disposal.lon, disposal.lat,
                     f"https://machi.example.jp/crew/unload/{index}", kind="unload")  # fmt: skip
    points = sum(r.size_points for r in rows)
    totals = RouteTotals(len(rows), points, len(line) * 80.0, len(rows) * 720.0 + 3600.0)
    crew = (f"山田 太郎{index}", "佐藤 花子")
    return RouteSheet(f"{index}号車", crew, depot, disposal, (*rows, unload), tuple(line),
                      build_streets(grid), totals)  # fmt: skip


def build_sample_set(
    trucks: int = 2, stops_per_truck: int = 8, grid_size: int = 8, dense: int = 4, seed: int = 7
) -> WorksheetSet:
    """Return a worksheet set of ``trucks`` trucks, each on its own grid of streets."""
    rng = random.Random(seed)
    routes = tuple(
        build_route(rng, k + 1, Grid(k * (grid_size - 2), 0, grid_size), stops_per_truck,
                    dense if k % 2 == 1 else 0)
        for k in range(trucks)
    )  # fmt: skip
    return WorksheetSet("立川市", date(2026, 11, 24), routes, datetime(2026, 11, 23, 17, 0))
