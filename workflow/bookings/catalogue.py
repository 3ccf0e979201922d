"""Bulky-waste item search, tolerant of kana, width, long-vowel marks and everyday words.

Both the query and the stored ``search_key`` go through :func:`normalize_ja`, so 「そふぁ」,
「ｿﾌｧｰ」 and 「ソファー」 meet. Substring hits rank first; when there are none, pg_trgm's word
similarity catches small slips (「てれぴ」). A few everyday words the official list does not
use are mapped to its terms (``QUERY_SYNONYMS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.bookings.textnorm import normalize_ja
from workflow.errors import InvalidInputError
from workflow.texts.resident import booking as booking_texts

MAX_QUERY_CHARS = 40
DEFAULT_LIMIT = 20
NEAR_MISS = 0.4  # pg_trgm word similarity; 「てれぴ」 -> テレビ is 0.5
# Normalised everyday word -> further normalised keys to look for (kanji of the official list).
QUERY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "いす": ("椅子",),
    "ちぇあ": ("椅子", "いす"),
    "たんす": ("だんす",),
    "ふとん": ("布団",),
    "かがみ": ("鏡", "姿見"),
    "くつばこ": ("下駄箱",),
    "げたばこ": ("下駄箱",),
    "ぶつだん": ("仏壇",),
    "かーぺっと": ("ござ", "じゅうたん"),
    "じゅうたん": ("ござ", "かーぺっと"),
    "せんぷうき": ("ふぁん",),
    "すいはんき": ("炊飯器",),
    "ほんばこ": ("本棚",),
    "つくえ": ("机",),
    "ぴーしー": ("ぱそこん",),
}
_SEARCH = text(
    "SELECT id, name, fee_yen, accepted, refusal_reason, alternative, note, "
    "strpos(search_key, :q) > 0 AS hit, word_similarity(:q, search_key) AS score "
    "FROM bulky_item WHERE municipality_id = :m "
    "AND (search_key LIKE :pattern ESCAPE '\\' OR word_similarity(:q, search_key) >= :near) "
    "ORDER BY strpos(search_key, :q) > 0 DESC, strpos(search_key, :q) = 1 DESC, "
    "word_similarity(:q, search_key) DESC, accepted DESC, length(name), name LIMIT :limit"
)


@dataclass(frozen=True)
class ItemHit:
    """One catalogue row as residents may see it (no personal data)."""

    id: int
    name: str
    fee_yen: int | None
    accepted: bool
    refusal_reason: str | None
    alternative: str | None
    note: str | None

    @property
    def explanation_ja(self) -> str:
        """One sentence for a chat or a clerk: the fee, or why not and where to go."""
        return booking_texts.item_explanation(
            self.name, self.fee_yen, self.refusal_reason, self.alternative, self.accepted
        )


def query_keys(query: str) -> tuple[str, ...]:
    """The normalised search key of a query, then the catalogue terms it stands for.

    The limits apply to what was typed: a query of only marks that normalisation drops
    (「ー」, 「・」) has no key and finds nothing; one that normalisation lengthens (「㍿」) is
    not refused for it.

    Raises:
        InvalidInputError: the query is blank or too long.
    """
    typed = query.strip()
    if not typed:
        raise InvalidInputError("query_missing", field="q")
    if len(typed) > MAX_QUERY_CHARS:
        raise InvalidInputError("query_too_long", field="q", max=MAX_QUERY_CHARS)
    key = normalize_ja(typed)
    return (key, *QUERY_SYNONYMS.get(key, ())) if key else ()


def _like_pattern(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_items(
    session: Session, municipality_id: int, query: str, limit: int = DEFAULT_LIMIT
) -> tuple[ItemHit, ...]:
    """Catalogue rows matching ``query``, best first (substring hits, then near misses).

    Args:
        session: open session (read only).
        municipality_id: tenant.
        query: what the resident typed, in any kana or width.
        limit: at most this many rows.

    Raises:
        InvalidInputError: blank or overlong query.
    """
    exact: dict[int, ItemHit] = {}
    near: dict[int, ItemHit] = {}
    for key in query_keys(query):
        for is_substring, hit in _search_key(session, municipality_id, key, limit):
            (exact if is_substring else near).setdefault(hit.id, hit)
    return tuple((exact or near).values())[:limit]


def _search_key(
    session: Session, municipality_id: int, key: str, limit: int
) -> list[tuple[bool, ItemHit]]:
    rows = session.execute(
        _SEARCH,
        {
            "m": municipality_id,
            "q": key,
            "pattern": _like_pattern(key),
            "near": NEAR_MISS,
            "limit": limit,
        },
    ).all()
    return [
        (
            bool(r.hit),
            ItemHit(
                int(r.id),
                r.name,
                r.fee_yen,
                bool(r.accepted),
                r.refusal_reason,
                r.alternative,
                r.note,
            ),
        )
        for r in rows
    ]
