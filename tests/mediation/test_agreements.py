"""After the agreement: it takes effect when signed, the 30-day window of judicial
confirmation on real dates, follow-up visits, a breach mediated again or referred; and a
dispute handed over from the events loop. Through the services, as the pages call them."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.images import check_images
from gridgov.core.models import Role
from gridgov.events.models import Event
from gridgov.events.workflow import Status as EventStatus
from gridgov.mediation import services
from gridgov.mediation.models import Attachment, Case, FollowUp, PartyRole
from gridgov.mediation.workflow import CaseStatus
from tests.factories import EventFactory, Tree, _event_category, make_user
from tests.mediation.conftest import case, committee, justice, mediator_user, seat  # noqa: F401

pytestmark = pytest.mark.django_db


def page_photo(name="signed.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, format="JPEG")
    return check_images([SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")])


def settled(case, mediator_user, seat, *, form="written", due=None):
    services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    services.session_record(actor=mediator_user, case=case, held_on=case.accepted_on, place="村委会调解室",
                            record="双方陈述")
    return services.case_conclude(actor=mediator_user, case=Case.objects.get(pk=case.pk), result="agreement",
                                  form=form, terms="李四三日内清理通道杂物", responsibilities="李四堆放杂物堵塞通道",
                                  performance_due=due)


def at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


def test_a_written_agreement_takes_effect_when_signed_and_opens_the_30_days(mediator_user, committee, seat):
    with at("2026-01-31"):
        opened = services.case_open(actor=mediator_user, committee=committee, type="neighbour", source="request",
                                    channel="walk_in", org_code=Tree.CELL_A1, matters="通道被堵",
                                    parties=_parties())
        agreed = settled(opened, mediator_user, seat, due=datetime.date(2026, 2, 10))
        assert agreed.agreement_effective_on is None and services.confirmation_window_closes(agreed) is None
        assert not FollowUp.objects.filter(case=agreed).exists()  # not before it takes effect

        signed = services.agreement_sign(actor=mediator_user, case=agreed, signed_on=datetime.date(2026, 1, 31),
                                         pages=page_photo())

    assert signed.agreement_effective_on == datetime.date(2026, 1, 31)
    # 30 days after 31 January is 2 March (calendar days, February of 28)
    assert services.confirmation_window_closes(signed) == datetime.date(2026, 3, 2)
    assert list(FollowUp.objects.filter(case=signed).values_list("due_on", flat=True)) == [datetime.date(2026, 2, 10)]
    assert Attachment.objects.filter(case=signed, kind="signed_agreement").count() == 1

    with at("2026-03-03"):
        with pytest.raises(DomainError) as late:
            services.confirmation_apply(actor=mediator_user, case=signed, court="一县人民法院",
                                        applied_on=datetime.date(2026, 3, 3))
    assert "2026-03-02" in late.value.message and late.value.code == ErrorCode.INVALID
    with at("2026-03-03"):
        applied = services.confirmation_apply(actor=mediator_user, case=signed, court="一县人民法院",
                                              applied_on=datetime.date(2026, 3, 2))
        assert applied.confirmation == "applied"
        with pytest.raises(DomainError) as twice:
            services.confirmation_apply(actor=mediator_user, case=applied, court="一县人民法院",
                                        applied_on=datetime.date(2026, 3, 2))
        assert twice.value.code == ErrorCode.CONFLICT
        with pytest.raises(DomainError):  # the court decides after the application
            services.confirmation_decide(actor=mediator_user, case=applied, confirmed=True,
                                         decided_on=datetime.date(2026, 3, 1))
        decided = services.confirmation_decide(actor=mediator_user, case=applied, confirmed=True,
                                               decided_on=datetime.date(2026, 3, 3), pages=page_photo("ruling.png"))
    assert decided.confirmation == "confirmed" and decided.status == CaseStatus.SETTLED
    assert Attachment.objects.filter(case=decided, kind="court_decision").count() == 1


def test_an_oral_agreement_is_in_effect_at_once_and_has_nothing_to_sign(case, mediator_user, seat):
    with at("2026-05-04"):
        fresh = Case.objects.get(pk=case.pk)
        fresh.accepted_on = datetime.date(2026, 5, 4)
        fresh.save(update_fields=["accepted_on"])
        agreed = settled(fresh, mediator_user, seat, form="oral")
        with pytest.raises(DomainError) as signing:
            services.agreement_sign(actor=mediator_user, case=agreed, signed_on=datetime.date(2026, 5, 4),
                                    pages=page_photo())
        with pytest.raises(DomainError):  # no court confirms an oral agreement here
            services.confirmation_apply(actor=mediator_user, case=agreed, court="法院",
                                        applied_on=datetime.date(2026, 5, 4))
    assert signing.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert agreed.agreement_effective_on == datetime.date(2026, 5, 4)
    assert list(FollowUp.objects.filter(case=agreed).values_list("due_on", flat=True)) == [datetime.date(2026, 5, 19)]


def test_follow_ups_then_a_breach_is_mediated_again_with_a_new_month(case, mediator_user, seat):
    with at("2026-06-01"):
        agreed = settled(_today_accepted(case), mediator_user, seat, form="oral")
        visit = FollowUp.objects.get(case=agreed)
        with pytest.raises(DomainError) as no_next:  # still being performed: when is the next visit?
            services.follow_up_record(actor=mediator_user, case=agreed, follow_up=visit,
                                      done_on=datetime.date(2026, 6, 1), finding="in_progress")
        assert no_next.value.fields.keys() == {"next_due"}
        services.follow_up_record(actor=mediator_user, case=agreed, follow_up=visit, done_on=datetime.date(2026, 6, 1),
                                  finding="in_progress", next_due=datetime.date(2026, 6, 20))
        with pytest.raises(DomainError) as again:
            services.follow_up_record(actor=mediator_user, case=agreed, follow_up=visit,
                                      done_on=datetime.date(2026, 6, 1), finding="performed")
        assert again.value.code == ErrorCode.CONFLICT
        with pytest.raises(DomainError) as not_yet:  # nothing breached: no mediation again
            services.case_reopen(actor=mediator_user, case=Case.objects.get(pk=agreed.pk), reason="未履行")
        assert not_yet.value.code == ErrorCode.ILLEGAL_TRANSITION
    with at("2026-06-20"):
        second = FollowUp.objects.get(case=agreed, done_on__isnull=True)
        assert second.due_on == datetime.date(2026, 6, 20)
        services.follow_up_record(actor=mediator_user, case=Case.objects.get(pk=agreed.pk), follow_up=second,
                                  done_on=datetime.date(2026, 6, 20), finding="breached", note="杂物仍未清理")
        breached = Case.objects.get(pk=agreed.pk)
        assert breached.performance == "breached" and breached.status == CaseStatus.SETTLED
        again = services.case_reopen(actor=mediator_user, case=breached, reason="杂物仍未清理")
    assert again.status == CaseStatus.MEDIATING and again.reopened_count == 1
    assert again.deadline == datetime.date(2026, 7, 20) and again.concluded_on is None and again.performance == ""


def test_a_breach_of_a_confirmed_agreement_goes_to_the_court(case, mediator_user, seat):
    with at("2026-06-01"):
        agreed = settled(_today_accepted(case), mediator_user, seat)
        agreed = services.agreement_sign(actor=mediator_user, case=agreed, signed_on=datetime.date(2026, 6, 1),
                                         pages=page_photo())
        agreed = services.confirmation_apply(actor=mediator_user, case=agreed, court="一县人民法院",
                                             applied_on=datetime.date(2026, 6, 1))
        agreed = services.confirmation_decide(actor=mediator_user, case=agreed, confirmed=True,
                                              decided_on=datetime.date(2026, 6, 1))
        with pytest.raises(DomainError) as referral_too_early:
            services.case_conclude(actor=mediator_user, case=agreed, result="referred", diversion="court",
                                   note="申请强制执行")
        assert referral_too_early.value.code == ErrorCode.ILLEGAL_TRANSITION
        services.follow_up_record(actor=mediator_user, case=agreed, follow_up=FollowUp.objects.get(case=agreed),
                                  done_on=datetime.date(2026, 6, 1), finding="breached")
        breached = Case.objects.get(pk=agreed.pk)
        with pytest.raises(DomainError) as reopening:
            services.case_reopen(actor=mediator_user, case=breached, reason="未履行")
        referred = services.case_conclude(actor=mediator_user, case=breached, result="referred", diversion="court",
                                          note="申请法院强制执行")
    assert reopening.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert referred.status == CaseStatus.REFERRED and referred.diversion == "court"


def test_a_hostile_file_is_refused_and_nothing_is_written(case, mediator_user, seat):
    agreed = settled(_today_accepted(case), mediator_user, seat)
    bogus = SimpleUploadedFile("signed.jpg", b"%PDF-1.7 not an image", content_type="image/jpeg")

    with pytest.raises(DomainError) as refused:
        services.agreement_sign(actor=mediator_user, case=agreed, signed_on=agreed.concluded_on,
                                pages=check_images([bogus]))
    assert refused.value.code == ErrorCode.INVALID


def test_a_dispute_event_handed_over_becomes_a_request_and_the_event_closes(tree, justice, committee, seat,
                                                                          mediator_user):
    dispatcher = make_user("desk", Role.DISPATCHER, scope=Tree.COUNTY_A)
    event = EventFactory(category=_event_category("dispute.neighbour"), status=EventStatus.REGISTERED,
                         description="两户因排水沟争吵")

    handed = services.case_from_event(actor=dispatcher, event_id=event.pk)

    assert handed.status == CaseStatus.REQUESTED and handed.committee == committee
    assert handed.type == "neighbour" and handed.source == "event" and handed.event_id == event.pk
    assert handed.matters == "两户因排水沟争吵" and not handed.parties.exists()
    event.refresh_from_db()
    assert event.status == EventStatus.CLOSED
    assert event.timeline.filter(action="to_mediation", extra__mediation_case=handed.code).exists()
    with pytest.raises(DomainError) as twice:
        services.case_from_event(actor=dispatcher, event_id=event.pk)
    assert twice.value.code == ErrorCode.ILLEGAL_TRANSITION

    # the committee names the parties before it accepts
    with pytest.raises(DomainError) as unnamed:
        services.case_accept(actor=mediator_user, case=handed)
    assert unnamed.value.fields.keys() == {"parties"}
    for role, name in ((PartyRole.APPLICANT, "王五"), (PartyRole.RESPONDENT, "赵六")):
        services.party_add(actor=mediator_user, case=handed, party=services.PartySpec(role=role, name=name))
    assert services.case_accept(actor=mediator_user, case=handed).status == CaseStatus.ACCEPTED


def test_only_the_desk_hands_over_and_only_disputes(tree, committee, grid_worker):
    dispatcher = make_user("desk", Role.DISPATCHER, scope=Tree.COUNTY_A)
    fire = EventFactory(status=EventStatus.REGISTERED)
    dispute = EventFactory(category=_event_category("dispute.family"), status=EventStatus.REGISTERED)

    with pytest.raises(Forbidden):
        services.case_from_event(actor=grid_worker, event_id=dispute.pk)
    with pytest.raises(DomainError) as not_a_dispute:
        services.case_from_event(actor=dispatcher, event_id=fire.pk)
    assert not_a_dispute.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert not Case.objects.exists() and Event.objects.get(pk=fire.pk).status == EventStatus.REGISTERED


def _parties():
    from tests.mediation.conftest import parties

    return parties()


def _today_accepted(case):
    from django.utils import timezone

    fresh = Case.objects.get(pk=case.pk)
    fresh.accepted_on = timezone.localdate()
    fresh.save(update_fields=["accepted_on"])
    return fresh
