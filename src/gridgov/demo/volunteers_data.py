"""The demo's volunteers (issue 14): the first village's volunteer station with its registry
(the demo `volunteer` account among them, with a school-gate training), a school-gate duty post
with a shift every school week and a clean-up activity that earns points for each hour; shifts
in every state — served and checked out by the organiser (approved, points credited), served
and checked out by the volunteer itself (waiting for approval), a no-show, a cancelled shift, a
full one and shifts to come with places left — and hours recorded afterwards, one declined.
Every step through the services, on its own day."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from gridgov.core.models import User
from gridgov.participation.models import EarningRule, PointsAccount, PointsBank, VolunteerKind
from gridgov.participation.services import volunteers

PEOPLE = (("陈晓", [VolunteerKind.GENERAL, VolunteerKind.SCHOOL_GATE], "急救", ["sat_am", "sun_am", "mon_am"]),
          ("黄建国", [VolunteerKind.SAFETY], "夜间巡逻", ["fri_eve", "sat_eve"]),
          ("林秀兰", [VolunteerKind.CARING], "陪伴老人", ["tue_pm", "thu_pm"]),
          ("吴德明", [VolunteerKind.LEGAL_LITERATE], "调解邻里纠纷", []),
          ("许丽", [VolunteerKind.GENERAL], "", ["sat_am"]))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def write_volunteers(*, village_code: str) -> dict[str, int]:
    organiser = User.objects.filter(username="organiser").first()
    account_user = User.objects.filter(username="volunteer").first()
    if organiser is None:
        return {}
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    with _travel(_at(start, 9)):
        people = [volunteers.volunteer_register(actor=organiser, name=name, org_code=village_code, kinds=kinds,
                                                skills=skills, availability=free, phone=f"1390000{n:04d}",
                                                user=account_user if n == 0 else None)
                  for n, (name, kinds, skills, free) in enumerate(PEOPLE)]
        volunteers.qualification_add(actor=organiser, volunteer=people[0], name="护学岗培训",
                                     valid_until=today + datetime.timedelta(days=300))
        rule = EarningRule.objects.filter(bank__org_code=village_code, name="志愿服务一小时").first()
        gate = volunteers.activity_create(actor=organiser, org_code=village_code, title="实验小学东门护学岗",
                                          kind="duty_post", place="实验小学东门", required_qualification="护学岗培训",
                                          description="上学时段维持校门口秩序，护送学生过马路。", earning_rule=rule)
        clean_up = volunteers.activity_create(actor=organiser, org_code=village_code, title="村道环境卫生整治",
                                              place="村委会门前集合", earning_rule=rule,
                                              description="清理村道垃圾，整理乱堆乱放。")
        # the school gate every Monday morning, four weeks back and three ahead
        gate_shifts = [volunteers.shift_add(actor=organiser, activity=gate, starts_at=_at(day, 7, 10),
                                            ends_at=_at(day, 8, 10), capacity=2)
                       for day in (start + datetime.timedelta(days=k) for k in range(1, 60))
                       if day.weekday() == 0][:7]
        served = volunteers.shift_add(actor=organiser, activity=clean_up, starts_at=_at(start + datetime.timedelta(
            days=6), 8), ends_at=_at(start + datetime.timedelta(days=6), 11), capacity=10)
        called_off = volunteers.shift_add(actor=organiser, activity=clean_up, starts_at=_at(start + datetime.timedelta(
            days=40), 8), ends_at=_at(start + datetime.timedelta(days=40), 11), capacity=10)
        for person in people:
            volunteers.sign_up(actor=organiser, shift=served, volunteer=person)
        volunteers.sign_up(actor=organiser, shift=called_off, volunteer=people[1])
    account = PointsAccount.objects.filter(bank__in=PointsBank.objects.filter(org_code=village_code),
                                           kind="household").order_by("id")
    keeper = User.objects.filter(username="bank").first()
    if keeper is not None and account.count() > 2:
        volunteers.link_points(actor=keeper, volunteer=people[0], account=account[2])
        volunteers.link_points(actor=keeper, volunteer=people[1], account=account[3])
    # the clean-up: four came (the organiser saw three leave, one checked out itself), one did not
    day = timezone.localtime(served.starts_at)
    signups = list(served.signups.order_by("id"))
    with _travel(day - datetime.timedelta(minutes=10)):
        for signup in signups[:4]:
            volunteers.check_in(actor=organiser, signup=signup)
    with _travel(day + datetime.timedelta(hours=3)):
        for signup in signups[1:4]:
            volunteers.check_out(actor=organiser, signup=signup)
        if account_user is not None:
            volunteers.check_out(actor=account_user, signup=signups[0])
        volunteers.mark_no_show(actor=organiser, signup=signups[4])
    # the school gate: the demo volunteer took the past and coming Mondays; one coming Monday is full
    past_gates = [s for s in gate_shifts if s.starts_at < timezone.now()]
    coming_gates = [s for s in gate_shifts if s.starts_at > timezone.now()]
    for shift in past_gates[:2]:
        with _travel(shift.starts_at - datetime.timedelta(days=2)):
            volunteers.sign_up(actor=account_user or organiser, shift=shift, volunteer=people[0])
        with _travel(shift.starts_at - datetime.timedelta(minutes=5)):
            volunteers.check_in(actor=organiser, signup=shift.signups.get())
        with _travel(shift.ends_at):
            volunteers.check_out(actor=organiser, signup=shift.signups.get())
    if coming_gates:
        volunteers.sign_up(actor=account_user or organiser, shift=coming_gates[0], volunteer=people[0])
    if len(coming_gates) > 1:
        volunteers.qualification_add(actor=organiser, volunteer=people[4], name="护学岗培训", valid_until=None)
        volunteers.qualification_add(actor=organiser, volunteer=people[2], name="护学岗培训", valid_until=None)
        volunteers.sign_up(actor=organiser, shift=coming_gates[1], volunteer=people[4])
        volunteers.sign_up(actor=organiser, shift=coming_gates[1], volunteer=people[2])
    with _travel(_at(start + datetime.timedelta(days=39), 12)):
        volunteers.shift_cancel(actor=organiser, shift=called_off)
    # hours recorded afterwards: one approved by the organiser, one waiting, one declined
    with _travel(_at(today - datetime.timedelta(days=3), 18)):
        volunteers.hours_record(actor=organiser, volunteer=people[2], activity=clean_up,
                                served_on=today - datetime.timedelta(days=3), minutes=120, note="陪同老人就医")
        if account_user is not None:
            volunteers.hours_record(actor=account_user, volunteer=people[0], activity=clean_up,
                                    served_on=today - datetime.timedelta(days=3), minutes=90, note="清理村道落叶")
            declined = volunteers.hours_record(actor=account_user, volunteer=people[0], activity=gate,
                                               served_on=today - datetime.timedelta(days=4), minutes=60,
                                               note="护学岗（未排班）")
            volunteers.hours_decide(actor=organiser, hours=declined, approve=False,
                                    reason="当天不在排班名单，已与本人核实")
    return {"volunteers": len(people), "shifts": len(gate_shifts) + 2}
