"""Idempotency keys for submissions retried over a poor connection.

A client sends `Idempotency-Key: <its own random string>` (or the body field
`idempotency_key`) with a POST. The first successful (2xx) response is stored under
(user, key); the same key from the same user later gets that status and body back, with
the header `Idempotent-Replayed: true`, and nothing new is created. Error responses are not
stored, so a client may correct its input and retry with the same key. A key that was
used for a different endpoint, or with a different body, answers 409
`idempotency_key_reused`: the record keeps a SHA-256 of the method, the path and the
parsed body (so that spacing or key order of the JSON do not matter; files count by their
content).

The handler and the stored response commit in one transaction: if two retries race, the
second one's insert waits on the unique (user, key) index, fails once the first commits,
rolls its own writes back and replays the first response. If the second one fails earlier,
on a constraint of the submission itself (the person it registers now exists), it still
replays the first response once that is stored. On SQLite the writers queue (BEGIN
IMMEDIATE), and the store is read again inside the transaction, so the second one replays
at once. (This relies on the service using a nestable `transaction.atomic()`, not
`durable=True`.)

Storage sits behind a small interface (`get`, `save`) so a deployment may swap it with the
setting `GRIDGOV_IDEMPOTENCY_STORE` (a dotted path). The default keeps records in the
`IdempotencyRecord` table; `CacheIdempotencyStore` is a non-durable alternative.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from gridgov.core.api_errors import error_response
from gridgov.core.exceptions import DomainError

HEADER = "Idempotency-Key"
BODY_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 200
REPLAYED_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A random string chosen by the client (at most 200 characters). Retrying with the "
        "same key returns the first successful response and creates nothing new. The body "
        "field `idempotency_key` is accepted too."
    ),
)


@dataclass(frozen=True)
class StoredResponse:
    method: str
    path: str
    status_code: int
    body: Any
    request_hash: str = ""  # empty for records stored before the hash was kept


class KeyTaken(Exception):
    """Another request stored a response under this key first."""


class IdempotencyStore(Protocol):
    def get(self, *, user, key: str) -> StoredResponse | None: ...

    def save(self, *, user, key: str, response: StoredResponse) -> None:
        """Store the response in the caller's transaction; raise KeyTaken if the key is used."""


class DatabaseIdempotencyStore:
    """Durable: one `IdempotencyRecord` row per (user, key), written in the same
    transaction as the submission it answers."""

    def get(self, *, user, key: str) -> StoredResponse | None:
        from gridgov.core.models import IdempotencyRecord

        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            return None
        return StoredResponse(record.method, record.path, record.status_code, record.body, record.request_hash)

    def save(self, *, user, key: str, response: StoredResponse) -> None:
        from gridgov.core.models import IdempotencyRecord

        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    user=user, key=key, method=response.method, path=response.path[:300],
                    status_code=response.status_code, body=response.body, request_hash=response.request_hash,
                )
        except IntegrityError as exc:
            raise KeyTaken(key) from exc


class CacheIdempotencyStore:
    """Not durable (a cache may forget, and LocMemCache is per process): for deployments
    without the table, or tests. Entries live `GRIDGOV_IDEMPOTENCY_TTL` seconds (a day)."""

    prefix = "gridgov:idempotency"

    def _cache_key(self, user, key: str) -> str:
        import hashlib

        return f"{self.prefix}:{user.pk}:{hashlib.sha256(key.encode()).hexdigest()}"

    def get(self, *, user, key: str) -> StoredResponse | None:
        value = cache.get(self._cache_key(user, key))
        return StoredResponse(**value) if value else None

    def save(self, *, user, key: str, response: StoredResponse) -> None:
        ttl = getattr(settings, "GRIDGOV_IDEMPOTENCY_TTL", 24 * 3600)
        if not cache.add(self._cache_key(user, key), response.__dict__, timeout=ttl):
            raise KeyTaken(key)


def get_store() -> IdempotencyStore:
    path = getattr(
        settings, "GRIDGOV_IDEMPOTENCY_STORE", "gridgov.core.api.idempotency.DatabaseIdempotencyStore"
    )
    return import_string(path)()


def _key_of(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        data = request.data
        if hasattr(data, "get"):
            key = data.get(BODY_FIELD)
    if key is None:
        return None
    return str(key).strip()


def _canonical(value):
    """The parsed body as plain JSON-able data: form fields as lists, files by content."""
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": digest.hexdigest(), "size": value.size}
    if hasattr(value, "lists"):  # QueryDict, MultiValueDict
        return {k: [_canonical(v) for v in vs] for k, vs in value.lists() if k != BODY_FIELD}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items() if k != BODY_FIELD}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def request_hash(request) -> str:
    """SHA-256 of method, path and parsed body, without the idempotency key itself."""
    body = json.dumps(_canonical(request.data), sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    text = f"{request.method}\n{request.path[:300]}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replay(stored: StoredResponse, request, fingerprint: str) -> Response:
    if (stored.method != request.method or stored.path != request.path[:300]
            or (stored.request_hash and stored.request_hash != fingerprint)):
        return error_response(
            409,
            "idempotency_key_reused",
            _("This idempotency key was already used for a different request."),
            {BODY_FIELD: [_("Use a new key for each submission.")]},
        )
    response = Response(stored.body, status=stored.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def _jsonable(data) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def idempotent(handler):
    """Decorate an APIView method (`post`) so that it honours idempotency keys."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = _key_of(request)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH:
            return error_response(
                400,
                "invalid",
                _("An idempotency key has 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH},
                {BODY_FIELD: [_("An idempotency key has 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH}]},
            )
        store = get_store()
        fingerprint = request_hash(request)
        try:
            with transaction.atomic():
                # Read inside the transaction: on SQLite it holds the write lock from here on,
                # so a concurrent first attempt has either committed (replayed) or not begun.
                stored = store.get(user=request.user, key=key)
                if stored is not None:
                    return _replay(stored, request, fingerprint)
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    store.save(
                        user=request.user,
                        key=key,
                        response=StoredResponse(
                            request.method, request.path[:300], response.status_code, _jsonable(response.data),
                            fingerprint,
                        ),
                    )
        except KeyTaken:
            stored = store.get(user=request.user, key=key)
            if stored is None:  # the store forgot it in between; this attempt wrote nothing
                return error_response(
                    409, "conflict", _("The same submission is being processed; try again shortly.")
                )
            return _replay(stored, request, fingerprint)
        except (DomainError, IntegrityError):
            # A concurrent attempt with this key may have won on the submission's own
            # constraint (this one's writes are rolled back): answer with its result.
            stored = store.get(user=request.user, key=key)
            if stored is not None:
                return _replay(stored, request, fingerprint)
            raise
        return response

    return wrapper
