"""Photos taken by the crew at a stop: stored at once (no download step), source ``crew``."""

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


def store_crew_photo(
    session: Session, mid: int, report_id: int, image: CleanImage, media_dir: Path
) -> Photo:
    """Add a stored crew photo to a report in the caller's transaction and write its files.

    Files go where resident photos go: ``<media_dir>/<municipality>/<report_id>/<photo_id>.jpg``
    plus ``<photo_id>_thumb.jpg``. Staff only (``for_resident`` stays False).

    Args:
        session: open session; the caller commits.
        mid: municipality id.
        report_id: the booking's report.
        image: the cleaned photo (metadata stripped by ``workflow.reports.images.clean_image``).
        media_dir: root folder of stored photos.
    """
    photo = Photo(
        municipality_id=mid,
        report_id=report_id,
        status="stored",
        source="crew",
        content_type="image/jpeg",
        size_bytes=len(image.jpeg),
        width=image.width,
        height=image.height,
    )
    session.add(photo)
    session.flush()
    folder = Path(str(mid)) / str(report_id)
    relative, thumb = folder / f"{photo.id}.jpg", folder / f"{photo.id}_thumb.jpg"
    _write_atomically(media_dir / relative, image.jpeg)
    _write_atomically(media_dir / thumb, image.thumb_jpeg)
    photo.storage_path, photo.thumb_path = relative.as_posix(), thumb.as_posix()
    return photo
