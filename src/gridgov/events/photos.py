"""Photos of events. Each file is checked and cleaned by `core.images` (bounded, decoded in
full, re-encoded without EXIF or any other metadata) in the request, before the transaction:
a hostile or broken file is a 400 there and nothing is written. The row names all three
files at once; the clean record copy is written to storage when the transaction commits,
and the resized public copy and the thumbnail are made from it afterwards, off the request
(`render_copies`, from the task `events.tasks.after_intake`, issue 12). Until then the
copies' files do not exist yet and their views answer 404; the record copy is already safe
in storage."""

from __future__ import annotations

import io
import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction

from gridgov.core.images import FORMATS, CleanImage, store_on_commit

PUBLIC_SIZE = 1600
THUMB_SIZE = 320

logger = logging.getLogger(__name__)


def save_photos(*, event, entry, images: list[CleanImage], uploaded_by) -> list:
    """Photo rows for checked images (from `core.images.check_images`); call inside the
    transaction that writes the event or its timeline entry. The copies are made later:
    call `render_copies` once the transaction has committed (`events.tasks.after_intake`)."""
    from gridgov.events.models import Photo

    if not images:
        return []
    photos = []
    for number, image in enumerate(images, start=1):
        photo = Photo(event=event, entry=entry,
                      uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None)
        stem = f"{event.code}-{number}"
        store_on_commit(photo, "image", f"{stem}{image.extension}", image.content)
        # Named now, written by render_copies: the name keeps a random part (core.images).
        for field_name, suffix in (("public_image", ".jpg"), ("thumbnail", "-thumb.jpg")):
            field = photo._meta.get_field(field_name)
            path = PurePosixPath(field.generate_filename(photo, f"{stem}{suffix}"))
            setattr(photo, field_name, str(path.with_name(f"{path.stem}-{_token()}{path.suffix}")))
        photos.append(photo)
    return Photo.objects.bulk_create(photos)


def _token() -> str:
    import secrets

    return secrets.token_hex(6)


def render_copies(photo) -> bool:
    """Write the public copy and the thumbnail of a photo from its record copy (already
    clean: re-encoded without metadata); False when the record copy is not in storage."""
    from PIL import Image

    storage = photo.image.storage
    try:
        with storage.open(photo.image.name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        logger.warning("photo %s: the record copy %s is not in storage", photo.pk, photo.image.name)
        return False
    with Image.open(io.BytesIO(content), formats=list(FORMATS)) as opened:
        image_format, width, height = opened.format, opened.width, opened.height
    clean = CleanImage(content=content, format=image_format, width=width, height=height)
    changed = {}
    for field_name, side in (("public_image", PUBLIC_SIZE), ("thumbnail", THUMB_SIZE)):
        name = getattr(photo, field_name).name
        if storage.exists(name):
            continue
        saved = storage.save(name, ContentFile(clean.rendition(side)))
        if saved != name:
            changed[field_name] = saved
    if changed:
        type(photo)._default_manager.filter(pk=photo.pk).update(**changed)
    return True


def render_copies_on_commit(photo, image: CleanImage) -> None:
    """The copies made now, from the checked image, and written when the transaction commits
    (`events.services.intake.follow_up_now`: the demo's seeding, where no queue runs)."""
    storage = photo.image.storage
    for field_name, side in (("public_image", PUBLIC_SIZE), ("thumbnail", THUMB_SIZE)):
        name, content = getattr(photo, field_name).name, image.rendition(side)
        transaction.on_commit(lambda name=name, content=content: storage.save(name, ContentFile(content)))
