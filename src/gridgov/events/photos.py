"""Photos of events: checked (type, size, decodable), stored as uploaded for the record,
with a resized public copy whose EXIF (location!) is stripped, and a thumbnail for lists."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.core.exceptions import DomainError, ErrorCode

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
PUBLIC_SIZE = 1600
THUMB_SIZE = 320


def validate_photos(files) -> None:
    problems = []
    for index, upload in enumerate(files or []):
        if upload.size > MAX_BYTES:
            problems.append(_("Photo %(n)d is larger than 10 MB.") % {"n": index + 1})
            continue
        try:
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format not in ALLOWED_FORMATS:
                    problems.append(_("Photo %(n)d is not a JPEG, PNG or WebP image.") % {"n": index + 1})
                    continue
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            problems.append(_("Photo %(n)d cannot be read as an image.") % {"n": index + 1})
        finally:
            upload.seek(0)
    if problems:
        raise DomainError(problems[0], ErrorCode.INVALID, {"photos": problems})


def _encode(image: Image.Image, size: int) -> bytes:
    copy = ImageOps.exif_transpose(image).convert("RGB")
    copy.thumbnail((size, size))
    buffer = io.BytesIO()
    # A fresh JPEG carries no EXIF unless it is passed explicitly.
    copy.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def save_photos(*, event, entry, files, uploaded_by) -> list:
    from gridgov.events.models import Photo

    saved = []
    for upload in files or []:
        upload.seek(0)
        original = upload.read()
        with Image.open(io.BytesIO(original)) as image:
            image.load()
            public = _encode(image, PUBLIC_SIZE)
            thumb = _encode(image, THUMB_SIZE)
        photo = Photo(event=event, entry=entry,
                      uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None)
        stem = f"{event.code}-{len(saved) + 1}"
        photo.image.save(f"{stem}{_suffix(upload.name)}", ContentFile(original), save=False)
        photo.public_image.save(f"{stem}.jpg", ContentFile(public), save=False)
        photo.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumb), save=False)
        photo.save()
        saved.append(photo)
    return saved


def _suffix(name: str) -> str:
    name = (name or "").lower()
    for suffix in (".jpg", ".jpeg", ".png", ".webp"):
        if name.endswith(suffix):
            return suffix
    return ".jpg"
