"""Care teams as the law sets them (issue 11): the police liaison's place and what it sees, the
high-risk case's full team with two-way confirmation, a family member's confirmation recorded
by the team, and a risk rise asking everyone to confirm again."""

import datetime
import json

import pytest

from gridgov.care import selectors, services, teams
from gridgov.care.models import TeamMember
from gridgov.care.services import TeamSpec
from gridgov.core.exceptions import DomainError, Forbidden, NotFound
from gridgov.core.models import AuditEntry, Notification, Role
from tests.care.conftest import START, enroll
from tests.factories import PersonFactory, Tree, make_user


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield

pytestmark = pytest.mark.django_db

UNSTABLE = {"risk_level": 3, "classification": "unstable"}
STABLE = {"risk_level": 0, "classification": "stable"}


@pytest.fixture
def police(tree):
    return make_user("police", Role.POLICE_LIAISON, scope=Tree.TOWNSHIP_A)


@pytest.fixture
def psychiatrist(tree):
    return make_user("psy", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)


def full_team(staff, police, psychiatrist):
    return [TeamSpec(role="grid_worker", user=staff["gw"]), TeamSpec(role="police_liaison", user=police),
            TeamSpec(role="psychiatrist", user=psychiatrist), TeamSpec(role="family", name="陈母", contact="13800001111")]


def confirm_all(enrollment, *, by):
    for member in enrollment.team.filter(removed_at__isnull=True):
        if member.user_id:
            services.team_acknowledge(actor=member.user, enrollment=enrollment)
        else:
            teams.team_confirm_on_behalf(actor=by, member=member, how="phone")


# --- The police liaison's place on a team ------------------------------------------------------------


def test_a_police_liaison_member_must_hold_the_police_liaison_role(staff, patient, police):
    with pytest.raises(DomainError) as error:
        enroll(staff, patient, details=UNSTABLE, team=[TeamSpec(role="police_liaison", user=staff["doctor"])])
    assert "police-liaison role" in error.value.fields["team.0"][0]

    enrollment = enroll(staff, patient, details=UNSTABLE, team=[TeamSpec(role="police_liaison", user=police)])
    assert enrollment.team.get().user == police


def test_a_police_account_joins_only_as_police_liaison_and_never_by_name_alone(staff, patient, police):
    with pytest.raises(DomainError) as error:
        enroll(staff, patient, team=[TeamSpec(role="doctor", user=police)])
    assert "only as its police liaison" in error.value.fields["team.0"][0]
    with pytest.raises(DomainError) as error:
        enroll(staff, patient, team=[TeamSpec(role="police_liaison", name="王警官")])
    assert "with their account" in error.value.fields["team.0"][0]

    enrollment = enroll(staff, patient)
    with pytest.raises(DomainError):
        services.team_member_add(actor=staff["officer"], enrollment=enrollment,
                                 member=TeamSpec(role="grid_worker", user=police))


def test_the_police_liaison_sees_only_the_cases_of_its_teams_and_no_health_details(staff, patient, police):
    mine = enroll(staff, patient, details={**UNSTABLE, "diagnosis": "精神分裂症"},
                  team=[TeamSpec(role="police_liaison", user=police), TeamSpec(role="grid_worker", user=staff["gw"])])
    # Another case in the same township and cell, not on its team.
    other = enroll(staff, PersonFactory(org_code=Tree.CELL_A1), details=UNSTABLE)

    assert list(selectors.enrollments_visible_to(police)) == [mine]
    assert selectors.access_enrollment(police, mine.pk) == mine
    with pytest.raises(NotFound):
        selectors.access_enrollment(police, other.pk)
    assert not selectors.may_see_details(police, mine)
    assert selectors.program_label(police, mine) == "***"
    # No area numbers, no people lists.
    with pytest.raises(Forbidden):
        selectors.enrollments_in_scope(police)


def test_the_police_liaison_may_not_list_a_sensitive_program(staff, patient, police):
    enroll(staff, patient, team=[TeamSpec(role="police_liaison", user=police)], details=UNSTABLE)
    with pytest.raises(Forbidden):
        selectors.enrollments_list(police, program="smd")


def test_once_removed_from_the_team_the_police_liaison_no_longer_sees_the_case(staff, patient, police):
    enrollment = enroll(staff, patient, team=[TeamSpec(role="police_liaison", user=police)], details=UNSTABLE)
    services.team_member_remove(actor=staff["officer"], member=enrollment.team.get(user=police))
    with pytest.raises(NotFound):
        selectors.access_enrollment(police, enrollment.pk)
    assert not selectors.enrollments_visible_to(police).exists()


def test_a_member_who_leaves_the_team_no_longer_reads_the_persons_name_in_old_notifications(staff, patient, police):
    from gridgov.care import alerts

    enrollment = enroll(staff, patient, team=[TeamSpec(role="police_liaison", user=police)], details=UNSTABLE)
    alerts.to_users([police, staff["officer"]], kind="care_crisis", text="%(person)s needs help.", params={},
                    enrollment=enrollment)
    told = Notification.objects.filter(user=police, subject_type="care.enrollment")
    assert any(patient.name in n.text for n in told)

    services.team_member_remove(actor=staff["officer"], member=enrollment.team.get(user=police))

    after = Notification.objects.filter(user=police, subject_type="care.enrollment")
    assert after.count() == told.count() and not any(patient.name in n.text for n in after)
    assert all(n.text == "(about a record you no longer have access to)" for n in after)
    # the officer, who still may open the case, keeps what it was told
    assert any(patient.name in n.text for n in Notification.objects.filter(user=staff["officer"]))


def test_the_police_liaison_records_a_contact_visit_where_the_program_allows_it(staff, patient, police):
    smd = enroll(staff, patient, team=[TeamSpec(role="police_liaison", user=police)], details=UNSTABLE)
    visit = services.visit_record(actor=police, enrollment=smd, date=START + datetime.timedelta(days=3), form="home",
                                  notes="上门见到本人")
    assert visit.visited_by == police
    with pytest.raises(Forbidden):  # a contact visit, never an assessment
        services.visit_record(actor=police, enrollment=smd, date=START + datetime.timedelta(days=4), form="home",
                              details=STABLE)

    child = enroll(staff, PersonFactory(org_code=Tree.CELL_A1, birth_date=datetime.date(2015, 3, 1)),
                   program="child", details={"key_child": True, "situation": "left_behind"},
                   team=[TeamSpec(role="police_liaison", user=police)])
    with pytest.raises(Forbidden):
        services.visit_record(actor=police, enrollment=child, date=START + datetime.timedelta(days=3), form="home")


def test_the_police_liaison_reports_a_crisis_of_its_case(staff, patient, police):
    enrollment = enroll(staff, patient, details=UNSTABLE,
                        team=[TeamSpec(role="police_liaison", user=police), TeamSpec(role="grid_worker", user=staff["gw"])])
    crisis = services.crisis_report(actor=police, enrollment=enrollment, description="持刀威胁", reported_by="police")
    assert sorted(crisis.alerted) == ["gw", "police"]


# --- The high-risk case's full team ------------------------------------------------------------------


def test_a_high_risk_case_with_an_incomplete_team_is_not_managed(staff, patient):
    enrollment = enroll(staff, patient, details=UNSTABLE)  # grid worker, doctor, family: no police liaison
    confirm_all(enrollment, by=staff["officer"])

    state = teams.team_state(enrollment, list(enrollment.team.all()))
    assert state.missing == ("police liaison",) and not state.waiting and not state.managed
    assert list(selectors.high_risk_unconfirmed_for(staff["officer"])) == [enrollment]


def test_a_high_risk_case_is_managed_once_the_full_team_has_confirmed(staff, patient, police, psychiatrist):
    enrollment = enroll(staff, patient, details=UNSTABLE, team=full_team(staff, police, psychiatrist))
    assert list(selectors.high_risk_unconfirmed_for(staff["officer"])) == [enrollment]
    assert list(selectors.high_risk_unconfirmed_for(police)) == [enrollment]

    confirm_all(enrollment, by=police)

    assert teams.team_state(enrollment, list(enrollment.team.all())).managed
    assert not selectors.high_risk_unconfirmed_for(staff["officer"]).exists()
    assert not selectors.high_risk_unconfirmed_for(police).exists()


def test_a_case_not_high_risk_needs_no_full_team(staff, patient):
    enroll(staff, patient, details=STABLE)
    assert not selectors.high_risk_unconfirmed_for(staff["officer"]).exists()


def test_the_metrics_count_an_unconfirmed_high_risk_case_as_not_managed(staff, patient, police, psychiatrist):
    enrollment = enroll(staff, patient, details=UNSTABLE, team=full_team(staff, police, psychiatrist),
                        start_date=datetime.date.today())
    rows = {r["program"]: r for r in selectors.care_metrics(staff["officer"])}
    assert rows["smd"]["overdue"] == 0 and rows["smd"]["management_rate"] == 0.0

    confirm_all(enrollment, by=staff["officer"])
    rows = {r["program"]: r for r in selectors.care_metrics(staff["officer"])}
    assert rows["smd"]["management_rate"] == 1.0


# --- A family member's confirmation, recorded by the team ---------------------------------------------


def test_a_team_member_records_the_family_members_confirmation_and_how(staff, patient, police, psychiatrist):
    enrollment = enroll(staff, patient, details=UNSTABLE, team=full_team(staff, police, psychiatrist))
    family = enrollment.team.get(role="family")

    teams.team_confirm_on_behalf(actor=staff["gw"], member=family, how="in_person")

    family.refresh_from_db()
    assert family.acknowledged_at is not None
    assert (family.acknowledged_by, family.acknowledged_how) == (staff["gw"], "in_person")
    entry = AuditEntry.objects.filter(action="care.acknowledge_on_behalf").get()
    assert json.loads(entry.changes) == {"member": family.pk, "role": "family", "how": "in_person"}
    with pytest.raises(DomainError) as error:
        teams.team_confirm_on_behalf(actor=staff["gw"], member=family, how="phone")
    assert error.value.code == "conflict"


def test_only_the_team_or_the_officer_records_a_confirmation_and_only_for_family(staff, patient, police, psychiatrist):
    enrollment = enroll(staff, patient, details=UNSTABLE, team=full_team(staff, police, psychiatrist))
    family = enrollment.team.get(role="family")
    with pytest.raises(Forbidden):
        teams.team_confirm_on_behalf(actor=staff["gw_other"], member=family, how="phone")
    with pytest.raises(DomainError):
        teams.team_confirm_on_behalf(actor=staff["officer"], member=enrollment.team.get(user=police), how="phone")
    with pytest.raises(DomainError) as error:
        teams.team_confirm_on_behalf(actor=staff["officer"], member=family, how="telepathy")
    assert "how" in error.value.fields
    teams.team_confirm_on_behalf(actor=staff["officer"], member=family, how="in_writing")


# --- A visit raising the risk ----------------------------------------------------------------------


def test_a_visit_raising_the_risk_to_3_asks_every_member_to_confirm_again(staff, patient, police, psychiatrist):
    enrollment = enroll(staff, patient, details={"risk_level": 1, "classification": "basically_stable"},
                        team=full_team(staff, police, psychiatrist))
    confirm_all(enrollment, by=staff["officer"])
    assert not enrollment.high_risk

    services.visit_record(actor=psychiatrist, enrollment=enrollment, date=START + datetime.timedelta(days=5),
                          form="home", details={"risk_level": 4, "classification": "unstable"})

    enrollment.refresh_from_db()
    assert enrollment.high_risk
    assert not TeamMember.objects.filter(enrollment=enrollment, acknowledged_at__isnull=False).exists()
    assert set(Notification.objects.filter(kind="care_reconfirm").values_list("user__username", flat=True)) == {
        "gw", "police", "psy"}
    assert list(selectors.high_risk_unconfirmed_for(staff["officer"])) == [enrollment]
    assert json.loads(AuditEntry.objects.filter(action="care.reconfirm").get().changes) == {"reset": 4}


def test_a_visit_keeping_or_lowering_the_risk_keeps_the_confirmations(staff, patient, police, psychiatrist):
    enrollment = enroll(staff, patient, details={"risk_level": 4, "classification": "unstable"},
                        team=full_team(staff, police, psychiatrist))
    confirm_all(enrollment, by=staff["officer"])
    for day, level in ((3, 4), (6, 3)):
        services.visit_record(actor=psychiatrist, enrollment=enrollment, date=START + datetime.timedelta(days=day),
                              form="home", details={"risk_level": level, "classification": "unstable"})
    assert not TeamMember.objects.filter(enrollment=enrollment, acknowledged_at__isnull=True).exists()
    assert not Notification.objects.filter(kind="care_reconfirm").exists()
