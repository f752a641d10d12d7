"""The mediator's and justice officer's pages, as they use them: the list, a new case, the
case page's steps from acceptance to the follow-up visit, and the desk's hand-over of a
dispute event."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.core.models import Role
from gridgov.events.workflow import Status as EventStatus
from gridgov.mediation import services
from gridgov.mediation.models import Case, FollowUp
from tests.factories import EventFactory, Tree, _event_category, make_user
from tests.mediation.conftest import case, committee, justice, mediator_user, parties, seat  # noqa: F401

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def jpeg(name="page.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def act(client, case, action, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/mediation/cases/{case.pk}/act/", data)


def test_the_list_shows_my_committees_open_cases_with_names_not_codes(client, case, mediator_user):
    page = signed_in(client, mediator_user).get("/mediation/")

    assert page.status_code == 200
    text = page.content.decode()
    assert case.code in text and "张大山、李四" in text and "Neighbours" in text
    assert "幸福村人民调解委员会" in text


def test_the_list_costs_the_same_queries_for_one_case_or_many(client, case, mediator_user, committee,
                                                             django_assert_max_num_queries):
    client = signed_in(client, mediator_user)
    client.get("/mediation/")  # warm the session and the org names
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/mediation/")
    for _i in range(4):
        services.case_open(actor=mediator_user, committee=committee, type="family", source="request",
                           channel="phone", org_code=Tree.CELL_A2, matters="赡养纠纷", parties=parties())
    with CaptureQueriesContext(connection) as five:
        page = client.get("/mediation/")
    assert page.content.decode().count("data-case-code=") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_a_justice_officer_of_another_township_and_a_grid_worker_see_nothing(client, case, grid_worker):
    other = make_user("justice_b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B)

    assert signed_in(client, other).get(f"/mediation/cases/{case.pk}/").status_code == 404
    assert case.code not in client.get("/mediation/").content.decode()
    assert signed_in(client, grid_worker).get("/mediation/").status_code == 403


def test_a_new_case_from_the_page(client, mediator_user, committee, seat):
    client = signed_in(client, mediator_user)
    form = client.get("/mediation/new/")
    assert form.status_code == 200 and "幸福村人民调解委员会" in form.content.decode()

    bad = client.post("/mediation/new/", {"committee": committee.pk, "type": "neighbour", "source": "request",
                                          "channel": "walk_in", "org_code": Tree.CELL_B1, "matters": "x",
                                          "applicant_name": "甲", "respondent_name": "乙"})
    assert bad.status_code == 400 and not Case.objects.exists()
    assert "outside the committee" in bad.content.decode()

    made = client.post("/mediation/new/", {"committee": committee.pk, "type": "neighbour", "source": "request",
                                           "channel": "walk_in", "org_code": Tree.CELL_A1, "matters": "宅基地边界",
                                           "applicant_name": "甲", "applicant_phone": "13800000000",
                                           "respondent_name": "乙"})
    case = Case.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/mediation/cases/{case.pk}/"
    assert case.status == "accepted" and case.deadline is not None


def test_from_acceptance_to_the_follow_up_visit_on_the_case_page(client, case, mediator_user, seat,
                                                                 django_capture_on_commit_callbacks):
    client = signed_in(client, mediator_user)
    today = timezone.localdate()

    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert 'data-action="assign"' in page and 'data-action="record_session"' not in page  # no mediator declared yet

    refused = act(client, case, "assign", mediator=seat.pk)  # the declaration is not ticked
    assert refused.status_code == 400 and Case.objects.get(pk=case.pk).mediator_id is None
    assert act(client, case, "assign", mediator=seat.pk, no_conflict="on").status_code == 302
    for n in (1, 2):
        response = act(client, case, "record_session", kind="mediation", held_on=today.isoformat(),
                       place="村委会调解室", attendees="张大山、李四", record=f"第{n}次调解")
        assert response.status_code == 302, response.content.decode()[:2000]
    assert act(client, case, "settle", form="written", responsibilities="李四堆放杂物", terms="三日内清理",
               performance_due=(today + datetime.timedelta(days=3)).isoformat()).status_code == 302

    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "Settled by agreement" in page and "第2次调解" in page and 'data-action="sign"' in page
    assert "data-agreement-pdf" in page

    future = (today + datetime.timedelta(days=1)).isoformat()
    assert act(client, case, "sign", signed_on=future, pages=jpeg()).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):  # the pages are written when the step commits
        signed = client.post(f"/mediation/cases/{case.pk}/act/", {
            "action": "sign", "sign-signed_on": today.isoformat(), "sign-pages": [jpeg(), jpeg("p2.jpg")]})
    assert signed.status_code == 302
    case.refresh_from_db()
    assert case.agreement_effective_on == today and case.attachments.count() == 2
    attachment = case.attachments.first()
    image = client.get(f"/mediation/cases/{case.pk}/pages/{attachment.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"

    assert act(client, case, "apply_confirmation", court="一县人民法院", applied_on=today.isoformat()).status_code == 302
    assert act(client, case, "decide_confirmation", confirmed="yes", decided_on=today.isoformat()).status_code == 302
    assert act(client, case, "follow_up", done_on=today.isoformat(), finding="performed").status_code == 302
    case.refresh_from_db()
    assert (case.confirmation, case.performance) == ("confirmed", "performed")
    assert not FollowUp.objects.filter(case=case, done_on__isnull=True).exists()
    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "Confirmed by the court" in page and "Performed" in page


def test_an_illegal_step_is_a_409_and_an_unknown_one_a_400(client, case, mediator_user):
    client = signed_in(client, mediator_user)

    assert act(client, case, "sign", signed_on=timezone.localdate().isoformat(), pages=jpeg()).status_code == 409
    assert client.post(f"/mediation/cases/{case.pk}/act/", {"action": "teleport"}).status_code == 400


def test_the_desk_hands_a_dispute_event_over_and_the_event_names_the_case(client, committee, seat, mediator_user):
    dispatcher = make_user("desk", Role.DISPATCHER, scope=Tree.COUNTY_A)
    event = EventFactory(category=_event_category("dispute.neighbour"), status=EventStatus.REGISTERED)
    client = signed_in(client, dispatcher)

    event_page = client.get(f"/events/{event.pk}/").content.decode()
    assert "Hand over to people&#x27;s mediation" in event_page or "Hand over to people's mediation" in event_page
    assert client.get(f"/mediation/from-event/{event.pk}/").status_code == 200
    handed = client.post(f"/mediation/from-event/{event.pk}/", {"committee": committee.pk})

    assert handed.status_code == 302 and handed["Location"] == f"/events/{event.pk}/"
    case = Case.objects.get(event_id=event.pk)
    event_page = client.get(f"/events/{event.pk}/").content.decode()
    # the desk learns that it went to mediation and its number, not how the case goes
    assert f"Case {case.code}" in event_page and "Requested, awaiting acceptance" not in event_page
    assert f"/mediation/cases/{case.pk}/" not in event_page
    # the committee's mediator finds it in the list
    listing = signed_in(client, mediator_user).get("/mediation/?status=requested").content.decode()
    assert case.code in listing


def test_the_documents_print_for_who_works_the_case_and_each_print_is_logged(client, case, mediator_user, seat):
    from gridgov.core.models import AuditEntry

    client = signed_in(client, mediator_user)
    too_early = client.get(f"/mediation/cases/{case.pk}/agreement.pdf")
    assert too_early.status_code == 409 and "settled by agreement" in too_early.content.decode()

    services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    services.session_record(actor=mediator_user, case=Case.objects.get(pk=case.pk), held_on=timezone.localdate(),
                            place="调解室", record="双方陈述")
    services.case_conclude(actor=mediator_user, case=Case.objects.get(pk=case.pk), result="agreement", terms="三日内清理")
    for url in (f"/mediation/cases/{case.pk}/agreement.pdf", f"/mediation/cases/{case.pk}/file.pdf"):
        pdf = client.get(url)
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and pdf["Cache-Control"] == "private, no-store"
    applicant = case.parties.get(role="applicant").person
    logged = AuditEntry.objects.filter(action="mediation.document_download", person_id=applicant.pk)
    assert sorted(json.loads(e.changes)["document"] for e in logged) == ["agreement", "case_file"]

    other = make_user("justice_b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B)
    assert signed_in(client, other).get(f"/mediation/cases/{case.pk}/agreement.pdf").status_code == 404
