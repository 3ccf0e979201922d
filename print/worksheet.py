"""Render a day's crew worksheets: per truck, map page(s) then the stop table."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any, Literal

from reportlab import rl_config
from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A3, A4
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate, Spacer

from print import texts
from print.errors import NothingToPrintError
from print.fonts import register_japanese_font
from print.maplayout import MM, MapView, Rect, plan_map_views
from print.mapsymbols import LEGEND_HEIGHT_PT, Canvas, draw_legend
from print.model import RouteSheet, WorksheetSet
from print.stopmaps import StopMap, plan_stop_maps
from print.stoppage import StopMapBlock, stop_frame
from print.stoptable import build_stop_table
from print.streetmap import StreetIndex, draw_map, index_streets
from print.texts import format_seq_ranges

Paper = Literal["A4", "A3"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": A4, "A3": A3}
MARGIN_PT = 8 * MM
HEADER_HEIGHT_PT = 17 * MM
TITLE_HEIGHT_PT = 8 * MM


def content_rect(paper: Paper) -> Rect:
    """Return the area under the page header for maps and tables (page points)."""
    width, height = PAGE_SIZES[paper]
    return Rect(
        MARGIN_PT, MARGIN_PT, width - 2 * MARGIN_PT, height - 2 * MARGIN_PT - HEADER_HEIGHT_PT
    )


def map_frame(paper: Paper) -> Rect:
    """Return the map frame of a map page, in the map flowable's own coordinates."""
    area = content_rect(paper)
    height = area.height - TITLE_HEIGHT_PT - LEGEND_HEIGHT_PT - 2.0
    return Rect(0.0, LEGEND_HEIGHT_PT, area.width, height)


def plan_route_maps(route: RouteSheet, paper: Paper = "A4") -> tuple[MapView, ...]:
    """Return the map views printed for one truck: overview, then zoomed insets."""
    return plan_map_views(route, map_frame(paper))


def stop_map_size(paper: Paper) -> tuple[float, float]:
    """Width and height of one stop map block (title and map): two share a page."""
    area = content_rect(paper)
    return area.width, (area.height - 1.0) / 2


def plan_stop_maps_of(route: RouteSheet, paper: Paper = "A4") -> tuple[StopMap, ...]:
    """Return the street-level stop maps printed after one truck's stop table."""
    return plan_stop_maps(route, stop_frame(*stop_map_size(paper)))


def map_extent_4326(route: RouteSheet, paper: Paper = "A4") -> tuple[float, float, float, float]:
    """Return (west, south, east, north) EPSG:4326 of all the truck's maps show, with a margin.

    The streets to load so that every map is drawn out to its frame's edges.
    """
    viewports = [v.viewport for v in plan_route_maps(route, paper)]
    viewports += [m.viewport for m in plan_stop_maps_of(route, paper)]
    corners = []
    for viewport in viewports:
        grown = viewport.frame.inset(-12 * MM)
        corners += [viewport.to_lonlat(grown.x, grown.y)]
        corners += [viewport.to_lonlat(grown.x + grown.width, grown.y + grown.height)]
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    return min(lons), min(lats), max(lons), max(lats)


def render_worksheets(sheet: WorksheetSet, paper: Paper = "A4") -> bytes:
    """Render every truck's worksheet into one PDF and return its bytes.

    Raises NothingToPrintError when no truck has a stop: a zero-page PDF is no document.
    """
    if not any(route.stops for route in sheet.routes):
        raise NothingToPrintError(sheet.service_date.isoformat())
    font = register_japanese_font()
    # ASCII85 only makes streams 7-bit clean (a quarter larger) and reportlab encodes it in
    # pure Python: a tenth of the render time of a city day. Printers read binary PDFs.
    rl_config.useA85 = 0
    buffer = BytesIO()
    doc = _WorksheetDoc(buffer, sheet, paper, font)
    story: list[Any] = []
    for route in sheet.routes:
        story += _route_story(route, paper, font)
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _route_story(route: RouteSheet, paper: Paper, font: str) -> list[Any]:
    area = content_rect(paper)
    story: list[Any] = [_RouteStart(route)]
    index = index_streets(route.streets)
    for view in plan_route_maps(route, paper):
        story += [_MapPage(route, view, index, area.width, area.height - 1.0, font), PageBreak()]
    story += build_stop_table(route, area.width, font)
    story.append(PageBreak())
    stop_maps = plan_stop_maps_of(route, paper)
    story += [StopMapBlock(route, m, index, stop_map_size(paper), font) for m in stop_maps]
    return [*story, PageBreak()] if stop_maps else story


class _RouteStart(Spacer):  # type: ignore[misc]  # reportlab is untyped
    """Marks where a truck's section begins, so page headers name the right truck."""

    def __init__(self, route: RouteSheet) -> None:
        super().__init__(0, 0)
        self.route = route


class _MapPage(Flowable):  # type: ignore[misc]  # reportlab is untyped
    def __init__(
        self,
        route: RouteSheet,
        view: MapView,
        index: StreetIndex,
        width: float,
        height: float,
        font: str,
    ) -> None:
        super().__init__()
        self.route, self.view, self.index, self.font = route, view, index, font
        self.width, self.height = width, height

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv: Canvas = self.canv
        frame = self.view.viewport.frame
        canv.setFillColor(black)
        canv.setFont(self.font, 13.0)
        canv.drawString(0, frame.y + frame.height + 2.2 * MM, _view_title(self.view))
        draw_map(canv, self.route, self.view, self.font, self.index)
        draw_legend(canv, self.view, Rect(0, 0, frame.width, LEGEND_HEIGHT_PT), self.font)


def _view_title(view: MapView) -> str:
    if view.inset_index is None:
        return texts.OVERVIEW_TITLE
    seqs = format_seq_ranges(sorted(m.seq for m in view.markers))
    return texts.INSET_TITLE.format(number=view.inset_index, seqs=seqs)


class _WorksheetDoc(BaseDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    def __init__(self, buffer: BytesIO, sheet: WorksheetSet, paper: Paper, font: str) -> None:
        area = content_rect(paper)
        super().__init__(
            buffer,
            pagesize=PAGE_SIZES[paper],
            title=f"{texts.DOCUMENT_TITLE} {sheet.service_date.isoformat()}",
            author=sheet.municipality_name,
            invariant=True,
            initialFontName=font,
        )
        frame = Frame(area.x, area.y, area.width, area.height, 0, 0, 0, 0, id="content")
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=self._draw_header)])
        self.sheet, self.font = sheet, font
        self.route: RouteSheet | None = None
        self.route_key = 0
        self.route_first_page = 1

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802  # reportlab's hook name
        if isinstance(flowable, _RouteStart):
            self.route = flowable.route
            self.route_key += 1
            self.route_first_page = self.canv.getPageNumber()

    def _draw_header(self, canv: Canvas, _doc: Any) -> None:
        if self.route is not None:
            page = canv.getPageNumber() - self.route_first_page + 1
            draw_page_header(canv, self.sheet, self.route, self.route_key, page, self.font)


PageMark = tuple[int, int, Callable[[int], None]]
"""(truck section, page within it, draws the page number given the section's page count)."""


class _NumberedCanvas(canvas.Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Holds the pages back until the end, so each can say "2 / 5" of its truck's pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_mark: PageMark | None = None
        self._held: list[tuple[dict[str, Any], PageMark | None]] = []

    def showPage(self) -> None:  # noqa: N802  # reportlab's name
        self._held.append((dict(self.__dict__), self.page_mark))
        self.page_mark = None
        self._startPage()

    def save(self) -> None:
        pages: dict[int, int] = {}
        for _state, mark in self._held:
            if mark is not None:
                pages[mark[0]] = max(pages.get(mark[0], 0), mark[1])
        for state, mark in self._held:
            self.__dict__.update(state)
            if mark is not None:
                mark[2](pages[mark[0]])
            super().showPage()
        super().save()


def format_service_date(sheet: WorksheetSet) -> str:
    day = sheet.service_date
    return f"{day.year}年{day.month}月{day.day}日（{texts.WEEKDAYS[day.weekday()]}）"


def draw_page_header(
    canv: Canvas, sheet: WorksheetSet, route: RouteSheet, route_key: int, page: int, font: str
) -> None:
    """Truck, crew, date, municipality, totals and "page of the truck's pages" on every page.

    ``canv`` is a _NumberedCanvas; ``route_key`` tells the trucks' sections apart.
    """
    width, height = canv._pagesize
    top = height - MARGIN_PT
    right = width - MARGIN_PT
    totals = route.totals
    canv.setFillColor(black)
    canv.setFont(font, 15.0)
    canv.drawString(MARGIN_PT, top - 6 * MM, texts.HEADER_VEHICLE.format(name=route.vehicle_name))
    date_text = texts.HEADER_DATE.format(date=format_service_date(sheet))
    canv.drawRightString(right, top - 6 * MM, date_text)
    canv.setFont(font, 10.0)
    crew = texts.HEADER_CREW.format(names="・".join(route.crew_names))
    summary = texts.HEADER_TOTALS.format(
        stops=totals.stops,
        points=totals.size_points,
        km=totals.distance_m / 1000,
        hours=totals.duration_s / 3600,
    )
    canv.drawString(MARGIN_PT, top - 12 * MM, f"{crew}　　{summary}")

    def page_text(pages: int) -> None:  # drawn when the truck's page count is known
        canv.setFillColor(black)
        canv.setFont(font, 10.0)
        text = texts.HEADER_PAGE.format(page=page, pages=pages)
        canv.drawRightString(right, top - 12 * MM, f"{sheet.municipality_name}　{text}")

    canv.page_mark = (route_key, page, page_text)
    canv.setFont(font, 7.0)
    generated = texts.HEADER_GENERATED.format(
        generated=sheet.generated_at.strftime("%Y-%m-%d %H:%M")
    )
    canv.drawRightString(right, top - 15.5 * MM, f"{texts.DOCUMENT_TITLE}　{generated}")
    canv.setLineWidth(1.0)
    canv.line(MARGIN_PT, top - HEADER_HEIGHT_PT + 1 * MM, right, top - HEADER_HEIGHT_PT + 1 * MM)
