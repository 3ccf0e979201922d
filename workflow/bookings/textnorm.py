"""Search normalisation for Japanese item names (pure).

Full/half width (NFKC), katakana -> hiragana, long-vowel marks and separators dropped, so
「そふぁ」, 「ｿﾌｧｰ」 and 「ソファー」 all become 「そふぁ」.
"""

from __future__ import annotations

import unicodedata

_KATA_START, _KATA_END, _KANA_SHIFT = 0x30A1, 0x30F6, 0x60
_DROP = str.maketrans("", "", "ー―‐-－ 　・()（）「」")


def normalize_ja(value: str) -> str:
    """Normalise text for matching: NFKC, lower case, katakana to hiragana, no long vowels.

    Args:
        value: any Japanese or Latin text.
    """
    text = unicodedata.normalize("NFKC", value).lower()
    text = "".join(
        chr(ord(c) - _KANA_SHIFT) if _KATA_START <= ord(c) <= _KATA_END else c for c in text
    )
    return text.translate(_DROP)
