"""``machi db backup`` / ``restore``: a fresh database gets every row, geometry and photo back."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from machi import cli
from machi.backup import BackupError, BackupFiles, backup, restore
from machi.settings import get_settings
from tests.conftest import MUNICIPALITY_ID, create_database, drop_database
from tests.support.line_events import jpeg_with_gps
from tests.support.resident_web import place, web_rows_removed_afterwards
from workflow.reports.images import clean_image
from workflow.web.reports import WebReportSubmission, submit_web_report

pytestmark = [pytest.mark.db, pytest.mark.slow]

_TABLES = text(
    "SELECT table_schema || '.' || table_name FROM information_schema.tables "
    "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') "
    "ORDER BY 1"
)
_REPORT = text(
    "SELECT ST_AsEWKT(r.location) AS geom, p.storage_path FROM report r JOIN photo p "
    "ON p.report_id = r.id WHERE r.receipt_no = :no"
)


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        tables = list(conn.execute(_TABLES).scalars())
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in tables
        }


def _report(engine: Engine, receipt_no: str) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(_REPORT, {"no": receipt_no}).one()
    return str(row.geom), str(row.storage_path)


@pytest.fixture()
def empty_database() -> Iterator[str]:
    name = f"machi_restore_{secrets.token_hex(4)}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


@pytest.fixture()
def backed_up(
    engine: Engine, database_url: str, tmp_path: Path
) -> Iterator[tuple[BackupFiles, str]]:
    """A backup of the test database holding one more web report with a photo."""
    media = tmp_path / "media"
    form = WebReportSubmission(
        "road",
        "road_pothole",
        *place(13),
        "バックアップ試験の穴",
        photos=(clean_image(jpeg_with_gps()),),
    )
    with web_rows_removed_afterwards(engine):
        with Session(engine) as session:
            receipt = submit_web_report(session, MUNICIPALITY_ID, form, media, 30.0)
        files = backup(database_url, media, tmp_path / "out" / "machi.dump")
        yield files, receipt.receipt_no


def test_restore_into_a_fresh_database_gives_back_every_row_geometry_and_photo(
    engine: Engine, backed_up: tuple[BackupFiles, str], empty_database: str, tmp_path: Path
) -> None:
    files, receipt_no = backed_up
    expected_counts = _row_counts(engine)
    geom, photo_path = _report(engine, receipt_no)
    media = tmp_path / "restored-media"

    restore(empty_database, media, files.database)

    restored = create_engine(empty_database)
    try:
        assert _row_counts(restored) == expected_counts
        assert expected_counts["public.report"] > 0 and expected_counts["public.photo"] > 0
        assert _report(restored, receipt_no) == (geom, photo_path)
        assert geom.startswith("SRID=4326;POINT(")
        original = (tmp_path / "media" / photo_path).read_bytes()
        assert (media / photo_path).read_bytes() == original
        with pytest.raises(BackupError, match="--force"):
            restore(empty_database, media, files.database)
        restore(empty_database, media, files.database, force=True)
        assert _row_counts(restored) == expected_counts
    finally:
        restored.dispose()


def test_cli_refuses_to_restore_over_a_database_with_tables(
    backed_up: tuple[BackupFiles, str], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, _receipt_no = backed_up
    monkeypatch.setenv("MACHI_OWNER_DATABASE_URL", database_url)  # restore runs as the owner
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["db", "restore", str(files.database)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "--force" in result.output
