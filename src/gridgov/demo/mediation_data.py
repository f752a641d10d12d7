"""The demo's people's mediation (issue 13): the first township's committee and its first
village's, the demo mediator seated on both, and cases in every state of the flow and of an
agreement's life after it, each step taken through the services on its own day:

- asked for online and waiting, declined, accepted with the time limit three days away, being
  mediated, failed, referred;
- settled: a written agreement waiting for its signatures, one signed, confirmed by a court and
  performed, an oral one whose follow-up visit is due, one breached and being mediated again;
- a dispute the grid worker reported handed over from the events loop, and another still
  waiting on the desk for the dispatcher to hand over.
"""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.core.images import check_images
from gridgov.core.models import Person, User
from gridgov.mediation import services
from gridgov.mediation.clock import one_month_after
from gridgov.mediation.models import Case, CommitteeKind, FollowUp, PartyRole

SESSION_PLACE = "村委会调解室"


def _signed_page():
    """A photographed page: white paper with the lines of a text and a red seal."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 594), "white")
    draw = ImageDraw.Draw(image)
    for y in range(60, 480, 24):
        draw.line((40, y, 380, y), fill=(90, 90, 90), width=2)
    draw.ellipse((270, 470, 370, 570), outline=(200, 30, 30), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return check_images([SimpleUploadedFile("signed.jpg", buffer.getvalue(), content_type="image/jpeg")])


class _Days:
    """Steps of one case on the days of its story: `on(n)` is `start` + n days, at 10:00."""

    def __init__(self, start: datetime.date):
        self.start = start

    def on(self, n: int):
        day = self.start + datetime.timedelta(days=n)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        return time_machine.travel(moment, tick=False)

    def day(self, n: int) -> datetime.date:
        return self.start + datetime.timedelta(days=n)


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
    services.mediator_add(actor=justice, committee=village, name="钱德明", specialities=["land", "debt"])
    residents = list(Person.objects.filter(org_code__startswith=village_code, died_on__isnull=True)
                     .order_by("id")[:12])
    if len(residents) < 10:
        return {"committees": 2}
    today = timezone.localdate()
    story = _Story(mediator=mediator, seats=seats, residents=residents, today=today)

    story.online_request(village_code, "property", "物业公司停车费收取标准有争议", days_ago=1)
    story.declined(village_code, days_ago=12)
    # accepted on the day that leaves its one-month limit two days away, whatever today is
    near = next(n for n in range(25, 35) if one_month_after(today - datetime.timedelta(days=n))
                == today + datetime.timedelta(days=2))
    story.opened(village, "housing", "宅基地边界围墙位置争议", "陈志强", days_ago=near)
    family = story.opened(township, "family", "赡养老人费用分担有分歧", "王秀英", days_ago=16)
    story.sessions(family, 16, [3])
    labour = story.opened(township, "labour", "装修工程尾款拖欠", "刘洋", days_ago=30)
    story.sessions(labour, 30, [2, 9])
    with _Days(today - datetime.timedelta(days=30)).on(12):
        services.case_conclude(actor=mediator, case=_fresh(labour), result="failed", reason="no_agreement",
                               note="双方对工程量认定分歧过大")
    debt = story.opened(village, "debt", "民间借款到期未还", "赵丽", days_ago=22)
    with _Days(today - datetime.timedelta(days=22)).on(2):
        services.case_conclude(actor=mediator, case=_fresh(debt), result="referred", diversion="court",
                               note="一方已向法院起诉")

    story.performed_and_confirmed(village)
    story.waiting_for_signatures(village)
    story.oral_follow_up_due(township)
    story.breached_and_again(village)
    handed = story.handed_over_from_the_grid()
    shifts = _centre_and_roster(justice=justice, township=township, village=village, today=today)
    advisers = _advisers(justice=justice, village_code=village_code)
    findings = _screening(today=today)
    return {"committees": 2, "cases": Case.objects.filter(committee__in=[township, village]).count(),
            "handed_over": int(handed), "duty_shifts": shifts, "advisers": advisers, "screening_findings": findings}


def _centre_and_roster(*, justice, township, village, today: datetime.date) -> int:
    """The township's one-stop centre with this week's and next week's roster: the committees'
    mediators, the court's liaison judge, labour inspection and the police station take turns."""
    from gridgov.mediation.services import directory

    centre = directory.centre_create(actor=justice, name="镇矛盾纠纷多元化解中心", org_code=township.org_code,
                                     address="镇政府一楼东侧")
    turns = [(township, "", "郑芳"), (None, "县人民法院驻镇法官工作室", "刘法官"), (village, "", "钱德明"),
             (None, "人社局劳动保障监察", "陈科员"), (None, "派出所", "社区民警周强")]
    made = 0
    for offset in range(14):
        day = today + datetime.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for n, part in enumerate(("morning", "afternoon")):
            committee, unit, staff = turns[(offset * 2 + n) % len(turns)]
            directory.shift_add(actor=justice, centre=centre, on_date=day, part=part, staff=staff,
                                committee=committee, unit=unit)
            made += 1
    return made


def _advisers(*, justice, village_code: str) -> int:
    from gridgov.mediation.services import directory

    directory.adviser_add(actor=justice, kind="lawyer", name="沈律师", org_code=village_code, phone="0571-88886666",
                          firm="明理律师事务所", specialities=["land", "labour", "debt"])
    for name, phone, kinds in (("陆秀兰", "13700005678", ["family", "neighbour"]), ("高建新", "13600004321", ["land"])):
        directory.adviser_add(actor=justice, kind="legal_literate", name=name, org_code=village_code, phone=phone,
                              specialities=kinds)
    return 3


def _screening(*, today: datetime.date) -> int:
    """Last month's screening of the demo grid worker's cells (each found something or not),
    and this month's of its first cell: one found dispute asked of the committee."""
    from gridgov.mediation.services import screening

    worker = User.objects.filter(username="gridworker").first()
    if worker is None:
        return 0
    cells = screening.grid_cells_screened_by(worker)
    if not cells:
        return 0
    last_month = screening.month_start(screening.month_start(today) - datetime.timedelta(days=1))
    made = 0
    for n, cell in enumerate(cells):
        found = [screening.FindingSpec(type="neighbour", summary="楼上楼下漏水纠纷，已当场协调维修", party_count=2,
                                       route="settled")] if n % 2 == 0 else []
        with _Days(last_month).on(20):
            screening.screening_record(actor=worker, org_code=cell, month=last_month, findings=found)
        made += len(found)
    if services.committee_serving(cells[0]) is not None:
        this_month = screening.month_start(today)
        with _Days(this_month).on(0):
            screening.screening_record(actor=worker, org_code=cells[0], month=this_month, findings=[
                screening.FindingSpec(type="family", summary="兄弟二人因父母赡养分工争执", party_count=3,
                                      route="mediation")])
        made += 1
    return made


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


class _Story:
    def __init__(self, *, mediator, seats, residents, today):
        self.mediator, self.seats, self.residents, self.today = mediator, seats, residents, today
        self.next_resident = 0

    def _applicant(self) -> Person:
        person = self.residents[self.next_resident]
        self.next_resident += 1
        return person

    def opened(self, committee, kind: str, matters: str, other: str, *, days_ago: int, assign: bool = True) -> Case:
        days = _Days(self.today - datetime.timedelta(days=days_ago))
        applicant = self._applicant()
        with days.on(0):
            case = services.case_open(
                actor=self.mediator, committee=committee, type=kind, source="request", channel="walk_in",
                org_code=applicant.org_code, matters=matters,
                parties=[services.PartySpec(role=PartyRole.APPLICANT, person=applicant),
                         services.PartySpec(role=PartyRole.RESPONDENT, name=other, phone="13900001111")])
            if assign:
                case = services.case_assign(actor=self.mediator, case=case, mediator=self.seats[committee.pk],
                                            no_conflict=True)
        case.demo_days = days
        case.demo_applicant = applicant
        return case

    def sessions(self, case: Case, days_ago: int, on_days: list[int], *, last_record: str = "") -> None:
        days = _Days(self.today - datetime.timedelta(days=days_ago))
        for n, on in enumerate(on_days, start=1):
            with days.on(on):
                record = last_record if last_record and n == len(on_days) else "双方陈述事实和理由，调解员释法说理"
                services.session_record(actor=self.mediator, case=_fresh(case), held_on=days.day(on),
                                        place=SESSION_PLACE, record=record,
                                        attendees=f"{case.demo_applicant.name}、调解员郑芳")

    def online_request(self, org_code: str, kind: str, matters: str, *, days_ago: int) -> Case:
        with _Days(self.today - datetime.timedelta(days=days_ago)).on(0):
            return services.case_request_online(type=kind, org_code=org_code, matters=matters, name="孙小梅",
                                                phone="13800002222", respondent_name="某物业服务公司")

    def declined(self, org_code: str, *, days_ago: int) -> None:
        case = self.online_request(org_code, "other", "要求调解已由法院判决的合同纠纷", days_ago=days_ago)
        with _Days(self.today - datetime.timedelta(days=days_ago)).on(1):
            services.case_decline(actor=self.mediator, case=case, diversion="court",
                                  reason="该纠纷已经人民法院判决，不属于人民调解受理范围")

    def _settle(self, case: Case, days_ago: int, *, on: int, form: str, terms: str, due_in: int) -> Case:
        days = _Days(self.today - datetime.timedelta(days=days_ago))
        with days.on(on):
            return services.case_conclude(actor=self.mediator, case=_fresh(case), result="agreement", form=form,
                                          terms=terms, responsibilities="被申请人堆放杂物堵塞公共通道，应负主要责任。",
                                          performance_due=days.day(on + due_in))

    def performed_and_confirmed(self, committee) -> None:
        case = self.opened(committee, "neighbour", "相邻通道被堆放杂物堵塞，双方多次争吵", "李建国", days_ago=45)
        self.sessions(case, 45, [2, 5], last_record="双方就清理期限达成一致")
        case = self._settle(case, 45, on=5, form="written", due_in=5,
                            terms="被申请人于五日内清理通道杂物，此后不再堆放；申请人不再追究。")
        days = case.demo_days = _Days(self.today - datetime.timedelta(days=45))
        with days.on(6):
            case = services.agreement_sign(actor=self.mediator, case=case, signed_on=days.day(6), pages=_signed_page())
        with days.on(9):
            case = services.confirmation_apply(actor=self.mediator, case=case, court="县人民法院",
                                               applied_on=days.day(9))
        with days.on(11):
            services.follow_up_record(actor=self.mediator, case=case, follow_up=FollowUp.objects.get(case=case),
                                      done_on=days.day(11), finding="performed", note="通道已清理畅通")
        with days.on(20):
            services.confirmation_decide(actor=self.mediator, case=_fresh(case), confirmed=True,
                                         decided_on=days.day(20))

    def waiting_for_signatures(self, committee) -> None:
        case = self.opened(committee, "consumer", "网购家电退货运费承担争议", "某电器商行", days_ago=4)
        self.sessions(case, 4, [1])
        self._settle(case, 4, on=1, form="written", due_in=7, terms="商家承担退货运费并于七日内退款。")

    def oral_follow_up_due(self, committee) -> None:
        case = self.opened(committee, "damage", "邻居装修震裂墙面赔偿", "周海涛", days_ago=24)
        self.sessions(case, 24, [2])
        self._settle(case, 24, on=2, form="oral", due_in=20, terms="被申请人当场赔偿修补费用八百元。")

    def breached_and_again(self, committee) -> None:
        case = self.opened(committee, "land", "承包地灌溉水渠使用争议", "吴春生", days_ago=40)
        self.sessions(case, 40, [1])
        case = self._settle(case, 40, on=1, form="oral", due_in=10, terms="双方轮流使用水渠，每方每周三天。")
        days = case.demo_days = _Days(self.today - datetime.timedelta(days=40))
        with days.on(11):
            services.follow_up_record(actor=self.mediator, case=case, follow_up=FollowUp.objects.get(case=case),
                                      done_on=days.day(11), finding="breached", note="被申请人仍独占水渠")
        with days.on(12):
            services.case_reopen(actor=self.mediator, case=_fresh(case), reason="被申请人未按约定轮流使用水渠")

    def handed_over_from_the_grid(self) -> bool:
        """Two disputes the demo grid worker reports: the dispatcher hands the first over to the
        committee (named, then accepted); the second waits on the desk for the walk-through."""
        from gridgov.events.models import Channel
        from gridgov.events.services import Submission, event_submit
        from gridgov.events.services.intake import follow_up_now

        worker = User.objects.filter(username="gridworker").first()
        dispatcher = User.objects.filter(username="dispatcher").first()
        if worker is None or dispatcher is None or not worker.grid_assignments.exists():
            return False
        cell = worker.grid_assignments.select_related("cell").first().cell
        if services.committee_serving(cell.code) is None:
            return False
        point = {"lat": (cell.min_lat + cell.max_lat) / 2, "lng": (cell.min_lng + cell.max_lng) / 2}
        days = _Days(self.today - datetime.timedelta(days=3))
        with days.on(0), follow_up_now():
            first = event_submit(actor=worker, submission=Submission(
                category_code="dispute.neighbour", description="两户因排水沟堵塞发生争吵，需要调解",
                channel=Channel.GRID_WORKER, **point))
        with days.on(0):
            case = services.case_from_event(actor=dispatcher, event_id=first.pk)
        with days.on(1):
            for role, name in ((PartyRole.APPLICANT, "黄丽华"), (PartyRole.RESPONDENT, "郭建军")):
                services.party_add(actor=self.mediator, case=case, party=services.PartySpec(role=role, name=name))
            services.case_accept(actor=self.mediator, case=_fresh(case))
        with follow_up_now():
            event_submit(actor=worker, submission=Submission(
                category_code="dispute.neighbour", description="邻居装修噪音扰民引发争吵，双方情绪激动",
                channel=Channel.GRID_WORKER, **point))
        return True
