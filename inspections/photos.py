"""Inspection photos as stored: any JPEG or PNG a phone sends, turned upright, re-encoded as a JPEG of
at most 1600 px without EXIF (so without GPS), plus a 400 px thumbnail. No DB, no storage."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from autolab.exceptions import ValidationError

MAX_INPUT_BYTES = 15 * 1024 * 1024
LONGEST_SIDE = 1600
THUMB_SIDE = 400
JPEG_QUALITY = 85
THUMB_QUALITY = 80
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG"})
# A 15 MB PNG can decode to far more pixels than a camera takes; refuse before decoding (bomb).
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes  # JPEG, ≤ LONGEST_SIDE px, no metadata
    thumbnail: bytes  # JPEG, ≤ THUMB_SIDE px
    width: int
    height: int
    digest: str  # of the input: names the stored files, so a different upload never overwrites

    @property
    def short_digest(self) -> str:
        return self.digest[:12]


def _open(data: bytes) -> Image.Image:
    if not data:
        raise ValidationError("The photo is empty")
    if len(data) > MAX_INPUT_BYTES:
        raise ValidationError("The photo is larger than 15 MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError("Only JPEG and PNG photos can be uploaded")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The photo has too many pixels")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombWarning) as error:
        raise ValidationError("The file is not a JPEG or PNG photo") from error
    return image


def _jpeg(image: Image.Image, longest: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= and no icc_profile: nothing of the camera's metadata (GPS included) is written.
    copy.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def process(data: bytes) -> ProcessedPhoto:
    """The stored photo and thumbnail of an upload; ValidationError for anything not a photo."""
    image = _open(data)
    upright = ImageOps.exif_transpose(image)  # the camera's orientation applied to the pixels
    flat = upright.convert("RGB")  # PNG alpha or palette, CMYK JPEGs: JPEG wants RGB
    stored = _jpeg(flat, LONGEST_SIDE, JPEG_QUALITY)
    width, height = Image.open(io.BytesIO(stored)).size
    return ProcessedPhoto(
        image=stored,
        thumbnail=_jpeg(flat, THUMB_SIDE, THUMB_QUALITY),
        width=width,
        height=height,
        digest=hashlib.sha256(data).hexdigest(),
    )
