"""The demo's event loop: routing rules for every county, and events in every state in the
first county, made through the same services the pages use (so timelines, deadlines,
notifications and audit entries are all real)."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.core.models import Department, DepartmentKind, OrgLevel, OrgUnit, User
from gridgov.events.models import Category, Channel, RoutingRule
from gridgov.events.services import ActionRequest, Submission, event_act, event_submit

# Domain (or category) → the county department function that owns it.
ROUTES = (
    ("food", "market", True),
    ("fire", "fire", False),
    ("construction", "housing", False),
    ("traffic", "urban_management", False),
    ("community", "civil_affairs", False),
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

# (target status, share): how far through the loop each demo event goes.
_JOURNEYS = (("dispatched", 3), ("accepted", 3), ("handled", 2), ("verified", 1), ("closed", 3), ("evaluated", 2),
             ("returned", 1), ("registered", 1))


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
    return len(rules)


def write_events(*, county_code: str, count: int, rng: random.Random) -> int:
    """`count` events reported by the grid workers of the first county, taken through the
    loop by the staff the routing sends them to."""
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
    made = 0
    for _n in range(count):
        worker = rng.choice(workers)
        cell = worker.grid_assignments.all()[0].cell
        category = rng.choice(categories)
        lng = rng.uniform(cell.min_lng, cell.max_lng)
        lat = rng.uniform(cell.min_lat, cell.max_lat)
        event = event_submit(actor=worker, submission=Submission(
            category_code=category.code, description=rng.choice(DESCRIPTIONS[category.code]),
            channel=Channel.GRID_WORKER, lat=lat, lng=lng, photos=[_photo((180, 60, 40))],
        ))
        made += 1
        _take_through(event, rng.choice(journeys), worker=worker, dispatcher=dispatcher,
                      staff_by_department=staff_by_department, rng=rng)
    return made


def _take_through(event, target: str, *, worker, dispatcher, staff_by_department, rng) -> None:
    def act(actor, action, **kwargs):
        return event_act(actor=actor, event=event, request=ActionRequest(action=action, **kwargs))

    if event.status == "registered":
        if target == "registered":
            return
        # No rule: the dispatcher chooses the county's urban-management department.
        unit = Department.objects.filter(org_code=event.org_code[:6], function="urban_management").first()
        if unit is None:
            return
        event = act(dispatcher, "dispatch", department=unit.code)
    staff = staff_by_department.get(event.department_id)
    if staff is None or target == "dispatched":
        return
    if target == "returned":
        act(staff, "return", reason="不属于本单位职责范围，建议转城管部门")
        return
    event = act(staff, "accept")
    if target == "accepted":
        return
    event = act(staff, "handle", note="已到现场处置完毕", photos=[_photo((40, 140, 60))])
    if target == "handled":
        return
    event = act(worker, "verify", passed=True, note="现场核查已整改")
    if target == "verified":
        return
    event = act(dispatcher, "close")
    if target == "evaluated":
        act(dispatcher, "evaluate", rating=rng.choice((4, 5, 5)))
