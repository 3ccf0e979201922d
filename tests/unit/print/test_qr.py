"""QR matrices and the run-length drawing of their rows."""

from __future__ import annotations

from print.qr import dark_runs, qr_modules


def test_dark_runs() -> None:
    assert dark_runs([True, True, False, True, False, False, True]) == [(0, 2), (3, 1), (6, 1)]
    assert dark_runs([False, False]) == []


def test_qr_matrix_is_square_with_finder_patterns() -> None:
    modules = qr_modules("https://machi.example.jp/crew/stops/R0101-1234?t=0123456789ab")
    size = len(modules)
    assert all(len(row) == size for row in modules)
    assert size >= 21 and (size - 17) % 4 == 0
    # the top-left finder pattern starts with a run of 7 dark modules
    assert dark_runs(modules[0])[0] == (0, 7)
