"""Where uploaded files are kept (issue 12): event and care photos, inspection photos, staged
imports. Local disk (`MEDIA_ROOT`) by default, for one server; S3-compatible object storage
(django-storages) when several app servers must see the same files.

Files are private either way. No file has a public address: every photo is read by the app
and served by a view that checks who may see it (`core.images.photo_response`), so the
bucket keeps its public access blocked and objects carry no public ACL. Should code ever
ask a stored file for its `.url`, S3 answers with a signed address that lapses after
`GRIDGOV_S3_URL_SECONDS`.

    GRIDGOV_STORAGE=s3  GRIDGOV_S3_BUCKET=gridgov-media  GRIDGOV_S3_ENDPOINT_URL=https://oss.example
    GRIDGOV_S3_ACCESS_KEY_ID=…  GRIDGOV_S3_SECRET_ACCESS_KEY=…  (or the server's role)
    GRIDGOV_S3_REGION, GRIDGOV_S3_PREFIX, GRIDGOV_S3_ADDRESSING_STYLE=path|virtual,
    GRIDGOV_S3_SSE=AES256 (the default)|aws:kms|none, GRIDGOV_S3_SSE_KMS_KEY_ID (aws:kms only),
    GRIDGOV_S3_URL_SECONDS=300

Every object is encrypted at rest by the server (security review, issue 12): `AES256` (SSE-S3)
unless `GRIDGOV_S3_SSE` says otherwise; `aws:kms` with `GRIDGOV_S3_SSE_KMS_KEY_ID` uses that
key (without it, the account's default KMS key); `none` sends no encryption header, for an
S3-compatible server that refuses it and encrypts its disks itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def default_storage_from_env(environ: Mapping[str, str]) -> dict:
    """The `STORAGES["default"]` entry that the environment asks for."""
    kind = environ.get("GRIDGOV_STORAGE", "local") or "local"
    if kind == "local":
        return dict(LOCAL)
    if kind != "s3":
        raise ImproperlyConfigured(f"GRIDGOV_STORAGE must be 'local' or 's3', not {kind!r}")
    bucket = environ.get("GRIDGOV_S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured("GRIDGOV_STORAGE=s3 needs GRIDGOV_S3_BUCKET")
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("GRIDGOV_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("GRIDGOV_S3_REGION") or None,
        "access_key": environ.get("GRIDGOV_S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("GRIDGOV_S3_SECRET_ACCESS_KEY") or None,
        "location": environ.get("GRIDGOV_S3_PREFIX", ""),
        "addressing_style": environ.get("GRIDGOV_S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        # Private: no ACL (the bucket's own, with public access blocked), signed short-lived URLs.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(environ.get("GRIDGOV_S3_URL_SECONDS", "300")),
        # A stored name is never reused: another file under the same name gets a new one.
        "file_overwrite": False,
        "object_parameters": {"CacheControl": "private, no-store"},
    }
    options["object_parameters"].update(_encryption(environ))
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


SSE_CHOICES = ("AES256", "aws:kms", "none")


def _encryption(environ: Mapping[str, str]) -> dict:
    """The objects' server-side encryption parameters (AES256 unless the environment says)."""
    sse = (environ.get("GRIDGOV_S3_SSE") or "AES256").strip()
    if sse.lower() == "none":
        return {}
    if sse not in SSE_CHOICES:
        raise ImproperlyConfigured(f"GRIDGOV_S3_SSE must be one of {', '.join(SSE_CHOICES)}, not {sse!r}")
    parameters = {"ServerSideEncryption": sse}
    key_id = environ.get("GRIDGOV_S3_SSE_KMS_KEY_ID", "").strip()
    if key_id:
        if sse != "aws:kms":
            raise ImproperlyConfigured("GRIDGOV_S3_SSE_KMS_KEY_ID needs GRIDGOV_S3_SSE=aws:kms")
        parameters["SSEKMSKeyId"] = key_id
    return parameters
