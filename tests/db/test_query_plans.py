"""The API's main queries find a town's rows through an index on ``municipality_id``.

With 270 towns loaded and ANALYZEd (``bench.platform_towns``: populations from 5,000 to
1,000,000, a year of reports, webhook events and pushes; all in a transaction rolled back at
the end), each query runs through its real code path on a connection that records the SQL it
sends; every recorded statement is then EXPLAINed with its own parameters. A plan passes
when every scan of a tenant table is an index scan whose ``Index Cond`` names
``municipality_id`` (for a bitmap scan: the index scans feeding it), and none is a Seq Scan.
``municipality`` is the registry (one row per town, a reference table on Citus), not a
tenant table; ``facility`` (a town's one or two clean centres) and ``line_channel`` (one row
per town) stay a few pages for every town in Japan, and the planner rightly reads them
whole. Statements are explained as the app role acting for the town (row-level security
adds its condition), for the largest town (about a tenth of all rows) and a median one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import pytest
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlalchemy.orm import Session

from bench.platform_towns import TownSpec, add_pending_work, load_towns, plan_towns
from geo.areas_db import find_district
from geo.report_cells import grid_cell_deg
from geo.report_queries import BBox, ReportFilter
from geo.report_tiles import report_clusters_tile, report_points_tile
from geo.tilegrid import Tile, buffer_fraction, tile_at, tile_bounds_lonlat
from tests.conftest import app_url
from workflow.bookings.calendar import BookingWindow, zone_calendar, zone_days
from workflow.bookings.catalogue import search_items
from workflow.desk.lists import list_report_page
from workflow.desk.map_view import grid_view, map_view
from workflow.line.inbox import claim_next_event
from workflow.line.outbox import lease_batch
from workflow.maps.tiles import forget_tiles, read_base_tile
from workflow.open311.reads import RequestQuery, list_requests
from workflow.platform.health import _health_of, _Town

pytestmark = [pytest.mark.db, pytest.mark.slow]

APP_ROLE = make_url(app_url("x")).username  # the plans the app gets: row-level security on

READ_WHOLE = frozenset({"facility", "line_channel"})  # a row or two per town: read whole
SKIPPED = ("SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SELECT set_config")
INDEX_SCANS = ("Index Scan", "Index Only Scan")


@dataclass(frozen=True)
class Towns:
    conn: Connection
    largest: TownSpec
    median: TownSpec
    tenant_tables: frozenset[str]


@pytest.fixture(scope="module")
def towns(engine: Engine) -> Iterator[Towns]:
    """270 towns in an open transaction, rolled back after the module."""
    conn = engine.connect()
    outer = conn.begin()
    try:
        planned = plan_towns(270, scale=0.05)
        load_towns(conn, planned, password_hash="not-a-login", items_per_town=20)
        add_pending_work(conn, 3)
        # every third report with a photo: photos are as common as that in the real intake,
        # and an almost empty photo table is rightly read whole (what CI saw: a seq scan)
        conn.execute(
            text(
                "INSERT INTO photo (municipality_id, report_id, status, source) SELECT "
                "municipality_id, id, 'stored', 'web' FROM report WHERE id % 3 = 0"
            )
        )
        conn.exec_driver_sql("ANALYZE photo")
        tables = conn.execute(
            text(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                "'public' AND column_name = 'municipality_id'"
            )
        ).scalars()
        tenant = frozenset(tables) - READ_WHOLE
        yield Towns(conn, planned[0], planned[len(planned) // 2], tenant)
    finally:
        outer.rollback()
        conn.close()


@contextmanager
def recorded(conn: Connection) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) sent on ``conn`` inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, _many = args
        if not statement.lstrip().startswith(SKIPPED):
            seen.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", record)


class _OneConnection:
    """An engine for code paths that open their own transactions: savepoints of the test's."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.conn.begin_nested():
            yield self.conn

    connect = begin


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _by_town(node: dict[str, Any]) -> bool:
    """True when the index scans feeding a bitmap (or this index scan) hold the town."""
    kind = node["Node Type"]
    if kind == "BitmapAnd":
        return any(_by_town(child) for child in node["Plans"])
    if kind in ("BitmapOr", "Bitmap Heap Scan"):
        return all(_by_town(child) for child in node["Plans"])
    return "municipality_id" in node.get("Index Cond", "")


def plan_problems(plan: dict[str, Any], tenant_tables: frozenset[str]) -> list[str]:
    """What in ``plan`` reads a tenant table other than through an index on the town."""
    problems = []
    for node in _nodes(plan):
        table, kind = node.get("Relation Name"), node["Node Type"]
        if table not in tenant_tables or not kind.endswith("Scan"):  # not ModifyTable
            continue
        if kind in (*INDEX_SCANS, "Bitmap Heap Scan") and _by_town(node):
            continue
        how = node.get("Index Name") or node.get("Filter", "")
        problems.append(f"{kind} on {table} ({how})")
    return problems


def explain(conn: Connection, statement: str, parameters: Any) -> dict[str, Any]:
    raw = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar_one()
    plan = json.loads(raw) if isinstance(raw, str) else raw
    return cast(dict[str, Any], plan[0]["Plan"])


def _staff_filter(town: TownSpec, session: Session, dept: bool, bbox: BBox) -> ReportFilter:
    department = None
    if dept:
        department = session.execute(
            text("SELECT id FROM department WHERE municipality_id = :m AND code = 'road'"),
            {"m": town.id},
        ).scalar_one()
    return ReportFilter(town.id, department, dt.datetime.now(dt.UTC), bbox)


def _street(town: TownSpec) -> BBox:
    return BBox(town.lon, town.lat, town.lon + 0.004, town.lat + 0.0032)


def _tile(town: TownSpec, z: int) -> Tile:
    return tile_at(town.lon + 0.0005, town.lat + 0.0005, z)


Query = Callable[[Session, TownSpec], object]


def _map(dept: bool, street: bool, mode: str) -> Query:
    def run(session: Session, town: TownSpec) -> object:
        bbox = _street(town) if street else BBox(*town.bbox)
        return map_view(session, _staff_filter(town, session, dept, bbox), 1000, mode)

    return run


def _grid(session: Session, town: TownSpec) -> object:
    f = _staff_filter(town, session, False, BBox(*town.bbox))
    assert grid_cell_deg(BBox(*town.bbox))
    return grid_view(session, f)


def _list(session: Session, town: TownSpec) -> object:
    f = _staff_filter(town, session, True, BBox(*town.bbox))
    no_box = ReportFilter(f.municipality_id, f.department_id, f.now)
    return list_report_page(session, no_box, "created_at", True, 1, 50)


def _point_tile(session: Session, town: TownSpec) -> object:
    tile = _tile(town, 16)
    box = BBox(*tile_bounds_lonlat(tile, buffer_fraction()))
    return report_points_tile(session, _staff_filter(town, session, False, box), tile, 2000)


def _cluster_tile(session: Session, town: TownSpec) -> object:
    tile = _tile(town, 12)
    box = BBox(*tile_bounds_lonlat(tile, 0.0))
    return report_clusters_tile(session, _staff_filter(town, session, True, box), tile)


def _calendar(session: Session, town: TownSpec) -> object:
    today = dt.date.today()
    found = zone_calendar(session, town.id, town.lon - 0.001, town.lat + 0.001, today)
    return zone_days(session, town.id, found.zone_id, today, BookingWindow())


def _base_tile(session: Session, town: TownSpec) -> object:
    return read_base_tile(session, town.id, "base", _tile(town, 15))


def _open311(session: Session, town: TownSpec) -> object:
    return list_requests(session, town.id, None, RequestQuery(statuses=("open",)))


QUERIES: dict[str, Query] = {
    "staff map, whole town, admin (count, then points or grid)": _map(False, False, "auto"),
    "staff map, whole town, one department": _map(True, False, "auto"),
    "staff map, street level (points)": _map(False, True, "auto"),
    "staff map, grid counts": _grid,
    "staff report list (page 1, newest first)": _list,
    "report tile z16 (points)": _point_tile,
    "report tile z12 (clusters)": _cluster_tile,
    "base tile z15 (districts, roads, boundary, shelters, facilities)": _base_tile,
    "report intake: the district of a point": lambda s, t: find_district(s, t.id, t.lon, t.lat),
    "bulky-waste calendar (zone of a point, its days)": _calendar,
    "bulky-waste item search": lambda s, t: search_items(s, t.id, "品目12"),
    "webhook event claim": lambda s, t: claim_next_event(s, t.id),
    "Open311 GET requests (open, last 90 days)": _open311,
}


def _lease(engine: Engine, town: TownSpec) -> object:
    now = dt.datetime.now(dt.UTC)
    span = dt.timedelta(seconds=30)
    return lease_batch(engine, town.id, now, limit=16, owner="t", lease=span, reply_margin=span)


def _health(engine: Engine, town: TownSpec) -> object:
    row = _Town(town.id, town.code, town.name, True, town.host, False)
    return _health_of(engine, row, dt.datetime.now(dt.UTC))


ENGINE_QUERIES: dict[str, Callable[[Engine, TownSpec], object]] = {
    "outbox lease": _lease,
    "platform operator: a town's health figures": _health,
}


def _run(conn: Connection, name: str, town: TownSpec) -> None:
    if name in ENGINE_QUERIES:
        ENGINE_QUERIES[name](cast(Engine, _OneConnection(conn)), town)
        return
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    QUERIES[name](session, town)
    session.close()


def _plans(towns: Towns, name: str, town: TownSpec) -> list[tuple[str, dict[str, Any]]]:
    """The code path's statements and their plans, as the app role acting for ``town``."""
    conn = towns.conn
    forget_tiles()  # a tile another test drew would be answered from the cache, without SQL
    with conn.begin_nested() as inner:
        conn.exec_driver_sql(f'SET LOCAL ROLE "{APP_ROLE}"')
        assert conn.execute(text("SELECT current_user")).scalar_one() == APP_ROLE
        conn.execute(text("SELECT set_config('machi.town', :t, true)"), {"t": str(town.id)})
        with recorded(conn) as seen:
            _run(conn, name, town)
        plans = [(statement, explain(conn, statement, params)) for statement, params in seen]
        inner.rollback()
    return plans


@pytest.mark.parametrize("size", ["largest", "median"])
@pytest.mark.parametrize("name", [*QUERIES, *ENGINE_QUERIES])
def test_query_finds_the_town_through_an_index(towns: Towns, name: str, size: str) -> None:
    town = towns.largest if size == "largest" else towns.median
    plans = _plans(towns, name, town)
    assert plans, "the code path sent no SQL"
    for statement, plan in plans:
        problems = plan_problems(plan, towns.tenant_tables)
        assert problems == [], f"{statement[:300]}\n{problems}"


def test_the_check_sees_a_seq_scan(towns: Towns) -> None:
    """A query on a column without an index on the town fails the check."""
    statement = "SELECT count(*) FROM report WHERE channel = 'line'"
    problems = plan_problems(explain(towns.conn, statement, {}), towns.tenant_tables)
    assert problems


# Code paths that find rows by a viewport or a point: the box must be an index condition.
SPATIAL = {
    "staff map, street level (points)": "report",
    "report tile z16 (points)": "report",
    "report tile z12 (clusters)": "report",
    "base tile z15 (districts, roads, boundary, shelters, facilities)": "road_edge",
}


def _box_in_index(plan: dict[str, Any], table: str) -> bool:
    """True when some scan of ``table`` (or the index scan under its bitmap) uses ``&&``."""
    for node in _nodes(plan):
        if node.get("Relation Name") == table or node["Node Type"] == "Bitmap Index Scan":
            if "&&" in node.get("Index Cond", ""):
                return True
    return False


@pytest.mark.parametrize("name", SPATIAL)
def test_viewport_is_an_index_condition_under_rls(towns: Towns, name: str) -> None:
    """As the app role, the box reaches the GiST index: under a policy it would only filter.

    PostGIS's ``&&`` is not LEAKPROOF, so on a table with a policy it is evaluated after the
    policy, as a filter over every row of the town (a street view over 1,000,000 reports read
    them all); the town views of migration 0012 keep it an index condition.
    """
    table = SPATIAL[name]
    plans = _plans(towns, name, towns.largest)
    boxed = [s for s, plan in plans if " && " in s and _box_in_index(plan, table)]
    assert boxed, "\n\n".join(s[:300] for s, _ in plans)


def test_a_policy_table_keeps_the_box_out_of_the_index(towns: Towns) -> None:
    """The check above can fail: the same box on the table itself (policy on) only filters."""
    conn, town = towns.conn, towns.largest
    statement = (
        "SELECT count(*) FROM report r WHERE r.municipality_id = %(m)s "
        "AND r.location && ST_MakeEnvelope(%(x)s, %(y)s, %(x)s + 0.004, %(y)s + 0.003, 4326)"
    )
    params = {"m": town.id, "x": town.lon, "y": town.lat}
    with conn.begin_nested() as inner:
        conn.exec_driver_sql(f'SET LOCAL ROLE "{APP_ROLE}"')
        conn.execute(text("SELECT set_config('machi.town', :t, true)"), {"t": str(town.id)})
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        on_table = explain(conn, statement, params)
        on_view = explain(conn, statement.replace("FROM report r", "FROM town_report r"), params)
        inner.rollback()
    assert not _box_in_index(on_table, "report")
    assert _box_in_index(on_view, "report")
