"""Issue 10, finding 7: hostile images. A tiny PNG that declares 9400 × 9400 pixels, a
decompression bomb, a corrupt or truncated file, a GIF/SVG/HTML named .jpg: each is refused
with a 400 (the error shape on the API, a form error on pages), anonymously where the page is
public, without decoding the pixels of an oversized image. A refused or rolled-back request
leaves nothing in MEDIA_ROOT, and what is stored carries no EXIF (location)."""

import io
import json
import os
import struct
import subprocess
import sys
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from gridgov.care.models import Visit
from gridgov.core.exceptions import DomainError
from gridgov.core.images import MAX_PIXELS, check_images
from gridgov.events.models import Event, Photo
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.events.conftest import categories, departments, food_rule, jpeg, people  # noqa: F401
from tests.events_views.conftest import POINT_A1, report

# --- Hostile files, made here -------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, idat: bytes, extra: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + extra + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def huge_header_png() -> bytes:
    """A few dozen bytes that declare 9400 × 9400 pixels (265 MB once decoded)."""
    return _png(9400, 9400, zlib.compress(b"\0" * 28201 * 4, 9))


def bomb_png() -> bytes:
    """A real decompression bomb: 5000 × 5000 black pixels (75 MB) deflated to ~75 KB."""
    row = b"\0" + b"\0" * 5000 * 3
    squeezer = zlib.compressobj(9)
    idat = b"".join(squeezer.compress(row) for _ in range(5000)) + squeezer.flush()
    return _png(5000, 5000, idat)


def text_bomb_png() -> bytes:
    """A 10 × 10 PNG carrying a compressed text chunk that inflates to 50 MB."""
    bomb = _chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * 50_000_000, 9))
    return _png(10, 10, zlib.compress(b"\0" * 31 * 10, 9), extra=bomb)


def truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()[: buffer.tell() // 2]


def corrupt_png() -> bytes:
    data = bytearray(_png(50, 50, zlib.compress(b"\0" * 151 * 50, 9)))
    data[40:60] = b"\xff" * 20  # inside the IDAT stream
    return bytes(data)


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="GIF")
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"

HOSTILE = {
    "9400x9400 header": huge_header_png,
    "decompression bomb": bomb_png,
    "text-chunk bomb": text_bomb_png,
    "truncated PNG": truncated_png,
    "corrupt PNG": corrupt_png,
    "GIF named .jpg": gif_bytes,
    "SVG named .jpg": lambda: SVG,
    "HTML named .jpg": lambda: HTML,
}


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    """A real file-system MEDIA_ROOT (the test settings keep files in memory)."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def files_in(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _dirs, names in os.walk(root) for f in names)


# --- The check itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_every_hostile_file_is_refused_with_a_message(kind):
    with translation.override("en"), pytest.raises(DomainError) as error:
        check_images([upload(jpeg().read()), upload(HOSTILE[kind]())])

    assert error.value.http_status == 400
    assert list(error.value.fields) == ["photos"]
    [message] = error.value.fields["photos"]
    assert message.startswith("Photo 2 ")


def test_the_oversized_header_is_refused_before_any_pixel_is_decoded():
    """Measured in a fresh process: decoding 9400 × 9400 RGB needs 265 MB; the check must
    stay far below that (and refuse by the pixel count, not by running out of memory)."""
    code = f"""
import resource, django, json
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from gridgov.core.images import check_images
from gridgov.core.exceptions import DomainError
data = bytes.fromhex({huge_header_png().hex()!r})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    check_images([SimpleUploadedFile("x.png", data)])
    outcome = "accepted"
except DomainError as error:
    outcome = error.fields["photos"][0]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "grown_kb": after - before}}))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gridgov.test_settings", "LANGUAGE_CODE": "en"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.strip().splitlines()[-1])

    assert 9400 * 9400 > MAX_PIXELS
    assert "24" in measured["outcome"]  # "too many pixels (at most 24 megapixels)"
    assert measured["grown_kb"] < 30 * 1024  # not 265 MB of decoded pixels


def test_a_jpeg_with_gps_comes_out_without_any_exif():
    [clean] = check_images([jpeg(with_gps=True)])

    stored = Image.open(io.BytesIO(clean.content))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info
    assert not Image.open(io.BytesIO(clean.rendition(320))).getexif()


# --- Through every door ---------------------------------------------------------------------------


def _public_body(photo) -> dict:
    return {"domain": "food", "category": "food.unlicensed", "description": "楼下有无证烧烤摊", **POINT_A1,
            "photos": [photo]}


@pytest.mark.parametrize("kind", ["9400x9400 header", "decompression bomb", "corrupt PNG", "HTML named .jpg"])
def test_the_anonymous_public_report_refuses_hostile_photos(kind, food_rule, media):
    anon = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = anon.post(reverse("events-report-public"), _public_body(upload(HOSTILE[kind]())))

    assert response.status_code == 400
    assert "Photo 1 " in response.content.decode()
    assert Event.objects.count() == 0
    assert files_in(media) == []


@pytest.mark.parametrize("kind", ["9400x9400 header", "truncated PNG", "SVG named .jpg"])
def test_the_api_answers_400_with_the_error_shape(kind, people, food_rule, media):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(people["gw"])
    body = {"category": "food.unlicensed", "description": "无证摊点", **POINT_A1,
            "photos": [jpeg("ok.jpg"), upload(HOSTILE[kind]())]}

    response = client.post("/api/v1/events/", body, format="multipart")

    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid" and error["message"]
    assert error["fields"]["photos"][0].startswith("Photo 2 ")
    assert Event.objects.count() == 0
    assert files_in(media) == []


def test_the_phone_page_shows_a_form_error(people, food_rule, media):
    worker = Client(HTTP_ACCEPT_LANGUAGE="en")
    worker.force_login(people["gw"])
    body = {"domain": "food", "category": "food.unlicensed", "description": "路边无证小吃摊", "urgency": "ordinary",
            "idempotency_key": "key-hostile", **POINT_A1, "photos": [upload(bomb_png())]}

    response = worker.post(reverse("events-mobile"), body)

    assert response.status_code == 400
    assert "Photo 1 has too many pixels" in response.content.decode()
    assert Event.objects.count() == 0
    assert files_in(media) == []


def test_a_workflow_action_with_a_hostile_photo_changes_nothing(people, food_rule, media):
    from gridgov.events.services import ActionRequest, event_act

    event = report(people["gw"])
    event_act(actor=people["station"], event=event, request=ActionRequest(action="accept"))

    with pytest.raises(DomainError) as error:
        event_act(actor=people["station"], event=event,
                  request=ActionRequest(action="handle", note="已取缔", photos=[upload(corrupt_png())]))

    assert error.value.http_status == 400
    event.refresh_from_db()
    assert event.status == "accepted"
    assert files_in(media) == []


def test_photos_are_written_only_when_the_transaction_commits(people, food_rule, media,
                                                              django_capture_on_commit_callbacks):
    # given: a report whose transaction fails after its photos were taken
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                report(people["gw"], photos=[jpeg(with_gps=True)])
                raise RuntimeError("the request failed later")
    assert files_in(media) == []
    assert Photo.objects.count() == 0

    # when: the same report commits
    with django_capture_on_commit_callbacks(execute=True):
        event = report(people["gw"], photos=[jpeg(with_gps=True)])

    # then: three files (record copy, public copy, thumbnail), none with EXIF
    photo = Photo.objects.get(event=event)
    stored = files_in(media)
    assert len(stored) == 3
    assert sorted(stored) == sorted([photo.image.name, photo.public_image.name, photo.thumbnail.name])
    for name in stored:
        with Image.open(media / name) as image:
            assert not image.getexif(), name


def test_a_visit_photo_is_checked_stripped_and_written_on_commit(staff, patient, media,  # noqa: F811
                                                                 django_capture_on_commit_callbacks):
    from django.utils import timezone

    from gridgov.care.services import visit_record

    enrollment = enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"})
    doctor = staff["doctor"]
    visit = {"date": timezone.localdate(), "form": "home",
             "details": {"risk_level": 0, "classification": "stable"}}

    with pytest.raises(DomainError) as error:
        visit_record(actor=doctor, enrollment=enrollment, **visit, photo=upload(huge_header_png()))
    assert error.value.http_status == 400 and "photos" in error.value.fields
    assert Visit.objects.count() == 0 and files_in(media) == []

    with django_capture_on_commit_callbacks(execute=True):
        recorded = visit_record(actor=doctor, enrollment=enrollment, **visit, photo=jpeg(with_gps=True))

    [name] = files_in(media)
    assert name == recorded.photo.name
    with Image.open(media / name) as image:
        assert not image.getexif()
