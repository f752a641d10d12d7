"""A household's page: members, history with masking per role, and the screener's edit forms."""

import datetime

import pytest
from django.urls import reverse

from gridgov.core.models import Person
from gridgov.register import services
from gridgov.register.models import FieldChange, Membership, Relation, ResidenceType
from tests.factories import make_resident_id
from tests.register_views.conftest import head_of, person

YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


def url(household, name="register-household"):
    return reverse(name, args=[household.pk])


def test_the_page_shows_members_and_the_history(login, worker, household):
    response = login(worker).get(url(household))

    body = response.content.decode()
    assert response.status_code == 200
    assert "张大山" in body and "Head of household" in body and "幸福路 8 号" in body
    assert 'id="history"' in body and "周审核" in body  # the screener created it


def test_former_members_show_their_dates_and_reason(login, worker, screener, household):
    spouse = household.memberships.get(relation=Relation.SPOUSE)
    services.member_leave(actor=screener, membership=spouse, on=YESTERDAY)

    body = login(worker).get(url(household)).content.decode()

    former = body[body.index('id="former-members"'):]
    assert "李小花" in former and YESTERDAY.isoformat() in former and "Moved out" in former


def test_station_staff_see_the_household_and_its_history_masked(login, screener, station, household):
    head = head_of(household).person
    services.person_change_contact(actor=screener, person=head, phone="13700001234", address="和平路 9 号 3 室")

    body = login(station).get(url(household)).content.decode()

    assert "张大山" not in body and "张**" in body
    assert "1单元101" not in body
    assert "和平路 9 号 3 室" not in body and "13700001234" not in body and "137******34" in body


def test_grid_worker_sees_names_and_addresses_in_the_history_but_masked_phones(login, screener, worker, household):
    head = head_of(household).person
    services.person_change_contact(actor=screener, person=head, phone="13700001234", address="和平路 9 号 3 室")

    body = login(worker).get(url(household)).content.decode()
    history = body[body.index('id="history"'):]

    assert "和平路 9 号 3 室" in history and "137******34" in history and "13700001234" not in history


def test_edit_forms_are_only_for_register_editors(login, worker, screener, household):
    assert "Record a change" not in login(worker).get(url(household)).content.decode()
    assert "Record a change" in login(screener).get(url(household)).content.decode()
    response = login(worker).post(url(household, "register-death"),
                                  {"death-person": head_of(household).person_id, "death-died_on": YESTERDAY})
    assert response.status_code == 403


def test_screener_records_a_move_out(login, screener, household):
    spouse = household.memberships.get(relation=Relation.SPOUSE)

    response = login(screener).post(url(household, "register-member-leave"), {
        "leave-membership": spouse.pk, "leave-on": YESTERDAY.isoformat(), "leave-reason": "moved_out"})

    spouse.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == url(household)
    assert not spouse.is_current and spouse.moved_out_on == YESTERDAY
    assert FieldChange.objects.filter(object_type="register.membership", object_id=spouse.pk,
                                      field="moved_out_on").exists()


def test_a_move_out_before_the_move_in_re_renders_the_form_with_the_message(login, screener, household):
    spouse = household.memberships.get(relation=Relation.SPOUSE)

    response = login(screener).post(url(household, "register-member-leave"), {
        "leave-membership": spouse.pk, "leave-on": "2000-01-01", "leave-reason": "moved_out"})

    spouse.refresh_from_db()
    assert response.status_code == 400
    assert "The move-out date is before the move-in date." in response.content.decode()
    assert 'id="form-leave" open' in response.content.decode()
    assert spouse.is_current


def test_screener_records_a_death(login, screener, household):
    head = head_of(household)

    login(screener).post(url(household, "register-death"),
                         {"death-person": head.person_id, "death-died_on": YESTERDAY.isoformat()})

    head.refresh_from_db()
    assert head.person.died_on == YESTERDAY and head.leave_reason == "died" and not head.is_current


def test_screener_adds_a_registered_person_found_by_resident_id(login, screener, household):
    lodger = person(name="王租客", resident_id=make_resident_id(birth="19900101"))

    response = login(screener).post(url(household, "register-member-add"), {
        "add-resident_id": lodger.resident_id, "add-relation": "non_relative", "add-residence_type": "moved_in"})

    assert response.status_code == 302
    assert Membership.objects.get(person=lodger, is_current=True).household == household


def test_screener_registers_and_adds_a_new_person(login, screener, household):
    new_id = make_resident_id(birth="20230505")

    login(screener).post(url(household, "register-member-add"), {
        "add-resident_id": new_id, "add-name": "张小宝", "add-relation": "child",
        "add-residence_type": "registered_here"})

    baby = Person.objects.get(name="张小宝")
    assert Membership.objects.get(person=baby).household == household and baby.org_code == household.org_code


def test_adding_a_second_head_is_refused_and_registers_nobody(login, screener, household):
    new_id = make_resident_id(birth="19700101")

    response = login(screener).post(url(household, "register-member-add"), {
        "add-resident_id": new_id, "add-name": "赵新", "add-relation": "head", "add-residence_type": "moved_in"})

    assert response.status_code == 409
    assert "This household already has a head." in response.content.decode()
    assert not Person.objects.filter(name="赵新").exists()


def test_an_unknown_resident_id_without_a_name_asks_for_the_name(login, screener, household):
    response = login(screener).post(url(household, "register-member-add"), {
        "add-resident_id": make_resident_id(), "add-relation": "child", "add-residence_type": "moved_in"})

    assert response.status_code == 400 and "give the name to register them" in response.content.decode()


def test_screener_changes_a_relation(login, screener, household):
    spouse = household.memberships.get(relation=Relation.SPOUSE)

    login(screener).post(url(household, "register-member-update"), {
        "update-membership": spouse.pk, "update-relation": "other_relative",
        "update-residence_type": ResidenceType.REGISTERED_AWAY})

    spouse.refresh_from_db()
    assert (spouse.relation, spouse.residence_type) == ("other_relative", ResidenceType.REGISTERED_AWAY)


def test_a_household_outside_the_area_is_not_found(login, tree, screener, household):
    from gridgov.core.models import Role
    from tests.factories import Tree, make_user

    elsewhere = make_user("gwb", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1])

    assert login(elsewhere).get(url(household)).status_code == 404
    assert login(elsewhere).get(reverse("register-household", args=[999999])).status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_household_page_query_count(login, screener, building, django_assert_num_queries, n):
    members = [services.MemberSpec(person(), Relation.HEAD, ResidenceType.REGISTERED_HERE)] + [
        services.MemberSpec(person(), Relation.CHILD, ResidenceType.REGISTERED_HERE) for _ in range(n - 1)]
    household = services.household_create(actor=screener, building=building, members=members)
    for spec in members[1:]:
        services.person_change_contact(actor=screener, person=spec.person, phone="13700001234")
    client = login(screener)

    # session, user, roles, the header's scope; the household with its building and unit, its
    # current members, all its memberships, their history; the name path of its grid cell
    with django_assert_num_queries(5 + 5):
        response = client.get(url(household))

    assert len(response.context["current"]) == n and len(response.context["history"]) >= n
