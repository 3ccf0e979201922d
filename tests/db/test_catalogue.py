"""Catalogue search on the demo town's items (real PostGIS + pg_trgm)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.conftest import MUNICIPALITY_ID
from workflow.bookings.catalogue import search_items
from workflow.errors import InvalidInputError


@pytest.mark.parametrize("query", ["そふぁ", "ソファー", "ｿﾌｧ", "ソファ"])
def test_sofa_in_any_spelling(db_session: Session, query: str) -> None:
    names = [h.name for h in search_items(db_session, MUNICIPALITY_ID, query)]
    assert names[:2] == ["ソファー（1人掛け）", "ソファー（2人掛け以上）"]


def test_half_width_tv_is_refused_with_reason_and_alternative(db_session: Session) -> None:
    tv = search_items(db_session, MUNICIPALITY_ID, "ﾃﾚﾋﾞ")[0]
    assert tv.name == "テレビ" and not tv.accepted and tv.fee_yen is None
    assert tv.refusal_reason and "家電リサイクル法" in tv.refusal_reason
    assert tv.alternative and "お店" in tv.alternative
    assert "収集できません" in tv.explanation_ja and tv.alternative in tv.explanation_ja


def test_synonyms_reach_the_official_kanji_names(db_session: Session) -> None:
    names = [h.name for h in search_items(db_session, MUNICIPALITY_ID, "いす")]
    assert any(n.startswith("椅子") for n in names)
    assert "たんす" in [h.name for h in search_items(db_session, MUNICIPALITY_ID, "タンス")]


def test_near_miss_when_nothing_matches_exactly(db_session: Session) -> None:
    assert search_items(db_session, MUNICIPALITY_ID, "てれぴ")[0].name == "テレビ"
    assert search_items(db_session, MUNICIPALITY_ID, "50%_") == ()


def test_blank_query_is_refused_and_marks_only_find_nothing(db_session: Session) -> None:
    with pytest.raises(InvalidInputError) as caught:
        search_items(db_session, MUNICIPALITY_ID, "  \u3000 ")
    assert caught.value.field == "q"
    # typed, but nothing left after normalisation: no key, no hit (the schema allows it)
    assert search_items(db_session, MUNICIPALITY_ID, " ー ") == ()
