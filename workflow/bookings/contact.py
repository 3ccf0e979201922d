"""Contact details of a booking (name, phone): normalising and checking, no I/O.

Shared by the phone desk (``workflow.bookings.desk.check_contact``) and the LINE dialogue,
which asks for the name and the phone one question at a time.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 64
_PHONE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
# Dashes people type in a phone number (long-vowel mark, hyphen, minus, en/em dash, bar).
_DASHES = str.maketrans(dict.fromkeys("ー‐‑‒–—―−ｰ()", "-"))


def clean_name(raw: str) -> str | None:
    """The name, width-normalised and trimmed; None when empty or over 64 characters.

    Args:
        raw: what the person typed.
    """
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not 1 <= len(name) <= MAX_NAME_CHARS or not any(c.isalpha() for c in name):
        return None
    return name


def clean_phone(raw: str) -> str | None:
    """A Japanese phone number with hyphens kept as typed; None when it is not one.

    Full-width digits and the dashes people type (「ー」, 「－」, brackets around the area
    code) are accepted; 10 or 11 digits starting with 0 (``042-523-2111``, ``09012345678``).

    Args:
        raw: what the person typed.
    """
    phone = unicodedata.normalize("NFKC", raw).translate(_DASHES)
    phone = re.sub(r"\s+", "", phone)
    phone = re.sub(r"-{2,}", "-", phone).strip("-")
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE.match(phone) or not 10 <= digits <= 11:
        return None
    return phone
