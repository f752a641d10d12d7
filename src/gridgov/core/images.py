"""Images sent from outside, treated as hostile until proven otherwise (issue 10).

Every place that accepts an image (event intake from every channel, workflow actions, care
visit photos) goes through two calls:

- `check_images(files, field=...)` before the transaction: each file is bounded in bytes,
  its header is read and its width × height checked *before* any pixel is decoded, it must
  be a JPEG, PNG or WebP (by content, not by name), it is then decoded in full, and it is
  re-encoded from its pixels alone, so that EXIF (location!), text chunks and anything else
  riding along is gone. Any failure is a `DomainError` (400) naming the file; nothing is
  written.
- `store_on_commit(instance, field_name, name, content)` inside the transaction: the model's
  file field gets its storage name at once, the bytes are written only when the transaction
  commits, so a failed request leaves nothing on disk.

`CleanImage.rendition(side)` gives smaller JPEG copies (public copy, thumbnail).
"""

from __future__ import annotations

import io
import logging
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from gridgov.core.exceptions import DomainError, ErrorCode

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
# 24 megapixels (6000 × 4000) is more than a phone photo; decoded it needs under 100 MB.
MAX_PIXELS = 24_000_000
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

# Pillow's own bomb guard, lowered to our limit; its warning is raised as an error below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# A truncated file is an error, never a half-grey picture.
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class CleanImage:
    """A checked image: its re-encoded bytes (no metadata) and what they are."""

    content: bytes
    format: str  # JPEG, PNG or WEBP
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format]

    def rendition(self, side: int) -> bytes:
        """A JPEG copy whose longer side is at most `side` pixels."""
        with Image.open(io.BytesIO(self.content), formats=[self.format]) as image:
            image.draft("RGB", (side, side))
            copy = _flatten(image)
            copy.thumbnail((side, side))
            buffer = io.BytesIO()
            copy.save(buffer, format="JPEG", quality=85, optimize=True)
            return buffer.getvalue()


def check_images(files, *, field: str = "photos") -> list[CleanImage]:
    """Check and clean every file; one 400 naming each bad file (`fields[field]`)."""
    files = [f for f in (files or []) if f]
    cleaned, problems = [], []
    for index, upload in enumerate(files, start=1):
        try:
            cleaned.append(_check_one(upload))
        except _Rejected as rejected:
            problems.append(rejected.message % {"n": index})
    if problems:
        raise DomainError(problems[0], ErrorCode.INVALID, {field: problems})
    return cleaned


def check_image(upload, *, field: str = "photo") -> CleanImage:
    """One file (see `check_images`)."""
    return check_images([upload], field=field)[0]


def store_on_commit(instance, field_name: str, name: str, content: bytes) -> None:
    """Name `instance.<field_name>` now (call before saving the row); write the bytes to
    storage when the transaction commits, never before, so a rollback leaves no file."""
    field = instance._meta.get_field(field_name)
    path = PurePosixPath(field.generate_filename(instance, name))
    # A random part keeps the name unique, so the storage keeps the name we record now.
    stored = str(path.with_name(f"{path.stem}-{secrets.token_hex(6)}{path.suffix}"))
    setattr(instance, field_name, stored)
    storage = field.storage
    model = type(instance)

    def write() -> None:
        saved = storage.save(stored, ContentFile(content))
        if saved != stored:
            model._default_manager.filter(pk=instance.pk).update(**{field_name: saved})

    transaction.on_commit(write)


# --- Checking ------------------------------------------------------------------------------------


class _Rejected(Exception):
    def __init__(self, message: str):
        self.message = message


def _check_one(upload) -> CleanImage:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _Rejected(_("Photo %(n)d is larger than 10 MB."))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise _Rejected(_("Photo %(n)d is larger than 10 MB."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decode_and_clean(data)
    except _Rejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Rejected(_("Photo %(n)d has too many pixels (at most 24 megapixels).")) from None
    except Exception:  # noqa: BLE001 — a hostile file can make a decoder raise anything; an
        # unknown or unaccepted format (GIF, SVG, HTML named .jpg) lands here too.
        logger.info("An uploaded image could not be decoded.", exc_info=True)
        raise _Rejected(_("Photo %(n)d cannot be read as an image.")) from None


def _decode_and_clean(data: bytes) -> CleanImage:
    # A library imported later may loosen Pillow's process-wide setting (WeasyPrint sets it to
    # True on import, for its own rendering): every check holds it to ours again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    # `formats` keeps Pillow from trying any other decoder (GIF, SVG-as-anything, PSD…).
    with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
        # The header's size, before a single pixel is decoded.
        width, height = image.size
        if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
            raise _Rejected(_("Photo %(n)d has too many pixels (at most 24 megapixels)."))
        image_format = image.format
        image.load()  # decode everything now: a corrupt or truncated file fails here
        clean = _without_metadata(image)
    buffer = io.BytesIO()
    if image_format == "PNG":
        clean.save(buffer, format="PNG")
    else:
        clean.save(buffer, format=image_format, quality=90)
    return CleanImage(content=buffer.getvalue(), format=image_format, width=clean.width, height=clean.height)


def _without_metadata(image: Image.Image) -> Image.Image:
    """The pixels, turned upright by the EXIF orientation, and nothing else."""
    upright = ImageOps.exif_transpose(image)
    if image.format == "JPEG":
        upright = _flatten(upright)
    elif upright.mode not in ("RGB", "RGBA", "L", "LA"):  # palettes, 16-bit, CMYK…
        upright = upright.convert("RGBA")
    # A fresh image holds pixels only: no EXIF, ICC profile or text chunk rides along.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency laid on white."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


# --- Serving -----------------------------------------------------------------------------------------


def photo_response(file_field, *, cache_control: str = "private, no-store"):
    """A stored photo as the HTTP response (a 404 when there is none or its file is gone);
    `cache_control` says who may keep a copy (a care photo: nobody)."""
    import mimetypes

    from django.http import FileResponse, Http404

    if not file_field:
        raise Http404(_("No such photo."))
    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("No such photo.")) from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(file_field.name)[0] or "image/jpeg")
    response["Cache-Control"] = cache_control
    return response
