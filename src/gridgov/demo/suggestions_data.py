"""The demo's suggestions and projects (issue 14): residents' suggestions of the first township
in every state (without contacts: the demo sends no SMS) — received, with the `department`
account to answer (one past its day),
adopted, answered, not adopted, hidden after residents' reports and waiting for a moderator,
removed — and projects for the people made from the adopted ones: a township's project with
two village parts (progress rolled up by budget), one completed and one planned, with their
milestones and progress reports. Every step through the services, on its own day."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from gridgov.core.models import OrgLevel, OrgUnit, User
from gridgov.participation.models import Suggestion
from gridgov.participation.services import projects, suggestions

SUGGESTIONS = (
    # (days ago, topic, title, text, contact, what happens)
    (40, "roads", "村道坑洼，雨天积水严重", "村口到小学的一段村道坑洼很多，下雨后积水，孩子上学鞋子都湿了，建议硬化路面。",
     "", "adopted"),
    (38, "safety", "夜间路灯太少", "村里主路晚上很黑，老人晚上散步容易摔倒，建议增加路灯。", "", "adopted"),
    (30, "elderly", "希望开设老年食堂", "村里独居老人多，吃饭不方便，希望在村委会附近办一个老年食堂。", "",
     "answered"),
    (25, "culture", "建议建设篮球场", "年轻人没有运动的地方，建议在村委会旁边空地建一个篮球场。", "", "not_adopted"),
    (12, "environment", "垃圾分类点太远", "三组的垃圾分类投放点太远，建议在组里增设一个投放点。", "", "assigned"),
    (20, "services", "希望延长卫生室开放时间", "上班的人下班后卫生室已经关门，建议晚上延长开放一小时。", "", "overdue"),
    (3, "roads", "公交站没有遮雨棚", "镇上公交站没有遮雨棚，下雨天等车很不方便。", "", "submitted"),
    (1, "other", "建议组织法律知识讲座", "很多老人不了解赡养和继承的法律，建议村里组织法律讲座。", "", "submitted"),
    (6, "other", "广告：优价回收旧家电", "高价回收旧家电，上门服务，电话联系。", "", "reported"),
    (9, "other", "某某家的狗天天乱叫", "三组某某家的狗天天乱叫，建议把他家的狗处理掉。", "", "removed"),
)


def _travel(days_ago: int, hour: int = 10):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    return time_machine.travel(moment.replace(hour=hour, minute=0), tick=False)


def _point(cell) -> tuple[float, float]:
    return (cell.min_lat + cell.max_lat) / 2, (cell.min_lng + cell.max_lng) / 2


def write_suggestions(*, township_code: str) -> dict[str, int]:
    dispatcher = User.objects.filter(username="dispatcher").first()
    staff = User.objects.filter(username="department").select_related("department").first()
    if dispatcher is None or staff is None or staff.department is None:
        return {}
    department = staff.department
    cells = list(OrgUnit.objects.filter(level=OrgLevel.GRID, code__startswith=township_code,
                                        min_lat__isnull=False).order_by("code")[:4])
    villages = list(OrgUnit.objects.filter(level=OrgLevel.VILLAGE, code__startswith=township_code).order_by("code")[:2])
    if not cells or len(villages) < 2:
        return {}
    made: dict[str, Suggestion] = {}
    for n, (days, topic, title, text, contact, fate) in enumerate(SUGGESTIONS):
        lat, lng = _point(cells[n % len(cells)])
        with _travel(days):
            suggestion, _token = suggestions.submit(topic=topic, title=title, text=text, lat=lat, lng=lng,
                                                    contact=contact)
        made[title] = suggestion
        if fate in ("adopted", "answered", "not_adopted", "assigned", "overdue"):
            with _travel(days - 1 if fate != "overdue" else days, 9):
                suggestions.assign(actor=dispatcher, suggestion=suggestion, department=department)
        answers = {"adopted": "建议采纳，已列入今年的民生实事项目，进展在项目页面公开。",
                   "answered": "镇里正在筹建“颐养之家”，预计明年春季在村委会旁开放，届时将提供老年助餐服务。",
                   "not_adopted": "村委会旁的空地已规划为应急避难场所，不宜建设球场；镇文体中心篮球场已免费开放。"}
        if fate in answers:
            with _travel(max(days - 5, 0), 15):
                suggestions.answer(actor=staff, suggestion=suggestion, outcome=fate, text=answers[fate])
        if fate in ("reported", "removed"):
            for client in ("203.0.113.5", "203.0.113.6", "203.0.113.7"):
                with _travel(max(days - 1, 0), 20):
                    suggestions.report(suggestion=suggestion, reason="spam" if fate == "reported" else "personal",
                                       client=client)
        if fate == "removed":
            with _travel(max(days - 2, 0), 9):
                suggestions.moderate(actor=dispatcher, suggestion=suggestion, keep=False,
                                     note="内容涉及他人，不予公开")
    # the projects: a township's road and light project with two village parts, a completed and a planned one
    start = timezone.localdate() - datetime.timedelta(days=30)
    with _travel(30, 11):
        roads = projects.project_create(actor=staff, owner=department, org_code=township_code,
                                        title="村道硬化与路灯改造", budget="180", starts_on=start,
                                        due_on=start + datetime.timedelta(days=180),
                                        description="硬化村道、增设路灯，改善村民出行条件。")
        road = projects.project_create(actor=staff, owner=department, org_code=villages[0].code, parent=roads,
                                       title=f"{villages[0].name}村道硬化", budget="120")
        lights = projects.project_create(actor=staff, owner=department, org_code=villages[1].code, parent=roads,
                                         title=f"{villages[1].name}路灯安装", budget="60")
        done = projects.project_create(actor=staff, owner=department, org_code=villages[0].code,
                                       title="村卫生室改造", budget="35", starts_on=start - datetime.timedelta(days=90),
                                       due_on=start)
        projects.project_create(actor=staff, owner=department, org_code=villages[1].code, title="农家书屋扩建",
                                starts_on=timezone.localdate() + datetime.timedelta(days=30))
        for project, title, days in ((road, "完成测量和设计", 10), (road, "完成路基施工", 60), (lights, "采购路灯", 20)):
            projects.milestone_add(actor=staff, project=project, title=title,
                                   due_on=start + datetime.timedelta(days=days))
    with _travel(18, 16):
        projects.milestone_reached(actor=staff, milestone=road.milestones.order_by("due_on").first())
        projects.progress_update(actor=staff, project=road, progress=40, status="under_way",
                                 note="完成测量设计，路基施工已开始。")
        projects.progress_update(actor=staff, project=done, progress=100, status="completed",
                                 note="卫生室改造完成，已投入使用。")
    with _travel(5, 16):
        projects.progress_update(actor=staff, project=lights, progress=10, status="under_way",
                                 note="路灯采购合同已签订。")
    for title, project in (("村道坑洼，雨天积水严重", road), ("夜间路灯太少", lights)):
        suggestions.link_project(actor=staff, suggestion=made[title], project=project)
    return {"suggestions": len(made), "projects": 5}
