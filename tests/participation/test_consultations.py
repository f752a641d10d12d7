"""Public consultation on a major decision as a department and residents live it: a draft that
is not public, a PDF checked by its content, comments only while open (from the web and from a
village meeting), themes answered, the decision published only after the period, and public
pages that show counts, themes and answers, never a comment's text one by one."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gridgov.core.exceptions import DomainError, Forbidden, NotFound
from gridgov.core.models import Department, Role
from gridgov.participation.models import ConsultationComment, ConsultationDocument
from gridgov.participation.services import consultations as services
from gridgov.participation.services import meetings
from tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def staff(tree):
    department = Department.objects.create(code="990101-commerce", name="县商务局", kind="department",
                                           function="market", org_code=Tree.COUNTY_A)
    return make_user("commerce", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=department)


@pytest.fixture
def consultation(staff):
    today = timezone.localdate()
    draft = services.consultation_create(actor=staff, title="农贸市场搬迁方案", summary="拟将农贸市场搬迁至新区。",
                                         org_code=Tree.TOWNSHIP_A, opens_on=today, closes_on=today + 10 * DAY)
    return draft


def test_a_draft_is_not_public_until_published(client, staff, consultation):
    assert client.get(reverse("consult-page", args=[consultation.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.comment(consultation=consultation, text="草稿不收意见")

    services.publish(actor=staff, consultation=consultation)

    page = client.get(reverse("consult-page", args=[consultation.pk]))
    assert page.status_code == 200 and "农贸市场搬迁方案" in page.content.decode() and page.context["comment_form"]
    with pytest.raises(DomainError):
        services.publish(actor=staff, consultation=consultation)


def test_only_a_pdf_is_published_and_it_downloads_as_an_attachment(client, staff, consultation):
    services.publish(actor=staff, consultation=consultation)
    for hostile in (b"<html><script>alert(1)</script>", b"MZ\x90\x00", b""):
        with pytest.raises(DomainError):
            services.document_add(actor=staff, consultation=consultation, title="方案",
                                  upload=SimpleUploadedFile("x.pdf", hostile, content_type="application/pdf"))
    document = services.document_add(actor=staff, consultation=consultation, title="搬迁方案",
                                     upload=SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf"))

    response = client.get(reverse("consult-document", args=[consultation.pk, document.pk]))
    assert ConsultationDocument.objects.count() == 1 and response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and b"".join(response.streaming_content) == PDF


def test_comments_come_only_during_the_period_from_the_web_and_a_village_meeting(client, staff, consultation,
                                                                                 grid_worker):
    services.publish(actor=staff, consultation=consultation)
    client.post(reverse("consult-comment", args=[consultation.pk]), {"text": "老人买菜会不方便。"})
    meeting = meetings.meeting_record(actor=grid_worker, org_code=Tree.VILLAGE_A, held_on=timezone.localdate(),
                                      place="晒谷坪", convenor="陈书记", attendance=30)
    client.force_login(grid_worker)
    client.post(reverse("meetings-consultation-comment", args=[meeting.pk]),
                {"consultation": consultation.pk, "text": "屋场会上大家支持搬迁。"})

    assert list(ConsultationComment.objects.values_list("source", flat=True)) == ["web", "meeting"]
    with time_machine.travel(timezone.now() + 11 * DAY), pytest.raises(DomainError):
        services.comment(consultation=consultation, text="过期的意见")


def test_the_office_groups_answers_and_decides_only_after_the_period(client, staff, consultation):
    services.publish(actor=staff, consultation=consultation)
    first = services.comment(consultation=consultation, text="老人买菜会不方便，希望开公交。")
    second = services.comment(consultation=consultation, text="希望增加公交线路。")
    theme = services.theme_create(actor=staff, consultation=consultation, title="交通", comment_ids=[first.pk])
    services.group(actor=staff, consultation=consultation, theme=theme, comment_ids=[second.pk])
    services.theme_answer(actor=staff, theme=theme, answer="新增一条公交线路。")
    with pytest.raises(DomainError):
        services.decide(actor=staff, consultation=consultation, decision="同意", reasons="理由")

    with time_machine.travel(timezone.now() + 11 * DAY):
        services.decide(actor=staff, consultation=consultation, decision="同意搬迁。", reasons="多数支持。")
        page = client.get(reverse("consult-page", args=[consultation.pk])).content.decode()

    assert "新增一条公交线路。" in page and "同意搬迁。" in page and "多数支持。" in page
    assert "老人买菜会不方便" not in page  # comments are read by the office, not listed one by one
    with time_machine.travel(timezone.now() + 11 * DAY), pytest.raises(DomainError):
        services.decide(actor=staff, consultation=consultation, decision="再决定", reasons="x")


def test_only_its_department_runs_a_consultation(staff, consultation, tree):
    other_department = Department.objects.create(code="990101-water", name="县水利局", kind="department",
                                                 function="water", org_code=Tree.COUNTY_A)
    other = make_user("water", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=other_department)
    keeper = make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A)
    with pytest.raises(NotFound):
        services.publish(actor=other, consultation=consultation)
    with pytest.raises(Forbidden):
        services.publish(actor=keeper, consultation=consultation)


@pytest.mark.parametrize("days", [(0, -1), (0, 181)])
def test_a_period_in_order_and_not_endless(staff, days):
    today = timezone.localdate()
    with pytest.raises(DomainError):
        services.consultation_create(actor=staff, title="x", summary="y", org_code=Tree.TOWNSHIP_A,
                                     opens_on=today + days[0] * DAY, closes_on=today + days[1] * DAY)


def test_the_public_comment_form_is_limited_per_address(client, staff, consultation):
    services.publish(actor=staff, consultation=consultation)
    answers = [client.post(reverse("consult-comment", args=[consultation.pk]), {"text": f"意见{i}"}).status_code
               for i in range(11)]
    assert answers == [302] * 10 + [429] and ConsultationComment.objects.count() == 10
