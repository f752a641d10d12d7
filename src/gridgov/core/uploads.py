"""Uploads staged between a preview and its commit (spreadsheet and map imports).

An import is two steps: the uploaded file is checked and previewed (nothing written); when the
preview has no errors, the file is kept server-side under a random token remembered in the
user's session, and the "Commit" button posts that token back. Only the same user's session,
with the same token, gets the file again; a new upload replaces the previous one, and files
previewed but never committed are removed after a day.

    STAGER = UploadStager(session_key="register_import_pending", directory="private/register-imports")
    token = STAGER.stage(request, data=data, name=upload.name, fmt="xlsx", kind="households")
    staged = STAGER.load(request, token)      # None when gone, expired or someone else's
    staged.read(); staged.meta["kind"]; STAGER.discard(request)

Images are not staged: they are checked by `core.images.check_images` before the transaction
and written by `core.images.store_on_commit` when it commits.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

MAX_AGE = datetime.timedelta(days=1)


@dataclass(frozen=True)
class StagedUpload:
    token: str
    path: str
    name: str
    meta: dict = field(default_factory=dict)

    def read(self) -> bytes:
        with default_storage.open(self.path, "rb") as stored:
            return stored.read()


@dataclass(frozen=True)
class UploadStager:
    session_key: str
    directory: str
    max_age: datetime.timedelta = MAX_AGE

    def stage(self, request, *, data: bytes, name: str, **meta) -> str:
        """Keep `data` for this session (replacing its previous upload); returns the token.
        `meta` (JSON-serialisable) comes back with the file."""
        self.discard(request)
        self.remove_stale()
        token = secrets.token_urlsafe(24)
        path = default_storage.save(f"{self.directory}/{token}", ContentFile(data))
        request.session[self.session_key] = {"token": token, "path": path, "name": name, "meta": meta,
                                             "user": request.user.pk}
        return token

    def load(self, request, token: str | None) -> StagedUpload | None:
        """The staged upload of this token, or None (another user's, replaced, expired)."""
        pending = request.session.get(self.session_key)
        if not token or not pending or pending.get("user") != request.user.pk:
            return None
        if not secrets.compare_digest(str(pending.get("token", "")), str(token)):
            return None
        if not default_storage.exists(pending["path"]):
            return None
        return StagedUpload(token=pending["token"], path=pending["path"], name=pending["name"],
                            meta=dict(pending.get("meta") or {}))

    def discard(self, request) -> None:
        pending = request.session.pop(self.session_key, None)
        if pending:
            default_storage.delete(pending["path"])

    def remove_stale(self) -> None:
        """Remove the files of this stager older than `max_age`."""
        cutoff = timezone.now() - self.max_age
        try:
            _dirs, files = default_storage.listdir(self.directory)
            for name in files:
                path = f"{self.directory}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            pass
