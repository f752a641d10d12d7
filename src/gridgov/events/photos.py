"""Photos of events. Each file is checked and cleaned by `core.images` (bounded, decoded in
full, re-encoded without EXIF or any other metadata) before the transaction; the record copy,
a resized public copy and a thumbnail are written to storage only when it commits."""

from __future__ import annotations

from gridgov.core.images import CleanImage, store_on_commit

PUBLIC_SIZE = 1600
THUMB_SIZE = 320


def save_photos(*, event, entry, images: list[CleanImage], uploaded_by) -> list:
    """Photo rows for checked images (from `core.images.check_images`); call inside the
    transaction that writes the event or its timeline entry."""
    from gridgov.events.models import Photo

    saved = []
    for number, image in enumerate(images, start=1):
        photo = Photo(event=event, entry=entry,
                      uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None)
        stem = f"{event.code}-{number}"
        store_on_commit(photo, "image", f"{stem}{image.extension}", image.content)
        store_on_commit(photo, "public_image", f"{stem}.jpg", image.rendition(PUBLIC_SIZE))
        store_on_commit(photo, "thumbnail", f"{stem}-thumb.jpg", image.rendition(THUMB_SIZE))
        photo.save()
        saved.append(photo)
    return saved
