"""The province seed through COPY (issue 12), run small: the rows it writes are the rows the
app reads (found by ID number and by name, households, the event pages, care), in the
counts of the plan, and the ORM can insert after them."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gridgov.care.models import Enrollment, TeamMember, Visit
from gridgov.core import crypto
from gridgov.core.models import Person, PersonNameToken, User
from gridgov.core.selectors import may_search_identifiers, people_by_identifier, people_search, people_visible_to
from gridgov.demo.generator import DEMO_ACCOUNTS, seed_demo
from gridgov.demo.province import EVENTS_PER_PERSON, planned_bulk_counts, province_plan
from gridgov.events.models import Event, TimelineEntry
from gridgov.register.models import Household, Membership

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY seed is PostgreSQL's")
FRACTION = 0.002


@pytest.fixture
def province():
    with translation.override("en"):
        result = seed_demo(scale="province", password="demo-pass-123", seed=1, fraction=FRACTION)
    return result


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_plan_keeps_the_province_proportions():
    full = province_plan(seed=1)
    counts = {**full.counts(), **planned_bulk_counts(full)}
    assert counts["grid_cells"] >= 20_000
    assert counts["people"] >= 5_000_000
    assert counts["events"] >= 3_000_000
    assert counts["enrollments"] >= 300_000
    small = planned_bulk_counts(province_plan(seed=1, fraction=FRACTION))
    assert small["events"] == round(small["people"] * EVENTS_PER_PERSON)


@needs_postgresql
@pytest.mark.django_db
def test_copied_rows_are_what_the_app_reads_in_their_months(province):
    # One test: the seed is most of its time (~35 s).
    plan = province.plan
    planned = planned_bulk_counts(plan)
    bulk_people = Person.objects.count()
    assert bulk_people == planned["people"]
    assert Membership.objects.count() == bulk_people
    # The bulk events and enrollments, plus the hand-made working day's through the services.
    assert Event.objects.count() >= planned["events"]
    assert Enrollment.objects.count() >= planned["enrollments"]
    assert Visit.objects.exists() and TeamMember.objects.exists()

    admin = User.objects.get(username="admin")
    opener = next(u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).order_by("id")
                  if may_search_identifiers(u))
    person = people_visible_to(opener).order_by("-id")[0]  # written by COPY (the ORM writes no people here)
    # The app's own lookup by ID number (blind index) and its name search (name index).
    assert list(people_by_identifier(opener, kind="resident_id", value=person.resident_id)) == [person]
    assert person in people_search(admin, query=person.name)
    assert PersonNameToken.objects.filter(person=person).exists()
    assert person.phone_index == crypto.blind_index("phone", person.phone)

    household = Household.objects.get(memberships__person=person)
    members = set(household.memberships.values_list("person__org_code", flat=True))
    assert members == {household.org_code}
    assert household.address_index and household.address

    dispatcher = _client("dispatcher")
    with translation.override("en"):
        assert dispatcher.get(reverse("events-queue")).status_code == 200
    event = Event.objects.filter(org_code__startswith=plan.first_county.code, status="evaluated").order_by("id")[0]
    assert event.created_at < event.closed_at < datetime.datetime.now(datetime.UTC)
    assert TimelineEntry.objects.filter(event=event).values_list("action", flat=True)[0] == "register"
    with translation.override("en"):
        page = dispatcher.get(reverse("events-detail", args=[event.pk]))
    assert page.status_code == 200 and event.code in page.content.decode()

    enrollment = (Enrollment.objects.filter(org_code__startswith=plan.first_county.code, visits__isnull=False)
                  .exclude(org_code__startswith=plan.first_township.code).order_by("id").first())
    assert enrollment is not None and enrollment.details is not None
    assert enrollment.last_visit_date == enrollment.visits.order_by("-date")[0].date
    with translation.override("en"):
        assert _client("officer").get(reverse("care-enrollment", args=[enrollment.pk])).status_code == 200

    # The sequences were moved past the copied ids: the ORM inserts after them.
    made = Person.objects.create(name="新来人", resident_id="39010219900101001X", org_code=province.plan.first_cell.code)
    assert made.pk > Person.objects.exclude(pk=made.pk).order_by("-id")[0].pk
    household = Household.objects.create(org_code=province.plan.first_cell.code, address="新地址")
    Membership.objects.create(household=household, person=made, relation="head", residence_type="registered_here",
                              org_code=household.org_code)

    # Two years of history landed in their months: every month of the seeded range has its
    # own partition, and nothing was left in DEFAULT.
    from gridgov.core import partitions

    oldest = TimelineEntry.objects.order_by("at").values_list("at", flat=True)[0]
    assert oldest < datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=600)  # history was seeded
    assert partitions.default_rows() == {table: 0 for table in (
        "core_auditentry", "core_notification", "core_delivery", "events_timelineentry")}
    oldest_month = partitions.partition_name("events_timelineentry", partitions.month_start(oldest))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events_timelineentry WHERE tableoid = %s::regclass", [oldest_month])
        assert cursor.fetchone()[0] > 0
