"""Photos are checked by their bytes and re-encoded without metadata (Pillow, no DB)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.line_events import jpeg_with_gps
from workflow.reports.images import MAX_PHOTO_BYTES, ImageRejectedError, clean_image, sniff_format


def _encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def test_gps_and_camera_are_stripped() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    cleaned = clean_image(original)

    with Image.open(io.BytesIO(cleaned.jpeg)) as kept:
        assert len(kept.getexif()) == 0
        assert (kept.width, kept.height) == (64, 48)
    assert b"MachiTestCamera" not in cleaned.jpeg


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
def test_other_image_formats_become_jpeg(fmt: str) -> None:
    data = _encoded(Image.new("RGBA", (800, 600), (0, 120, 200, 128)), fmt)

    cleaned = clean_image(data)

    assert cleaned.source_format == fmt
    assert cleaned.jpeg.startswith(b"\xff\xd8\xff")
    with Image.open(io.BytesIO(cleaned.thumb_jpeg)) as thumb:
        assert thumb.size == (320, 240)


def test_orientation_is_applied_before_the_tag_is_dropped() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    Image.new("RGB", (40, 20)).save(out, "JPEG", exif=exif)

    cleaned = clean_image(out.getvalue())

    assert (cleaned.width, cleaned.height) == (20, 40)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4 not a photo", "not an image"),
        (b"", "not an image"),
        (b"\xff\xd8\xff" + bytes(MAX_PHOTO_BYTES), "too large"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage", "unreadable"),
    ],
)
def test_rejected_content(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRejectedError, match=reason):
        clean_image(data)


def test_magic_bytes() -> None:
    assert sniff_format(b"GIF89a...") == "GIF"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "WEBP"
    assert sniff_format(b"<svg") is None
