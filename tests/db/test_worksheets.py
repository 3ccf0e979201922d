"""Crew worksheets of a planned demo-town day, checked by reading the rendered PDF."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from shapely.geometry import LineString, Polygon, box
from sqlalchemy import Connection, Engine, text

from print.maplayout import MARKER_RADIUS_PT
from print.model import WorksheetSet
from print.streetmap import StreetIndex, index_streets, placed_streets
from print.viewport import Viewport
from print.worksheet import map_frame, plan_route_maps, plan_stop_maps_of, render_worksheets
from tests.conftest import MUNICIPALITY_ID
from tests.db.conftest import Day, current_plan_id
from workflow.bookings.fees import tickets_for_points
from workflow.crew.links import read_stop_token
from workflow.db import session_scope
from workflow.plans.plan import plan
from workflow.plans.worksheets import build_worksheet_set

SECRET = "test-secret"
_BOOKED_ITEMS = (
    "SELECT rep.receipt_no, it.name FROM route_stop s JOIN route r ON r.municipality_id "
    "= s.municipality_id AND r.id = s.route_id JOIN booking b ON b.municipality_id = "
    "s.municipality_id AND b.id = s.booking_id JOIN report rep ON rep.municipality_id = "
    "b.municipality_id AND rep.id = b.report_id JOIN booking_item bi ON "
    "bi.municipality_id = b.municipality_id AND bi.booking_id = b.id JOIN bulky_item it "
    "ON it.municipality_id = bi.municipality_id AND it.id = bi.item_id WHERE r.plan_id = :p"
)


def _sheet(engine: Engine, day: Day) -> WorksheetSet:
    with session_scope(engine) as session:
        return build_worksheet_set(session, MUNICIPALITY_ID, day, "http://127.0.0.1:9", SECRET)


def _render(engine: Engine, day: Day, tmp_path: Path) -> Path:
    pdf = tmp_path / "sheets.pdf"
    pdf.write_bytes(render_worksheets(_sheet(engine, day)))
    return pdf


def _page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(next(ln.split()[1] for ln in info.stdout.splitlines() if ln.startswith("Pages:")))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-raw", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def test_each_truck_gets_its_map_pages_then_its_stop_table(
    engine: Engine, planned_day: Day, tmp_path: Path
) -> None:
    sheet = _sheet(engine, planned_day)
    assert sheet.routes
    pdf = tmp_path / "sheets.pdf"
    pdf.write_bytes(render_worksheets(sheet))
    pages = _page_texts(pdf)
    for route in sheet.routes:
        mine = [p for p in pages if f"車両 {route.vehicle_name}" in p]
        views = plan_route_maps(route)
        maps, rest = mine[: len(views)], mine[len(views) :]
        stop_pages = -(-len(plan_stop_maps_of(route)) // 2)  # two stop maps a page
        tables, stop_maps = rest[: len(rest) - stop_pages], rest[len(rest) - stop_pages :]
        assert "ルート全体図" in maps[0]
        assert all(f"拡大図{k}" in page for k, page in enumerate(maps[1:], start=1))
        assert tables and all("完了QR" in page for page in tables)
        assert stop_maps and all("収集する場所" in page for page in stop_maps)
        assert not any("完了QR" in page for page in maps)
        flat = "".join("".join(tables).split())
        assert all(s.booking_no in flat for s in route.stops if s.kind == "pickup")
        assert all(f"{k} / {len(mine)} ページ" in page for k, page in enumerate(mine, start=1))
    assert len(pages) == sum(
        len([p for p in pages if f"車両 {r.vehicle_name}" in p]) for r in sheet.routes
    )


def test_tickets_are_the_stickers_the_resident_was_told_to_buy(
    engine: Engine, planned_day: Day
) -> None:
    stops = [s for r in _sheet(engine, planned_day).routes for s in r.stops if s.kind == "pickup"]
    assert stops
    for stop in stops:
        thousand, three_hundred = tickets_for_points(stop.fee_yen // 100)
        told = [(1000, thousand), (300, three_hundred)]
        assert stop.fee_tickets == tuple((face, n) for face, n in told if n)
        assert 1000 * thousand + 300 * three_hundred >= stop.fee_yen


def test_every_stop_marker_of_the_day_lies_inside_its_map_frame(
    engine: Engine, planned_day: Day
) -> None:
    for paper in ("A4", "A3"):
        frame = map_frame(paper)
        for route in _sheet(engine, planned_day).routes:
            views = plan_route_maps(route, paper)
            markers = [m for view in views for m in view.markers]
            assert markers
            assert all(frame.contains(m.x, m.y, pad=MARKER_RADIUS_PT) for m in markers)
            numbered = {m.seq for m in markers if m.style == "number"}
            assert numbered >= {s.seq for s in route.stops if s.kind == "pickup"}


def test_pdf_lists_every_booking_number_and_item(
    engine: Engine, planned_day: Day, tmp_path: Path
) -> None:
    pdf = _render(engine, planned_day, tmp_path)
    text_out = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    with engine.connect() as conn:
        rows = conn.execute(
            text(_BOOKED_ITEMS),
            {"p": current_plan_id(engine, planned_day)},
        ).all()
    assert rows
    flat = "".join(text_out.split())
    assert [r.receipt_no for r in rows if r.receipt_no not in flat] == []
    assert [r.name for r in rows if "".join(r.name.split()) not in flat] == []


def test_japanese_font_is_embedded_and_qr_links_are_signed(
    engine: Engine, planned_day: Day, tmp_path: Path
) -> None:
    pdf = _render(engine, planned_day, tmp_path)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    ipa = [line for line in fonts.splitlines() if "IPAex" in line]
    assert ipa and all(" yes yes " in line for line in ipa)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-l", "3", str(pdf), str(tmp_path / "p")], check=True
    )
    codes = subprocess.run(
        ["zbarimg", "-q", "--raw", *sorted(map(str, tmp_path.glob("p*.png")))],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert codes
    token = codes[0].rsplit("/", 1)[-1]
    assert read_stop_token(SECRET, token) is not None
    assert read_stop_token("another-secret", token) is None


def _machi(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MACHI_OWNER_DATABASE_URL": database_url,  # machi print is an admin command
        "MACHI_PUBLIC_BASE_URL": "https://machi.example.jp",
    }
    return subprocess.run(
        [sys.executable, "-m", "machi", *args], capture_output=True, text=True, env=env
    )


def test_machi_print_writes_the_days_pdf_with_public_links(
    database_url: str, planned_day: Day, tmp_path: Path
) -> None:
    done = _machi(database_url, "print", "--date", f"{planned_day}", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / f"worksheets-{planned_day}-A4.pdf"
    assert pdf.is_file() and str(pdf) in done.stdout
    tables = [n for n, page in enumerate(_page_texts(pdf), start=1) if "完了QR" in page]
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", str(tables[0]), "-l", str(tables[0]), str(pdf),
         str(tmp_path / "t")],
        check=True,
    )  # fmt: skip
    codes = subprocess.run(
        ["zbarimg", "-q", "--raw", *map(str, tmp_path.glob("t*.png"))],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert codes and all(c.startswith("https://machi.example.jp/crew/s/") for c in codes)
    a3 = _machi(database_url, "print", "--date", f"{planned_day}", "--out", str(tmp_path),
                "--paper", "a3")  # fmt: skip
    assert a3.returncode == 0 and (tmp_path / f"worksheets-{planned_day}-A3.pdf").is_file()


def test_machi_print_refuses_a_day_without_plan_and_a_bad_paper(
    database_url: str, engine: Engine, planned_day: Day, tmp_path: Path
) -> None:
    with engine.connect() as conn:
        booked = conn.execute(
            text(
                "SELECT b.service_date FROM booking b WHERE b.municipality_id = :m AND "
                "b.status = 'booked' AND NOT EXISTS (SELECT 1 FROM route_plan p WHERE "
                "p.municipality_id = :m AND p.service_date = b.service_date) ORDER BY 1 LIMIT 1"
            ),
            {"m": MUNICIPALITY_ID},
        ).scalar_one()
    missing = _machi(database_url, "print", "--date", f"{booked}", "--out", str(tmp_path))
    assert missing.returncode == 1 and "収集計画がありません" in missing.stderr
    assert f"machi plan --date {booked}" in missing.stderr
    bad = _machi(database_url, "print", "--date", "2031-01-07", "--paper", "B5")
    assert bad.returncode == 2 and "A4 or A3" in bad.stderr
    assert list(tmp_path.iterdir()) == []


_CONTACTS = (
    "INSERT INTO booking_contact (municipality_id, booking_id, address_line, put_out, "
    "put_out_note) SELECT s.municipality_id, s.booking_id, '3番' || s.seq || '号 メゾン立川' "
    "|| (100 + s.seq), "
    "(ARRAY['entrance', 'roadside', 'collection_point', 'other'])[1 + s.seq % 4], "
    "CASE WHEN s.seq % 2 = 0 THEN '門の右側、青いシートの下' END FROM route_stop s JOIN route r "
    "ON r.municipality_id = s.municipality_id AND r.id = s.route_id WHERE r.plan_id = :p AND "
    "s.kind = 'pickup' ON CONFLICT (municipality_id, booking_id) DO UPDATE SET address_line = "
    "excluded.address_line, put_out = excluded.put_out, put_out_note = excluded.put_out_note"
)
_PUT_OUT_JA = {
    "entrance": "玄関前",
    "roadside": "敷地内の道路沿い",
    "collection_point": "集合住宅のごみ置場",
    "other": "その他",
}


def test_sheet_prints_each_bookings_address_line_and_put_out_place(
    engine: Engine, planned_day: Day, tmp_path: Path
) -> None:
    with engine.begin() as conn:  # the channels fill it (branch whereabouts); seeded here
        conn.execute(text(_CONTACTS), {"p": current_plan_id(engine, planned_day)})
        contacts = conn.execute(
            text(
                "SELECT rep.receipt_no, c.address_line, c.put_out, c.put_out_note FROM "
                "booking_contact c JOIN booking b ON b.municipality_id = c.municipality_id AND "
                "b.id = c.booking_id JOIN report rep ON rep.municipality_id = b.municipality_id "
                "AND rep.id = b.report_id WHERE b.municipality_id = :m AND b.service_date = :d "
                "AND b.status <> 'cancelled' AND c.address_line IS NOT NULL"
            ),
            {"m": MUNICIPALITY_ID, "d": planned_day},
        ).all()
    assert contacts
    pages = _page_texts(_render(engine, planned_day, tmp_path))
    tables = "".join("".join(p.split()) for p in pages if "完了QR" in p)
    for receipt_no, address_line, put_out, note in contacts:
        row = tables[tables.index(receipt_no) :]
        assert row.index("".join(address_line.split())) < row.index(
            f"排出場所：{_PUT_OUT_JA[put_out]}"
        )
        if note:
            assert f"{_PUT_OUT_JA[put_out]}（{note}）" in row
    stop_maps = "".join("".join(p.split()) for p in pages if "収集する場所" in p)
    assert all(f"受付番号{c.receipt_no}" in stop_maps for c in contacts)  # each has its map


def _quarters(viewport: Viewport, inset: float = 0.0) -> list[Polygon]:
    frame = viewport.frame
    half_w, half_h = frame.width / 2, frame.height / 2
    return [
        box(frame.x + i * half_w + inset, frame.y + j * half_h + inset,
            frame.x + (i + 1) * half_w - inset, frame.y + (j + 1) * half_h - inset)
        for i in (0, 1) for j in (0, 1)
    ]  # fmt: skip


def _quadrants_drawn(index: StreetIndex, viewport: Viewport) -> set[int]:
    lines = [LineString(p) for p in placed_streets(index, viewport)]
    quarters = _quarters(viewport)
    return {n for n, q in enumerate(quarters) if any(line.intersects(q) for line in lines)}


def _quadrants_with_roads(conn: Connection, viewport: Viewport) -> set[int]:
    """The quarters of a map frame that hold some road of the town in PostGIS (2 pt inside)."""
    found = set()
    for n, quarter in enumerate(_quarters(viewport, inset=2.0)):
        ring = Polygon([viewport.to_lonlat(x, y) for x, y in quarter.exterior.coords])
        if conn.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM town_road_edge WHERE municipality_id = :m "
                "AND ST_Intersects(geom, ST_GeomFromText(:w, 4326)))"
            ),
            {"m": MUNICIPALITY_ID, "w": ring.wkt},
        ).scalar_one():
            found.add(n)
    return found


def test_every_map_draws_the_streets_out_to_its_frame(engine: Engine, planned_day: Day) -> None:
    """Each quarter of every map frame that holds a road in PostGIS shows streets.

    Real ground can leave a quarter empty (a park, a river bank), so the database decides.
    """
    for paper in ("A4", "A3"):
        with session_scope(engine) as session:
            sheet = build_worksheet_set(session, MUNICIPALITY_ID, planned_day, "http://x", SECRET,
                                        paper)  # fmt: skip
        with engine.connect() as conn:
            for route in sheet.routes:
                index = index_streets(route.streets)
                views = [v.viewport for v in plan_route_maps(route, paper)]
                views += [m.viewport for m in plan_stop_maps_of(route, paper)]
                for view in views:
                    expected = _quadrants_with_roads(conn, view)
                    assert len(expected) >= 2, (paper, view)
                    assert expected <= _quadrants_drawn(index, view), (paper, view)


def test_a_day_without_stops_prints_nothing_and_says_so(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    day = "2031-01-06"  # no bookings: before and after a plan is made for it
    missing = _machi(database_url, "print", "--date", day, "--out", str(tmp_path))
    assert (
        missing.returncode == 1 and "収集する申込がないため、作業票はありません" in missing.stderr
    )
    plan(engine, MUNICIPALITY_ID, dt.date.fromisoformat(day), time_limit_s=1, seed=1)
    try:
        empty = _machi(database_url, "print", "--date", day, "--out", str(tmp_path))
        assert empty.returncode == 1 and "作業票はありません" in empty.stderr, empty.stderr
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM route_plan WHERE municipality_id = :m AND service_date = :d"),
                {"m": MUNICIPALITY_ID, "d": day},
            )
    assert list(tmp_path.iterdir()) == []
