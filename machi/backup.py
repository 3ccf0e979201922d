"""``machi db backup`` / ``machi db restore``: the database (pg_dump custom format) and the photos.

A backup is two files: ``FILE`` (``pg_dump --format=custom``: schema, PostGIS geometries, the
extensions to create) and ``FILE.media.tar`` (the media directory: report photos and their
thumbnails). The database is dumped first, so every photo row in the dump has its file in the
tar (a photo stored meanwhile is an orphan file, which is harmless). Both are written under a
temporary name and renamed, so a failed backup never leaves a truncated file under ``FILE``.

Restoring refuses a database that already holds tables, unless forced: then the tables of the
dump are dropped first (``pg_restore --clean``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from geo.db import libpq_conninfo

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MEDIA_SUFFIX = ".media.tar"

# Tables of the database itself: not system catalogues, not extension members (PostGIS's
# spatial_ref_sys exists in every fresh PostGIS database and is not "data").
_USER_TABLES = text(
    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
    "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
)


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


@dataclass(frozen=True)
class BackupFiles:
    database: Path
    media: Path


def files_of(target: Path) -> BackupFiles:
    """The two files of a backup named ``target``."""
    return BackupFiles(target, target.with_name(target.name + MEDIA_SUFFIX))


def libpq_url(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy ``postgresql+psycopg://`` URL (or multi-host)."""
    return libpq_conninfo(database_url)


def _tool(name: str) -> str:
    own = PG_BIN / name
    found = str(own) if own.exists() else shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found (apt install postgresql-client-15)")
    return found


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(database_url: str, media_dir: Path, target: Path) -> BackupFiles:
    """Write the database dump to ``target`` and the media directory to ``target.media.tar``.

    Raises:
        BackupError: pg_dump failed (the message carries its error).
    """
    files = files_of(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial_db = files.database.with_name(files.database.name + ".partial")
    partial_media = files.media.with_name(files.media.name + ".partial")
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial_db}",
              f"--dbname={libpq_url(database_url)}"])  # fmt: skip
        with tarfile.open(partial_media, "w") as tar:
            if media_dir.is_dir():
                tar.add(media_dir, arcname=".")
        os.replace(partial_db, files.database)
        os.replace(partial_media, files.media)
    finally:
        partial_db.unlink(missing_ok=True)
        partial_media.unlink(missing_ok=True)
    return files


def count_user_tables(database_url: str) -> int:
    """How many tables the database holds besides catalogues and extension tables."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(_USER_TABLES).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def _restore_list(dump: Path) -> Iterator[Path]:
    """The dump's table of contents without extension comments.

    ``COMMENT ON EXTENSION postgis`` needs the extension's owner: a database owner who is
    not a superuser could create the extension but would fail on its comment.
    """
    listed = subprocess.run(
        [_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        raise BackupError(f"not a pg_dump custom-format file: {listed.stderr.strip()[-500:]}")
    kept = [line for line in listed.stdout.splitlines() if " COMMENT - EXTENSION " not in line]
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "restore.list"
        listing.write_text("\n".join(kept) + "\n")
        yield listing


def restore(database_url: str, media_dir: Path, source: Path, *, force: bool = False) -> None:
    """Restore a backup made by :func:`backup` into ``database_url`` and ``media_dir``.

    Args:
        database_url: the database to restore into (it must exist; create it empty first).
        media_dir: where the photos go (created when missing).
        source: the dump file; its ``.media.tar`` is read from beside it when present.
        force: restore even over a database that already holds tables (they are replaced).

    Raises:
        BackupError: the dump is missing, the database is not empty and ``force`` is not set,
            or pg_restore failed.
    """
    files = files_of(source)
    if not files.database.is_file():
        raise BackupError(f"no backup at {files.database}")
    tables = count_user_tables(database_url)
    if tables and not force:
        raise BackupError(
            f"the database already holds {tables} tables; restore refused (use --force to "
            "replace them)"
        )
    cmd = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
           f"--dbname={libpq_url(database_url)}"]  # fmt: skip
    if tables:
        cmd += ["--clean", "--if-exists"]
    with _restore_list(files.database) as listing:
        _run([*cmd, f"--use-list={listing}", str(files.database)])
    if files.media.is_file():
        media_dir.mkdir(parents=True, exist_ok=True)
        with tarfile.open(files.media) as tar:
            tar.extractall(media_dir, filter="data")
