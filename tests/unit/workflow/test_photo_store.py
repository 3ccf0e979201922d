"""The one photo store: path layout, atomic writes, nothing left behind on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.reports.images import CleanImage
from workflow.reports.photo_store import store_photo_files

IMAGE = CleanImage(b"full", b"thumb", 640, 480, "jpeg")


def test_files_land_under_municipality_report_and_photo(tmp_path: Path) -> None:
    paths = store_photo_files(tmp_path, 13202, 7, 42, IMAGE)
    assert paths == ("13202/7/42.jpg", "13202/7/42_thumb.jpg")
    assert (tmp_path / paths[0]).read_bytes() == b"full"
    assert (tmp_path / paths[1]).read_bytes() == b"thumb"
    assert not list(tmp_path.rglob("*.part"))


def test_a_failed_thumbnail_leaves_no_photo_behind(tmp_path: Path) -> None:
    # A directory where the thumbnail should go makes its final rename fail.
    (tmp_path / "13202" / "7" / "42_thumb.jpg").mkdir(parents=True)
    with pytest.raises(OSError):
        store_photo_files(tmp_path, 13202, 7, 42, IMAGE)
    assert not (tmp_path / "13202" / "7" / "42.jpg").exists()
