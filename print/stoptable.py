"""The stop table: one row per stop in driving order, with check boxes and a QR code."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from print import texts
from print.maplayout import MM
from print.model import RouteSheet, StopRow
from print.qr import QrCode

DONE_COLOUR = "#2ca02c"
RECEIVED_COLOUR = "#d62728"
GREY_COLOUR = "#7f7f7f"
# columns: 順番・予定時刻, 受付番号, 住所, 品目, 処理券, 住民メモ, 結果, QR
SEQ, BOOKING, ADDRESS, ITEMS, TICKET, NOTE, RESULT, QR = range(8)
FLEX_WEIGHTS = {ADDRESS: 31.0, ITEMS: 36.0, NOTE: 20.0}  # share what the fitted ones leave
BOOKING_MIN_PT, BOOKING_MAX_PT = 18 * MM, 34 * MM
TICKET_BOX_PT = 11.5
QR_SIZE_PT = 21 * MM
QUALIFIER_MARKS = ("（", "(", "：", ":")
QUALIFIER_SIZE_PT = 8.0
UNLOAD_BACKGROUND = HexColor("#e3e9f2")
CELL_PADDING_PT = 3.0
HANG = 0.6  # of the font size: room for a hanging 。）ー (with the cell padding)


class TableStyles:
    """Paragraph styles of the table, all in the embedded Japanese font."""

    def __init__(self, font: str) -> None:
        self.font = font

        def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                **({"leading": size * 1.28} | extra),
                fontName=font,
                fontSize=size,
                wordWrap="CJK",
            )

        # reportlab lets a closing bracket or ー hang past the line end (ぶら下げ); the right
        # indent keeps that character inside the cell instead of on the grid line
        self.head = style("head", 8.5, alignment=1)
        self.seq = style("seq", 16.0, alignment=1, leading=19.0)
        self.eta = style("eta", 11.0, alignment=1)
        self.body = style("body", 9.5, rightIndent=HANG * 9.5)
        self.item = style("item", 10.5, leading=12.5, rightIndent=HANG * 10.5, spaceAfter=2.0)
        self.booking = style("booking", 10.0)
        self.small = style("small", 8.5, textColor=HexColor("#333333"), rightIndent=HANG * 8.5)
        self.note = style("note", 9.0, rightIndent=HANG * 9.0)
        self.address_line = style("address_line", 10.5, rightIndent=HANG * 10.5, spaceBefore=1.0)
        self.put_out = style("put_out", 9.0, rightIndent=HANG * 9.0, spaceBefore=1.0)
        self.check = style("check", 9.0, leading=15.0)
        self.ticket = style("ticket", 9.0, leading=12.5)
        self.totals = style("totals", 11.0)
        self.unload = style("unload", 11.0, leading=19.0)


def column_widths(total_width: float, fitted: dict[int, float]) -> list[float]:
    """Column widths: the ``fitted`` ones as given, the others share the rest by FLEX_WEIGHTS.

    Fixed contents (the time, a booking number, 1,000円券, 出ていない, the QR code) get the
    width they need, so they never wrap mid-word; the free text columns take what is left.
    """
    rest = total_width - sum(fitted.values())
    flex = sum(w for k, w in FLEX_WEIGHTS.items() if k not in fitted)
    return [fitted.get(k, FLEX_WEIGHTS.get(k, 0.0) / flex * rest) for k in range(QR + 1)]


def fitted_widths(route: RouteSheet, styles: TableStyles) -> dict[int, float]:
    """Measured widths of the columns whose contents must stay on their lines."""

    def width(*parts: tuple[str, float]) -> float:
        text: float = sum(stringWidth(t, styles.font, size) for t, size in parts)
        return text + 2 * CELL_PADDING_PT + 2.0

    bookings = [s.booking_no for s in route.stops] or [""]
    booking = max(width((b, styles.booking.fontSize)) for b in bookings)
    faces = [face for s in route.stops for face, _ in s.fee_tickets] or [1000]
    ticket = texts.TICKET.format(face=max(faces))
    fitted = {
        SEQ: width((texts.COLUMN_ETA, styles.head.fontSize)),
        BOOKING: min(max(booking, BOOKING_MIN_PT), BOOKING_MAX_PT),
        TICKET: width((texts.CHECK_BOX, TICKET_BOX_PT), (f" {ticket}", styles.ticket.fontSize)),
        RESULT: width((texts.CHECK_BOX, 13.0), (f" {texts.RESULT_NOT_OUT}", 9.0)),
        QR: QR_SIZE_PT + 2 * CELL_PADDING_PT,
    }
    if not any(s.resident_note for s in route.stops):  # no notes today: room for the items
        fitted[NOTE] = width((texts.COLUMN_NOTE, styles.head.fontSize))
    return fitted


def format_eta(eta: datetime | str) -> str:
    return eta.strftime("%H:%M") if isinstance(eta, datetime) else eta


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _box(colour: str, size: float = 13.0) -> str:
    return f'<font size="{size:g}" color="{colour}">{texts.CHECK_BOX}</font>'


def put_out_text(stop: StopRow) -> str:
    """Where the items stand, as one line: 排出場所：玄関前（門の右側）; "" when unknown."""
    place = stop.put_out or stop.put_out_note
    if stop.put_out and stop.put_out_note:
        place += texts.PUT_OUT_NOTE.format(note=stop.put_out_note)
    return texts.PUT_OUT.format(place=place) if place else ""


def _address_cell(stop: StopRow, styles: TableStyles) -> list[Paragraph]:
    """District first, then what finds the house: the address line and where the items stand."""
    cell = [_p(escape(stop.address), styles.body)]
    if stop.district and stop.district not in stop.address:
        cell.append(_p(escape(stop.district), styles.small))
    if stop.address_line:
        cell.append(_p(escape(stop.address_line), styles.address_line))
    if put_out := put_out_text(stop):
        cell.append(_p(escape(put_out), styles.put_out))
    if stop.landmark:
        cell.append(_p("目印: " + escape(stop.landmark), styles.small))
    return cell


def split_item_name(name: str) -> tuple[str, str]:
    """Split an official item name into what the crew looks for and its qualifier.

    'ござ：部屋敷きのカーペット程度の大きさ（…）' -> ('ござ', '：部屋敷きの…（…）'), so the
    table shows ござ in full size and the fee table's fine print small behind it.
    """
    cuts = [i for i in (name.find(mark) for mark in QUALIFIER_MARKS) if i > 0]
    if not cuts:
        return name, ""
    return name[: min(cuts)], name[min(cuts) :]


def _item_text(name: str, quantity: int) -> str:
    head, qualifier = split_item_name(name)
    small = f'<font size="{QUALIFIER_SIZE_PT}" color="#444444">{escape(qualifier)}</font>'
    count = escape(texts.QUANTITY.format(quantity=quantity))
    return f'{escape(head)}{small if qualifier else ""} <font size="12">{count}</font>'


def _items_cell(stop: StopRow, styles: TableStyles) -> list[Paragraph]:
    return [_p(_item_text(item.name, item.quantity), styles.item) for item in stop.items]


def _ticket_cell(stop: StopRow, styles: TableStyles) -> Paragraph:
    """One check box per kind of sticker the resident was told to buy (1,000円券×1 …).

    The crew looks for stickers, not for an amount: a 700円 fee is paid with a 1,000円券.
    """
    if not stop.fee_tickets and stop.fee_yen == 0:
        return _p(texts.NO_TICKET, styles.small)
    lines = [
        f"{_box('#000000', TICKET_BOX_PT)} {escape(texts.TICKET.format(face=face))}<br/>"
        f"　 {escape(texts.TICKET_COUNT.format(count=count))}"
        for face, count in stop.fee_tickets
    ]
    fee = f'<font size="7.5">{escape(texts.FEE_YEN.format(fee=stop.fee_yen))}</font>'
    return _p("<br/>".join([*lines, fee]), styles.ticket)


def _result_cell(styles: TableStyles) -> Paragraph:
    lines = (
        f"{_box(DONE_COLOUR)} {texts.RESULT_DONE}",
        f"{_box(RECEIVED_COLOUR)} {texts.RESULT_NOT_OUT}",
        f"{_box(GREY_COLOUR)} {texts.RESULT_OTHER}",
    )
    return _p("<br/>".join(lines), styles.check)


def _seq_cell(stop: StopRow, styles: TableStyles) -> list[Paragraph]:
    """The stop number as on the map marker, its planned time under it."""
    return [_p(str(stop.seq), styles.seq), _p(escape(format_eta(stop.eta)), styles.eta)]


def _unload_row(stop: StopRow, route: RouteSheet, styles: TableStyles) -> list[Any]:
    """A one-line row: the truck unloads, nothing to tick and no QR code."""
    place = route.disposal.name if route.disposal is not None else stop.address
    text = escape(texts.UNLOAD_ROW.format(place=place))
    if stop.address and stop.address != place:
        text += f'　<font size="9">{escape(stop.address)}</font>'
    return [_seq_cell(stop, styles), _p(text, styles.unload), *[""] * 6]


def _stop_row(stop: StopRow, route: RouteSheet, styles: TableStyles) -> list[Any]:
    if stop.kind == "unload":
        return _unload_row(stop, route, styles)
    return [
        _seq_cell(stop, styles),
        _p(escape(stop.booking_no), styles.booking),
        _address_cell(stop, styles),
        _items_cell(stop, styles),
        _ticket_cell(stop, styles),
        _p(escape(stop.resident_note), styles.note),
        _result_cell(styles),
        QrCode(stop.qr_url, QR_SIZE_PT),
    ]


def _header_row(styles: TableStyles) -> list[Paragraph]:
    names = (
        f"{texts.COLUMN_SEQ}<br/>{texts.COLUMN_ETA}", texts.COLUMN_BOOKING,
        texts.COLUMN_ADDRESS, texts.COLUMN_ITEMS, texts.COLUMN_TICKET, texts.COLUMN_NOTE,
        texts.COLUMN_RESULT, texts.COLUMN_QR,
    )  # fmt: skip
    return [_p(name, styles.head) for name in names]


def build_stop_table(route: RouteSheet, width: float, font: str) -> list[Any]:
    """Flowables of the stop table: the table (header repeated per page) and the totals line."""
    styles = TableStyles(font)
    rows = [_header_row(styles)] + [_stop_row(s, route, styles) for s in route.stops]
    widths = column_widths(width, fitted_widths(route, styles))
    table = Table(rows, colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.6, HexColor("#555555")),
        ("BACKGROUND", (0, 0), (-1, 0), HexColor("#d9d9d9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("ALIGN", (-1, 1), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
    ]
    for row in range(2, len(rows), 2):
        commands.append(("BACKGROUND", (0, row), (-1, row), HexColor("#f2f2f2")))
    for row, stop in enumerate(route.stops, start=1):
        if stop.kind == "unload":
            commands.append(("SPAN", (1, row), (-1, row)))
            commands.append(("BACKGROUND", (0, row), (-1, row), UNLOAD_BACKGROUND))
    table.setStyle(TableStyle(commands))
    totals = route.totals
    text = texts.TOTALS_ROW.format(
        stops=totals.stops,
        points=totals.size_points,
        km=totals.distance_m / 1000,
        hours=totals.duration_s / 3600,
    )
    return [table, Spacer(1, 3 * MM), Paragraph(text, styles.totals)]
