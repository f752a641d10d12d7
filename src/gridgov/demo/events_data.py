"""The demo's event loop: routing rules for every county, and events of the past weeks in
every state in the first county, made through the same services the pages use at the time
each step was taken (so timelines, deadlines, lights, cards, supervision, notifications and
audit entries are all real)."""

from __future__ import annotations

import datetime
import io
import random

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.core.models import Department, DepartmentKind, OrgLevel, OrgUnit, User
from gridgov.core.workcal import WorkCalendar
from gridgov.events.models import Category, Channel, RoutingRule
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit
from gridgov.events.services.intake import follow_up_now
from gridgov.events.supervision import escalate_overdue

# Domain (or category) → the county department function that owns it.
ROUTES = (
    ("food", "market", True),
    ("fire", "fire", False),
    ("construction", "housing", False),
    ("traffic", "urban_management", False),
    # workbench (issue 11): no rule for the rest of "community" (a broken facility, noise, a
    # call for help): the dispatcher reads and dispatches those reports by hand.
    ("community.sanitation", "urban_management", False),
    ("dispute", "justice", True),
    ("safety", "urban_management", False),
    ("flood", "urban_management", False),
    ("convenience", "civil_affairs", False),
    ("youth", "civil_affairs", False),
)

DESCRIPTIONS = {
    "food.unlicensed": ["路口有无证流动摊贩经营熟食", "菜市场旁无证早餐摊", "小区门口有人无照销售卤味"],
    "food.hygiene": ["小吃店后厨卫生条件差，有异味", "餐馆餐具未消毒"],
    "fire.lane": ["单元楼消防通道被杂物堵塞", "消防通道停放多辆电动车"],
    "fire.ebike_charging": ["居民从楼上拉线给电动车充电", "楼道内有电动车充电"],
    "community.sanitation": ["垃圾桶满溢无人清运", "河道边有生活垃圾堆放"],
    "community.facility": ["小区路灯损坏多日", "健身器材松动存在隐患"],
    "traffic.road_damage": ["村道出现大坑，影响通行", "人行道地砖破损"],
    "construction.illegal_building": ["楼顶在搭建彩钢房", "院内私自加盖二层"],
    "dispute.neighbour": ["邻居装修噪音扰民引发争吵", "两户因排水问题发生纠纷"],
}

# (target status, share): how far through the loop each demo event goes, given time.
_JOURNEYS = (("dispatched", 3), ("accepted", 3), ("handled", 2), ("verified", 1), ("closed", 4), ("evaluated", 4),
             ("returned", 1), ("registered", 1), ("suspended", 1), ("cancelled", 1))

# The demo is a working day in a grid centre that has run for weeks: events were reported
# on the past WORKDAYS_BACK working days and each step was taken some working hours after the one
# before it, on the clock of its day, so that deadlines, traffic lights, cards, overdue steps
# and supervision come out of the services as they would in use.
WORKDAYS_BACK = 20
# Hours from one step to the next: (usual low, usual high, late), and how often it is late.
_DELAYS = {
    "dispatch": (0.05, 0.4, 3.0), "accept": (0.3, 5.0, 40.0), "handle": (2.0, 30.0, 130.0),
    "verify": (0.2, 1.2, 6.0), "close": (0.3, 3.0, 20.0), "evaluate": (1.0, 20.0, 48.0),
}
LATE_SHARE = 0.18
# How many of the latest reports the dispatcher finds waiting (the workbench's first item).
FRESH_UNDISPATCHED = 3

def _photo(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def write_routing_rules(city_code: str) -> int:
    categories = {c.code: c for c in Category.objects.filter(code__in=[code for code, _f, _s in ROUTES])}
    departments = {
        (d.org_code, d.function): d
        for d in Department.objects.filter(kind=DepartmentKind.DEPARTMENT, org_code__startswith=city_code)
    }
    counties = OrgUnit.objects.filter(level=OrgLevel.COUNTY, code__startswith=city_code).values_list("code", flat=True)
    rules = [
        RoutingRule(category=categories[code], org_prefix=county, department=departments[(county, function)],
                    to_local_station=to_station)
        for county in counties
        for code, function, to_station in ROUTES
        if (county, function) in departments
    ]
    RoutingRule.objects.bulk_create(rules)
    from gridgov.events.lookups import changed

    changed()  # bulk writes send no signals (events.lookups)
    return len(rules)


def _reported_at(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    """A moment in office hours of a working day of the past weeks, more of them recent than
    old. Working days only (the Chinese calendar, make-up days included): reports of a weekend
    start their clocks on Monday, so a demo seeded on a Saturday would show only green and
    red lights on its first pages."""
    is_workday = WorkCalendar().is_workday
    day, back = timezone.localdate(now), int(WORKDAYS_BACK * rng.random() ** 1.6)
    while back or not is_workday(day):  # `back` working days before the latest one
        back -= 1 if back and is_workday(day) else 0
        day -= datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59))))
    return min(moment, now - datetime.timedelta(minutes=rng.randint(5, 90)))


class _Clock:
    """Runs each service call at the moment its step was taken; stops when that moment is
    still to come (the event then waits there, as open events do)."""

    def __init__(self, start: datetime.datetime, now: datetime.datetime, rng: random.Random):
        self.at, self.now, self.rng = start, now, rng

    def after(self, step: str) -> bool:
        low, high, late = _DELAYS[step]
        hours = late * self.rng.uniform(0.8, 1.5) if self.rng.random() < LATE_SHARE else self.rng.uniform(low, high)
        self.at = self.at + datetime.timedelta(hours=hours)
        return self.at < self.now

    def run(self, call):
        with time_machine.travel(self.at, tick=False):
            return call()


def write_events(*, county_code: str, count: int, rng: random.Random) -> int:
    """`count` events reported by the grid workers of the first county over the past weeks,
    taken through the loop by the staff the routing sends them to, each step on its own day;
    then the overdue ones escalated for supervision as the periodic task does."""
    workers = list(User.objects.filter(grid_assignments__cell__code__startswith=county_code)
                   .prefetch_related("grid_assignments__cell").order_by("username")[:60])
    dispatcher = User.objects.filter(username="dispatcher").first()
    if not workers or dispatcher is None:
        return 0
    categories = list(Category.objects.filter(code__in=list(DESCRIPTIONS)))
    staff_by_department = {}
    for user in User.objects.filter(department__isnull=False, department__org_code__startswith=county_code):
        staff_by_department.setdefault(user.department_id, user)
    journeys = [status for status, weight in _JOURNEYS for _i in range(weight)]
    now = timezone.now()
    reports = sorted((_reported_at(rng, now), n) for n in range(count))
    # The freshest reports, of a category no rule routes, still wait for the dispatcher.
    fresh = {n for _at, n in reports[-FRESH_UNDISPATCHED:]}
    facility = next((c for c in categories if c.code == "community.facility"), None)
    made = 0
    for reported_at, n in reports:
        # the demo's own grid worker reports every fourth event, so that its pages have work
        worker = workers[0] if n % 4 == 0 else rng.choice(workers)
        cell = worker.grid_assignments.all()[0].cell
        category = facility if n in fresh and facility is not None else rng.choice(categories)
        lng = rng.uniform(cell.min_lng, cell.max_lng)
        lat = rng.uniform(cell.min_lat, cell.max_lat)
        clock = _Clock(reported_at, now, rng)
        with follow_up_now():  # one transaction, no queue worker: copies and notices at once
            event = clock.run(lambda: event_submit(actor=worker, submission=Submission(
                category_code=category.code, description=rng.choice(DESCRIPTIONS[category.code]),
                channel=Channel.GRID_WORKER, lat=lat, lng=lng, photos=[_photo((180, 60, 40))],
            )))
        made += 1
        journey = "registered" if n in fresh else rng.choice(journeys)
        _take_through(event, journey, clock=clock, worker=worker, dispatcher=dispatcher,
                      staff_by_department=staff_by_department, rng=rng)
    if facility is not None and _one_in_the_yellow(worker=workers[0], dispatcher=dispatcher, category=facility,
                                                   now=now, rng=rng):
        made += 1
    escalate_overdue(now=now)
    return made


def _one_in_the_yellow(*, worker, dispatcher, category, now: datetime.datetime, rng: random.Random) -> bool:
    """One event dispatched at the moment that leaves its accept step 80–100 % used now, so
    that the desk shows a yellow light whatever the hour or day the demo is seeded (at night
    or on a holiday the random reports may leave none). Returns whether one was made."""
    from gridgov.core.selectors import work_calendar_for
    from gridgov.core.workcal import Light, WorkClock
    from gridgov.events.deadlines import step_deadline

    cell = worker.grid_assignments.all()[0].cell
    unit = Department.objects.filter(org_code=cell.code[:6], function="urban_management").first()
    if unit is None:
        return False
    clock = WorkClock(work_calendar_for(cell.code), timezone.get_current_timezone())
    started = now - datetime.timedelta(minutes=10)
    for _minutes in range(0, 14 * 24 * 60, 10):  # back in ten-minute steps, two weeks at most
        deadline = step_deadline(category=category, urgency="ordinary", step="accept", org_code=cell.code,
                                 start=started)
        if clock.light(started=started, deadline=deadline, now=now) == Light.YELLOW:
            break
        started -= datetime.timedelta(minutes=10)
    else:
        return False
    with follow_up_now(), time_machine.travel(started - datetime.timedelta(minutes=5), tick=False):
        event = event_submit(actor=worker, submission=Submission(
            category_code=category.code, description=rng.choice(DESCRIPTIONS[category.code]),
            channel=Channel.GRID_WORKER, lat=(cell.min_lat + cell.max_lat) / 2, lng=(cell.min_lng + cell.max_lng) / 2,
            photos=[_photo((180, 60, 40))],
        ))
    with time_machine.travel(started, tick=False):
        event_act(actor=dispatcher, event=event, request=ActionRequest(action="dispatch", department=unit.code))
    return True


def _take_through(event, target: str, *, clock: _Clock, worker, dispatcher, staff_by_department, rng) -> None:
    def act(actor, action, **kwargs):
        return clock.run(lambda: event_act(actor=actor, event=event, request=ActionRequest(action=action, **kwargs)))

    if event.status == "registered":
        if target == "registered" or not clock.after("dispatch"):
            return
        if target == "cancelled":
            act(dispatcher, "cancel", reason="重复上报，已有同一问题的事件在办理")
            return
        # No rule: the dispatcher chooses the county's urban-management department.
        unit = Department.objects.filter(org_code=event.org_code[:6], function="urban_management").first()
        if unit is None:
            return
        event = act(dispatcher, "dispatch", department=unit.code)
    staff = staff_by_department.get(event.department_id)
    if staff is None or target in ("dispatched", "cancelled") or not clock.after("accept"):
        return
    if target == "returned":
        act(staff, "return", reason="不属于本单位职责范围，建议转城管部门")
        return
    event = act(staff, "accept")
    if target == "accepted":
        return
    if target == "suspended":
        act(dispatcher, "suspend", reason="需纳入年度改造计划，待资金到位后处置")
        return
    if rng.random() < 0.15 and clock.after("verify"):
        # the work will take longer: the unit asks, the dispatcher agrees
        event = act(staff, "extend", hours="24", reason="需协调相关部门联合处置")
        if clock.after("verify"):
            event = act(dispatcher, "approve_extension", approve=True, note="同意延期")
    if not clock.after("handle"):
        return
    event = act(staff, "handle", note="已到现场处置完毕", photos=[_photo((40, 140, 60))])
    if target == "handled" or not clock.after("verify"):
        return
    if rng.random() < 0.12:
        # the first repair did not hold: rework, then handled again
        event = act(worker, "verify", passed=False, note="现场复核仍未整改到位")
        if not clock.after("handle"):
            return
        event = act(staff, "handle", note="已重新整改", photos=[_photo((40, 140, 60))])
        if not clock.after("verify"):
            return
    event = act(worker, "verify", passed=True, note="现场核查已整改")
    if target == "verified" or not clock.after("close"):
        return
    event = act(dispatcher, "close")
    if target == "evaluated" and clock.after("evaluate"):
        act(dispatcher, "evaluate", rating=rng.choice((3, 4, 5, 5)))
