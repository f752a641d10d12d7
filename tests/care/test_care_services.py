import datetime
from unittest import mock

import pytest
from django.utils import timezone

from gridgov.care import daily, services
from gridgov.care.models import Enrollment, Handover, Payment, TeamMember
from gridgov.care.selectors import (
    access_enrollment,
    care_metrics,
    care_today_queryset,
    care_today_rows,
    enrollments_visible_to,
    program_label,
    statistics_only,
    today_counts,
    unacknowledged_high_risk,
)
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import AuditEntry, Notification
from tests.care.conftest import START, enroll
from tests.factories import PersonFactory, Tree, make_resident_id

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def fixed_today():
    moment = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def test_smd_enrollment_schedules_the_first_follow_up_from_the_classification(staff, patient):
    enrollment = enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"})

    assert enrollment.next_due_date == START + datetime.timedelta(days=14)
    assert enrollment.retention_until == datetime.date(2031, 11, 2)
    assert Notification.objects.filter(user=staff["gw"], kind="care_enrolled").exists()


def test_health_details_are_encrypted_and_stay_out_of_the_audit_log(staff, patient):
    from django.db import connection

    enrollment = enroll(staff, patient, details={"risk_level": 4, "classification": "unstable",
                                                 "diagnosis": "精神分裂症"})

    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM care_enrollment WHERE id = %s", [enrollment.pk])
        (raw,) = cursor.fetchone()
    assert "精神分裂症" not in raw and "risk_level" not in raw
    assert not AuditEntry.objects.filter(changes__contains="精神分裂症").exists()
    assert enrollment.high_risk


def test_enrollment_needs_a_legal_basis_or_consent(staff, patient):
    with pytest.raises(DomainError) as error:
        enroll(staff, patient, legal_basis="")

    assert "legal_basis" in error.value.fields
    assert enroll(staff, patient, legal_basis="", consent=True).consent


@pytest.mark.parametrize("details,field", [
    ({"risk_level": 7, "classification": "stable"}, "details.risk_level"),
    ({"risk_level": 4, "classification": "stable"}, "details.classification"),
    ({"risk_level": 0, "classification": "stable", "favourite_colour": "x"}, "details"),
])
def test_bad_program_details_change_nothing(staff, patient, details, field):
    with pytest.raises(DomainError) as error:
        enroll(staff, patient, details=details)

    assert field in error.value.fields
    assert not Enrollment.objects.exists()


def test_the_same_person_cannot_be_enrolled_twice_in_a_program(staff, patient):
    enroll(staff, patient)

    with pytest.raises(DomainError) as error:
        enroll(staff, patient)
    assert error.value.code == ErrorCode.DUPLICATE


def test_a_visit_today_turns_the_icon_green_at_once(staff, patient):
    enrollment = enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"})
    rows = lambda: care_today_rows(staff["doctor"], list(care_today_queryset(staff["doctor"])), TODAY)  # noqa: E731
    assert [r.status for r in rows()] == ["due"]

    visit = services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="home",
                                  details={"risk_level": 0, "classification": "stable",
                                           "medication_adherence": "regular"})

    assert [r.status for r in rows()] == ["visited"]
    assert visit.next_due_date == datetime.date(2027, 2, 24)
    enrollment.refresh_from_db()
    assert enrollment.high_risk is False and enrollment.next_due_date == visit.next_due_date


def test_a_follow_up_needs_the_risk_level_and_classification(staff, patient):
    enrollment = enroll(staff, patient)

    with pytest.raises(DomainError) as error:
        services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="home", details={})
    assert "details.risk_level" in error.value.fields


def test_only_the_team_records_visits(staff, patient):
    enrollment = enroll(staff, patient)

    with pytest.raises(Forbidden):
        services.visit_record(actor=staff["gw_other"], enrollment=enrollment, date=TODAY, form="home",
                              details={"risk_level": 0, "classification": "stable"})


def test_high_risk_cases_wait_for_every_team_member_to_acknowledge(staff, patient):
    enrollment = enroll(staff, patient, details={"risk_level": 3, "classification": "unstable"})
    assert list(unacknowledged_high_risk(staff["officer"])) == [enrollment]

    services.team_acknowledge(actor=staff["gw"], enrollment=enrollment)
    assert list(unacknowledged_high_risk(staff["officer"])) == [enrollment]
    services.team_acknowledge(actor=staff["doctor"], enrollment=enrollment)
    # care (issue 11): the full team the law names — a police liaison too — and the family's word
    assert list(unacknowledged_high_risk(staff["officer"])) == [enrollment]
    from tests.factories import make_user

    police = make_user("police", "police_liaison", scope=Tree.TOWNSHIP_A)
    services.team_member_add(actor=staff["officer"], enrollment=enrollment,
                             member=services.TeamSpec(role="police_liaison", user=police))
    services.team_acknowledge(actor=police, enrollment=enrollment)
    from gridgov.care.teams import team_confirm_on_behalf

    team_confirm_on_behalf(actor=staff["gw"], member=enrollment.team.get(role="family"), how="phone")

    assert list(unacknowledged_high_risk(staff["officer"])) == []
    with pytest.raises(Forbidden):
        services.team_acknowledge(actor=staff["gw_other"], enrollment=enrollment)


def test_a_crisis_alerts_the_whole_team_and_admission_updates_the_map(staff, patient):
    enrollment = enroll(staff, patient, details={"risk_level": 4, "classification": "unstable"})

    crisis = services.crisis_report(actor=staff["gw"], enrollment=enrollment, description="在家中砸东西，情绪激动",
                                    reported_by="family")
    services.crisis_record_action(actor=staff["doctor"], crisis=crisis, note="出诊评估后送医", outcome="admitted")

    assert crisis.alerted == ["doctor", "gw"]
    assert Notification.objects.filter(kind="care_crisis").count() == 2
    enrollment.refresh_from_db()
    assert enrollment.hospitalized_since == TODAY
    assert today_counts(Enrollment.objects.all(), TODAY)["hospitalized"] == 1

    services.status_end(actor=staff["doctor"], enrollment=enrollment, kind="hospital", end=TODAY)
    enrollment.refresh_from_db()
    assert enrollment.hospitalized_since is None
    assert enrollment.next_due_date <= TODAY + datetime.timedelta(days=14)


def test_grid_worker_sees_that_a_visit_is_needed_not_why(staff, patient):
    enrollment = enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"})

    assert program_label(staff["gw"], enrollment) == "***"
    assert program_label(staff["doctor"], enrollment) == "smd"
    assert access_enrollment(staff["gw"], enrollment.pk) == enrollment


def test_other_roles_and_areas_do_not_see_the_enrollment(staff, patient):
    enrollment = enroll(staff, patient)

    for who in ("gw_other", "officer_b"):
        with pytest.raises(DomainError):
            access_enrollment(staff[who], enrollment.pk)
    with pytest.raises(Forbidden):
        enrollments_visible_to(staff["station"])


def test_above_the_county_only_statistics(staff, patient):
    enroll(staff, patient)

    assert statistics_only(staff["city_officer"])
    assert list(enrollments_visible_to(staff["city_officer"])) == []
    [metrics] = care_metrics(staff["city_officer"])
    assert (metrics["program"], metrics["enrolled"]) == ("smd", 1)


def test_handover_moves_team_schedule_and_history(staff, patient):
    enrollment = enroll(staff, patient)
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="home",
                          details={"risk_level": 0, "classification": "stable"})

    handover = services.handover_create(actor=staff["officer"], enrollment=enrollment, to_org_code=Tree.CELL_B1,
                                        due_date=TODAY + datetime.timedelta(days=5), reason="move")
    services.handover_accept(actor=staff["officer_b"], handover=handover)

    enrollment.refresh_from_db()
    assert enrollment.org_code == Tree.CELL_B1
    assert enrollment.next_due_date == TODAY + datetime.timedelta(days=7)
    active = TeamMember.objects.filter(enrollment=enrollment, removed_at__isnull=True)
    assert sorted(m.role for m in active) == ["family", "officer"]
    assert access_enrollment(staff["officer_b"], enrollment.pk).visits.count() == 1
    with pytest.raises(DomainError):
        access_enrollment(staff["officer"], enrollment.pk)


def test_rejecting_a_handover_needs_a_reason(staff, patient):
    handover = services.handover_create(actor=staff["officer"], enrollment=enroll(staff, patient),
                                        to_org_code=Tree.CELL_B1, due_date=TODAY, reason="prison_release")

    with pytest.raises(DomainError):
        services.handover_reject(actor=staff["officer_b"], handover=handover, reason="")
    assert services.handover_reject(actor=staff["officer_b"], handover=handover,
                                    reason="本人实际居住地不在本辖区").status == Handover.Status.REJECTED


def test_a_missed_handover_alerts_both_sides_once(staff, patient):
    handover = services.handover_create(actor=staff["officer"], enrollment=enroll(staff, patient),
                                        to_org_code=Tree.CELL_B1, due_date=TODAY, reason="prison_release")

    assert daily.handovers_alert_missed(TODAY + datetime.timedelta(days=1)) == 1
    assert daily.handovers_alert_missed(TODAY + datetime.timedelta(days=2)) == 0
    alerted = set(Notification.objects.filter(kind="care_handover_missed").values_list("user__username", flat=True))
    assert alerted == {"officer", "officer_b"}  # never an officer above the county (statistics only)
    handover.refresh_from_db()
    assert handover.missed_alerted_at is not None


def test_children_leave_the_child_program_at_eighteen(staff, tree):
    child = PersonFactory(resident_id=make_resident_id(birth="20081124", seq=31), org_code=Tree.CELL_A1)
    younger = PersonFactory(resident_id=make_resident_id(birth="20081125", seq=32), org_code=Tree.CELL_A1)
    for person in (child, younger):
        enroll(staff, person, program="child", details={"key_child": True}, legal_basis="《未成年人保护法》")

    assert daily.exits_by_age(TODAY) == 1
    assert Enrollment.objects.get(person=child).status == "exited"
    assert Enrollment.objects.get(person=younger).status == "active"
    assert Notification.objects.filter(kind="care_exit", user=staff["officer"]).exists()


def test_records_are_anonymised_past_their_retention_date(staff, patient):
    enrollment = enroll(staff, patient, retention_until=datetime.date(2026, 11, 10))
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=START, form="home", notes="家属反映睡眠差",
                          details={"risk_level": 0, "classification": "stable"})
    services.enrollment_exit(actor=staff["officer"], enrollment=enrollment, on=TODAY, reason="迁出本市")

    assert daily.anonymise_past_retention(TODAY) == 1
    enrollment.refresh_from_db()
    visit = enrollment.visits.get()
    assert enrollment.details == {} and visit.notes == "" and visit.details == {}
    assert TeamMember.objects.get(enrollment=enrollment, role="family").name == ""


def test_treatment_subsidy_rates_and_the_sixty_day_cap(staff, patient):
    enrollment = enroll(staff, patient)

    payment = services.treatment_subsidy_record(actor=staff["officer"], enrollment=enrollment, kind="with_guardian",
                                                period_start=datetime.date(2026, 10, 1),
                                                period_end=datetime.date(2026, 10, 30), paid_on=TODAY)
    assert (payment.days, payment.amount) == (30, 3000)
    with pytest.raises(DomainError) as error:
        services.treatment_subsidy_record(actor=staff["officer"], enrollment=enrollment, kind="homeless",
                                          period_start=datetime.date(2026, 11, 1),
                                          period_end=datetime.date(2026, 12, 5), paid_on=TODAY)
    assert error.value.code == ErrorCode.CONFLICT
    assert Payment.objects.count() == 1


def test_guardian_reward_is_paid_only_when_conditions_are_met(staff, patient):
    enrollment = enroll(staff, patient)
    agreement = services.guardian_agreement_sign(actor=staff["officer"], enrollment=enrollment, guardian_name="陈母",
                                                 year=2026, annual_amount=3600, conditions="按时服药、无肇事肇祸",
                                                 signed_on=START)

    services.guardian_payment_record(actor=staff["officer"], agreement=agreement, amount=900, conditions_met=True,
                                     period_start=datetime.date(2026, 7, 1), period_end=datetime.date(2026, 9, 30),
                                     paid_on=TODAY)
    with pytest.raises(DomainError):
        services.guardian_payment_record(actor=staff["officer"], agreement=agreement, amount=900,
                                         conditions_met=False, period_start=datetime.date(2026, 10, 1),
                                         period_end=datetime.date(2026, 12, 31), paid_on=TODAY)
    with pytest.raises(DomainError):
        services.guardian_payment_record(actor=staff["officer"], agreement=agreement, amount=3000,
                                         conditions_met=True, period_start=datetime.date(2026, 10, 1),
                                         period_end=datetime.date(2026, 12, 31), paid_on=TODAY)


def test_today_counts_match_the_rows(staff, patient, tree):
    enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"})
    other = PersonFactory(org_code=Tree.CELL_A1)
    enroll(staff, other, program="elderly", details={"living_alone": True}, start_date=TODAY)

    rows = care_today_rows(staff["officer"], list(care_today_queryset(staff["officer"])), TODAY)
    counts = today_counts(Enrollment.objects.all(), TODAY)

    assert sorted(r.status for r in rows) == ["due", "not_due"]
    assert (counts["due"], counts["not_due"]) == (1, 1)


def test_screening_campaign_puts_every_household_on_a_checklist(staff, tree):
    from gridgov.care.models import CampaignItem
    from gridgov.register import services as register_services
    from gridgov.register.models import Relation, ResidenceType
    from tests.factories import make_user

    screener = make_user("scr", "screener", scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                  use="residential")
    child = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="20150101", seq=41))
    register_services.household_create(actor=screener, building=building, members=[
        register_services.MemberSpec(child, Relation.HEAD, ResidenceType.REGISTERED_HERE)])

    campaign = services.campaign_open(actor=staff["officer"], org_code=Tree.VILLAGE_A, kind="minors",
                                      title="2026下半年未成年人走访", starts_on=TODAY, due_on=TODAY)
    [item] = campaign.items.all()
    assert item.assignee == staff["gw"]

    services.campaign_item_record(actor=staff["gw"], item=item, result="referred", referred_person=child,
                                  note="父母均在外务工，由祖母照看")

    item.refresh_from_db()
    assert item.result == CampaignItem.Result.REFERRED
    assert Notification.objects.filter(kind="care_referral", user=staff["officer"]).exists()


def test_merging_duplicates_moves_enrollments(staff, patient, legacy_duplicate_people):
    from gridgov.core.services import people_merge
    from tests.factories import make_user

    enrollment = enroll(staff, patient)
    duplicate = PersonFactory(resident_id=patient.resident_id, org_code=Tree.CELL_A1)

    people_merge(actor=make_user("adm", "city_admin", scope="99"), keep=duplicate, duplicate=patient)

    enrollment.refresh_from_db()
    assert enrollment.person == duplicate


def test_a_persons_care_data_export_is_complete_and_logged(staff, patient):
    enrollment = enroll(staff, patient)
    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="phone", notes="电话随访",
                          details={"risk_level": 0, "classification": "stable"})

    export = services.person_care_export(actor=staff["officer"], person=patient, purpose="own_request")

    assert export["enrollments"][0]["visits"][0]["notes"] == "电话随访"
    assert AuditEntry.objects.get(action="person.export", person_id=patient.pk).purpose == "own_request"


def test_one_table_shows_program_badges_only_to_roles_allowed(staff, patient, tree):
    from gridgov.care.badges import care_badges

    enroll(staff, patient)
    elder = PersonFactory(org_code=Tree.CELL_A1)
    enroll(staff, elder, program="elderly", details={"living_alone": True})

    from django.utils import translation

    with translation.override("en"):
        assert care_badges(staff["doctor"], [patient.pk, elder.pk]) == {
            patient.pk: ["Severe mental disorder"], elder.pk: ["Elderly person living alone"]}
    grid_view = care_badges(staff["gw"], [patient.pk, elder.pk])
    assert patient.pk not in grid_view and elder.pk in grid_view
    assert care_badges(staff["station"], [patient.pk, elder.pk]) == {}


def test_a_missed_follow_up_records_why_without_a_new_assessment(staff, patient):
    enrollment = enroll(staff, patient)

    visit = services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=TODAY, form="home", missed=True,
                                  details={"missed_reason": "家中无人"})

    assert visit.missed and visit.next_due_date == TODAY + datetime.timedelta(days=7)
    enrollment.refresh_from_db()
    assert enrollment.last_visit_date is None


def test_a_grid_worker_records_a_contact_visit_without_an_assessment(staff, patient):
    enrollment = enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"})

    visit = services.visit_record(actor=staff["gw"], enrollment=enrollment, date=TODAY, form="home",
                                  notes="上门看望，本人在家")

    enrollment.refresh_from_db()
    assert visit.details == {} and enrollment.last_visit_date == TODAY
    assert enrollment.details["classification"] == "basically_stable"
    assert visit.next_due_date == TODAY + datetime.timedelta(days=14)
    with pytest.raises(Forbidden):
        services.visit_record(actor=staff["gw"], enrollment=enrollment, date=TODAY, form="home",
                              details={"risk_level": 0, "classification": "stable"})


def test_reentry_metrics_count_resettlement_and_employment(staff, tree):
    for index, details in enumerate(({"resettled": True, "employment": "物流公司"}, {"resettled": True},
                                     {"resettled": False})):
        person = PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19850101", seq=50 + index))
        enroll(staff, person, program="reentry", details=details, legal_basis="安置帮教工作规定")

    [row] = care_metrics(staff["officer"])

    assert (row["resettled"], row["employed"]) == (2, 1)
    assert row["resettlement_rate"] == round(2 / 3, 4)


def test_above_the_county_no_program_badges_on_the_one_table(staff, patient):
    from gridgov.care.badges import care_badges

    enroll(staff, patient)

    assert care_badges(staff["city_officer"], [patient.pk]) == {}


def test_the_audit_log_names_no_sensitive_program(staff, patient):
    enroll(staff, patient)

    entry = AuditEntry.objects.get(action="care.enroll")
    assert '"program":"***"' in entry.changes and "smd" not in entry.changes
