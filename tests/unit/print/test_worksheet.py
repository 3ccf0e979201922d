"""Render a synthetic day and read the PDF back with the real poppler and zbar tools."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from print.errors import FontNotFoundError, NothingToPrintError
from print.fonts import register_japanese_font
from print.model import Place, RouteSheet, RouteTotals, StopRow, WorksheetSet
from print.sample import build_sample_set
from print.texts import format_seq_ranges
from print.worksheet import plan_route_maps, plan_stop_maps_of, render_worksheets


def run_tool(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture(scope="module")
def sheet() -> WorksheetSet:
    # truck 1: 7 pickups spread out; truck 2: 7 pickups, 4 of them in one apartment block
    return build_sample_set(trucks=2, stops_per_truck=7, dense=4)


@pytest.fixture(scope="module")
def pdf_path(sheet: WorksheetSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("worksheets") / "worksheets.pdf"
    path.write_bytes(render_worksheets(sheet))
    return path


def page_count(path: Path) -> int:
    info = run_tool("pdfinfo", path)
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def page_texts(path: Path) -> list[str]:
    return [
        run_tool("pdftotext", "-f", str(n), "-l", str(n), path, "-")
        for n in range(1, page_count(path) + 1)
    ]


def test_each_truck_has_maps_then_its_table_then_its_stop_maps(
    sheet: WorksheetSet, pdf_path: Path
) -> None:
    views = [len(plan_route_maps(route)) for route in sheet.routes]
    assert views == [1, 2]  # only truck 2 has a dense cluster, hence one zoomed page
    pages = page_texts(pdf_path)
    for route, count in zip(sheet.routes, views, strict=True):
        mine = [p for p in pages if f"車両 {route.vehicle_name}" in p]
        kinds = ["map" if "ルート全体図" in p or "拡大図" in p else
                 "table" if "完了QR" in p else "stops" if "収集する場所" in p else "?"
                 for p in mine]  # fmt: skip
        tables = kinds.count("table")
        stop_pages = -(-len(plan_stop_maps_of(route)) // 2)  # two stop maps a page
        assert kinds == ["map"] * count + ["table"] * tables + ["stops"] * stop_pages
        assert all(f"{k} / {len(mine)} ページ" in p for k, p in enumerate(mine, start=1))
    assert len(pages) == sum(sum(1 for p in pages if f"車両 {r.vehicle_name}" in p)
                             for r in sheet.routes)  # fmt: skip


def test_table_shows_address_line_and_put_out_place_under_the_district(
    sheet: WorksheetSet, pdf_path: Path
) -> None:
    flat = "".join("".join(p.split()) for p in page_texts(pdf_path) if "完了QR" in p)
    stops = [s for route in sheet.routes for s in route.stops if s.kind == "pickup"]
    assert all(s.address_line and s.put_out for s in stops)
    assert [s.booking_no for s in stops if "".join(s.address_line.split()) not in flat] == []
    for stop in stops:
        cell = flat[flat.index(stop.booking_no) :]
        line_at = cell.index("".join(stop.address_line.split()))
        assert cell.index(stop.district) < line_at < cell.index("排出場所：" + stop.put_out)
        if stop.put_out_note:
            assert f"（{stop.put_out_note}）" in cell


def test_every_booking_number_and_item_name_is_extractable(
    sheet: WorksheetSet, pdf_path: Path
) -> None:
    text = run_tool("pdftotext", "-layout", pdf_path, "-")
    stops = [stop for route in sheet.routes for stop in route.stops if stop.kind == "pickup"]
    assert len(stops) == 14
    missing = [s.booking_no for s in stops if s.booking_no not in text]
    missing += [i.name for s in stops for i in s.items if i.name not in text]
    assert missing == []
    for label in ("順番", "予定時刻", "受付番号", "品目と数量", "収集済", "出ていない", "その他"):
        assert label in text
    assert "© OpenStreetMap contributors" in text
    assert "2026年11月24日" in text
    # each truck unloads once at the facility: a table row, and a line on the map's flag
    assert text.count("荷下ろし 立川市クリーンセンター") == 2
    assert "荷下ろし 8" in text
    # the stickers the resident was told to buy, not just an amount
    tickets = [t for s in stops for t in s.fee_tickets]
    assert tickets and text.count("1,000円券") == sum(1 for face, _ in tickets if face == 1000)


def test_japanese_font_is_embedded_as_subset(pdf_path: Path) -> None:
    rows = run_tool("pdffonts", pdf_path).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert "IPAexGothic" in name
        assert (emb, sub, uni) == ("yes", "yes", "yes")


def test_qr_codes_on_the_stop_table_decode_to_completion_links(
    sheet: WorksheetSet, pdf_path: Path, tmp_path: Path
) -> None:
    # page 2 is truck 1's stop table
    run_tool("pdftoppm", "-r", "150", "-f", "2", "-l", "2", "-png", pdf_path, tmp_path / "page")
    (image,) = tmp_path.glob("page*.png")
    decoded = set(run_tool("zbarimg", "--quiet", "--raw", image).split())
    pickups = {stop.qr_url for stop in sheet.routes[0].stops if stop.kind == "pickup"}
    assert pickups and decoded == pickups  # the unload row has nothing to record, so no QR


def test_dense_cluster_adds_a_zoomed_page(tmp_path: Path) -> None:
    pages = []
    for dense in (0, 5):
        path = tmp_path / f"dense{dense}.pdf"
        path.write_bytes(render_worksheets(build_sample_set(trucks=2, dense=dense)))
        pages.append(sum(1 for p in page_texts(path) if "ルート全体図" in p or "拡大図" in p))
    assert pages[1] == pages[0] + 1


def test_a_day_without_stops_is_refused_not_printed_as_zero_pages() -> None:
    depot = Place("清掃工場", 139.41, 35.70)
    empty = RouteSheet("3号車", (), depot, None, (), (), (), RouteTotals(0, 0, 0.0, 0.0))
    for routes in ((), (empty,)):
        with pytest.raises(NothingToPrintError):
            render_worksheets(
                WorksheetSet("立川市", date(2026, 12, 4), routes, datetime(2026, 12, 3))
            )


def test_a3_paper(sheet: WorksheetSet, tmp_path: Path) -> None:
    path = tmp_path / "a3.pdf"
    path.write_bytes(render_worksheets(sheet, paper="A3"))
    assert "(A3)" in run_tool("pdfinfo", path)


def test_missing_font_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(FontNotFoundError, match="fonts-ipaexfont-gothic"):
        register_japanese_font(tmp_path / "missing.ttf")


def test_inset_titles_shorten_runs_of_stop_numbers() -> None:
    assert format_seq_ranges([1, 2, 3, 4, 7, 9, 10]) == "1〜4・7・9・10"
    assert format_seq_ranges([]) == ""


def test_sparse_routes_render(tmp_path: Path) -> None:
    depot = Place("清掃工場", 139.41, 35.70)
    stops = (
        StopRow(1, "09:10", "X-1", "立川市曙町1丁目1-1", 139.411, 35.701, "https://m.example/1"),
        StopRow(2, "09:40", "X-2", "立川市曙町1丁目2-2", 139.412, 35.701, "https://m.example/2"),
    )
    totals = RouteTotals(len(stops), 0, 0.0, 0.0)
    bare = RouteSheet("2号車", ("鈴木",), depot, None, stops, (), (), totals)
    empty = RouteSheet("3号車", (), depot, None, (), (), (), RouteTotals(0, 0, 0.0, 0.0))
    sheet = WorksheetSet("立川市", date(2026, 11, 24), (bare, empty), datetime(2026, 11, 23))
    path = tmp_path / "sparse.pdf"
    path.write_bytes(render_worksheets(sheet))
    assert page_count(path) == 5  # 2号車: map, table, one stop map of both; 3号車: map, table
    text = run_tool("pdftotext", path, "-")
    assert "X-1" in text and "09:40" in text and "3号車" in text
