"""Where stored photos live: one path layout and one atomic write for every source.

Resident photos from LINE (downloaded later by ``workflow.reports.photos``), from the web form
(``workflow.web.reports``) and crew photos (``workflow.crew.outcomes``) all land under
``<media_dir>/<municipality>/<report_id>/<photo_id>.jpg`` plus ``<photo_id>_thumb.jpg``.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.orm import Session

from geo.models import Photo
from workflow.reports.images import CleanImage


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def store_photo_files(
    media_dir: Path, municipality_id: int, report_id: int, photo_id: int, image: CleanImage
) -> tuple[str, str]:
    """Write a cleaned photo and its thumbnail where every stored photo is kept.

    Args:
        media_dir: root folder of stored photos.
        municipality_id: tenant.
        report_id: the photo's report.
        photo_id: the photo row's id (names the files).
        image: the photo as ``workflow.reports.images.clean_image`` returned it.

    Returns:
        ``(path, thumb_path)`` relative to ``media_dir``:
        ``<municipality>/<report_id>/<photo_id>.jpg`` and ``..._thumb.jpg``.

    Raises:
        OSError: the files could not be written (neither is left behind).
    """
    folder = Path(str(municipality_id)) / str(report_id)
    relative = folder / f"{photo_id}.jpg"
    thumb = folder / f"{photo_id}_thumb.jpg"
    _write_atomically(media_dir / relative, image.jpeg)
    try:
        _write_atomically(media_dir / thumb, image.thumb_jpeg)
    except OSError:
        (media_dir / relative).unlink(missing_ok=True)
        raise
    return relative.as_posix(), thumb.as_posix()


def add_stored_photo(
    session: Session,
    municipality_id: int,
    report_id: int,
    image: CleanImage,
    media_dir: Path,
    source: str,
) -> Photo:
    """Add a photo that arrived with its report (web form, crew) and write its files at once.

    The row is flushed for its id, then the files are written; the caller's transaction
    commits the row. If that transaction fails, the caller removes the files
    (``photo.storage_path`` and ``photo.thumb_path``, relative to ``media_dir``).

    Args:
        session: open session inside the caller's transaction.
        municipality_id: tenant.
        report_id: the photo's report.
        image: the cleaned photo (metadata stripped by ``workflow.reports.images.clean_image``).
        media_dir: root folder of stored photos.
        source: ``web`` or ``crew`` (``line`` photos are downloaded later instead).

    Raises:
        OSError: the files could not be written (neither is left behind).
    """
    photo = Photo(
        municipality_id=municipality_id,
        report_id=report_id,
        status="stored",
        source=source,
        content_type="image/jpeg",
        size_bytes=len(image.jpeg),
        width=image.width,
        height=image.height,
    )
    session.add(photo)
    session.flush()
    paths = store_photo_files(media_dir, municipality_id, report_id, photo.id, image)
    photo.storage_path, photo.thumb_path = paths
    return photo
