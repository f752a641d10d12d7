"""The demo's people's mediation (issue 13): the first township's committee and its first
village's, the demo mediator seated on both, and cases in every state of the flow, each step
taken through the services on its own day."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from gridgov.core.models import Person, User
from gridgov.mediation import services
from gridgov.mediation.models import CommitteeKind, PartyRole

# (type, what the parties dispute, where the case goes, the other party)
_CASES = (
    ("neighbour", "相邻通道被堆放杂物堵塞，双方多次争吵", "settled", "李建国"),
    ("family", "赡养老人费用分担有分歧", "mediating", "王秀英"),
    ("housing", "宅基地边界围墙位置争议", "accepted", "陈志强"),
    ("labour", "装修工程尾款拖欠", "failed", "刘洋"),
    ("debt", "民间借款到期未还", "referred", "赵丽"),
)


def write_mediation(*, township_code: str, village_code: str) -> dict[str, int]:
    justice = User.objects.filter(username="justice").first()
    mediator = User.objects.filter(username="mediator").first()
    if justice is None or mediator is None:
        return {}
    township = services.committee_create(actor=justice, name="镇人民调解委员会", kind=CommitteeKind.TOWNSHIP,
                                         org_code=township_code)
    village = services.committee_create(actor=justice, name="村人民调解委员会", kind=CommitteeKind.VILLAGE,
                                        org_code=village_code)
    seats = {c.pk: services.mediator_add(actor=justice, committee=c, name="郑芳", user=mediator,
                                         specialities=["neighbour", "family", "housing"]) for c in (township, village)}
    residents = list(Person.objects.filter(org_code__startswith=village_code, died_on__isnull=True)
                     .order_by("id")[: len(_CASES)])
    now = timezone.now()
    made = 0
    for n, (kind, matters, goal, other) in enumerate(_CASES):
        if n >= len(residents):
            break
        start = now - datetime.timedelta(days=20 - 3 * n)
        committee = village if n % 2 == 0 else township
        with time_machine.travel(start, tick=False):
            case = services.case_open(
                actor=mediator, committee=committee, type=kind, source="request", channel="walk_in",
                org_code=residents[n].org_code, matters=matters,
                parties=[services.PartySpec(role=PartyRole.APPLICANT, person=residents[n]),
                         services.PartySpec(role=PartyRole.RESPONDENT, name=other)])
            made += 1
            if goal == "accepted":
                continue
            case = services.case_assign(actor=mediator, case=case, mediator=seats[committee.pk], no_conflict=True)
        with time_machine.travel(start + datetime.timedelta(days=2), tick=False):
            if goal == "referred":
                services.case_conclude(actor=mediator, case=case, result="referred", diversion="court",
                                       note="一方已向法院起诉")
                continue
            services.session_record(actor=mediator, case=case, held_on=timezone.localdate(), place="调解室",
                                    record="双方陈述事实和理由，调解员释法说理", attendees=f"{residents[n].name}、{other}、郑芳")
        with time_machine.travel(start + datetime.timedelta(days=5), tick=False):
            case.refresh_from_db()
            if goal == "settled":
                services.session_record(actor=mediator, case=case, held_on=timezone.localdate(), place="调解室",
                                        record="双方就清理期限达成一致")
                case.refresh_from_db()
                services.case_conclude(actor=mediator, case=case, result="agreement",
                                       terms="被申请人于三日内清理通道杂物，此后不再堆放。")
            elif goal == "failed":
                services.case_conclude(actor=mediator, case=case, result="failed", reason="no_agreement")
    return {"committees": 2, "cases": made}
