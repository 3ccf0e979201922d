"""Resident photos made safe to keep: real image check, metadata stripped, thumbnail.

Only pixels survive: re-encoding drops EXIF (GPS position, camera serial), XMP, ICC comments
and anything appended after the image data.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
MAX_PIXELS: Final = 40_000_000  # well below Pillow's decompression-bomb limit
THUMB_PX: Final = 320
JPEG_QUALITY: Final = 85
ALLOWED_FORMATS: Final = frozenset({"JPEG", "PNG", "WEBP", "GIF"})


class ImageRejectedError(ValueError):
    """The content is not a photo we keep (wrong type, too large, unreadable)."""


@dataclass(frozen=True)
class CleanImage:
    jpeg: bytes
    thumb_jpeg: bytes
    width: int
    height: int
    source_format: str


def sniff_format(data: bytes) -> str | None:
    """The image format named by the magic bytes at the start, or None when not an image."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _open_checked(data: bytes) -> Image.Image:
    if len(data) > MAX_PHOTO_BYTES:
        raise ImageRejectedError(f"too large: {len(data)} bytes (limit {MAX_PHOTO_BYTES})")
    sniffed = sniff_format(data)
    if sniffed is None:
        raise ImageRejectedError(f"not an image (starts with {data[:8].hex() or 'nothing'})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[sniffed])
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
        OSError,
    ) as exc:
        raise ImageRejectedError(f"unreadable {sniffed} image: {exc}") from exc
    if image.width * image.height > MAX_PIXELS:
        raise ImageRejectedError(f"too many pixels: {image.width}x{image.height}")
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    image.seek(0)  # first frame of an animation
    upright = ImageOps.exif_transpose(image)  # keep the orientation the EXIF tag asked for
    if upright.mode in ("RGBA", "LA", "P", "PA"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def clean_image(data: bytes) -> CleanImage:
    """Check and re-encode a photo as a metadata-free JPEG plus a 320 px thumbnail.

    Args:
        data: the downloaded content.

    Raises:
        ImageRejectedError: not JPEG/PNG/WebP/GIF by its magic bytes, larger than
            ``MAX_PHOTO_BYTES`` or ``MAX_PIXELS``, or not decodable.
    """
    image = _open_checked(data)
    source_format = str(image.format)
    try:
        rgb = _to_rgb(image)
    except (OSError, ValueError) as exc:
        raise ImageRejectedError(f"unreadable {source_format} image: {exc}") from exc
    thumb = rgb.copy()
    thumb.thumbnail((THUMB_PX, THUMB_PX))
    return CleanImage(_jpeg(rgb), _jpeg(thumb), rgb.width, rgb.height, source_format)
