import datetime

import pytest

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import Person, Role
from gridgov.register import rounds
from gridgov.register.models import ChecklistItem, FieldChange, Membership, ProposedEdit, Relation, RoundSchedule
from gridgov.register.selectors import checklist_for, round_progress, sign_off_queue
from tests.factories import Tree, make_resident_id, make_user

TODAY = datetime.date.today()
S = ChecklistItem.Status


@pytest.fixture
def update_round(screener, household):
    return rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="11月下半月", starts_on=TODAY,
                             due_on=TODAY + datetime.timedelta(days=10))


@pytest.fixture
def item(update_round):
    return update_round.items.get()


def test_opening_a_round_puts_each_household_on_its_grid_workers_checklist(grid_worker, update_round):
    assert [i.assignee for i in update_round.items.all()] == [grid_worker]
    assert list(checklist_for(grid_worker, update_round)) == list(update_round.items.all())


def test_a_second_open_round_for_the_same_area_is_refused(screener, update_round):
    with pytest.raises(DomainError) as error:
        rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="x", starts_on=TODAY, due_on=TODAY)

    assert error.value.code == ErrorCode.CONFLICT


def test_grid_worker_confirms_an_unchanged_household(grid_worker, item):
    rounds.item_confirm_unchanged(actor=grid_worker, item=item)

    item.refresh_from_db()
    assert item.status == S.UNCHANGED


def test_proposed_change_is_applied_only_after_sign_off(grid_worker, screener, item, household):
    head = household.memberships.get(relation=Relation.HEAD).person

    [edit] = rounds.item_propose_edits(actor=grid_worker, item=item, edits=[
        {"kind": "person_contact", "target": head.pk, "values": {"phone": "13700001234"}}])

    head.refresh_from_db()
    assert head.phone != "13700001234"
    assert list(sign_off_queue(screener)) == [edit]

    rounds.edit_decide(actor=screener, edit=edit, approve=True)

    head.refresh_from_db()
    item.refresh_from_db()
    change = FieldChange.objects.get(object_type="core.person", field="phone")
    assert head.phone == "13700001234"
    assert item.status == S.SIGNED_OFF
    assert (change.changed_by, change.approved_by, change.source) == (grid_worker, screener, "round")


def test_rejected_change_returns_the_item_with_a_reason(grid_worker, screener, item, household):
    [edit] = rounds.item_propose_edits(actor=grid_worker, item=item, edits=[
        {"kind": "household", "target": household.pk, "values": {"address": "错误地址"}}])

    with pytest.raises(DomainError):
        rounds.edit_decide(actor=screener, edit=edit, approve=False)
    rounds.edit_decide(actor=screener, edit=edit, approve=False, note="地址与门牌不符")

    household.refresh_from_db()
    item.refresh_from_db()
    assert household.address != "错误地址"
    assert item.status == S.RETURNED


def test_new_member_proposed_in_a_round_is_registered_at_sign_off(grid_worker, screener, item, household):
    baby_id = make_resident_id(birth=TODAY.strftime("%Y%m%d"))
    [edit] = rounds.item_propose_edits(actor=grid_worker, item=item, edits=[{
        "kind": "member_add", "values": {
            "new_person": {"name": "张小宝", "resident_id": baby_id},
            "relation": "child", "residence_type": "registered_here", "moved_in_on": TODAY.isoformat()}}])

    rounds.edit_decide(actor=screener, edit=edit, approve=True)

    baby = Person.objects.get(name="张小宝")
    assert Membership.objects.get(person=baby).household == household


def test_malformed_proposals_change_nothing(grid_worker, item):
    with pytest.raises(DomainError) as error:
        rounds.item_propose_edits(actor=grid_worker, item=item, edits=[
            {"kind": "person_contact", "target": 999999, "values": {"phone": "1"}},
            {"kind": "horoscope", "values": {"x": 1}}])

    assert set(error.value.fields) == {"edits.0", "edits.1"}
    assert ProposedEdit.objects.count() == 0
    item.refresh_from_db()
    assert item.status == S.PENDING


def test_screener_cannot_sign_off_their_own_proposal(tree, item, household):
    both = make_user("both", Role.GRID_WORKER, Role.SCREENER, scope=Tree.VILLAGE_A, cells=[Tree.CELL_A1])
    [edit] = rounds.item_propose_edits(actor=both, item=item, edits=[
        {"kind": "household", "target": household.pk, "values": {"address": "新地址"}}])

    with pytest.raises(Forbidden):
        rounds.edit_decide(actor=both, edit=edit, approve=True)


def test_progress_per_grid_cell(grid_worker, screener, update_round, item):
    rounds.item_confirm_unchanged(actor=grid_worker, item=item)

    [progress] = round_progress(screener, update_round, level_length=15)

    assert (progress.org_code, progress.total, progress.done, progress.percent) == (Tree.CELL_A1, 1, 1, 100)


def test_round_cannot_close_with_changes_awaiting_sign_off(grid_worker, screener, update_round, item, household):
    rounds.item_propose_edits(actor=grid_worker, item=item, edits=[
        {"kind": "household", "target": household.pk, "values": {"address": "新地址"}}])

    with pytest.raises(DomainError):
        rounds.round_close(actor=screener, update_round=update_round)


def test_scheduled_rounds_open_every_half_month(household):
    RoundSchedule.objects.create(org_code=Tree.VILLAGE_A, every_days=15)

    first = rounds.rounds_open_due(today=TODAY)
    again = rounds.rounds_open_due(today=TODAY + datetime.timedelta(days=20))

    assert len(first) == 1 and first[0].items.count() == 1
    assert again == []  # the first round is still open


def test_the_daily_command_opens_due_rounds(household, capsys):
    from django.core.management import call_command

    RoundSchedule.objects.create(org_code=Tree.VILLAGE_A, every_days=15)

    call_command("register_rounds")

    assert "1 round(s) opened." in capsys.readouterr().out
