"""Where exactly to collect: the address line and the put-out place are normalised and checked."""

from __future__ import annotations

import pytest

from workflow.bookings.place import MAX_ADDRESS_LINE_CHARS, Whereabouts, check_whereabouts
from workflow.errors import InvalidInputError


def test_full_width_is_made_half_width_and_spaces_folded() -> None:
    place = check_whereabouts("  １－２－３　コーポ立川　１０１ ", "entrance", " 門の右側 ")
    assert place == Whereabouts("1-2-3 コーポ立川 101", "entrance", "門の右側")


@pytest.mark.parametrize(
    ("line", "put_out", "note", "code", "field"),
    [
        ("", "entrance", None, "address_line_missing", "address_line"),
        ("x" * (MAX_ADDRESS_LINE_CHARS + 1), "entrance", None, "address_line_too_long",
         "address_line"),
        ("1-2-3", "garden", None, "put_out_unknown", "put_out"),
        ("1-2-3", "other", "  ", "put_out_note_missing", "put_out_note"),
        ("1-2-3", "roadside", "あ" * 101, "put_out_note_too_long", "put_out_note"),
    ],
)  # fmt: skip
def test_refusals_name_their_field(
    line: str, put_out: str, note: str | None, code: str, field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_whereabouts(line, put_out, note)
    assert (refused.value.code, refused.value.field) == (code, field)
