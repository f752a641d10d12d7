"""The demo's village meetings (issue 14): three meetings of the first village over the past
two months, recorded by the grid worker, with their officials, the households present (credited
by the bank's "attending a village meeting" rule) and concerns dealt with every way — resolved
on the spot, given to an owner (resolved, open, one past its deadline), handed to the events
loop (an event of the village), part of a project; and a township official assigned to the
village (包村干部) with its service days. Every step through the services, on its own day."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from gridgov.core.models import User
from gridgov.participation.models import EarningRule, PointsAccount, Project
from gridgov.participation.services import meetings


def _travel(day: datetime.date, hour: int = 19):
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), tick=False)


def write_meetings(*, village_code: str) -> dict[str, int]:
    from gridgov.events.models import Event

    worker = User.objects.filter(username="gridworker").first()
    admin = User.objects.filter(username="admin").first()
    official = User.objects.filter(username="justice").first()
    if worker is None:
        return {}
    today = timezone.localdate()
    rule = EarningRule.objects.filter(bank__org_code=village_code, name="参加屋场会").first()
    accounts = list(PointsAccount.objects.filter(kind="household", org_code__startswith=worker.scope_code)
                    .order_by("id")[:4])
    event = Event.objects.filter(org_code__startswith=village_code).order_by("id").first()
    project = Project.objects.filter(org_code__startswith=village_code).order_by("id").first()
    made = []
    for days_ago, place, attendance in ((55, "三组晒谷坪", 46), (25, "村委会文化广场", 62), (4, "五组祠堂", 38)):
        day = today - datetime.timedelta(days=days_ago)
        with _travel(day):
            meeting = meetings.meeting_record(
                actor=worker, org_code=village_code, held_on=day, place=place, convenor="村党支部书记 陈建国",
                attendance=attendance, officials=[("王明", "司法所"), ("李娜", "网格员")], earning_rule=rule,
                minutes="村民围绕道路、环境和邻里关系等问题发言，干部现场答复并登记需跟进的事项。")
            if accounts:
                meetings.attendance_record(actor=worker, meeting=meeting, accounts=accounts[:2 + len(made)])
        made.append((meeting, day))
    (first, first_day), (second, second_day), (third, third_day) = made
    with _travel(first_day, 21):
        meetings.concern_add(actor=worker, meeting=first, summary="村口路灯坏了两盏", route="on_the_spot",
                             resolution="电工当场登记，第二天修好")
        owned = meetings.concern_add(actor=worker, meeting=first, summary="三组排水沟堵塞", route="owner",
                                     owner="村委会 张德", deadline=first_day + datetime.timedelta(days=10))
        if project is not None:
            meetings.concern_add(actor=worker, meeting=first, summary="村道雨天积水", route="project", project=project)
    with _travel(first_day + datetime.timedelta(days=8), 10):
        meetings.concern_resolve(actor=worker, concern=owned, resolution="已组织清淤，恢复通畅")
    with _travel(second_day, 21):
        meetings.concern_add(actor=worker, meeting=second, summary="广场舞音响太吵", route="owner", owner="村妇联 刘芳",
                             deadline=second_day + datetime.timedelta(days=14))  # past its deadline, still open
        if event is not None:
            meetings.concern_add(actor=worker, meeting=second, summary="路边有人占道经营", route="event", event=event)
    with _travel(third_day, 21):
        meetings.concern_add(actor=worker, meeting=third, summary="希望增加垃圾清运次数", route="owner",
                             owner="镇环卫站", deadline=third_day + datetime.timedelta(days=20))
        meetings.concern_add(actor=worker, meeting=third, summary="老人办理医保不会用手机", route="on_the_spot",
                             resolution="网格员现场帮助办理")
    days = 0
    if admin is not None and official is not None:
        with _travel(today - datetime.timedelta(days=60), 9):
            liaison = meetings.liaison_assign(actor=admin, user=official, org_code=village_code,
                                              starts_on=today - datetime.timedelta(days=60))
        for back in (40, 25, 12, 4):
            with _travel(today - datetime.timedelta(days=back), 17):
                meetings.service_day_record(actor=official, liaison=liaison, on_date=today - datetime.timedelta(days=back),
                                            note="走访农户，参加屋场会" if back in (25, 4) else "走访农户，了解诉求")
            days += 1
    return {"meetings": len(made), "service_days": days}
