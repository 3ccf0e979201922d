"""QR codes drawn as vector squares, so they stay sharp at any print resolution."""

from __future__ import annotations

from typing import Any

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import black, white
from reportlab.platypus import Flowable

QUIET_MODULES = 4
MASK_PATTERN = 0


def qr_modules(data: str) -> list[list[bool]]:
    """Return the QR module matrix (True = dark) for ``data``, without quiet zone."""
    # a fixed mask skips qrcode's penalty scoring of all eight, which is 90 % of the time;
    # any mask is valid per ISO/IEC 18004 and readers do not care
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row, to draw fewer rectangles."""
    runs: list[tuple[int, int]] = []
    start = -1
    for i, dark in enumerate([*row, False]):
        if dark and start < 0:
            start = i
        elif not dark and start >= 0:
            runs.append((start, i - start))
            start = -1
    return runs


class QrCode(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A square QR code of side ``size_pt`` including its white quiet zone."""

    def __init__(self, data: str, size_pt: float) -> None:
        super().__init__()
        self.data = data
        self.size_pt = size_pt
        self.modules = qr_modules(data)

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.size_pt, self.size_pt

    def draw(self) -> None:
        canv: Any = self.canv
        count = len(self.modules) + 2 * QUIET_MODULES
        canv.setFillColor(white)
        canv.rect(0, 0, self.size_pt, self.size_pt, stroke=0, fill=1)
        canv.saveState()
        # one module = one unit, and the operators written directly: reportlab's path
        # object formats every integer through its slow generic float formatter
        canv.scale(self.size_pt / count, self.size_pt / count)
        canv.setFillColor(black)
        canv.addLiteral(module_operators(self.modules) + "\nf")
        canv.restoreState()


def module_operators(modules: list[list[bool]]) -> str:
    """PDF rectangle operators (re) for the dark runs, one unit per module, y up."""
    count = len(modules) + 2 * QUIET_MODULES
    parts: list[str] = []
    for r, row in enumerate(modules):
        y = count - (r + QUIET_MODULES + 1)
        # 1.05 high: a hair of overlap hides anti-aliasing seams between rows
        parts.extend(f"{start + QUIET_MODULES} {y} {n} 1.05 re" for start, n in dark_runs(row))
    return "\n".join(parts)
