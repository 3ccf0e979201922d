from __future__ import annotations

import pytest

from api.line import postback
from api.line.postback import Command


def test_commands_round_trip_through_compact_query_strings() -> None:
    data = postback.encode_command(postback.CATEGORY, c="道路の穴")
    assert data.startswith("a=cat&c=")
    assert postback.decode_command(data) == Command("cat", {"c": "道路の穴"})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("flow=road", Command("start", {"f": "road"})),
        ("flow=disaster", Command("start", {"f": "disaster"})),
        ("flow=bulky", Command("start", {"f": "bulky"})),
        ("my=reports", Command("my")),
    ],
)
def test_rich_menu_postbacks(data: str, expected: Command) -> None:
    assert postback.decode_command(data) == expected


@pytest.mark.parametrize("data", ["", "a=", "my=other", "nonsense", "x=1&y=2"])
def test_junk_decodes_to_none(data: str) -> None:
    assert postback.decode_command(data) is None


def test_data_longer_than_line_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="300"):
        postback.encode_command(postback.ATTACH, r="R" * 300)
