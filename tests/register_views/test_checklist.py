"""The grid worker's phone checklist and the screener's sign-off queue."""

import pytest
from django.urls import reverse

from gridgov.register import rounds
from gridgov.register.models import ChecklistItem, ProposedEdit
from tests.register_views.conftest import head_of, make_households

S = ChecklistItem.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


def propose_phone(client, item, person, phone="13700001234", **extra):
    prefix = f"person_contact-{item.pk}"
    return client.post(reverse("register-item-propose", args=[item.pk]),
                       {"kind": "person_contact", f"{prefix}-target": person.pk, f"{prefix}-phone": phone}, **extra)


def test_the_checklist_lists_the_workers_households(login, worker, item):
    response = login(worker).get(reverse("register-checklist", args=[item.round_id]))

    assert response.status_code == 200
    assert [row["item"] for row in response.context["rows"]] == [item]
    assert f'id="item-{item.pk}"' in response.content.decode()


def test_opening_an_item_shows_the_household_and_the_forms(login, worker, item):
    response = login(worker).get(reverse("register-item", args=[item.pk]), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "张大山" in body and "李小花" in body
    assert "No change" in body and 'name="kind" value="person_contact"' in body
    assert "<html" not in body  # a partial


def test_grid_worker_confirms_a_household_unchanged(login, worker, item):
    # when
    response = login(worker).post(reverse("register-item-unchanged", args=[item.pk]), **HTMX)

    # then
    item.refresh_from_db()
    assert response.status_code == 200
    assert item.status == S.UNCHANGED
    assert "Checked: no change." in response.content.decode()


def test_a_phone_change_is_proposed_then_signed_off_and_kept_in_the_history(login, worker, screener, item,
                                                                            household):
    head = head_of(household).person
    worker_client, screener_client = login(worker), login(screener)

    # when the grid worker proposes a new phone number on the phone page
    response = propose_phone(worker_client, item, head, **HTMX)

    # then nothing changes yet, and the item awaits sign-off
    head.refresh_from_db()
    item.refresh_from_db()
    assert response.status_code == 200
    assert "Proposed: a screener will sign it off." in response.content.decode()
    assert head.phone == "13912345678" and item.status == S.PROPOSED
    edit = ProposedEdit.objects.get()

    # when the screener opens the queue, the change reads "field: old → new"
    queue = screener_client.get(reverse("register-signoff")).content.decode()
    assert "Mobile phone" in queue and "139******78" in queue and "13700001234" in queue and "张大山" in queue

    # and approves it (the row is swapped in place)
    decided = screener_client.post(reverse("register-edit-decide", args=[edit.pk]),
                                   {f"decide-{edit.pk}-decision": "approve"}, **HTMX)

    # then the change is applied, signed off, and in the household's history with both names
    head.refresh_from_db()
    item.refresh_from_db()
    assert decided.status_code == 200 and "Approved by 周审核." in decided.content.decode()
    assert head.phone == "13700001234" and item.status == S.SIGNED_OFF
    page = screener_client.get(reverse("register-household", args=[household.pk])).content.decode()
    history = page[page.index('id="history"'):]
    assert "李网格" in history and "周审核" in history and "Update round (signed off)" in history
    assert "137******34" in history and "13700001234" not in history  # phones stay masked in history


def test_a_returned_change_goes_back_to_the_worker_with_the_reason(login, worker, screener, item, household):
    head = head_of(household).person
    propose_phone(login(worker), item, head)
    edit = ProposedEdit.objects.get()
    client = login(screener)

    # a return without a reason is refused, and changes nothing
    refused = client.post(reverse("register-edit-decide", args=[edit.pk]),
                          {f"decide-{edit.pk}-decision": "return"}, **HTMX)
    edit.refresh_from_db()
    assert refused.status_code == 400 and "A reason is required." in refused.content.decode()
    assert edit.status == ProposedEdit.Status.PROPOSED

    # with a reason
    returned = client.post(reverse("register-edit-decide", args=[edit.pk]),
                           {f"decide-{edit.pk}-decision": "return", f"decide-{edit.pk}-note": "号码打不通"}, **HTMX)

    item.refresh_from_db()
    head.refresh_from_db()
    assert returned.status_code == 200 and "号码打不通" in returned.content.decode()
    assert item.status == S.RETURNED and head.phone == "13912345678"
    # the worker sees the reason when opening the household again
    body = login(worker).get(reverse("register-item", args=[item.pk]), **HTMX).content.decode()
    assert "Returned: 号码打不通" in body


def test_screeners_cannot_sign_off_their_own_proposals(login, tree, item, household):
    from gridgov.core.models import Role
    from tests.factories import make_user

    both = make_user("both", Role.GRID_WORKER, Role.SCREENER, scope=tree.CELL_A1, cells=[tree.CELL_A1])
    rounds.item_propose_edits(actor=both, item=item, edits=[
        {"kind": "household", "values": {"address": "幸福路 8 号 1单元101室"}}])
    edit = ProposedEdit.objects.get()
    client = login(both)

    # the queue shows why there is no button
    queue = client.get(reverse("register-signoff")).content.decode()
    assert "Someone else must sign off your own proposals." in queue
    assert f'action="{reverse("register-edit-decide", args=[edit.pk])}"' not in queue

    # and the service refuses a forged request, with its message
    response = client.post(reverse("register-edit-decide", args=[edit.pk]), {f"decide-{edit.pk}-decision": "approve"})
    edit.refresh_from_db()
    assert response.status_code == 403 and "Someone else must sign off your own proposals." in response.content.decode()
    assert edit.status == ProposedEdit.Status.PROPOSED


def test_a_new_member_proposal_by_resident_id_registers_them_at_sign_off(login, worker, screener, item, household):
    from gridgov.core.models import Person
    from tests.factories import make_resident_id

    baby_id = make_resident_id(birth="20240301")
    prefix = f"member_add-{item.pk}"
    data = {"kind": "member_add", f"{prefix}-resident_id": baby_id, f"{prefix}-relation": "child",
            f"{prefix}-residence_type": "registered_here"}
    client = login(worker)

    # without a name, an unknown resident ID is refused
    refused = client.post(reverse("register-item-propose", args=[item.pk]), data, **HTMX)
    assert refused.status_code == 400 and "give the name" in refused.content.decode()
    assert not ProposedEdit.objects.exists()

    # with a name it is proposed, then registered when signed off
    client.post(reverse("register-item-propose", args=[item.pk]), {**data, f"{prefix}-name": "张小宝"}, **HTMX)
    edit = ProposedEdit.objects.get()
    login(screener).post(reverse("register-edit-decide", args=[edit.pk]), {f"decide-{edit.pk}-decision": "approve"})

    baby = Person.objects.get(name="张小宝")
    assert household.memberships.filter(person=baby, is_current=True).exists()


def test_an_invalid_proposal_re_renders_the_item_with_the_error(login, worker, item, household):
    head = head_of(household).person

    response = propose_phone(login(worker), item, head, phone="12345", **HTMX)

    assert response.status_code == 400
    assert "Enter an 11-digit mainland mobile number" in response.content.decode()
    assert not ProposedEdit.objects.exists()


def test_without_htmx_a_proposal_redirects_back_to_the_checklist(login, worker, item, household):
    response = propose_phone(login(worker), item, head_of(household).person)

    assert response.status_code == 302
    assert response["Location"] == reverse("register-checklist", args=[item.round_id]) + f"#item-{item.pk}"


def test_other_workers_cannot_see_or_change_the_item(login, tree, item, household, county_b_worker=None):
    from gridgov.core.models import Role
    from tests.factories import Tree, make_user

    other = make_user("gw2", Role.GRID_WORKER, scope=Tree.CELL_A2, cells=[Tree.CELL_A2])
    client = login(other)

    assert client.get(reverse("register-item", args=[item.pk])).status_code == 404
    assert propose_phone(client, item, head_of(household).person).status_code == 404
    assert client.post(reverse("register-item-unchanged", args=[item.pk])).status_code == 404


def test_station_staff_may_not_sign_off(login, station, item):
    assert login(station).get(reverse("register-signoff")).status_code == 403


def test_the_status_filter_narrows_the_checklist(login, worker, screener, building, item):
    make_households(screener, building, 2)  # after the round opened: not on it
    rounds.item_confirm_unchanged(actor=worker, item=item)
    client = login(worker)

    pending = client.get(reverse("register-checklist", args=[item.round_id]), {"status": "pending"})
    unchanged = client.get(reverse("register-checklist", args=[item.round_id]), {"status": "unchanged"})

    assert pending.context["rows"] == []
    assert [r["item"] for r in unchanged.context["rows"]] == [item]


# --- Query counts -------------------------------------------------------------------------------

# session, user, the user's roles, the scope's name for the header, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_checklist_query_count(login, worker, screener, building, django_assert_num_queries, n):
    import datetime

    make_households(screener, building, n)
    update_round = rounds.round_open(actor=screener, org_code=worker.scope_code[:12], title="r",
                                     starts_on=datetime.date.today(), due_on=datetime.date.today())
    client = login(worker)

    # the round, the page of items with their households, the counts per status
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("register-checklist", args=[update_round.pk]))

    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_checklist_partial_query_count(login, worker, screener, building, django_assert_num_queries, n):
    import datetime

    make_households(screener, building, n)
    update_round = rounds.round_open(actor=screener, org_code=worker.scope_code[:12], title="r",
                                     starts_on=datetime.date.today(), due_on=datetime.date.today())
    client = login(worker)

    # no header in a partial: session, user, roles, then the same three
    with django_assert_num_queries(6):
        response = client.get(reverse("register-checklist", args=[update_round.pk]), {"status": "pending"},
                              HTTP_HX_REQUEST="true", HTTP_HX_TARGET="checklist-results")

    assert response.content.decode().count('class="checklist-item') == n


@pytest.mark.parametrize("n", [3, 30])
def test_sign_off_queue_query_count(login, worker, screener, second_screener, building, django_assert_num_queries,
                                    n):
    import datetime

    households = make_households(screener, building, n)
    update_round = rounds.round_open(actor=screener, org_code=worker.scope_code[:12], title="r",
                                     starts_on=datetime.date.today(), due_on=datetime.date.today())
    for index, item in enumerate(update_round.items.select_related("household").order_by("id")):
        head = head_of(item.household)
        kind = index % 3
        edit = ([{"kind": "person_contact", "target": head.person_id, "values": {"phone": "13700001234"}}],
                [{"kind": "member_update", "target": head.pk, "values": {"residence_type": "moved_in"}}],
                [{"kind": "household", "values": {"address": f"新地址 {index}"}}])[kind]
        rounds.item_propose_edits(actor=worker, item=item, edits=edit)
    assert len(households) == n
    client = login(second_screener)

    # the page of edits with households, rounds and proposers; the people; the memberships
    with django_assert_num_queries(BASE + 3):
        response = client.get(reverse("register-signoff"))

    assert len(response.context["rows"]) == n
