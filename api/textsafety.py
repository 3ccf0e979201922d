"""Text PostgreSQL cannot store: NUL (U+0000) and lone UTF-16 surrogates (U+D800..U+DFFF).

PostgreSQL refuses NUL in ``text`` and ``jsonb`` ("cannot be converted to text"), and a lone
surrogate (an escaped one in JSON decodes to it) cannot even be encoded as UTF-8. Both reach
us through JSON escapes, percent-encoding and multipart bodies. The edge cleans them away
(``api.input_guard``, ``api.line.events``): the message still gets through without them.
Pure functions only: no web framework here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

UNSAFE: Final = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT: Final = "\ufffd"


def is_safe(text: str) -> bool:
    """True when PostgreSQL can store ``text`` as it is."""
    return UNSAFE.search(text) is None


def clean_text(text: str) -> str:
    """Drop NUL characters and replace lone surrogates with U+FFFD."""
    if is_safe(text):
        return text
    return UNSAFE.sub(lambda m: "" if m.group() == "\x00" else REPLACEMENT, text)


def clean_json(value: Any) -> Any:
    """A copy of a decoded JSON value with every string (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    return value


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def unsafe_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) that cannot be stored, or None.

    Args:
        value: a decoded JSON value.
        path: the path of ``value`` itself (``"body"`` for a request body).
    """
    if isinstance(value, str):
        return None if is_safe(value) else (path or "body")
    if isinstance(value, dict):
        return _first(
            _join(path, key) if not is_safe(str(key)) else unsafe_field(item, _join(path, key))
            for key, item in value.items()
        )
    if isinstance(value, list):
        return _first(unsafe_field(item, _join(path, n)) for n, item in enumerate(value))
    return None


def _first(paths: Iterable[str | None]) -> str | None:
    return next((path for path in paths if path is not None), None)
