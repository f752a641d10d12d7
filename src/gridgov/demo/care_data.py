"""The demo's care programs: enrollments in the first township, with teams, visits, a
hospital stay and due dates spread so that today's map shows every status."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from gridgov.care import services
from gridgov.care.services import TeamSpec
from gridgov.core.models import Person, User

# program, details, share
_CASES = (
    ("smd", {"risk_level": 0, "classification": "stable"}, 4),
    ("smd", {"risk_level": 1, "classification": "basically_stable"}, 2),
    ("smd", {"risk_level": 3, "classification": "unstable"}, 1),
    ("elderly", {"living_alone": True}, 4),
    ("child", {"key_child": True, "situation": "left_behind"}, 2),
    ("reentry", {"resettled": True}, 1),
)
_LEGAL_BASIS = {
    "smd": "《精神卫生法》第二十四条、国家基本公共卫生服务规范",
    "elderly": "本人同意（2026年签署）",
    "child": "《未成年人保护法》第九十二条",
    "reentry": "《监狱法》第三十五条、安置帮教工作规定",
}


def write_care(*, township_code: str, count: int, rng: random.Random) -> int:
    officer = User.objects.filter(username="officer").first()
    doctor = User.objects.filter(username="doctor").first()
    police = User.objects.filter(username="police").first()  # care (issue 11)
    if officer is None or doctor is None:
        return 0
    today = timezone.localdate()
    workers = {u.grid_assignments.all()[0].cell_id: u for u in
               User.objects.filter(grid_assignments__cell__code__startswith=township_code).prefetch_related(
                   "grid_assignments")}
    candidates = list(Person.objects.filter(org_code__startswith=township_code).order_by("id")[: count * 6])
    rng.shuffle(candidates)
    cases = [(program, details) for program, details, share in _CASES for _i in range(share)]
    made = 0
    for index, person in enumerate(candidates[:count]):
        program, details = cases[index % len(cases)]
        age = (today - person.birth_date).days // 365 if person.birth_date else 40
        if program == "child" and age >= 18 or program == "elderly" and age < 60:
            program, details = "smd", {"risk_level": 0, "classification": "stable"}
        start = today - datetime.timedelta(days=rng.randint(20, 400))
        high_risk = int(details.get("risk_level", 0)) >= 3
        # A high-risk case's family agreed to crisis alerts by SMS (a synthetic number: the
        # demo's console SMS prints them).
        family = (TeamSpec(role="family", name="家属", contact=f"1380000{index:04d}", sms_consent=True) if high_risk
                  else TeamSpec(role="family", name="家属", contact=""))
        team = [TeamSpec(role="doctor", user=doctor), family]
        worker = workers.get(person.org_code)
        if worker is not None:
            team.insert(0, TeamSpec(role="grid_worker", user=worker))
        if police is not None and int(details.get("risk_level", 0)) >= 3:
            # care (issue 11): a high-risk case's full team has the township's police liaison
            team.append(TeamSpec(role="police_liaison", user=police))
        enrollment = services.enrollment_create(
            actor=officer, person=person, program=program, org_code=person.org_code, start_date=start,
            legal_basis=_LEGAL_BASIS[program], consent=program == "elderly", team=team, details=dict(details))
        made += 1
        # A visit some days ago sets the rhythm; some are due today, a few were seen today.
        last = today - datetime.timedelta(days=rng.choice((1, 7, 14, 30, 95)))
        if last >= start:
            visit_details = dict(details) if program == "smd" else {}
            services.visit_record(actor=doctor, enrollment=enrollment, date=last, form=rng.choice(("home", "phone")),
                                  notes="情况稳定，按时服药" if program == "smd" else "生活情况良好", details=visit_details)
        if index % 9 == 4:
            services.status_begin(actor=doctor, enrollment=enrollment, kind="hospital",
                                  start=today - datetime.timedelta(days=3), note="住院治疗")
        elif index % 11 == 6:
            services.status_begin(actor=doctor, enrollment=enrollment, kind="away",
                                  start=today - datetime.timedelta(days=2), note="外出探亲")
    return made
