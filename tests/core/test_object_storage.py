"""Shared object storage (GRIDGOV_STORAGE=s3, django-storages): files on a local S3 server
(moto's ThreadedMotoServer) instead of the disk, as several app servers would share them.
The photos stay behind the app's access checks; the bucket is never handed to a browser."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image
from rest_framework.test import APIClient

from gridgov.core.models import Role
from gridgov.core.storage import default_storage_from_env
from gridgov.events.models import Event
from gridgov.register.models import Household
from gridgov.register.views import PENDING_SESSION_KEY
from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401
from tests.factories import Tree, make_api_token, make_user
from tests.register_views.test_import import households_file

BUCKET = "gridgov-media-test"
KEYS = {"GRIDGOV_S3_ACCESS_KEY_ID": "testing", "GRIDGOV_S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, tmp_path):
    """The app's files in a fresh private bucket of the local S3 server, configured as a
    deployment would be (from the environment); the local disk must stay empty."""
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET)
    client.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env({
        "GRIDGOV_STORAGE": "s3", "GRIDGOV_S3_BUCKET": BUCKET, "GRIDGOV_S3_ENDPOINT_URL": s3_server,
        "GRIDGOV_S3_REGION": "us-east-1", "GRIDGOV_S3_ADDRESSING_STYLE": "path", "GRIDGOV_S3_SSE": "AES256",
        **KEYS})}
    settings.MEDIA_ROOT = tmp_path / "media"
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_photo_sent_with_a_report_is_kept_in_the_bucket_and_served_only_to_who_sees_the_event(
        bucket, people, food_rule, settings, django_capture_on_commit_callbacks):
    # given: a grid worker's app sends a report with a photo (the real API, multipart)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(people['gw'])}")
    with django_capture_on_commit_callbacks(execute=True):  # photos are written on commit
        response = api.post("/api/v1/events/", {"category": "food.unlicensed", "description": "无证摊点",
                                                "lat": "31.005", "lng": "120.005", "photos": [jpeg()]},
                            format="multipart")
    assert response.status_code == 201, response.json()
    event = Event.objects.get(pk=response.json()["id"])
    photo = event.photos.get()

    # then: the record copy, the public copy and the thumbnail are objects in the bucket,
    # encrypted at rest and private; nothing was written to the local disk
    assert _keys(bucket) == sorted([photo.image.name, photo.public_image.name, photo.thumbnail.name])
    head = bucket.head_object(Bucket=BUCKET, Key=photo.public_image.name)
    assert head["ServerSideEncryption"] == "AES256" and head["CacheControl"] == "private, no-store"
    assert not settings.MEDIA_ROOT.exists()

    # when: the station handling the event opens the large photo (another app server would
    # read the same object)
    url = reverse("events-photo", args=[event.pk, photo.pk, "large"])
    served = _login(people["station"]).get(url)

    # then: the app streams it from the bucket, a JPEG without the GPS position it was sent with
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"].startswith("private")
    body = b"".join(served.streaming_content)
    stored = bucket.get_object(Bucket=BUCKET, Key=photo.public_image.name)["Body"].read()
    assert body == stored
    assert 0x8825 not in Image.open(io.BytesIO(body)).getexif()
    # and the event's page links the photo through the app, never to the bucket
    page = _login(people["station"]).get(reverse("events-detail", args=[event.pk])).content.decode()
    assert url in page and BUCKET not in page and "X-Amz-" not in page

    # when/then: a station of another township, who does not see the event, gets a 404, as
    # for a photo that does not exist; signed out, the sign-in page
    assert _login(people["other_station"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # and an object gone from the bucket is a 404, not a server error
    bucket.delete_object(Bucket=BUCKET, Key=photo.public_image.name)
    assert _login(people["station"]).get(url).status_code == 404


def test_an_address_of_a_stored_file_is_signed_and_short_lived(bucket):
    name = default_storage.save("events/2026/12/x.jpg", io.BytesIO(b"jpeg bytes"))

    url = default_storage.url(name)

    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert default_storage.open(name).read() == b"jpeg bytes"


def test_an_import_file_staged_between_preview_and_commit_round_trips_through_the_bucket(bucket, tree):
    # given: a screener previews a households file (kept server-side until the commit)
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    client = _login(screener)
    data = households_file()
    preview = client.post(reverse("register-import"),
                          {"kind": "households", "file": SimpleUploadedFile("households.csv", data)})
    assert preview.status_code == 200
    pending = client.session[PENDING_SESSION_KEY]

    # then: the staged file is an object in the bucket, byte for byte the upload
    assert _keys(bucket) == [pending["path"]]
    assert bucket.get_object(Bucket=BUCKET, Key=pending["path"])["Body"].read() == data

    # when: the screener commits (perhaps on another app server)
    committed = client.post(reverse("register-import"), {"token": pending["token"]})

    # then: the file read back from the bucket was imported, and the staged copy is gone
    assert committed.status_code == 302
    assert Household.objects.count() == 2
    assert _keys(bucket) == []


def test_local_disk_stays_the_default_and_s3_needs_a_bucket():
    assert default_storage_from_env({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    with pytest.raises(ImproperlyConfigured):
        default_storage_from_env({"GRIDGOV_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured):
        default_storage_from_env({"GRIDGOV_STORAGE": "ftp"})


def test_a_background_export_is_kept_in_the_bucket_and_removed_from_it_when_its_time_is_up(
        bucket, settings, tree, django_capture_on_commit_callbacks):
    # given: a village above the inline limit
    import datetime

    from gridgov.core import export_jobs
    from gridgov.core.models import ExportJob
    from gridgov.register import exports
    from tests.register_views.conftest import make_households

    settings.GRIDGOV_EXPORT_INLINE_ROWS = 1
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A)
    from gridgov.register import services

    building = services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                        use="residential")
    make_households(screener, building, 2)

    # when: the screener asks for it and the worker prepares it
    with django_capture_on_commit_callbacks(execute=True):
        _login(screener).post(reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A]))
    job = ExportJob.objects.get()

    # then: the file is one private, encrypted object under a random name, nothing on the disk
    assert job.status == "ready" and _keys(bucket) == [job.file.name]
    assert exports.ONE_TABLE not in job.file.name and Tree.VILLAGE_A not in job.file.name
    head = bucket.head_object(Bucket=BUCKET, Key=job.file.name)
    assert head["ServerSideEncryption"] == "AES256" and head["CacheControl"] == "private, no-store"
    assert not settings.MEDIA_ROOT.exists()
    # and the download streams that object, through the app
    got = _login(screener).get(reverse("export-job-file", args=[job.pk]))
    assert b"".join(got.streaming_content) == bucket.get_object(Bucket=BUCKET, Key=job.file.name)["Body"].read()

    # when: its time is up, the sweep deletes the object
    export_jobs.sweep_export_jobs(now=job.expires_at + datetime.timedelta(seconds=1))
    assert _keys(bucket) == []
