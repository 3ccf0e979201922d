"""The Japanese font of the worksheets, registered once and embedded as a subset."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from print.errors import FontNotFoundError

FONT_NAME = "IPAexGothic"
FONT_PATH = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
DEBIAN_PACKAGE = "fonts-ipaexfont-gothic"


@cache
def register_japanese_font(path: Path = FONT_PATH) -> str:
    """Register IPAex Gothic with reportlab and return the font name to draw with.

    reportlab embeds TrueType fonts as subsets of the glyphs used, so the PDF stays small
    and still renders on a printer without the font installed.

    Raises:
        FontNotFoundError: the font file is missing (install the Debian package).
    """
    if not path.is_file():
        msg = (
            f"Japanese font not found at {path}; "
            f"install the Debian package {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})"
        )
        raise FontNotFoundError(msg)
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path)))
    return FONT_NAME
