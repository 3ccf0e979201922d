"""Download residents' LINE photos, strip their metadata and store them under ``media_dir``.

A photo row starts ``pending`` when the report is submitted. Each attempt is leased in a short
transaction (``FOR UPDATE SKIP LOCKED``, attempts + 1), the download and re-encoding run with
no transaction open, and the outcome is written in another short transaction. Attempts are
spaced by ``RETRY_AFTER_S`` (counted from the row's creation); after the last one the photo is
``failed`` with its ``last_error`` for staff to see. Content that is not an image, or too
large, fails at once: trying again would fetch the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, text

from machi.settings import Settings
from workflow.db import town_scope
from workflow.line.content import ContentFetcher, ContentFetchError
from workflow.reports.images import CleanImage, ImageRejectedError, clean_image
from workflow.reports.photo_store import store_photo_files

# Seconds after the row's creation from which attempt n (0-based) may run.
RETRY_AFTER_S: Final = (0, 30, 120, 600, 1800)
MAX_PHOTO_ATTEMPTS: Final = len(RETRY_AFTER_S)
MAX_ERROR_CHARS: Final = 1000

_LEASE = text(
    "UPDATE photo p SET attempts = p.attempts + 1 FROM (SELECT municipality_id, id FROM photo "
    "WHERE municipality_id = :m AND status = 'pending' AND line_message_id IS NOT NULL "
    "AND created_at + make_interval(secs => (CAST(:delays AS int[]))[attempts + 1]) <= :now "
    "AND (CAST(:only AS bigint[]) IS NULL OR id = ANY(CAST(:only AS bigint[]))) "
    "ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED) due "
    "WHERE p.municipality_id = due.municipality_id AND p.id = due.id "
    "RETURNING p.id, p.report_id, p.line_message_id, p.attempts"
)


# A photo whose last attempt was leased but never finished (worker killed) is failed once
# this long has passed after that attempt became due, instead of staying pending for ever.
_ABANDONED = text(
    "UPDATE photo SET status = 'failed', "
    "last_error = coalesce(last_error || '; ', '') || 'download interrupted too often' "
    "WHERE municipality_id = :m AND status = 'pending' AND attempts >= :max_attempts "
    "AND created_at + make_interval(secs => :last_due_s + :grace_s) <= :now"
)
ABANDON_GRACE_S: Final = 600


@dataclass(frozen=True)
class LeasedPhoto:
    id: int
    municipality_id: int
    report_id: int
    line_message_id: str
    attempts: int  # including this one


def _utc_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def lease_photos(
    engine: Engine,
    municipality_id: int,
    now: dt.datetime,
    only_ids: Sequence[int] | None = None,
    limit: int = 20,
) -> list[LeasedPhoto]:
    """Take up to ``limit`` due pending photos (attempts + 1) in one short transaction.

    Photos whose every attempt was leased but never finished are marked ``failed`` first.

    Args:
        engine: the pooled engine.
        municipality_id: tenant.
        now: aware time; decides which retries are due.
        only_ids: restrict to these photos (those just created), or None for all.
        limit: at most this many.
    """
    params = {
        "m": municipality_id,
        "delays": list(RETRY_AFTER_S),
        "now": now,
        "only": None if only_ids is None else list(only_ids),
        "limit": limit,
    }
    abandoned = {
        "m": municipality_id,
        "max_attempts": MAX_PHOTO_ATTEMPTS,
        "last_due_s": RETRY_AFTER_S[-1],
        "grace_s": ABANDON_GRACE_S,
        "now": now,
    }
    with engine.begin() as conn:
        conn.execute(_ABANDONED, abandoned)
        rows = conn.execute(_LEASE, params).all()
    return [
        LeasedPhoto(
            int(r.id), municipality_id, int(r.report_id), str(r.line_message_id), r.attempts
        )
        for r in rows
    ]


def _store_files(media_dir: Path, photo: LeasedPhoto, image: CleanImage) -> tuple[str, str]:
    return store_photo_files(media_dir, photo.municipality_id, photo.report_id, photo.id, image)


def _mark_stored(
    engine: Engine, photo: LeasedPhoto, image: CleanImage, paths: tuple[str, str]
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE photo SET status = 'stored', storage_path = :path, thumb_path = :thumb, "
                "content_type = 'image/jpeg', size_bytes = :size, width = :w, height = :h, "
                "last_error = NULL WHERE municipality_id = :m AND id = :id"
            ),
            {
                "path": paths[0],
                "thumb": paths[1],
                "size": len(image.jpeg),
                "w": image.width,
                "h": image.height,
                "m": photo.municipality_id,
                "id": photo.id,
            },
        )


def _mark_failed(engine: Engine, photo: LeasedPhoto, error: str, retryable: bool) -> None:
    final = not retryable or photo.attempts >= MAX_PHOTO_ATTEMPTS
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE photo SET last_error = :err, "
                "status = CASE WHEN :final THEN 'failed' ELSE status END "
                "WHERE municipality_id = :m AND id = :id"
            ),
            {
                "err": error[:MAX_ERROR_CHARS],
                "final": final,
                "m": photo.municipality_id,
                "id": photo.id,
            },
        )


def _download_one(
    settings: Settings, engine: Engine, fetcher: ContentFetcher, photo: LeasedPhoto
) -> bool:
    try:
        content = fetcher(photo.line_message_id)
        image = clean_image(content.data)
        paths = _store_files(settings.media_dir, photo, image)
    except ContentFetchError as exc:
        _mark_failed(engine, photo, f"download failed: {exc}", exc.retryable)
        return False
    except ImageRejectedError as exc:
        _mark_failed(engine, photo, f"rejected: {exc}", retryable=False)
        return False
    except OSError as exc:
        _mark_failed(engine, photo, f"could not store: {exc}", retryable=True)
        return False
    _mark_stored(engine, photo, image, paths)
    return True


def download_pending_photos(
    engine: Engine,
    settings: Settings,
    fetcher: ContentFetcher,
    *,
    now: Callable[[], dt.datetime] = _utc_now,
    only_ids: Sequence[int] | None = None,
    limit: int = 20,
    town_id: int | None = None,
) -> int:
    """Download, clean and store one town's due pending photos; returns how many were attempted.

    Args:
        engine: the pooled engine; no transaction is open during a download.
        settings: ``media_dir`` (files go to ``<municipality>/<report_id>/<photo_id>.jpg``
            plus ``<photo_id>_thumb.jpg``) and ``municipality_code``.
        fetcher: gets a LINE message's content (``LineContentFetcher`` in production).
        now: clock deciding which retries are due.
        only_ids: restrict to these photo ids (e.g. those just submitted).
        limit: at most this many photos in this call.
        town_id: the town (default: the settings' municipality); ``fetcher`` must use its
            channel access token. The database work runs in ``town_scope`` of it.
    """
    municipality_id = settings.municipality_id if town_id is None else town_id
    with town_scope(municipality_id):
        batch = lease_photos(engine, municipality_id, now(), only_ids, limit)
        for photo in batch:
            _download_one(settings, engine, fetcher, photo)
    return len(batch)
