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
    GRIDGOV_S3_SSE=AES256|aws:kms (encryption at rest by the server), GRIDGOV_S3_URL_SECONDS=300
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
    if environ.get("GRIDGOV_S3_SSE"):
        options["object_parameters"]["ServerSideEncryption"] = environ["GRIDGOV_S3_SSE"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
