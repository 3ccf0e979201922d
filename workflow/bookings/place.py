"""Where exactly to collect: the address line and the put-out place (排出場所), checked (no I/O).

A 町丁目 is not enough for a crew to find the house: every booking carries the address line
(番地・建物名・部屋番号) and where the items stand. Every channel (LINE, web, phone, API) asks
for both and checks them here, so the rules are written once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

from workflow.errors import InvalidInputError

# 玄関前 / 敷地内の道路沿い / 集合住宅のごみ置場 / その他 (labels: workflow/texts/resident/bulky.py)
PUT_OUT_PLACES: Final = ("entrance", "roadside", "collection_point", "other")
MIN_ADDRESS_LINE_CHARS: Final = 1
MAX_ADDRESS_LINE_CHARS: Final = 120
MAX_PUT_OUT_NOTE_CHARS: Final = 100


@dataclass(frozen=True)
class Whereabouts:
    """Where exactly to collect, as checked.

    ``address_line`` normalised (NFKC: full-width digits and letters made half-width),
    ``put_out`` one of ``PUT_OUT_PLACES``, ``put_out_note`` an optional hint for the crew.
    """

    address_line: str
    put_out: str
    put_out_note: str | None = None


def _clean(raw: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", raw or "").split())


def check_address_line(raw: str | None) -> str:
    """The address line normalised (NFKC, spaces folded), for dialogues that ask it alone.

    Raises:
        InvalidInputError: ``address_line_missing`` / ``address_line_too_long``.
    """
    line = _clean(raw)
    if len(line) < MIN_ADDRESS_LINE_CHARS:
        raise InvalidInputError("address_line_missing", field="address_line")
    if len(line) > MAX_ADDRESS_LINE_CHARS:
        raise InvalidInputError(
            "address_line_too_long", field="address_line", max=MAX_ADDRESS_LINE_CHARS
        )
    return line


def check_put_out_note(put_out: str | None, raw: str | None) -> str | None:
    """The note normalised, None when empty; required for ``other``.

    Raises:
        InvalidInputError: ``put_out_note_missing`` / ``put_out_note_too_long``.
    """
    note = _clean(raw) or None
    if note is not None and len(note) > MAX_PUT_OUT_NOTE_CHARS:
        raise InvalidInputError(
            "put_out_note_too_long", field="put_out_note", max=MAX_PUT_OUT_NOTE_CHARS
        )
    if put_out == "other" and note is None:
        raise InvalidInputError("put_out_note_missing", field="put_out_note")
    return note


def check_whereabouts(
    address_line: str | None, put_out: str | None, put_out_note: str | None = None
) -> Whereabouts:
    """Normalise and check what a resident or clerk entered.

    Args:
        address_line: 番地・建物名・部屋番号 as typed (full- or half-width).
        put_out: one of ``PUT_OUT_PLACES``.
        put_out_note: e.g. 「門の右側、青いシートの下」; optional, required for ``other``.

    Raises:
        InvalidInputError: ``address_line_missing`` / ``address_line_too_long``
            (field ``address_line``), ``put_out_unknown`` (``put_out``),
            ``put_out_note_missing`` / ``put_out_note_too_long`` (``put_out_note``).
    """
    line = check_address_line(address_line)
    if put_out not in PUT_OUT_PLACES:
        raise InvalidInputError("put_out_unknown", field="put_out")
    return Whereabouts(line, put_out, check_put_out_note(put_out, put_out_note))
