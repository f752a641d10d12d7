"""The demo's care work already under way on the day the demo opens: guardian agreements
with their payments, a treatment subsidy, a crisis still open and one handled, handovers
waiting in both directions, and a screening campaign half done. All through the care
services, as the pages would make them."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from gridgov.care import services
from gridgov.care.models import Campaign, CampaignItem, Enrollment
from gridgov.care.services import TeamSpec
from gridgov.core.models import GridAssignment, OrgLevel, OrgUnit, Person, User


def write_care_under_way(*, township_code: str, rng: random.Random) -> dict[str, int]:
    officer = User.objects.filter(username="officer").first()
    doctor = User.objects.filter(username="doctor").first()
    if officer is None or doctor is None:
        return {}
    today = timezone.localdate()
    smd = list(Enrollment.objects.filter(org_code__startswith=township_code, program="smd",
                                         status=Enrollment.Status.ACTIVE).order_by("id"))
    made = {"agreements": 0, "payments": 0, "crises": 0, "handovers": 0, "campaigns": 0}
    for enrollment in smd[:3]:
        agreement = services.guardian_agreement_sign(
            actor=officer, enrollment=enrollment, guardian_name="监护人", year=today.year,
            annual_amount=Decimal("3600"), conditions="按时服药，未发生肇事肇祸", signed_on=today.replace(month=1, day=15))
        made["agreements"] += 1
        for quarter_end in (datetime.date(today.year, 3, 31), datetime.date(today.year, 6, 30)):
            if quarter_end < today:
                services.guardian_payment_record(
                    actor=officer, agreement=agreement, amount=Decimal("900"),
                    period_start=quarter_end.replace(day=1) - datetime.timedelta(days=60), period_end=quarter_end,
                    paid_on=quarter_end + datetime.timedelta(days=10), conditions_met=True, note="季度发放")
                made["payments"] += 1
    if len(smd) > 3:
        services.treatment_subsidy_record(
            actor=officer, enrollment=smd[3], kind="with_guardian", period_start=today - datetime.timedelta(days=40),
            period_end=today - datetime.timedelta(days=26), paid_on=today - datetime.timedelta(days=20),
            note="住院治疗补助")
        made["payments"] += 1
    high_risk = [e for e in smd if e.high_risk] or smd[-1:]
    if high_risk:
        handled = services.crisis_report(actor=doctor, enrollment=high_risk[0], reported_by="family",
                                         description="家属来电：患者情绪激动，在家摔打物品",
                                         occurred_at=timezone.now() - datetime.timedelta(days=6))
        services.crisis_record_action(actor=doctor, crisis=handled, note="医生与民警上门，劝说后送医",
                                      outcome="taken_to_hospital")
        services.crisis_report(actor=doctor, enrollment=high_risk[-1], reported_by="grid_worker",
                               description="网格员走访发现患者已多日未服药，言语威胁邻居",
                               occurred_at=timezone.now() - datetime.timedelta(hours=3))
        made["crises"] += 2
    made["handovers"] += _handovers(township_code=township_code, officer=officer, doctor=doctor, today=today,
                                    smd=smd)
    made["campaigns"] += _campaign(township_code=township_code, officer=officer, today=today, rng=rng)
    return made


def _handovers(*, township_code, officer, doctor, today, smd) -> int:
    """One case moving out of the first township, one moving in from its neighbour."""
    neighbour = (OrgUnit.objects.filter(level=OrgLevel.TOWNSHIP, code__startswith=township_code[:6])
                 .exclude(code=township_code).order_by("code").first())
    if neighbour is None or len(smd) < 6:
        return 0
    services.handover_create(actor=officer, enrollment=smd[5], to_org_code=neighbour.code,
                             due_date=today + datetime.timedelta(days=5), reason="move", note="随子女迁居邻镇")
    person = Person.objects.filter(org_code__startswith=neighbour.code, org_code__regex=r"^\d{15}$").order_by("id").first()
    if person is None:
        return 1
    incoming = services.enrollment_create(
        actor=officer, person=person, program="smd", org_code=person.org_code,
        start_date=today - datetime.timedelta(days=200), legal_basis="《精神卫生法》第二十四条",
        team=[TeamSpec(role="doctor", user=doctor)], details={"risk_level": 1, "classification": "basically_stable"})
    cell = (OrgUnit.objects.filter(level=OrgLevel.GRID, code__startswith=township_code).order_by("code").first())
    services.handover_create(actor=officer, enrollment=incoming, to_org_code=cell.code if cell else township_code,
                             due_date=today + datetime.timedelta(days=3), reason="move", note="迁入本镇居住")
    return 2


def _campaign(*, township_code, officer, today, rng) -> int:
    village = OrgUnit.objects.filter(level=OrgLevel.VILLAGE, code__startswith=township_code).order_by("code").first()
    if village is None:
        return 0
    campaign = services.campaign_open(actor=officer, org_code=village.code, kind=Campaign.Kind.ELDERLY,
                                      title="冬季独居老人走访", starts_on=today - datetime.timedelta(days=7),
                                      due_on=today + datetime.timedelta(days=14))
    items = list(CampaignItem.objects.filter(campaign=campaign).order_by("id"))
    workers = {a.cell_id: a.user for a in
               GridAssignment.objects.filter(cell__code__startswith=village.code).select_related("user")}
    for item in items[: len(items) // 2]:
        worker = workers.get(item.org_code)
        if worker is not None:
            services.campaign_item_record(actor=worker, item=item, note="已走访",
                                          result=rng.choice(("nothing_found", "nothing_found", "needs_found")))
    return 1
