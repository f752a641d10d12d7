"""What a security review of mediation found, held shut: a justice officer reads only the
cases of the committees they keep; a mediator cannot link a case to an event they cannot see;
pages are decoded only for a step the user may take; a step decided on a stale case is a 409;
the event page tells others only that a dispute went to mediation; hostile dates are a 4xx."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import Role
from gridgov.events.workflow import Status as EventStatus
from gridgov.mediation import services
from gridgov.mediation.models import Case, CommitteeKind, Session
from tests.factories import EventFactory, Tree, _event_category, make_user
from tests.mediation.conftest import (  # noqa: F401
    api,
    case,
    committee,
    justice,
    mediator_user,
    seat,
    township_committee,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def county_medical_case():
    county_justice = make_user("cj", Role.JUSTICE_OFFICER, scope=Tree.COUNTY_A)
    medical = services.committee_create(actor=county_justice, name="县医调委", kind=CommitteeKind.MEDICAL,
                                        org_code=Tree.COUNTY_A)
    return services.case_open(actor=county_justice, committee=medical, type="medical", source="request",
                              channel="walk_in", org_code=Tree.CELL_A1, matters="手术后并发症，病历显示…",
                              parties=[services.PartySpec(role="applicant", name="患者"),
                                       services.PartySpec(role="respondent", name="县医院")])


def test_a_township_officer_does_not_read_a_county_committees_case_placed_in_the_township(client, tree):
    case = county_medical_case()
    town_justice = make_user("tj", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_A)

    client = signed_in(client, town_justice)

    assert client.get(f"/mediation/cases/{case.pk}/").status_code == 404
    assert case.code not in client.get("/mediation/?status=").content.decode()
    assert api(town_justice).get(f"/api/v1/mediation/cases/{case.pk}/").status_code == 404


def jpeg(n):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(f"p{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_pages_of_a_step_the_user_may_not_take_are_refused_unread(client, case, mediator_user, monkeypatch):
    from gridgov.core import images

    decoded = []
    real = images._decode_and_clean
    monkeypatch.setattr(images, "_decode_and_clean", lambda data: decoded.append(1) or real(data))
    client = signed_in(client, mediator_user)

    not_now = client.post(f"/mediation/cases/{case.pk}/act/", {"action": "sign", "sign-signed_on": "2026-01-01",
                                                               "sign-pages": [jpeg(1), jpeg(2)]})
    too_many = client.post(f"/mediation/cases/{case.pk}/act/", {"action": "attach", "attach-kind": "evidence",
                                                                "attach-pages": [jpeg(n) for n in range(13)]})

    assert not_now.status_code == 409 and too_many.status_code == 400
    assert decoded == [] and not case.attachments.exists()


def test_a_session_decided_on_a_case_transferred_meanwhile_is_a_409(justice, township_committee, seat,
                                                                    mediator_user, case):
    services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    stale = Case.objects.select_related("committee").get(pk=case.pk)  # what the mediator's page read
    services.case_transfer(actor=justice, case=Case.objects.get(pk=case.pk), committee=township_committee,
                           reason="移交镇调委会")

    with pytest.raises(DomainError) as raised:
        services.session_record(actor=mediator_user, case=stale, held_on=timezone.localdate(), place="村委会",
                                record="不应写入")

    assert raised.value.code == ErrorCode.CONFLICT and not Session.objects.exists()


def test_the_event_page_tells_a_grid_worker_only_that_the_dispute_went_to_mediation(client, committee, seat):
    dispatcher = make_user("desk", Role.DISPATCHER, scope=Tree.COUNTY_A)
    event = EventFactory(category=_event_category("dispute.neighbour"), status=EventStatus.REGISTERED)
    case = services.case_from_event(actor=dispatcher, event_id=event.pk, committee=committee)
    grid = make_user("gw", Role.GRID_WORKER, scope=Tree.VILLAGE_A, cells=[Tree.CELL_A1])

    page = signed_in(client, grid).get(f"/events/{event.pk}/").content.decode()

    assert case.code in page and "Requested, awaiting acceptance" not in page  # how the case goes is not theirs


def test_a_handed_over_dispute_is_not_disputed_back_into_the_loop(committee):
    from gridgov.events.services import event_reporter_dispute

    dispatcher = make_user("desk", Role.DISPATCHER, scope=Tree.COUNTY_A)
    event = EventFactory(category=_event_category("dispute.neighbour"), status=EventStatus.REGISTERED)
    services.case_from_event(actor=dispatcher, event_id=event.pk, committee=committee)

    with pytest.raises(DomainError) as raised:
        event_reporter_dispute(event=event, reason="问题没解决")

    assert raised.value.code == ErrorCode.ILLEGAL_TRANSITION
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED


def test_a_follow_up_posted_when_none_is_due_is_a_409(client, mediator_user, seat, case):
    services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    services.session_record(actor=mediator_user, case=Case.objects.get(pk=case.pk), held_on=timezone.localdate(),
                            place="p", record="r")
    agreed = services.case_conclude(actor=mediator_user, case=Case.objects.get(pk=case.pk), result="agreement",
                                    terms="t", form="oral")
    services.follow_up_record(actor=mediator_user, case=agreed, follow_up=agreed.follow_ups.get(),
                              done_on=timezone.localdate(), finding="performed")

    response = signed_in(client, mediator_user).post(f"/mediation/cases/{case.pk}/act/", {
        "action": "follow_up", "follow_up-done_on": timezone.localdate().isoformat(),
        "follow_up-finding": "performed"})

    assert response.status_code == 409


def test_weeks_and_months_out_of_range_are_a_400_not_a_500(client, justice):
    from gridgov.mediation.services import directory

    centre = directory.centre_create(actor=justice, name="中心", org_code=Tree.TOWNSHIP_A)
    client = signed_in(client, justice)

    for url in (f"/mediation/centres/{centre.pk}/?week=9999-12-31", f"/mediation/centres/{centre.pk}/?week=0001-01-01",
                "/mediation/screening/?month=0001-01"):
        assert client.get(url).status_code == 400, url


@pytest.mark.parametrize("resident_id", ["123456", "110101199003074515", "11010119900307451X0"])
def test_an_outside_partys_id_number_is_checked(mediator_user, committee, seat, resident_id):
    with pytest.raises(DomainError) as raised:
        services.case_open(actor=mediator_user, committee=committee, type="neighbour", source="request",
                           channel="walk_in", org_code=Tree.CELL_A1, matters="m", parties=[
                               services.PartySpec(role="applicant", name="甲", resident_id=resident_id),
                               services.PartySpec(role="respondent", name="乙")])

    assert "resident_id" in raised.value.fields and not Case.objects.exists()
