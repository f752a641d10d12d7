"""Field encryption (Fernet) and blind indexes (keyed HMAC) for sensitive values.

`GRIDGOV_FIELD_KEY` holds one or more comma-separated Fernet keys: the first encrypts,
all decrypt, so a key can be rotated by putting the new one first. The blind-index key
is derived from the *last* key so that rotating the encryption key does not change
existing indexes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "GRIDGOV_FIELD_KEY must be one or more url-safe base64 Fernet keys."
        ) from exc


@lru_cache(maxsize=4)
def _index_key(last_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"gridgov-blind-index", info=b"v1"
    ).derive(base64.urlsafe_b64decode(last_key.encode()))


def encrypt(plaintext: str) -> str:
    if plaintext == "":
        return ""
    return _fernet(tuple(settings.FIELD_KEYS)).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if token == "":
        return ""
    try:
        return _fernet(tuple(settings.FIELD_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be decrypted with GRIDGOV_FIELD_KEY: "
            "the key is wrong or was rotated without keeping the old one."
        ) from exc


def blind_index(kind: str, normalized_value: str) -> str:
    """A stable keyed hash of an already-normalized value; empty stays empty."""
    if normalized_value == "":
        return ""
    key = _index_key(settings.FIELD_KEYS[-1])
    message = f"{kind}:{normalized_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def generate_key() -> str:
    return Fernet.generate_key().decode()
